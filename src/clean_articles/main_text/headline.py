"""The headline: the title-like line just above the main span, which the clean text keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clean_articles.main_text.features import Line


def headline(live: list[Line], lo: int, stopset: frozenset[str], p: Mapping[str, Any]) -> int:
    """Index (in live) of the headline: among the title-like lines shortly above the span (not
    a date, byline, bullet or sentence, and with a function word when the language is known,
    which menus lack), one the page also prints elsewhere (a breadcrumb, the page title, a
    share prompt), else one followed by a byline or a date, else the nearest."""
    lo_w, hi_w = p["headline_min_words"], p["headline_max_words"]
    window = p["headline_window"]
    first = max(0, lo - window)
    cands = []
    for k in range(lo - 1, first - 1, -1):
        ln = live[k]
        if ln.date or ln.bullet or not lo_w <= ln.words <= hi_w:
            continue
        if ln.byline or _sentence_like(ln.text):
            continue
        if stopset and not any(map(stopset.__contains__, ln.low)):
            continue
        cands.append(k)
    if not cands:
        return -1
    texts = [(k, live[k].lowered) for k in cands]
    for ln in live[max(0, lo - p["headline_echo_window"]) : lo]:
        other = ln.lowered
        for k, t in texts:
            if ln is not live[k] and t in other:
                return k
    for k in cands:  # a headline is often followed by its byline or date
        nxt = live[k + 1]
        if nxt.date or nxt.byline:
            return k
    return cands[0]


def _sentence_like(text: str) -> bool:
    """Ends in a full stop, not in an ellipsis or an abbreviation like "U.N."."""
    if not text.endswith(".") or text.endswith(".."):
        return False
    last = text.rsplit(None, 1)[-1]
    return last.count(".") < 2
