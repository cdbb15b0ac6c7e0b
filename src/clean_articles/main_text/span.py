"""The main span: the run of lines with the highest total score, then cut, trimmed and extended.

A prose line scores its length up to a cap, a near line a little, other lines cost a penalty;
a gap costing more than ``max_gap`` ends a run (Kadane's linear scan). The span is then cut at a
date or byline line that has little of the span's prose beyond it (a standfirst and captions
above the byline, comments below a date) and at a heading that ends articles ("Related
stories", an author box) with most prose before it or clipped teasers after it; prose at its
edges indented unlike the article is trimmed (w3m indents sidebars and figures); and it is
extended over a list its last line announces with a colon and over short closing sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clean_articles.main_text.features import BAD, ELLIPSES, GOOD, NEAR, SHORT, Line


def main_span(live: list[Line], p: Mapping[str, Any]) -> tuple[int, int]:
    """The run of lines with the highest total score (Kadane), where a gap of debris costing
    more than max_gap cuts the run; (-1, -1) if none scores."""
    cap = p["good_cap"]
    bullet_f = p["bullet_factor"]
    near_s, short_p, bad_p = p["near_score"], p["short_penalty"], p["bad_penalty"]
    max_gap = p["max_gap"]
    best = 0.0
    lo = hi = -1
    cur = gap = 0.0
    start = 0
    for k, ln in enumerate(live):
        c = ln.cls
        if ln.table:
            s = 0.0
        elif c == GOOD:
            s = min(ln.words, cap)
            if ln.bullet:
                s *= bullet_f
        elif c == NEAR:
            s = near_s
        elif c == SHORT:
            s = -short_p
        else:
            s = -bad_p
        if s < 0:
            gap -= s
            if gap > max_gap:
                cur = 0.0  # too much debris since the last prose: the run ends here
        else:
            gap = 0.0
        if cur <= 0:
            cur, start = s, k
        else:
            cur += s
        if cur > best:
            best, lo, hi = cur, start, k
    return lo, hi


def cut_at_dates(live: list[Line], lo: int, hi: int, p: Mapping[str, Any]) -> tuple[int, int]:
    """A date or byline line near an edge of the span separates the article from what comes
    before it (a standfirst, a caption) or after it (comments, an author box): cut there when
    less than date_cut_share of the span's prose lies beyond it. Near the end, lines an earlier
    rule removed (share buttons, a "related" list) separate the article from an author bio or
    a newsletter pitch the same way, when little prose (gone_cut_words) lies beyond them; near
    the head they are more often an advert or a caption inside the article, so no cut there.
    A heading that ends articles (end_pattern: "Related stories", "About the author") ends the
    span when most of its prose (end_cut_share) lies before it, or when at least half of the
    prose lines after it end in an ellipsis: teasers cut short come next."""
    share = p["date_cut_share"]
    if share <= 0:
        return lo, hi
    gone_cut, gone_words = p["gone_cut_lines"], p["gone_cut_words"]
    end_share = p["end_cut_share"]
    total = 0.0
    end_marks = []
    marks = []  # (first line kept after a head cut or -1, last line kept by a tail cut, prose before)
    clipped = 0  # prose lines so far that end in an ellipsis: teasers cut short
    prose = 0
    for k in range(lo, hi + 1):
        ln = live[k]
        if gone_cut > 0 and ln.gone >= gone_cut and k > lo:
            marks.append((-1, k - 1, total))
        if ln.end and k > lo:
            end_marks.append((k - 1, total, prose, clipped))
        if ln.cls == GOOD:
            total += ln.words
            prose += 1
            clipped += ln.text.endswith(ELLIPSES)
        elif ln.date or ln.byline:
            marks.append((k + 1, k - 1, total))  # the date line itself goes
    new_lo, new_hi = lo, hi
    for last, before, prose_before, clipped_before in end_marks:
        after, clipped_after = prose - prose_before, clipped - clipped_before
        if before > 0 and (before >= end_share * total or 2 * clipped_after >= after >= 2):
            new_hi = last
            break
    for after, last, before in marks:
        beyond = total - before
        if after >= 0 and before < share * total:
            new_lo = after
        elif beyond < share * total and last < new_hi and (after >= 0 or beyond <= gone_words):
            new_hi = last
            break
    while new_lo < new_hi and live[new_lo].cls < NEAR:
        new_lo += 1
    while new_hi > new_lo and live[new_hi].cls < NEAR:
        new_hi -= 1
    if new_lo >= new_hi and live[new_lo].cls < NEAR:
        return lo, hi
    return new_lo, new_hi


def core_indent(live: list[Line], lo: int, hi: int) -> int:
    """The indentation most of the span's prose has, or -1 when bullet items carry more
    prose than any one indentation (then no indentation is the article's)."""
    weight: dict[int, float] = {}
    bullets = 0.0
    for ln in live[lo : hi + 1]:
        if ln.cls == GOOD:
            if ln.bullet:
                bullets += ln.words
            else:
                weight[ln.indent] = weight.get(ln.indent, 0.0) + ln.words
    if not weight:
        return -1
    core = max(weight, key=weight.__getitem__)
    return core if weight[core] >= bullets else -1


def trim_indent(live: list[Line], lo: int, hi: int, p: Mapping[str, Any]) -> tuple[int, int]:
    """w3m prints a page's article at one indentation; prose at either edge of the span that
    is indented otherwise (a caption in a figure, teasers in a sidebar) is not the article.
    When bullet items carry most of the prose, no indentation is the article's: no trim."""
    tol = p["indent_tolerance"]
    core = core_indent(live, lo, hi)
    if tol < 0 or core < 0:
        return lo, hi

    def anchor(ln: Line) -> bool:
        return ln.cls >= NEAR and (ln.bullet or abs(ln.indent - core) <= tol)

    new_lo, new_hi = lo, hi
    while new_lo < new_hi and not anchor(live[new_lo]):
        new_lo += 1
    while new_hi > new_lo and not anchor(live[new_hi]):
        new_hi -= 1
    if _shallower_frame(live, lo, new_lo, hi, new_hi, core):
        return lo, hi
    end = hi
    lo, hi = new_lo, new_hi
    # prose that follows the article's last line directly, with nothing between (a quote or an
    # embedded post w3m indents), is still the article
    while hi < end and live[hi + 1].cls >= NEAR and live[hi + 1].gone == 0:
        hi += 1
    return lo, hi


def _shallower_frame(live: list[Line], lo: int, new_lo: int, hi: int, new_hi: int, core: int) -> bool:
    """Prose trimmed at both edges at one indentation shallower than the core: the core is
    quoted text (reviews, a long quote w3m indents) framed by the article, not the article
    framed by a sidebar and a figure."""

    def indents(part: list[Line]) -> set[int]:
        return {x.indent for x in part if x.cls >= NEAR and not x.bullet and x.indent < core}

    return bool(indents(live[lo:new_lo]) & indents(live[new_hi + 1 : hi + 1]))


def trailing_sentences(live: list[Line], hi: int, p: Mapping[str, Any]) -> int:
    """Short sentences that close the article (a quote, a last fact) score too little to hold
    the span on their own; extend it over them, through at most `trail_max_short` short lines
    in a row (a subheading), while they keep the article's indentation, nothing was removed
    between and no heading ends the article."""
    max_short, tol = p["trail_max_short"], max(0, p["indent_tolerance"])
    end, indent = hi, live[hi].indent
    k, short = hi + 1, 0
    while k < len(live) and max_short >= 0:
        ln = live[k]
        if ln.gone or ln.end or ln.cls == BAD or ln.date or ln.byline or ln.bullet or abs(ln.indent - indent) > tol:
            break
        if ln.cls >= NEAR:
            end, short = k, 0
        else:
            short += 1
            if short > max_short:
                break
        k += 1
    return end


def announced(live: list[Line], k: int) -> bool:
    """live[k] starts a bullet list that the prose line above announces with a colon
    ("Here is what changes:"): the list is the article's, however short its items."""
    return k > 0 and live[k].bullet and live[k].gone == 0 and live[k - 1].cls >= NEAR and live[k - 1].text.endswith(":")


def announced_list_end(live: list[Line], hi: int) -> int:
    """Extend a span that ends announcing a list over that list's items."""
    if hi + 1 >= len(live) or not announced(live, hi + 1):
        return hi
    hi += 1
    while hi + 1 < len(live) and live[hi + 1].bullet and live[hi + 1].gone == 0:
        hi += 1
    return hi
