"""Generic main-text detection for pages from sites nobody wrote rules for.

The page is the visible text of a web page as a text browser dumps it. The article is the
densest run of long, sentence-like lines (many function words, terminal punctuation, few
capitalised words); menus, link lists, bylines, dates, counters and teaser lists sit around it.
`classify` goes through these phases, one module each:

1. features.py: what every live line (not blank, not removed by an earlier rule, with a word
   character) says on its own: length, bullet, capitals, date or counter, byline, how it ends;
2. language.py: the page's language, from its longest lines, for the stopword share;
3. signals.py: each line's class on the page (*good* prose, *near*, *short*, *bad*) and what the
   page says beyond single lines: a prose line printed twice is no anchor, teaser runs are bad,
   rows of a table w3m lays out in columns are neutral, "About Jane Doe" with the name in the
   byline heads an author box;
4. span.py: the main span, the run of lines with the highest total score, cut, trimmed and
   extended;
5. headline.py: the headline just above the span;
6. labels.py: what goes, each removal with the signal that names it.

Every threshold comes from the rule's parameters (rules/generic/main-text.toml); params.py
describes each one. Every pass is linear in the number of lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clean_articles.document import UNREAD, Document
from clean_articles.main_text.features import NO_WORD, Line, Reader
from clean_articles.main_text.headline import headline
from clean_articles.main_text.labels import label
from clean_articles.main_text.language import page_language
from clean_articles.main_text.params import SCHEMA
from clean_articles.main_text.signals import demote_repeats, describe, mark_author_boxes, mark_tables, mark_teasers
from clean_articles.main_text.span import announced_list_end, cut_at_dates, main_span, trailing_sentences, trim_indent

__all__ = ["SCHEMA", "Reader", "classify"]


def classify(
    doc: Document, removed: Sequence[bool], params: Mapping[str, Any], reader: Reader | None = None
) -> list[tuple[int, int, str]]:
    """The [start, end) line ranges of `doc` to remove, each with a short reason naming the
    signal. `removed` flags the lines earlier rules took; `reader` reads lines for `params`
    (made from them when not given)."""
    p = params
    reader = reader or Reader(p)
    live, empty = _live(doc, removed, reader)
    if not live:
        return []
    lines = doc.lines
    mark_author_boxes(live, lines, p)
    mark_tables(live, p)
    language = page_language(live, p)
    describe(live, reader, language)
    demote_repeats(live)
    mark_teasers(live, p)
    lo, hi = main_span(live, p)
    if lo < 0:
        return []  # no prose at all: leave the page alone rather than empty it
    lo, hi = cut_at_dates(live, lo, hi, p)
    lo, hi = trim_indent(live, lo, hi, p)
    hi = announced_list_end(live, hi)
    hi = trailing_sentences(live, hi, p)
    head = headline(live, lo, language[0], p) if p["keep_headline"] else -1
    return label(live, empty, lo, hi, head, lines, removed, p)


def _live(doc: Document, removed: Sequence[bool], reader: Reader) -> tuple[list[Line], list[int]]:
    """The page's live lines in order, as Lines, and the index of each line without a word
    (icon bullets, rules, ornaments).
    A Line knows how many lines earlier rules removed just above it (`gone`), whether one of
    them, or itself, is a heading that ends articles (`end`), and whether it shares its block
    with a removed line (`stuck`: 1 below it, 2 above it). What each line says on its own is
    read once per page: the pipeline's later rounds find it in the page's notes."""
    lines = doc.lines
    notes = doc.notes(reader)
    nrem = len(removed)
    live: list[Line] = []
    empty: list[int] = []
    gone = 0  # lines an earlier rule removed since the last live line
    ended = False  # one of them was a heading that ends an article
    for i, raw in enumerate(lines):
        if i < nrem and removed[i]:
            if raw and not raw.isspace():
                gone += 1
                ended = ended or reader.ends(raw)
            continue
        fixed = notes[i]
        if fixed is UNREAD:
            fixed = notes[i] = reader.read(raw)
        if fixed is None:  # a blank line
            continue
        if fixed is NO_WORD:
            empty.append(i)
            continue
        ln = Line(i, fixed)
        ln.gone = gone
        ln.end = ended or ln.heading
        gone = 0
        ended = False
        # in the same block as a line an earlier rule removed: 1 below it, 2 above it (a
        # caption above its credit); a blank line a section rule took along parts blocks
        ln.stuck = (0 < i <= nrem and removed[i - 1] and lines[i - 1].strip() != "") | (
            i + 1 < nrem and removed[i + 1] and lines[i + 1].strip() != ""
        ) << 1
        live.append(ln)
    return live, empty
