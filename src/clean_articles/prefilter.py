"""Linear-time passes over a page for all rule regexes at once.

Running every rule regex over every line with the backtracking `regex` engine costs tens of
milliseconds a page once a few dozen rules carry large alternations. Instead, each rule pattern is
rewritten into a *wider* RE2 pattern (one that matches at least every line the original matches)
and all of them go into RE2 sets, which tell in one automaton pass over the page which patterns
may match it, and then where (`Prefilter`). Only those (line, pattern) pairs are then confirmed
with `regex`, under the pattern's time budget. What RE2 cannot express (look-arounds, back-references) is widened away; a
pattern that still does not fit is left out of the set and tried on every line, so nothing
changes but the speed.

Widening: RE2's ``\\w \\d \\s`` are ASCII-only where `regex`'s are Unicode, so they become Unicode
classes; ``\\b`` and ``\\B`` are dropped (dropping an assertion can only widen). Inside a negated
class the ASCII forms are kept, since a smaller excluded set is a larger class. No class matches
a line break: a line holds none, and a page is scanned as its lines joined by line breaks.

>>> print(widen(r'(?i)^\\w+ comments?\\b'))
(?i)^[\\p{L}\\p{N}\\p{M}\\p{Pc}]+ comments?
>>> print(widen(r'^(?!By )(a)\\1$'))
^(a).*$
>>> widen(r'(?x) a') is None
True
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

import re2

from clean_articles._core import line_starts as _line_starts
from clean_articles.patterns import Pattern

_WORD = r"\p{L}\p{N}\p{M}\p{Pc}"
_SPACE = r"\t\f\r \x{0b}\p{Z}\x{85}\x{1c}-\x{1f}"  # \s but \n: a line holds none, and a page's
# lines are scanned joined by \n, where a class that matches it would run across lines
_DIGIT = r"\p{N}"
_FLAGS = set("imsu")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = 32 << 20


def _group_end(source: str, i: int) -> int | None:
    """Index just past the `)` closing the group that opens at source[i]."""
    depth, in_class, n = 0, False, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if source.startswith("[]", i) or source.startswith("[^]", i) else 1
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_COUNTED = re.compile(r"\{(\d+),(\d+)\}")


def widen(source: str) -> str | None:
    """An RE2 pattern matching every string `source` matches in `regex`, or None.

    What RE2 lacks is widened away: look-arounds are dropped, a back-reference becomes ``.*``,
    atomic groups and possessive quantifiers become ordinary ones; each only lets more through.
    A counted repeat loses its upper bound (``[^©]{0,300}`` becomes ``[^©]{0,}``): RE2 unrolls
    counters into states, so a long one, or a short one inside another (``{0,4}`` in ``{1,6}``:
    30 copies of a Unicode class), makes a set slow to build and its DFA large.
    """
    out: list[str] = []
    flags: set[str] = set()
    i, n = 0, len(source)
    in_class = negated = False
    class_start = 0
    while i < n:
        c = source[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            e = source[i + 1]
            i += 2
            if not in_class and e.isdigit() and e != "0":
                out.append(".*")  # a back-reference matches some text
                continue
            if e.isdigit() and e != "0" or e in "gKGZNhRXVvLl":
                return None
            if in_class:
                if negated and e in "WSD":
                    return None
                widened = {"w": _WORD, "d": _DIGIT, "s": _SPACE}.get(e) if not negated else None
                out.append(widened or "\\" + e)
            elif e in "bB":
                continue
            else:
                # \A and \z mean a line's start and end: on a page of lines, ^ and $ (multi-line)
                wider = {"w": f"[{_WORD}]", "d": _DIGIT, "s": f"[{_SPACE}]", "W": r"[^\n0-9A-Za-z_]", "D": r"[^\n0-9]"}
                out.append(wider.get(e) or {"A": "^", "z": "$"}.get(e, "\\" + e))
            continue
        if in_class:
            if c == "[" and source.startswith("[:", i):
                return None
            if c == "]" and i > class_start:
                in_class = False
                if negated:  # a negated class does not match \n (see _SPACE)
                    out.append("\\n")
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            negated = source.startswith("[^", i)
            class_start = i + (2 if negated else 1)
            if source.startswith("]", class_start):  # a leading ] is a literal
                class_start += 1
            out.append(source[i:class_start])
            i = class_start
            continue
        if c == "{":
            m = _COUNTED.match(source, i)
            if m:
                out.append(f"{{{m.group(1)},}}")  # a counted repeat: no upper bound
                i = m.end()
                continue
        if c == "(" and source.startswith("(?", i):
            j = i + 2
            if source.startswith((":", ">"), j):
                out.append("(?:")
                i = j + 1
                continue
            if source.startswith(("=", "!", "<=", "<!"), j):
                end = _group_end(source, i)
                if end is None:
                    return None
                i = end  # a look-around only restricts: leave it out
                continue
            if source.startswith("P=", j):
                end = source.find(")", j)
                if end < 0:
                    return None
                out.append(".*")
                i = end + 1
                continue
            if source.startswith("P<", j):
                out.append("(?P<")
                i = j + 2
                continue
            k = j
            while k < n and source[k] in _FLAGS:
                k += 1
            if k == j or k >= n or source[k] not in ":)":
                return None
            if source[k] == ")":
                flags.update(source[j:k].replace("u", ""))  # regex applies these to the whole pattern
            else:
                out.append(source[i : k + 1].replace("u", ""))
            i = k + 1
            continue
        if c in "*+?}" and i + 1 < n and source[i + 1] == "+":
            out.append(c)
            i += 2  # possessive: the ordinary quantifier matches at least as much
            continue
        out.append(c)
        i += 1
    if in_class:
        return None
    body = "".join(out).replace("(?:)", "")
    return (f"(?{''.join(sorted(flags))})" if flags else "") + body


class Prefilter:
    """RE2 sets of the widened patterns; `scan` finds each pattern's candidate lines in a page.

    The page's stripped lines are joined by line breaks and cut into pieces of whole lines
    (`PIECE` bytes or so); each set is run over each piece (multi-line: ``^`` and ``$`` are a
    line's start and end), which says which patterns may match there; each of those then finds
    its lines with a pass of its own widened pattern over that piece only. A rule's pattern is
    matched against one line at a time, so each match it can have lies within a piece. A match
    that runs across a line break (``\\s`` or ``[^x]`` may) makes every line it touches a
    candidate, and a line that holds undecodable bytes (which RE2 cannot read as `regex` does)
    is a candidate for every pattern: the candidates are a superset, confirmed by `regex`.
    Sets hold `GROUP` patterns: small sets keep each automaton small enough for RE2's cache.
    """

    GROUP = 8
    PIECE = 2048  # bytes of whole lines the sets read at a time: a pattern is then sought in those only

    def __init__(self, patterns: Iterable[Pattern]):
        self.groups: list[tuple[re2.Set, list[Pattern]]] = []
        self.single: dict[Pattern, re2._Regexp] = {}
        wide: list[str] = []
        for p in patterns:
            if p in self.single:
                continue
            source = _widened(p.source)
            single = _single(source) if source is not None else None
            if single is not None:
                self.single[p] = single
                wide.append(source)
        members = list(self.single)
        for k in range(0, len(members), self.GROUP):
            self.groups.append((_set(tuple(wide[k : k + self.GROUP])), members[k : k + self.GROUP]))
        self._none = dict.fromkeys(self.single, ())

    def scan(self, lines: list[str]) -> dict:
        """For each pattern in the sets: the lines it may match (a superset, to be confirmed);
        an empty tuple when there are none."""
        hits = self._none.copy()  # () for each: no line
        if not lines or not self.single:
            return hits
        page = "\n".join(lines)
        unread: list[int] = []  # lines with undecodable bytes
        try:
            data = page.encode("utf-8")  # as fast as a search for them, when there are none
        except UnicodeEncodeError:
            unread = [i for i, line in enumerate(lines) if _SURROGATE.search(line)]
            data = page.encode("utf-8", "surrogateescape")
        starts = line_starts(data)
        found: dict[Pattern, set[int]] = {}
        for a, b in _pieces(data, starts, self.PIECE):
            piece = data[a:b]
            for rset, members in self.groups:
                for k in rset.Match(piece) or ():
                    lines = found.setdefault(members[k], set(unread))
                    lines.update(_lines_matched(self.single[members[k]], data, starts, a, b))
        for p, lines in found.items():
            hits[p] = sorted(lines)
        if unread:
            for p, found in hits.items():
                if not found:
                    hits[p] = unread
        return hits


# A process compiles a pattern, and a set of patterns, once: every Pipeline of the same rules (a
# Cleaner made anew for each call, as in tests and servers) shares them. RE2's objects are
# immutable once compiled, and their automata grow as pages need them, for every user at once.


@functools.lru_cache(maxsize=4096)
def _widened(source: str) -> str | None:
    return widen(source)


@functools.lru_cache(maxsize=4096)
def _single(wide: str) -> re2._Regexp | None:
    """The widened pattern compiled for multi-line search, or None when RE2 refuses it."""
    try:
        return re2.compile("(?m)" + wide, _OPTIONS)
    except re2.error:
        return None


@functools.lru_cache(maxsize=512)
def _set(wide: tuple[str, ...]) -> re2.Set:
    """The widened patterns in one RE2 set (multi-line), compiled."""
    rset = re2.Set.SearchSet(_OPTIONS)
    for source in wide:
        rset.Add("(?m)" + source)
    rset.Compile()
    return rset


def _lines_matched(rx: re2._Regexp, data: bytes, starts: list[int], a: int, b: int) -> Iterator[int]:
    """The lines of data[a:b] (lines joined by b"\\n", starting at `starts`) that a match of `rx`
    touches; once a line is found, the search goes on from the next line's start, so a pattern
    that matches everywhere (`\\S`) costs a search a line, not one a character. A line with a
    match of its own is still found: the search from its start meets that match or an earlier one
    that runs into it.

    >>> list(_lines_matched(re2.compile(rb"\\S"), b"ab\\n\\ncd e", [0, 3, 4], 0, 8))
    [0, 2]
    """
    match, pos = rx._regexp.Match, a
    while pos <= b:
        x, y = match(_UNANCHORED, data, pos, b)[0]
        if x < 0:
            return
        first, last = bisect_right(starts, x) - 1, bisect_right(starts, max(x, y - 1)) - 1
        yield from range(first, last + 1)
        if last + 1 >= len(starts):
            return
        pos = starts[last + 1]


def _pieces(data: bytes, starts: list[int], size: int) -> Iterator[tuple[int, int]]:
    """[a, b) byte ranges that cut `data` (lines joined by b"\\n", starting at `starts`) into runs
    of whole lines of about `size` bytes, a longer line being a piece of its own; b is where a
    line ends, before its break. Empty data is one empty piece.

    >>> list(_pieces(b"ab\\ncd\\nef", [0, 3, 6], 3))
    [(0, 5), (6, 8)]
    """
    a, end = 0, len(data)
    while True:
        k = bisect_right(starts, a + size)  # the first line that starts past the piece's size
        if k == len(starts):
            yield a, end
            return
        yield a, starts[k] - 1
        a = starts[k]


def line_starts(data: bytes) -> list[int]:
    """Where each line of `data` (lines joined by b"\\n") starts (a memchr loop, in `_core`).

    >>> line_starts(b"ab\\n\\ncd")
    [0, 3, 4]
    """
    return _line_starts(data)


_UNANCHORED = re2._Anchor.UNANCHORED


def spans(rx: re2._Regexp, data: bytes, pos: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of the RE2 pattern `rx` in `data[pos:end]` (the text around it
    is context, for ``^`` and ``\\b``), as ``rx.finditer(data, pos, end)`` finds them, read from
    RE2's own matcher: the match objects of google-re2's Python wrapper cost several times the
    match (tests/test_prefilter.py holds the two to the same answers).

    >>> list(spans(re2.compile(b"a|"), b"ba"))
    [(0, 0), (1, 2), (2, 2)]
    """
    match = rx._regexp.Match
    end = len(data) if end is None else end
    while True:
        a, b = match(_UNANCHORED, data, pos, end)[0]
        if a < 0:
            return
        yield a, b
        if pos == end:
            return
        pos = pos + 1 if b == pos else b


_SURROGATE = re.compile("[\udc80-\udcff]")
