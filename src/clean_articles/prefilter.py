"""One linear-time pass over a page's lines for all rule regexes at once.

Running every rule regex over every line with the backtracking `regex` engine costs tens of
milliseconds a page once a few dozen rules carry large alternations. Instead, each rule pattern is
rewritten into a *wider* RE2 pattern (one that matches at least every line the original matches)
and all of them go into one RE2 set, which tells in a single automaton pass per line which
patterns may match it. Only those (line, pattern) pairs are then confirmed with `regex`, under the
pattern's time budget. What RE2 cannot express (look-arounds, back-references) is widened away; a
pattern that still does not fit is left out of the set and tried on every line, so nothing
changes but the speed.

Widening: RE2's ``\\w \\d \\s`` are ASCII-only where `regex`'s are Unicode, so they become Unicode
classes; ``\\b`` and ``\\B`` are dropped (dropping an assertion can only widen). Inside a negated
class the ASCII forms are kept, since a smaller excluded set is a larger class.

>>> print(widen(r'(?i)^\\w+ comments?\\b'))
(?i)^[\\p{L}\\p{N}\\p{M}\\p{Pc}]+ comments?
>>> print(widen(r'^(?!By )(a)\\1$'))
^(a).*$
>>> widen(r'(?x) a') is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress

import re2

from clean_articles.patterns import Pattern

_WORD = r"\p{L}\p{N}\p{M}\p{Pc}"
_SPACE = r"\s\x{0b}\p{Z}\x{85}\x{1c}-\x{1f}"
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
                out.append({"w": f"[{_WORD}]", "d": _DIGIT, "s": f"[{_SPACE}]"}.get(e, "\\" + e))
            continue
        if in_class:
            if c == "[" and source.startswith("[:", i):
                return None
            if c == "]" and i > class_start:
                in_class = False
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
    """RE2 sets of the widened patterns; `scan` finds each pattern's candidate lines.

    Patterns go into sets of `GROUP` so that each set's automaton stays small enough for RE2's
    DFA cache. With counted repeats unbounded (see `widen`) a set of 32 stays small: on the dev
    pages the shipped packs' sets scan a line in ~2 µs (sets of 8 with the counters: ~23 µs).
    """

    GROUP = 32

    def __init__(self, patterns: Iterable[Pattern]):
        self.groups: list[tuple[re2.Set, list[Pattern]]] = []
        for p in patterns:
            wide = widen(p.source)
            if wide is None:
                continue
            if not self.groups or len(self.groups[-1][1]) == self.GROUP:
                self.groups.append((re2.Set.SearchSet(_OPTIONS), []))
            rset, members = self.groups[-1]
            try:
                rset.Add(wide)
            except re2.error:
                continue
            members.append(p)
        compiled = []
        for rset, members in self.groups:
            try:
                rset.Compile()
            except re2.error:
                continue
            compiled.append((rset, members))
        self.groups = compiled
        self._all = tuple(p for _, members in self.groups for p in members)
        self._none = dict.fromkeys(self._all, ())

    def scan(self, lines: list[str]) -> dict:
        """For each pattern in the sets: the lines it may match (a superset, to be confirmed);
        an empty tuple when there are none."""
        hits = self._none.copy()  # () for each: no line
        found = list(map(self._found, lines))
        for i in compress(range(len(found)), found):  # only lines some pattern may match
            for p in found[i]:
                if hits[p]:
                    hits[p].append(i)
                else:
                    hits[p] = [i]
        return hits

    def _found(self, line: str) -> tuple:
        """The patterns that may match line."""
        try:
            data = line.encode()
        except UnicodeEncodeError:  # undecodable bytes kept as surrogates: confirm everything
            return self._all
        found: tuple = ()
        for rset, members in self.groups:
            hits = rset.Match(data)  # None for most lines
            if hits:
                found += tuple(map(members.__getitem__, hits))
        return found
