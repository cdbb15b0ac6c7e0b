"""Generic main-text classifier for pages from sites nobody wrote rules for.

The page is the visible text of a news page as w3m dumps it. The article is the densest run of
long, sentence-like lines (many function words, terminal punctuation, few capitalised words);
menus, link lists, bylines, dates, counters and teaser lists sit around it. The classifier:

1. reads every live line (not blank, not removed by an earlier rule, with at least one word
   character): its length in words (CJK characters count as a fraction of a word), its share
   of stopwords of the page's language (found from the longest lines), its share of
   capitalised words, whether it is a bullet item, a date or counter, a byline, a sentence;
2. gives each line a class: *good* (prose), *near* (a shorter sentence, or one w3m broke
   after a comma), *short*, or *bad*
   (menu item, date/counter line, capitalised link title); a prose line printed twice in the
   page is no anchor, and teaser runs (a title line, maybe a byline and a date, then a short
   teaser, the same shape repeated) are bad; rows of a table w3m lays out in columns are
   neutral; "About Jane Doe" with the name in the byline heads an author box;
3. finds the main span, the run of lines with the highest total score (a prose line scores its
   length up to a cap, a near line a little, other lines cost a penalty; a gap costing more
   than ``max_gap`` ends a run), with Kadane's linear scan; then cuts the span at a date or
   byline line that has little of the span's prose beyond it (a standfirst and captions above
   the byline, comments below a date) and at a heading that ends articles ("Related stories",
   an author box) with most prose before it or clipped teasers after it; trims prose at its
   edges indented unlike the article (w3m indents sidebars and figures); and extends it over
   a list its last line announces with a colon and over short closing sentences;
4. removes everything before the span except the headline (the title-like line just above it,
   preferably one the page prints elsewhere too, else one followed by a byline or date, else
   the nearest) and everything after it; inside the span it removes link lists, teasers,
   date/counter lines and captions w3m centred far right, and keeps other short lines
   (subheadings, a one-line quote, tables) because their neighbours are prose, as jusText does.

Reasons name the signal: a line outside the span carries its own signal when it has one (menu
item, date/counter line, teaser run, link list), else "head: ..." or "tail: ...".
Every threshold comes from ``params`` (``rules/generic/main-text.toml``); ``PARAMS`` lists them.
Work per line is capped (``scan_chars``) and every pass is linear in the number of lines;
what a line says on its own (step 1, but the language), and its class in a page's language
(step 2, but repeats and teasers), are worked out once per text (``_Reader``).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from clean_articles.memo import ComputingMemo, per_line

__all__ = ["PARAMS", "classify"]

PARAMS: dict[str, type] = {
    # reading lines
    "scan_chars": int,  # only this many characters of a line are analysed
    "lang_sample_words": int,  # words looked at to find the page's language
    "min_lang_hits": float,  # stopword share a page needs for its language to count
    "cjk_chars_per_word": float,  # CJK characters that count as one word
    # line classes
    "min_words_good": int,  # prose: at least this many words ...
    "min_stop_density": float,  # ... at least this share of stopwords ...
    "max_title_share": float,  # ... at most this share of capitalised words ...
    "min_words_unpunct": int,  # ... and a sentence end, or at least this many words
    "min_words_near": int,  # a shorter sentence: at least this many words ...
    "near_stop_density": float,  # ... this share of stopwords, and a sentence end
    "menu_max_words": int,  # a bullet line with at most this many words is a menu item
    "title_min_words": int,  # a capitalised line of at least this many words is a link title
    "date_words": str,  # words of dates and counters (months, "am", "comments")
    "date_max_words": int,  # a date/counter line: at most this many words ...
    "date_share": float,  # ... this share of them numbers or date words, one a number
    "stuck_max_words": int,  # a line this short in one block with a line an earlier rule
    # removed (a caption and its credit) goes with it (0: never) ...
    "caption_max_words": int,  # ... or this short when the removed line is right below it
    # (a caption above its credit; text below a teaser is not one)
    "table_min_rows": int,  # this many lines in a row laid out in columns are a table
    # (0: never)
    # teaser runs
    "teaser_min_groups": int,  # at least this many teaser groups of the same shape
    "teaser_max_words": int,  # a teaser is at most this many words long
    "teaser_max_gap": int,  # at most this many lines (title, byline, date) before a teaser
    # main span
    "good_cap": int,  # a prose line scores its words, at most this many
    "bullet_factor": float,  # a prose bullet item scores this share of that
    "near_score": float,  # score of a shorter sentence
    "short_penalty": float,  # cost of a short line
    "bad_penalty": float,  # cost of a menu item, date or link title
    "max_gap": float,  # more cost than this between two prose lines ends a run
    # inside the span
    "list_min_lines": int,  # a run of this many non-prose lines inside the span ...
    "list_max_words": float,  # ... of at most this many words on average is a link list ...
    "list_bad_share": float,  # ... and so is one with this share of menu items / link titles
    "date_cut_share": float,  # cut the span at a date/byline with less prose than this beyond
    "gone_cut_lines": int,  # ... or, near the end, after this many lines an earlier rule
    # removed (share buttons, a "related" list) (0: never) ...
    "gone_cut_words": float,  # ... when at most this many words of prose lie beyond
    "end_pattern": str,  # regex: a heading that ends the article ("Related stories",
    # "About the author"), kept or removed by an earlier rule ...
    "end_cut_share": float,  # ... ends the span when at least this share of its prose lies
    # before it (above 1: never)
    "about_pattern": str,  # regex: "About Jane Doe", group 1 the name; a heading of an
    # author box when a short line above printed the name
    "indent_tolerance": int,  # prose at the span's edges indented further from the article
    # than this is trimmed (-1: never)
    "centre_indent": int,  # inside the span, a line indented this much deeper than the
    # article is a caption w3m centred under a figure (0: never)
    "trail_max_short": int,  # after the span, short sentences are the article's through
    # at most this many short lines in a row (-1: never)
    # headline
    "keep_headline": bool,
    "headline_window": int,  # look this many live lines above the span for the headline
    "headline_min_words": int,
    "headline_max_words": int,
    "headline_echo_window": int,  # live lines above the span searched for a copy of the headline
    "byline_pattern": str,  # regex: a byline or a credit is never the headline
}

# --------------------------------------------------------------------------------------------
# Fixed shapes (character classes, not thresholds).

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_BULLET = re.compile(r"(?:[•·▪◦□■☆★○●◆◇►▶▸‣⁃∙\-–—*+>]|\(?\d{1,3}[.)])(?:\s+|$)")
_BULLET_START = frozenset("•·▪◦□■☆★○●◆◇►▶▸‣⁃∙-–—*+>(0123456789")
# a sentence end, maybe closed by quotes or brackets and followed by emoji ("today! 🙂"); a
# tilde ends playful sentences ("the scent of fall~")
_SENT_END = re.compile(
    r"[.!?…。！？:;~][\"'”’»」』)\]]*(?:\s*[\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff\ufe0f\u200d]+)?$"
)
_CLAUSE_END = (",", "、", "，")  # a sentence that w3m broke after a comma goes on below
_CJK_STOP = re.compile(r"[。！？]")
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
_CELLS = re.compile(r"\S {3,}(?=\S)")
_NUMTOK = re.compile(r"(?:^|\s)\W?\d")
_DIGIT = re.compile(r"\d")
_NUMCHARS = "0123456789.,:/-–"
_ELLIPSES = ("...", "…")
_EDGE = "\"'“”‘’«»„()[]{}<>.,;:!?…—–-|/*#@&%$+=~^`"

GOOD, NEAR, SHORT, BAD = 3, 2, 1, 0
_NTOK, _LOWERED, _ROW = attrgetter("ntok"), attrgetter("lowered"), attrgetter("row")
_HEAD, _TAIL = "head: before the main text", "tail: after the main text"
_STUCK = "beside removed chrome"
_CENTRED = "centred caption"


@functools.cache
def _stopwords() -> tuple[dict[str, int], tuple[frozenset[str], ...]]:
    """word -> bitmask of the languages whose list holds it; one word set per language."""
    folder = Path(__file__).resolve().parent.parent / "stopwords"
    sets = []
    masks: dict[str, int] = {}
    for bit, path in enumerate(sorted(folder.glob("*.txt"))):
        words = frozenset(path.read_text(encoding="utf-8").split())
        sets.append(words)
        for w in words:
            masks[w] = masks.get(w, 0) | (1 << bit)
    return masks, tuple(sets)


@functools.cache
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.casefold().split())


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# What a line says on its own, given the thresholds: worked out once per text (`_Reader`) and
# copied into each page's _Line. `text` is the line without its bullet; `cjk` counts CJK
# characters and `cjk_words` is the length in words that counts them as fractions of a word;
# `low` its lowercased words and `lowered` those joined by single spaces;
# `alpha` is the number of tokens that are not numbers (for the stopword share); `heading` is an
# end_pattern heading; `about` the folded name of an "About Jane Doe" heading, else "".
_FIXED = (
    "indent",
    "bullet",
    "text",
    "low",
    "lowered",
    "ntok",
    "row",
    "byline",
    "cjk",
    "cjk_words",
    "title",
    "sent_end",
    "cjk_stop",
    "clause",
    "date",
    "alpha",
    "heading",
    "about",
)
# What the page makes of it: its index, length in words and sentence end (CJK pages count
# differently), class and tag, lines removed just above it, ...
_PAGE = ("i", "words", "sent", "cls", "tag", "gone", "stuck", "end", "table")
_NO_WORD = ()  # what _Reader.read says of a line without a word character (an ornament)


class _Line:
    __slots__ = _FIXED + _PAGE

    def __init__(self, i: int, fixed: tuple):
        (
            self.indent,
            self.bullet,
            self.text,
            self.low,
            self.lowered,
            self.ntok,
            self.row,
            self.byline,
            self.cjk,
            self.cjk_words,
            self.title,
            self.sent_end,
            self.cjk_stop,
            self.clause,
            self.date,
            self.alpha,
            self.heading,
            self.about,
        ) = fixed
        self.i = i
        self.tag = ""
        self.table = False


# the thresholds a line's own features, and its class on a page of a given language, depend on
_READ_PARAMS = (
    "scan_chars",
    "min_words_good",
    "min_words_near",
    "title_min_words",
    "date_words",
    "date_max_words",
    "date_share",
    "cjk_chars_per_word",
    "byline_pattern",
    "end_pattern",
    "about_pattern",
    "min_stop_density",
    "near_stop_density",
    "max_title_share",
    "min_words_unpunct",
    "menu_max_words",
)


def _reader(p: Mapping[str, Any]) -> _Reader:
    return _reader_for(tuple(p[k] for k in _READ_PARAMS))


@functools.lru_cache(maxsize=8)
def _reader_for(values: tuple) -> _Reader:
    return _Reader(dict(zip(_READ_PARAMS, values)))


class _Reader:
    """Reads lines for one set of thresholds. The same texts recur (the second round of the
    pipeline's fixed point, a site's chrome across a batch), so each text's features, and its
    class on pages of each language, are memoised (memo.py): a line seen before costs a lookup."""

    def __init__(self, p: Mapping[str, Any]):
        self.scan = int(p["scan_chars"])
        self.min_good, self.min_near = p["min_words_good"], p["min_words_near"]
        self.title_min, self.cpw = p["title_min_words"], float(p["cjk_chars_per_word"])
        self.date_words = _wordset(p["date_words"])
        self.date_max, self.date_share = p["date_max_words"], p["date_share"]
        self.byline = _regex(p["byline_pattern"]).search
        self.heading = _regex(p["end_pattern"]).search
        self.about = _regex(p["about_pattern"]).match
        self.stop_good, self.stop_near = p["min_stop_density"], p["near_stop_density"]
        self.max_title, self.min_unpunct = p["max_title_share"], p["min_words_unpunct"]
        self.menu_max = p["menu_max_words"]
        #: line text -> its _FIXED features, _NO_WORD for a line without a word, None for a blank
        self.memo = ComputingMemo(self._read)
        self.read = self.memo.__getitem__
        self.languages: dict[tuple, ComputingMemo] = {}  # a page language -> line text -> class
        #: line text -> whether it is a heading that ends an article (also once removed)
        self.ends = ComputingMemo(self._ends).__getitem__

    def _ends(self, raw: str) -> bool:
        return len(raw) < 120 and self.heading(raw.strip()) is not None

    def described(self, language: tuple) -> ComputingMemo:
        """line text -> (words, sentence end, class, tag) of a live line on pages of `language`."""
        memo = self.languages.get(language)
        if memo is None:
            memo = self.languages[language] = ComputingMemo(functools.partial(self._describe, *language))
        return memo

    def _describe(self, stopset: frozenset[str], cjk_page: bool, any_cjk: bool, raw: str) -> tuple:
        (
            indent,
            bullet,
            text,
            low,
            lowered,
            ntok,
            row,
            byline,
            cjk,
            cjk_words,
            title,
            sent_end,
            cjk_stop,
            clause,
            date,
            alpha,
            heading,
            about,
        ) = self.read(raw)
        words = cjk_words if any_cjk else float(ntok)
        # a sentence ends the line; in CJK text a full stop anywhere will do
        sent = sent_end or (any_cjk and cjk_stop)
        if date:
            return words, sent, BAD, "date/counter line"
        use_stops = bool(stopset) and not cjk_page
        if use_stops:
            # numbers (scores, prices, dates) are neither function words nor content words
            dens = sum(map(stopset.__contains__, low)) / alpha if alpha > 0 else 0.0
            good_shape = dens >= self.stop_good and title <= self.max_title
            near_shape = dens >= self.stop_near and title <= self.max_title
        else:
            good_shape = near_shape = True
        if words >= self.min_good and good_shape and (sent or words >= self.min_unpunct):
            return words, sent, GOOD, ""
        if words >= self.min_near and near_shape and (sent or clause):
            return words, sent, NEAR, ""
        if bullet and words <= self.menu_max and (title > self.max_title or not use_stops):
            return words, sent, BAD, "menu item"
        if use_stops and words >= self.title_min and title > self.max_title and not sent:
            return words, sent, BAD, ""  # a link title, a byline, a menu printed on one line
        return words, sent, SHORT, ""

    def _read(self, raw: str) -> tuple | None:
        text = raw[: self.scan].strip() if len(raw) > self.scan else raw.strip()
        if not text:
            return None
        indent = len(raw) - len(raw.lstrip())
        bullet = False
        if text[0] in _BULLET_START:
            m = _BULLET.match(text)
            if m:
                bullet = True
                text = text[m.end() :]
        if _WORD.search(text) is None:
            return _NO_WORD
        low = text.lower().split()
        n = len(low)
        toks = text.split()
        cjk = 0 if text.isascii() else len(_CJK.findall(text))
        # a run of CJK characters is one whitespace token: count characters instead
        cjk_words = n - sum(1 for t in toks if _CJK.search(t)) + cjk / self.cpw if cjk else float(n)
        if n >= self.title_min or bullet:
            title = min(1.0, (sum(map(str.istitle, toks)) + sum(map(str.isupper, toks))) / n)
        else:
            title = 0.0
        about = ""
        if n <= 6:
            m = self.about(text)
            if m and all(t[:1].isupper() for t in m.group(1).split()):
                about = " ".join(_WORDS.findall(m.group(1).casefold()))
        # the cheap tests first: most lines have no run of spaces, no digit, no CJK full stop
        row = "   " in text and len(_CELLS.findall(text)) >= 2
        alpha = n - len(_NUMTOK.findall(text)) if n >= self.min_near and _DIGIT.search(text) else n
        cjk_stop = not text.isascii() and _CJK_STOP.search(text) is not None
        return (
            indent,
            bullet,
            text,
            low,
            " ".join(low),
            n,
            row,
            n < self.min_good and self.byline(text) is not None,
            cjk,
            cjk_words,
            title,
            _SENT_END.search(text[-12:]) is not None,
            cjk_stop,
            text.endswith(_CLAUSE_END),
            self._date(low),
            alpha,
            len(text) < 120 and self.heading(text) is not None,
            about,
        )

    def _date(self, low: list[str]) -> bool:
        """A date or counter line: short, mostly numbers and date words, one a number."""
        n = len(low)
        if n > self.date_max:
            return False
        hits = digits = 0
        for t in low:
            t = t.strip(_EDGE)
            if t[:1].isdigit():
                # a number, a time or "19th"; not a measure like "16-inch" or "5-year-old"
                unit = t.lstrip(_NUMCHARS)
                if len(unit) <= 2 or unit in self.date_words:
                    digits += 1
                    hits += 1
            elif t in self.date_words:
                hits += 1
            elif not t:  # a lone symbol
                hits += 1
        return digits > 0 and hits >= self.date_share * n


def classify(lines: Sequence[str], removed: Sequence[bool], params: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """Return [start, end) line ranges to remove, each with a short reason naming the signal."""
    p = params
    nrem = len(removed)
    live: list[_Line] = []
    empty: list[int] = []  # lines without a word: icon bullets, rules, ornaments
    gone = 0  # lines an earlier rule removed since the last live line
    ended = False  # one of them was a heading that ends an article
    reader = _reader(p)
    read, ends = reader.read, reader.ends
    for i, raw in enumerate(lines):
        if i < nrem and removed[i]:
            if raw and not raw.isspace():
                gone += 1
                ended = ended or ends(raw)
            continue
        fixed = read(raw)
        if fixed is None:  # a blank line
            continue
        if fixed is _NO_WORD:
            empty.append(i)
        else:
            ln = _Line(i, fixed)
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
    if not live:
        return []
    _mark_author_boxes(live, lines, p)
    _mark_tables(live, p)

    language = _language(live, p)
    stopset = language[0]
    _describe(live, lines, reader, language)
    _demote_repeats(live)
    _mark_teasers(live, p)
    lo, hi = _main_span(live, p)
    if lo < 0:
        return []  # no prose at all: leave the page alone rather than empty it
    lo, hi = _cut_at_dates(live, lo, hi, p)
    lo, hi = _trim_indent(live, lo, hi, p)
    hi = _announced_list_end(live, hi)
    hi = _trailing_sentences(live, hi, p)

    out: list[tuple[int, str]] = []
    head = _headline(live, lo, stopset, p) if p["keep_headline"] else -1
    # outside the span a line is named by its own signal when it has one
    listed = _link_lists(live, head + 1, lo - 1, p) | _link_lists(live, hi + 1, len(live) - 1, p)
    if head > 0:
        listed |= _link_lists(live, 0, head - 1, p)
    for k in range(lo):
        if k != head:
            out.append((live[k].i, live[k].tag or ("link list" if k in listed else _HEAD)))
    _inside(live, lo, hi, p, out)
    for k in range(hi + 1, len(live)):
        out.append((live[k].i, live[k].tag or ("link list" if k in listed else _TAIL)))
    first, last = live[lo].i, live[hi].i
    for i in empty:
        if i < first:
            out.append((i, _HEAD))
        elif i > last:
            out.append((i, _TAIL))
        elif lines[i].lstrip()[:1] in _BULLET_START:
            out.append((i, "menu item"))
    return _ranges(out, lines, removed)


def _mark_tables(live: list[_Line], p: Mapping[str, Any]) -> None:
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


def _mark_author_boxes(live: list[_Line], lines: Sequence[str], p: Mapping[str, Any]) -> None:
    """ "About Jane Doe" ends the article like "About the author" when the page printed the
    name before, in a short line (its byline), not a subheading like "About the programme".
    One pass over the lines above the last such heading, each line's names read once per text,
    so many headings cost no more than one."""
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


@per_line
def _short_line_names(line: str) -> frozenset[str]:
    """Every run of 2 to 4 words of a short line (a byline): the names it may print."""
    if len(line) >= 200:
        return frozenset()
    words = _WORDS.findall(line.casefold())
    if len(words) > 12:
        return frozenset()
    return frozenset(" ".join(words[k : k + n]) for n in (2, 3, 4) for k in range(len(words) - n + 1))


def _language(live: list[_Line], p: Mapping[str, Any]) -> tuple[frozenset[str], bool, bool]:
    """The stopword set of the page's language (empty if unknown), whether the page is CJK,
    and whether its longest lines hold any CJK character at all."""
    sets = _stopwords()[1]
    budget = int(p["lang_sample_words"])
    hits: list[tuple[int, ...]] = []
    cjk = latin = 0
    for ln in sorted(live, key=_NTOK, reverse=True)[:64]:
        if latin >= budget:
            break
        hits.append(_stop_hits(ln.text))
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


@per_line
def _stop_hits(text: str) -> tuple[int, ...]:
    """How many of the words are stopwords of each language (in the order of _stopwords())."""
    masks, sets = _stopwords()
    counts = [0] * len(sets)
    for mask, c in Counter(map(masks.get, text.lower().split())).items():
        if mask:
            for b in range(len(sets)):
                if mask >> b & 1:
                    counts[b] += c
    return tuple(counts)


def _describe(live: list[_Line], lines: Sequence[str], reader: _Reader, language: tuple) -> None:
    """Each line's length in words, sentence end and class in the page's `language` (what
    _language returns), worked out once per text and language (`_Reader.described`)."""
    known = reader.described(language).__getitem__
    for ln in live:
        ln.words, ln.sent, ln.cls, ln.tag = known(lines[ln.i])


def _demote_repeats(live: list[_Line]) -> None:
    """A prose line printed twice (a news ticker, a teaser of this very story) is no anchor."""
    good = [ln for ln in live if ln.cls == GOOD]
    seen = Counter(map(_LOWERED, good))
    if len(seen) < len(good):
        for ln in good:
            if seen[ln.lowered] > 1:
                ln.cls = SHORT


def _mark_teasers(live: list[_Line], p: Mapping[str, Any]) -> None:
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
    inner = text.rstrip(_EDGE)
    return ". " not in inner and "? " not in inner and "! " not in inner and "。" not in inner


def _main_span(live: list[_Line], p: Mapping[str, Any]) -> tuple[int, int]:
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


def _cut_at_dates(live: list[_Line], lo: int, hi: int, p: Mapping[str, Any]) -> tuple[int, int]:
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
            clipped += ln.text.endswith(_ELLIPSES)
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


def _sentence_like(text: str) -> bool:
    """Ends in a full stop, not in an ellipsis or an abbreviation like "U.N."."""
    if not text.endswith(".") or text.endswith(".."):
        return False
    last = text.rsplit(None, 1)[-1]
    return last.count(".") < 2


def _core_indent(live: list[_Line], lo: int, hi: int) -> int:
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


def _trim_indent(live: list[_Line], lo: int, hi: int, p: Mapping[str, Any]) -> tuple[int, int]:
    """w3m prints a page's article at one indentation; prose at either edge of the span that
    is indented otherwise (a caption in a figure, teasers in a sidebar) is not the article.
    When bullet items carry most of the prose, no indentation is the article's: no trim."""
    tol = p["indent_tolerance"]
    core = _core_indent(live, lo, hi)
    if tol < 0 or core < 0:
        return lo, hi

    def anchor(ln: _Line) -> bool:
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


