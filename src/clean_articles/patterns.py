"""Regexes from rule files, run with a time bound.

A pattern is tested against each stripped line on its own (a line holds no line break, so ``^``
and ``$`` mean its start and end). That is also the fast way with the `regex` module: a
``^``-anchored pattern fails at once on a line it does not start, where a MULTILINE scan over the
whole page would try every position, and ``\\s`` cannot run across line breaks and backtrack
over many lines.

A rule pattern may be catastrophic (``(a|a)+$`` against a long run of a's). Every pattern has a
time allowance per page: `TIMEOUT_SECONDS`, plus `SECONDS_PER_MB` for each megabyte of the page,
so that a sane pattern is never cut short on a big page. All the searches a pattern makes on one
page draw on that one `Budget`, so the total per page is bounded, however many lines there
are. The first time a pattern runs out of time it is reported once, on stderr, with its rule id;
on that page it matches nothing. After `STRIKES` such pages it is ignored for the rest of the run
(one monster page should not switch a rule off for the rest of a batch, but a pattern that blows
up everywhere should not cost its allowance on every page). All the patterns together have an
allowance per page too (`PageClock`: `PAGE_SECONDS` plus `PAGE_SECONDS_PER_MB`), so that a
hundred slow rules cannot cost a hundred allowances: once it is spent, the rules left match
nothing on that page, reported once, and no rule is blamed for it. A page is cleaned in bounded
time, a run too.

The `regex` module's own ``timeout=`` is cumulative over a whole ``finditer`` (not per match),
but it overshoots: a search given ``timeout=t`` gives up after about ``2 * t``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from functools import cached_property

import regex

TIMEOUT_SECONDS = 0.5
SECONDS_PER_MB = 0.5
PAGE_SECONDS = 2.0
PAGE_SECONDS_PER_MB = 2.0
STRIKES = 3
FLAGS = regex.VERSION0


def report(message: str) -> None:
    """Warnings go to stderr, one line each."""
    print(f"clean-articles: warning: {message}", file=sys.stderr)


class PageClock:
    """The time all the patterns together may spend on one page (of `chars` characters)."""

    def __init__(self, chars: int):
        self.seconds = PAGE_SECONDS + PAGE_SECONDS_PER_MB * chars / 1_000_000
        self.deadline = time.monotonic() + self.seconds
        self.reported = False

    def over(self) -> bool:
        return time.monotonic() >= self.deadline


class Budget:
    """The time one pattern may spend on one page (of `chars` characters), within what is left of
    the page's `clock`, if given."""

    def __init__(self, pattern: Pattern, chars: int, clock: PageClock | None = None):
        self.pattern, self.clock = pattern, clock
        self.seconds = pattern.timeout + SECONDS_PER_MB * chars / 1_000_000
        self.deadline = time.monotonic() + self.seconds
        if clock is not None:
            self.deadline = min(self.deadline, clock.deadline)
        self.spent = False

    def left(self) -> float:
        return self.deadline - time.monotonic()


class Pattern:
    """A compiled rule regex whose searches are bounded in time.

    >>> p = Pattern(r'(a|a)+$', 'demo.bad', timeout=0.01)
    >>> p.search('a' * 40 + 'b'), p.strikes   # doctest: +SKIP
    (False, 1)
    """

    def __init__(self, source: str, rule: str, timeout: float = TIMEOUT_SECONDS):
        self.source = source
        self.rule = rule
        self.timeout = timeout
        self.dead = False
        self.strikes = 0

    @cached_property
    def rx(self) -> regex.Pattern:
        """Compiled on first use: with the prefilter, many patterns never need to run at all."""
        return regex.compile(self.source, FLAGS)

    def budget(self, chars: int, clock: PageClock | None = None) -> Budget:
        """A fresh allowance for one page of `chars` characters (within the page's `clock`)."""
        return Budget(self, chars, clock)

    def _give_up(self, budget: Budget | None) -> None:
        if budget is not None:
            if budget.spent:
                return
            budget.spent = True
            clock = budget.clock
            if clock is not None and clock.over():  # the page's time, not this pattern's, ran out
                if not clock.reported:
                    clock.reported = True
                    report(
                        f"the rules' time for a page ({clock.seconds:.1f}s) is spent: the rules left match nothing on it"
                    )
                return
        self.strikes += 1
        self.dead = self.strikes >= STRIKES
        if self.strikes == 1:
            seconds = budget.seconds if budget is not None else self.timeout
            report(
                f"rule '{self.rule}': pattern {self.source!r} took over {seconds:.1f}s and is taken to match "
                f"nothing on that page (after {STRIKES} such pages: from then on). Make it less ambiguous, "
                f"e.g. avoid nested repeats like (a+)+"
            )

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


def matching_lines(
    pattern: Pattern, stripped: list[str], size: int, lines: Iterable[int] | None = None, clock: PageClock | None = None
) -> list[int]:
    """Indices of the non-blank lines among `lines` (default: all) of a page of these stripped
    lines (`size` characters) that the pattern matches, all searches drawing on one budget for
    the page (within the page's `clock`). A pattern that runs out of time on the page matches
    nothing on it."""
    budget = pattern.budget(size, clock)
    search = pattern.search
    found = [
        i for i in (range(len(stripped)) if lines is None else lines) if stripped[i] and search(stripped[i], budget)
    ]
    return [] if budget.spent else found
