"""Signals a page gives about its lines beyond their own features: tables laid out in columns,
author boxes, a line's class on the page, prose printed twice, teaser runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

from clean_articles.main_text.features import BAD, EDGE, GOOD, NEAR, SHORT, WORDS, Line, Reader
from clean_articles.main_text.language import Language

_LOWERED, _ROW = attrgetter("lowered"), attrgetter("row")


def mark_tables(live: list[Line], p: Mapping[str, Any]) -> None:
    """Rows of a table w3m lays out in columns (cells apart by runs of spaces), at least
    table_min_rows in a row with nothing removed between: neither prose nor debris, they
    neither extend nor break the span, and inside it they stay (a stats table, a price list)."""
    need = p["table_min_rows"]
    if need <= 0 or sum(map(_ROW, live)) < need:
        return
    k, n = 0, len(live)
    while k < n:
        j = k
        while j < n and live[j].row and (j == k or live[j].gone == 0):
            j += 1
        if j - k >= need:
            for q in range(k, j):
                live[q].table = True
        k = max(j, k + 1)


def mark_author_boxes(live: list[Line], lines: Sequence[str], p: Mapping[str, Any]) -> None:
    """ "About Jane Doe" ends the article like "About the author" when the page printed the
    name before, in a short line (its byline), not a subheading like "About the programme".
    One pass over the lines above the last such heading, so many headings cost no more than one."""
    boxes = [ln for ln in live if ln.about and not ln.end]
    if not boxes:
        return
    names = {ln.about for ln in boxes}
    first: dict[str, int] = {}  # a name -> the first short line printing it
    for i in range(boxes[-1].i):
        for name in _short_line_names(lines[i]) & names:
            first.setdefault(name, i)
    for ln in boxes:
        ln.end = first.get(ln.about, ln.i) < ln.i


def _short_line_names(line: str) -> frozenset[str]:
    """Every run of 2 to 4 words of a short line (a byline): the names it may print."""
    if len(line) >= 200:
        return frozenset()
    words = WORDS.findall(line.casefold())
    if len(words) > 12:
        return frozenset()
    return frozenset(" ".join(words[k : k + n]) for n in (2, 3, 4) for k in range(len(words) - n + 1))


def describe(live: list[Line], reader: Reader, language: Language) -> None:
    """Each line's length in words, sentence end and class in the page's `language`."""
    for ln in live:
        ln.words, ln.sent, ln.cls, ln.tag = reader.describe(language, ln)


def demote_repeats(live: list[Line]) -> None:
    """A prose line printed twice (a news ticker, a teaser of this very story) is no anchor."""
    good = [ln for ln in live if ln.cls == GOOD]
    seen = Counter(map(_LOWERED, good))
    if len(seen) < len(good):
        for ln in good:
            if seen[ln.lowered] > 1:
                ln.cls = SHORT


def mark_teasers(live: list[Line], p: Mapping[str, Any]) -> None:
    """Lists of other stories: groups of one shape, a title line, maybe a byline, and a date
    (or, with no date, the title alone) followed by one short teaser, repeated."""
    need = p["teaser_min_groups"]
    maxw = p["teaser_max_words"]
    maxgap = p["teaser_max_gap"]
    n = len(live)

    def group(k: int) -> tuple[int, int]:
        """(live lines, shape) of the title part of a teaser group starting at k, or (0, 0).
        The shape counts the lines an earlier rule removed inside the group too (a date the
        `repeated` rule took), and such a line counts as the group's date."""
        m = 0
        dated = False
        shape = 0
        while k + m < n and live[k + m].cls not in (GOOD, NEAR):
            t = live[k + m]
            if m:
                shape += t.gone
            dated = dated or t.date or t.byline or t.gone > 0 and m > 0
            m += 1
            if m > maxgap:
                return 0, 0
        if m == 0 or k + m >= n:
            return 0, 0
        s = live[k + m]
        shape += m + s.gone
        dated = dated or s.gone > 0
        if s.words > maxw:
            return 0, 0
        if shape == 1:
            t = live[k]
            if t.sent or t.bullet or t.date or not _one_sentence(s.text):
                return 0, 0
        elif not dated:
            return 0, 0
        return m, shape

    nxt = [n] * (n + 1)  # the first prose line at or after each line
    for q in range(n - 1, -1, -1):
        nxt[q] = q if live[q].cls >= NEAR else nxt[q + 1]
    k = 0
    while k < n and nxt[k] < n:
        if not 0 < nxt[k] - k <= maxgap:  # prose, or too many lines before the next prose:
            k = max(k + 1, nxt[k] - maxgap)  # no group starts before nxt[k] - maxgap
            continue
        m, shape = group(k)
        if not m:
            k += 1
            continue
        j = k + m + 1
        groups = 1
        while j < n:
            m2, shape2 = group(j)
            if shape2 != shape:
                break
            j += m2 + 1
            groups += 1
        if groups >= need + (1 if shape == 1 else 0):
            for q in range(k, j):
                live[q].cls, live[q].tag = BAD, "teaser run"
            k = j
        else:
            k += 1


def _one_sentence(text: str) -> bool:
    inner = text.rstrip(EDGE)
    return ". " not in inner and "? " not in inner and "! " not in inner and "。" not in inner
