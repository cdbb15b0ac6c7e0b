"""Regexes from rule files, run with a time bound.

A rule pattern may be catastrophic (``(a|a)+$`` against a long run of a's). Every pattern has a
time allowance per page: `TIMEOUT_SECONDS`, plus `SECONDS_PER_MB` for each megabyte of the page,
so that a sane pattern is never cut short on a big page. All the searches a pattern makes on one
page (the page-wide scan and the per-line confirmations) draw on that one `Budget`, so the
total per page is bounded, however many lines there are. The first time a pattern runs out of
time it is reported once, on stderr, with its rule id, and from then on it matches nothing, so a
run always finishes in bounded time.

The `regex` module's own ``timeout=`` is cumulative over a whole ``finditer`` (not per match),
but it overshoots: a search given ``timeout=t`` gives up after about ``2 * t``.
"""

from __future__ import annotations

import sys
import time
from typing import Iterator

import regex

TIMEOUT_SECONDS = 0.5
SECONDS_PER_MB = 1.0
FLAGS = regex.MULTILINE | regex.VERSION0


def report(message: str) -> None:
    """Warnings go to stderr, one line each."""
    print(f"clean-articles: warning: {message}", file=sys.stderr)


class Budget:
    """The time one pattern may spend on one page (of `chars` characters)."""

    def __init__(self, pattern: "Pattern", chars: int):
        self.pattern = pattern
        self.seconds = pattern.timeout + SECONDS_PER_MB * chars / 1_000_000
        self.deadline = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


class Pattern:
    """A compiled rule regex whose searches are bounded in time.

    >>> p = Pattern(r'(a|a)+$', 'demo.bad', timeout=0.01)
    >>> p.search('a' * 40 + 'b'), p.dead   # doctest: +SKIP
    (False, True)
    """

    def __init__(self, source: str, rule: str, timeout: float = TIMEOUT_SECONDS):
        self.source = source
        self.rule = rule
        self.timeout = timeout
        self.rx = regex.compile(source, FLAGS)
        self.dead = False

    def budget(self, chars: int) -> Budget:
        """A fresh allowance for one page of `chars` characters."""
        return Budget(self, chars)

    def _give_up(self, budget: Budget | None) -> None:
        if self.dead:
            return
        self.dead = True
        seconds = budget.seconds if budget is not None else self.timeout
        report(f"rule '{self.rule}': pattern {self.source!r} took over {seconds:.1f}s on one page and is "
               f"ignored from now on (make it less ambiguous, e.g. avoid nested repeats like (a+)+)")

    def _timeout(self, budget: Budget | None) -> float | None:
        """Seconds left for the next search, or None when the budget is spent."""
        left = self.timeout if budget is None else budget.left()
        return left if left > 0 else None

    def search(self, text: str, budget: Budget | None = None) -> bool:
        """True when the pattern matches somewhere in text (within `budget`, if given)."""
        if self.dead:
            return False
        timeout = self._timeout(budget)
        try:
            if timeout is None:
                raise TimeoutError
            return self.rx.search(text, timeout=timeout) is not None
        except TimeoutError:
            self._give_up(budget)
            return False

    def spans(self, text: str, budget: Budget | None = None) -> Iterator[tuple[int, int]]:
        """(start, end) of each non-overlapping match in text; the whole scan is time-bounded."""
        if self.dead:
            return
        timeout = self._timeout(budget)
        try:
            if timeout is None:
                raise TimeoutError
            for m in self.rx.finditer(text, timeout=timeout):
                yield m.span()
        except TimeoutError:
            self._give_up(budget)


def matching_lines(pattern: Pattern, doc) -> list[int]:
    """Indices of the lines of `doc` whose stripped text the pattern matches.

    One scan over the whole page finds candidate lines; each candidate is confirmed on its own
    line, so a match that runs across a line break never counts. Scan and confirmations share
    one budget for the page.
    """
    budget = pattern.budget(len(doc.joined))
    candidates: set[int] = set()
    for start, end in pattern.spans(doc.joined, budget):
        first = doc.line_at(start)
        last = doc.line_at(max(start, end - 1))
        candidates.update(range(first, last + 1))
    return [i for i in sorted(candidates) if pattern.search(doc.stripped[i], budget)]