def _trailing_sentences(live: list[_Line], hi: int, p: Mapping[str, Any]) -> int:
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


def _announced(live: list[_Line], k: int) -> bool:
    """live[k] starts a bullet list that the prose line above announces with a colon
    ("Here is what changes:"): the list is the article's, however short its items."""
    return k > 0 and live[k].bullet and live[k].gone == 0 and live[k - 1].cls >= NEAR and live[k - 1].text.endswith(":")


def _announced_list_end(live: list[_Line], hi: int) -> int:
    """Extend a span that ends announcing a list over that list's items."""
    if hi + 1 >= len(live) or not _announced(live, hi + 1):
        return hi
    hi += 1
    while hi + 1 < len(live) and live[hi + 1].bullet and live[hi + 1].gone == 0:
        hi += 1
    return hi


def _shallower_frame(live: list[_Line], lo: int, new_lo: int, hi: int, new_hi: int, core: int) -> bool:
    """Prose trimmed at both edges at one indentation shallower than the core: the core is
    quoted text (reviews, a long quote w3m indents) framed by the article, not the article
    framed by a sidebar and a figure."""

    def indents(part: list[_Line]) -> set[int]:
        return {x.indent for x in part if x.cls >= NEAR and not x.bullet and x.indent < core}

    return bool(indents(live[lo:new_lo]) & indents(live[new_hi + 1 : hi + 1]))


