"""Labels: which lines go and the reason each is given, once the span and headline are known.

Everything before the span goes except the headline, and everything after it; inside it go link
lists, teasers, date/counter lines, captions w3m centred far right and short lines stuck to a
line an earlier rule removed; other short lines (subheadings, a one-line quote, tables) stay
because their neighbours are prose, as jusText does. A line outside the span carries its own
signal when it has one (menu item, date/counter line, teaser run, link list), else "head: ..." or
"tail: ...".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clean_articles.main_text.features import BAD, BULLET_START, NEAR, Line
from clean_articles.main_text.span import announced, core_indent

HEAD, TAIL = "head: before the main text", "tail: after the main text"
_STUCK = "beside removed chrome"
_CENTRED = "centred caption"


def runs(live: list[Line], lo: int, hi: int):
    """Maximal runs [k, j) of non-prose lines within live[lo..hi]."""
    k = lo
    while k <= hi:
        if live[k].cls >= NEAR:
            k += 1
            continue
        j = k
        while j <= hi and live[j].cls < NEAR:
            j += 1
        yield k, j
        k = j


def is_list(run: list[Line], p: Mapping[str, Any]) -> bool:
    """A run of short lines that is a list of links: long enough, and short words on average
    or mostly menu items and capitalised titles."""
    n = len(run)
    return n >= p["list_min_lines"] and (
        sum(x.words for x in run) <= p["list_max_words"] * n
        or sum(1 for x in run if x.cls == BAD) >= p["list_bad_share"] * n
    )


def link_lists(live: list[Line], lo: int, hi: int, p: Mapping[str, Any]) -> set[int]:
    found: set[int] = set()
    for k, j in runs(live, lo, hi):
        if is_list(live[k:j], p):
            found.update(range(k, j))
    return found


def inside(live: list[Line], lo: int, hi: int, p: Mapping[str, Any], out: list) -> None:
    """Inside the main span: drop link lists, teasers and date/counter lines, lines w3m
    centred far right of the article (captions under figures), and short lines in one block
    with a line an earlier rule removed (a caption whose credit went); keep the rest. The
    span's first and last lines stay, so cleaning twice changes nothing more."""
    stuck_max, caption_max = p["stuck_max_words"], p["caption_max_words"]
    for k, j in runs(live, lo, hi):
        run = live[k:j]
        if all(x.table for x in run):
            continue
        if is_list(run, p) and not (announced(live, k) and all(x.bullet for x in run)):
            for x in run:
                if not x.table:
                    out.append((x.i, x.tag or "link list"))
        else:
            for x in run:
                if (x.date or x.tag == "teaser run") and not x.table:
                    out.append((x.i, x.tag))
    centre = p["centre_indent"]
    core = core_indent(live, lo, hi) if centre > 0 else -1
    if core >= 0:
        for k in range(lo + 1, hi):
            x = live[k]
            if x.indent >= core + centre and not x.table:
                out.append((x.i, _CENTRED))
    if stuck_max > 0:
        for k in range(lo + 1, hi):
            x = live[k]
            limit = max(stuck_max, caption_max) if x.stuck & 2 else stuck_max
            if x.stuck and x.words <= limit and not x.date and x.tag != "teaser run":
                out.append((x.i, _STUCK))


def ranges(out: list[tuple[int, str]], lines: Sequence[str], removed: Sequence[bool]) -> list[tuple[int, int, str]]:
    """Merge removed lines into ranges; blank lines between two removed lines with the same
    reason join the range (lines removed earlier never do: they are not ours to return)."""
    out.sort()
    res: list[tuple[int, int, str]] = []
    nrem = len(removed)
    last = -1
    for i, why in out:
        if i == last:
            continue  # one reason per line: the first signal that took it
        last = i
        if res and res[-1][2] == why:
            a, b, _ = res[-1]
            if b == i or all(
                not (j < nrem and removed[j]) and (not lines[j] or lines[j].isspace()) for j in range(b, i)
            ):
                res[-1] = (a, i + 1, why)
                continue
        res.append((i, i + 1, why))
    return res


def label(live: list[Line], empty: list[int], lo: int, hi: int, head: int, lines: Sequence[str],
          removed: Sequence[bool], p: Mapping[str, Any]) -> list[tuple[int, int, str]]:  # fmt: skip
    """The [start, end) line ranges to remove, each with its reason, for a page whose live
    lines are `live` (lines without a word: `empty`), main span live[lo..hi] and headline
    live[head] (-1: none)."""
    out: list[tuple[int, str]] = []
    # outside the span a line is named by its own signal when it has one
    listed = link_lists(live, head + 1, lo - 1, p) | link_lists(live, hi + 1, len(live) - 1, p)
    if head > 0:
        listed |= link_lists(live, 0, head - 1, p)
    for k in range(lo):
        if k != head:
            out.append((live[k].i, live[k].tag or ("link list" if k in listed else HEAD)))
    inside(live, lo, hi, p, out)
    for k in range(hi + 1, len(live)):
        out.append((live[k].i, live[k].tag or ("link list" if k in listed else TAIL)))
    first, last = live[lo].i, live[hi].i
    for i in empty:
        if i < first:
            out.append((i, HEAD))
        elif i > last:
            out.append((i, TAIL))
        elif lines[i].lstrip()[:1] in BULLET_START:
            out.append((i, "menu item"))
    return ranges(out, lines, removed)
