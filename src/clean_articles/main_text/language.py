"""The page's language: which stopword list its longest lines read best in (or none), and
whether it is written in CJK scripts, where words are counted in characters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from operator import attrgetter
from typing import Any

from clean_articles.main_text.features import Line
from clean_articles.text import stopwords

_NTOK = attrgetter("ntok")
#: What page_language says of a page: its stopwords (empty if unknown), whether it is CJK, and
#: whether its longest lines hold any CJK character at all.
Language = tuple[frozenset[str], bool, bool]


def page_language(live: list[Line], p: Mapping[str, Any]) -> Language:
    """The language of a page's live lines, read from its longest lines (`lang_sample_words`
    words at most): the stopword list holding most of their words, if it holds `min_lang_hits`
    of them."""
    sets = stopwords()[1]
    budget = int(p["lang_sample_words"])
    hits: list[tuple[int, ...]] = []
    cjk = latin = 0
    for ln in sorted(live, key=_NTOK, reverse=True)[:64]:
        if latin >= budget:
            break
        hits.append(stop_hits(ln.text))
        latin += ln.ntok
        cjk += ln.cjk
    if cjk > latin:
        return frozenset(), True, True
    counts = [sum(c) for c in zip(*hits)]
    if not sets or not latin:
        return frozenset(), False, cjk > 0
    best = max(range(len(sets)), key=counts.__getitem__)
    if counts[best] < p["min_lang_hits"] * latin:
        return frozenset(), False, cjk > 0
    return sets[best], False, cjk > 0


def stop_hits(text: str) -> tuple[int, ...]:
    """How many of the words are stopwords of each language (in the order of text.stopwords())."""
    masks, sets = stopwords()
    counts = [0] * len(sets)
    for mask, c in Counter(map(masks.get, text.lower().split())).items():
        if mask:
            for b in range(len(sets)):
                if mask >> b & 1:
                    counts[b] += c
    return tuple(counts)