def _headline(live: list[_Line], lo: int, stopset: frozenset[str], p: Mapping[str, Any]) -> int:
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


def _runs(live: list[_Line], lo: int, hi: int):
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


def _is_list(run: list[_Line], p: Mapping[str, Any]) -> bool:
    """A run of short lines that is a list of links: long enough, and short words on average
    or mostly menu items and capitalised titles."""
    n = len(run)
    return n >= p["list_min_lines"] and (
        sum(x.words for x in run) <= p["list_max_words"] * n
        or sum(1 for x in run if x.cls == BAD) >= p["list_bad_share"] * n
    )


def _link_lists(live: list[_Line], lo: int, hi: int, p: Mapping[str, Any]) -> set[int]:
    found: set[int] = set()
    for k, j in _runs(live, lo, hi):
        if _is_list(live[k:j], p):
            found.update(range(k, j))
    return found


def _inside(live: list[_Line], lo: int, hi: int, p: Mapping[str, Any], out: list) -> None:
    """Inside the main span: drop link lists, teasers and date/counter lines, lines w3m
    centred far right of the article (captions under figures), and short lines in one block
    with a line an earlier rule removed (a caption whose credit went); keep the rest. The
    span's first and last lines stay, so cleaning twice changes nothing more."""
    stuck_max, caption_max = p["stuck_max_words"], p["caption_max_words"]
    for k, j in _runs(live, lo, hi):
        run = live[k:j]
        if all(x.table for x in run):
            continue
        if _is_list(run, p) and not (_announced(live, k) and all(x.bullet for x in run)):
            for x in run:
                if not x.table:
                    out.append((x.i, x.tag or "link list"))
        else:
            for x in run:
                if (x.date or x.tag == "teaser run") and not x.table:
                    out.append((x.i, x.tag))
    centre = p["centre_indent"]
    core = _core_indent(live, lo, hi) if centre > 0 else -1
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


def _ranges(out: list[tuple[int, str]], lines: Sequence[str], removed: Sequence[bool]) -> list[tuple[int, int, str]]:
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
