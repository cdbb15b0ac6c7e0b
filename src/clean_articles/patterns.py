"""Regexes from rule files, run with a time bound.

A rule pattern may be catastrophic (``(a+)+$`` against a long run of a's). Every search runs with
a timeout; the first time a pattern times out it is reported once, on stderr, with its rule id,
and from then on treated as matching nothing, so a run always finishes in bounded time.
"""

from __future__ import annotations

import sys
from typing import Iterator

import regex

TIMEOUT_SECONDS = 0.5
FLAGS = regex.MULTILINE | regex.VERSION0


def report(message: str) -> None:
    """Warnings go to stderr, one line each."""
    print(f"clean-articles: warning: {message}", file=sys.stderr)


class Pattern:
    """A compiled rule regex whose searches are bounded in time.

    >>> p = Pattern(r'(a+)+$', 'demo.bad', timeout=0.05)
    >>> p.search('a' * 40 + 'b') is None and p.dead   # doctest: +SKIP
    True
    """

    def __init__(self, source: str, rule: str, timeout: float = TIMEOUT_SECONDS):
        self.source = source
        self.rule = rule
        self.timeout = timeout
        self.rx = regex.compile(source, FLAGS)
        self.dead = False

    def _give_up(self) -> None:
        self.dead = True
        report(f"rule '{self.rule}': pattern {self.source!r} took over {self.timeout}s and is "
               f"ignored from now on (make it less ambiguous, e.g. avoid nested repeats like (a+)+)")

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in text."""
        if self.dead:
            return False
        try:
            return self.rx.search(text, timeout=self.timeout) is not None
        except TimeoutError:
            self._give_up()
            return False

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each non-overlapping match in text; the whole scan is time-bounded."""
        if self.dead:
            return
        try:
            for m in self.rx.finditer(text, timeout=self.timeout):
                yield m.span()
        except TimeoutError:
            self._give_up()


def matching_lines(pattern: Pattern, doc) -> list[int]:
    """Indices of the lines of `doc` whose stripped text the pattern matches.

    One scan over the whole page finds candidate lines; each candidate is confirmed on its own
    line, so a match that runs across a line break never counts.
    """
    candidates: set[int] = set()
    for start, end in pattern.spans(doc.joined):
        first = doc.line_at(start)
        last = doc.line_at(max(start, end - 1))
        candidates.update(range(first, last + 1))
    return [i for i in sorted(candidates) if pattern.search(doc.stripped[i])]
