"""A page as matchers see it: lines, blocks, the body span; and the Mark a matcher leaves.

Matchers never edit a Document; they return Marks (a line range, the rule that removed it, and a
reason). The renderer turns a Document and its marks into clean text, a diff or an explanation.

>>> doc = Document.from_text("Menu\\n\\nA first line of the article, which is long enough to count.\\nEnd\\n")
>>> doc.blocks
[(0, 1), (2, 4)]
>>> doc.body
(2, 3)
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

import regex

from clean_articles.memo import per_line

_BREAK = re.compile(r"(\r\n|\r|\n)")
_WORD = regex.compile(r"\w+")
_STOPS = tuple(".!?…:;。！？")
_CLOSERS = "\"'”’»)]"
_CLOSED = tuple('"”’»)')
PROSE_MIN_WORDS = 10
BULLET = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—]|\d{1,3}[.)])(?:\s|$)")


_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


class Mark(NamedTuple):
    """Lines [start, end) removed by `rule` (its full id) for `reason`. A tuple: pages get dozens
    of marks, and a tuple is made in half the time of a frozen dataclass."""

    start: int
    end: int
    rule: str
    reason: str


@per_line
def strip_line(line: str) -> str:
    """A line as patterns see it: see `Document.stripped`."""
    line = line.strip()
    return line if line.isascii() else _SPACES.sub(" ", line)


@per_line
def fold_line(stripped: str) -> str:
    """A stripped line case-folded, its spacing collapsed (what phrases are scored against)."""
    return " ".join(stripped.casefold().split())


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split on \\n, \\r\\n or \\r; return (lines, endings). The last ending may be ''.

    >>> split_lines("a\\r\\nb\\rc")
    (['a', 'b', 'c'], ['\\r\\n', '\\r', ''])
    >>> split_lines("")
    ([], [])
    """
    if "\r" in text:
        parts = _BREAK.split(text)  # line, break, line, break, ..., line
        lines, endings = parts[::2], parts[1::2]
    else:
        lines = text.split("\n")
        endings = ["\n"] * (len(lines) - 1)
    endings.append("")
    if not lines[-1]:  # the text ends with a line break, or is empty: no last line
        lines.pop()
        endings.pop()
    return lines, endings


def ends_sentence(stripped: str) -> bool:
    """Whether a stripped line ends like a sentence: punctuation, maybe followed by closing
    quotes or brackets, or a closing quote or bracket. Read from the end, so a long line costs
    no more than a short one."""
    return stripped.endswith(_CLOSED) or stripped.rstrip(_CLOSERS).endswith(_STOPS)


@per_line
def is_prose(stripped: str) -> bool:
    """A line that reads like a sentence: enough words and sentence punctuation at the end."""
    if not ends_sentence(stripped):
        return False
    return len(_WORD.findall(stripped, concurrent=False)[:PROSE_MIN_WORDS]) >= PROSE_MIN_WORDS


_PER_LINE = ("stripped", "folded", "prose")  # Document views with one value per line


class Document:
    """The lines of one page, with the derived views matchers share (computed once, lazily)."""

    def __init__(self, lines: list[str], endings: list[str]):
        self.lines = lines
        self.endings = endings
        #: Pattern -> lines it may match, filled by the pipeline's prefilter pass (prefilter.py).
        self.candidates: dict = {}
        #: (mask, lines) of the last `render.kept()` on this page: its rounds and its renderer ask twice.
        self.last_kept: tuple[bytes, list[int]] | None = None
        #: Matchers that found, in this run of the pipeline, on this page or one its lines come
        #: from, that they would mark nothing on any page made of some of the lines they left
        #: (see `Matcher.mark`).
        self.settled: set = set()

    @classmethod
    def from_text(cls, text: str) -> Document:
        return cls(*split_lines(text))

    def __len__(self) -> int:
        return len(self.lines)

    def subset(self, keep: list[int]) -> Document:
        """The page made of the lines `keep` (indices in order). Per-line views already worked
        out (`_PER_LINE`) carry over rather than being worked out again, and so does `settled`."""
        sub = Document([self.lines[i] for i in keep], [self.endings[i] for i in keep])
        sub.settled = set(self.settled)
        for name in _PER_LINE:
            view = self.__dict__.get(name)
            if view is not None:
                sub.__dict__[name] = [view[i] for i in keep]
        return sub

    @cached_property
    def stripped(self) -> list[str]:
        """Each line without leading and trailing whitespace, and with every other Unicode space
        (no-break, thin, ideographic...) read as a plain space: what patterns are tested against,
        so a rule's literal space also matches the no-break spaces pages are full of."""
        return strip_line.many(self.lines)

    @cached_property
    def size(self) -> int:
        """Characters in the stripped lines: what a pattern's time allowance for the page grows with."""
        return sum(map(len, self.stripped))

    @cached_property
    def folded(self) -> list[str]:
        """Each stripped line case-folded, its spacing collapsed (what phrases are scored against)."""
        return fold_line.many(self.stripped)

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
        """Whether each line reads like a sentence (`is_prose`)."""
        return is_prose.many(self.stripped)

    @cached_property
    def body(self) -> tuple[int, int] | None:
        """[start, end) from the first to the last prose line, or None when there is none."""
        prose = self.prose
        if True not in prose:
            return None
        return prose.index(True), len(prose) - prose[::-1].index(True)

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
