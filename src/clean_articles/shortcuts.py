"""Shortcuts: the one place where work is remembered instead of done again.

A shortcut keeps the answer of a pure function of one line's text, so that the same text asked
again costs a lookup. Only the text vocabulary (text.py) and the pipeline import this module:
every other module asks them, and never knows whether an answer was remembered.

Each memo holds at most `MAX_LINES` texts (it is emptied when full: simple and bounded) and
never a text longer than `MAX_CHARS`. Shortcuts change no result: `off()` turns them all off
(and `CLEAN_ARTICLES_SHORTCUTS=0` in the environment does so for a whole process), and a
property test cleans pages both ways and compares.
"""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

MAX_LINES = 1 << 15
MAX_CHARS = 2000

T = TypeVar("T")

#: Whether memos are asked at all; `off()` sets it to False for a while.
enabled = os.environ.get("CLEAN_ARTICLES_SHORTCUTS", "1") != "0"

_ALL: weakref.WeakSet[_Memo] = weakref.WeakSet()


class _Memo(dict):
    """text -> value of `fn`, bounded as the module docstring says."""

    def __init__(self, fn: Callable[[str], T]):
        super().__init__()
        self.fn = fn
        _ALL.add(self)

    def __hash__(self) -> int:  # a dict is unhashable; a memo is one object among others (WeakSet)
        return id(self)

    def __missing__(self, text: str) -> T:
        value = self.fn(text)
        if len(text) <= MAX_CHARS:
            if len(self) >= MAX_LINES:
                self.clear()
            self[text] = value
        return value


def per_line(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Remember fn, a pure function of one line's text. `.many(texts)` is [fn(t) for t in texts],
    with no Python-level step for a text already known."""
    memo = _Memo(fn)
    lookup = memo.__getitem__

    @functools.wraps(fn)
    def remembered(text: str) -> T:
        return lookup(text) if enabled else fn(text)

    def many(texts: Iterable[str]) -> list[T]:
        return list(map(lookup if enabled else fn, texts))

    remembered.memo, remembered.many = memo, many
    return remembered


def clear() -> None:
    """Forget every remembered answer: the next page is worked on cold (for measuring, testing)."""
    for memo in list(_ALL):
        memo.clear()


@contextmanager
def off() -> Iterator[None]:
    """Every shortcut off inside the block (and every memo emptied, so none is read after)."""
    global enabled
    before, enabled = enabled, False
    try:
        clear()
        yield
    finally:
        enabled = before
