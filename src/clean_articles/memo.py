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
from itertools import repeat
from typing import Callable, Iterable, TypeVar

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


_ALL: "weakref.WeakValueDictionary[int, LineMemo]" = weakref.WeakValueDictionary()


def clear() -> None:
    """Empty every memo: the next page is worked on cold (for measuring and testing)."""
    for m in list(_ALL.values()):
        m.clear()


def per_line(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Memoise fn, a pure function of one line's text, in a LineMemo (as `.memo`); `.many(texts)`
    is [fn(t) for t in texts], with no Python-level step per text when all are known."""
    memo = LineMemo()
    get, put, missing = memo.get, memo.put, object()

    @functools.wraps(fn)
    def cached(text: str) -> T:
        value = get(text, missing)
        return put(text, fn(text)) if value is missing else value

    def many(texts: Iterable[str]) -> list[T]:
        texts = list(texts)
        values = list(map(get, texts, repeat(missing)))
        try:  # the few texts not seen yet are found by C-level scans, not a Python step per text
            k = values.index(missing)
            while True:
                values[k] = put(texts[k], fn(texts[k]))
                k = values.index(missing, k + 1)
        except ValueError:
            return values

    cached.memo, cached.many = memo, many
    return cached
