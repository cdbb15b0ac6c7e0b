"""A page as matchers see it: its lines, and the views of them worked out once; the Mark a
matcher leaves.

A Document holds the page and nothing of a run: matchers never edit it, they return Marks (a
line range, the rule that removed it, and a reason), and the renderer turns a Document and its
marks into clean text, a diff or an explanation. What a run keeps (which lines earlier rules
removed, the prefilter's candidates, a batch's counts) travels in the pipeline's Context.

>>> doc = Document.from_text("Menu\\n\\nA first line of the article, which is long enough to count.\\nEnd\\n")
>>> doc.blocks
[(0, 1), (2, 4)]
>>> doc.body
(2, 3)
>>> doc.kept(bytearray([1, 0, 0, 0]))  # the lines left when the first is removed
[2, 3]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable
from functools import cached_property
from itertools import compress, repeat
from operator import is_
from typing import NamedTuple

import re2

from clean_articles.prefilter import line_starts, spans
from clean_articles.text import collapse, prose_flags, prose_span, split_lines, strip_lines


class Mark(NamedTuple):
    """Lines [start, end) removed by `rule` (its full id) for `reason`. A tuple: pages get dozens
    of marks, and a tuple is made in half the time of a frozen dataclass."""

    start: int
    end: int
    rule: str
    reason: str


#: bytes.translate() of a removal mask: its 0 (left) -> 1, anything else -> 0
LEFT = b"\1" + bytes(255)

_CARRIED = ("stripped", "folded", "prose")  # cached views with one value per line
UNREAD = object()  # a note not written yet (`Document.notes`)


class Document:
    """The lines of one page, with the derived views matchers share (worked out once, lazily)."""

    def __init__(self, lines: list[str], endings: list[str]):
        self.lines = lines
        self.endings = endings
        self._notes: dict[Hashable, list] = {}

    @classmethod
    def from_text(cls, text: str) -> Document:
        return cls(*split_lines(text))

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def text(self) -> str:
        """The page as it came in: its lines with their own endings."""
        return "".join(line + end for line, end in zip(self.lines, self.endings))

    def subset(self, keep: list[int]) -> Document:
        """The page made of the lines `keep` (indices in order). Per-line views already worked
        out carry over rather than being worked out again."""
        sub = Document([self.lines[i] for i in keep], [self.endings[i] for i in keep])
        for name in _CARRIED:
            view = self.__dict__.get(name)
            if view is not None:
                sub.__dict__[name] = [view[i] for i in keep]
        sub._notes = {key: [notes[i] for i in keep] for key, notes in self._notes.items()}
        return sub

    def notes(self, key: Hashable) -> list:
        """A list of one note per line kept under `key` (each UNREAD until its owner writes it),
        carried over to the page's subsets: how a matcher keeps what it read of a line for the
        pipeline's later rounds, which read some of the same lines again."""
        found = self._notes.get(key)
        if found is None:
            found = self._notes[key] = [UNREAD] * len(self.lines)
        return found

    def each(self, fn: Callable[[list[str]], list], lines: Iterable[int]) -> list:
        """fn's answer for each of `lines` (fn answers for a list of stripped lines, one value
        each: a text.py function), noted on the page: a line is read once, in later rounds too."""
        lines = list(lines)
        notes = self.notes(fn)
        missing = list(compress(lines, map(is_, map(notes.__getitem__, lines), repeat(UNREAD))))
        if missing:
            for i, value in zip(missing, fn(list(map(self.stripped.__getitem__, missing)))):
                notes[i] = value
        return list(map(notes.__getitem__, lines))

    @cached_property
    def stripped(self) -> list[str]:
        """Each line as patterns see it (`text.strip_lines`)."""
        return strip_lines(self.lines)

    @cached_property
    def size(self) -> int:
        """Characters in the stripped lines: what a pattern's time allowance for the page grows with."""
        return sum(map(len, self.stripped))

    @cached_property
    def folded(self) -> list[str]:
        """Each stripped line case-folded, its spacing collapsed (`text.collapse`)."""
        return collapse(self._casefold) if self.lines else []

    @cached_property
    def _casefold(self) -> str:
        """The stripped lines joined by line breaks, case-folded: what `folded` and `scan` read."""
        return "\n".join(self.stripped).casefold()

    @cached_property
    def _casefolded(self) -> tuple[bytes, list[int]]:
        """`_casefold` as UTF-8 (undecodable bytes kept as they came), with where each line
        starts: what `scan` reads."""
        page = self._casefold.encode("utf-8", "surrogateescape")
        return page, line_starts(page)

    def scan(self, rx: re2._Regexp) -> dict[int, set[bytes]]:
        """The lines whose stripped text, case-folded, holds a match of `rx` (an RE2 pattern on
        UTF-8 bytes), each with the texts matched, found in one pass over the whole page."""
        page, starts = self._casefolded
        found: dict[int, set[bytes]] = {}
        for a, b in spans(rx, page):
            found.setdefault(bisect_right(starts, a) - 1, set()).add(page[a:b])
        return found

    @cached_property
    def blocks(self) -> list[tuple[int, int]]:
        """Runs of non-blank lines, as [start, end) line ranges."""
        out, start, stripped = [], 0, self.stripped
        try:
            while True:  # from blank line to blank line, found by C-level scans
                blank = stripped.index("", start)
                if blank > start:
                    out.append((start, blank))
                start = blank + 1
        except ValueError:
            if start < len(stripped):
                out.append((start, len(stripped)))
        return out

    @cached_property
    def block_of(self) -> list[int]:
        """Index into `blocks` for each line; -1 for blank lines."""
        owner = [-1] * len(self.lines)
        for b, (start, end) in enumerate(self.blocks):
            owner[start:end] = [b] * (end - start)
        return owner

    @cached_property
    def prose(self) -> list[bool]:
        """Whether each line reads like a sentence (`text.prose_flags`)."""
        return prose_flags(self.stripped)

    @cached_property
    def body(self) -> tuple[int, int] | None:
        """[start, end) from the first to the last prose line, or None when there is none."""
        return prose_span(self.stripped)

    def region(self, where: str) -> list[tuple[int, int]]:
        """Line ranges a rule limited to `where` (anywhere, head, tail, edges) may touch."""
        n = len(self.lines)
        if where == "anywhere":
            return [(0, n)]
        if self.body is None:
            return []
        head, tail = (0, self.body[0]), (self.body[1], n)
        return {"head": [head], "tail": [tail], "edges": [head, tail]}[where]

    def indent(self, i: int) -> int:
        """Width of line i's leading whitespace."""
        return len(self.lines[i]) - len(self.lines[i].lstrip())

    def kept(self, mask: bytes | bytearray) -> list[int]:
        """The lines the clean text is made of: those `mask` (1 per removed line) leaves, one
        blank line per run of blank lines, none at the start or end."""
        keep: list[int] = []
        stripped = self.stripped
        text = False  # whether the last line kept has text
        for i in compress(range(len(self.lines)), mask.translate(LEFT)):
            if stripped[i]:
                keep.append(i)
                text = True
            elif text:
                keep.append(i)
                text = False
        if keep and not text:
            keep.pop()
        return keep
