"""Bounded per-process memos of pure per-line work, keyed by the line's text.

The same line texts come back again and again: the pipeline's fixed point (pipeline.py) reads a
page's kept lines a second time, and the pages of one site in a batch share most of their chrome
(menus, footers, prompts). Work that depends on a line's text alone (prefilter hits, content
words, fingerprints, whether it reads as prose) is therefore kept per text and reused.

Each memo holds at most `MAX_LINES` texts (it is emptied when full, which keeps it simple and
bounded) and never a text longer than `MAX_CHARS` (a 20 MB line is worked on, never kept).
Results are the same with or without a memo: only pure functions of the text are memoised.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable
from typing import TypeVar

MAX_LINES = 1 << 15
MAX_CHARS = 2000

T = TypeVar("T")


class LineMemo(dict):
    """text -> value, bounded as the module docstring says."""

    def __init__(self):
        super().__init__()
        _ALL[id(self)] = self

    def put(self, text: str, value: T) -> T:
        if len(text) <= MAX_CHARS:
            if len(self) >= MAX_LINES:
                self.clear()
            self[text] = value
        return value


_ALL: weakref.WeakValueDictionary[int, LineMemo] = weakref.WeakValueDictionary()


def clear() -> None:
    """Empty every memo: the next page is worked on cold (for measuring and testing)."""
    for m in list(_ALL.values()):
        m.clear()


def per_line(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Memoise fn, a pure function of one line's text, in a LineMemo (as `.memo`); `.many(texts)`
    is [fn(t) for t in texts], with no Python-level step per text already known."""
    memo = ComputingMemo(fn)
    lookup = memo.__getitem__

    @functools.wraps(fn)
    def cached(text: str) -> T:
        return lookup(text)

    def many(texts: Iterable[str]) -> list[T]:
        return list(map(lookup, texts))

    cached.memo, cached.many = memo, many
    return cached


class ComputingMemo(LineMemo):
    """A LineMemo that works out, and keeps, the value of a text it does not hold yet."""

    def __init__(self, fn: Callable[[str], T]):
        super().__init__()
        self.fn = fn

    def __missing__(self, text: str) -> T:
        return self.put(text, self.fn(text))
