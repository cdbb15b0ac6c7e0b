"""What a line says on its own (its features), and the class it takes on a page of a language.

`Reader.read` reads one raw line for one set of thresholds: its indentation, bullet, words and
their share of capitals, whether it is a date or counter line, a byline, a heading that ends an
article, a table row, how it ends. `Reader.describe` gives a live line its class on the page:
*good* (prose), *near* (a shorter sentence, or one w3m broke after a comma), *short*, or *bad*
(menu item, date/counter line, capitalised link title).

Work per line is capped (``scan_chars``). A page's lines are read once; the pipeline's later
rounds find them already read (`Document.notes`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

GOOD, NEAR, SHORT, BAD = 3, 2, 1, 0

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_BULLET = re.compile(r"(?:[•·▪◦□■☆★○●◆◇►▶▸‣⁃∙\-–—*+>]|\(?\d{1,3}[.)])(?:\s+|$)")
BULLET_START = frozenset("•·▪◦□■☆★○●◆◇►▶▸‣⁃∙-–—*+>(0123456789")
# a sentence end, maybe closed by quotes or brackets and followed by emoji ("today! 🙂"); a
# tilde ends playful sentences ("the scent of fall~")
_SENT_END = re.compile(
    r"[.!?…。！？:;~][\"'”’»」』)\]]*(?:\s*[\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff\ufe0f\u200d]+)?$"
)
_CLAUSE_END = (",", "、", "，")  # a sentence that w3m broke after a comma goes on below
_CJK_STOP = re.compile(r"[。！？]")
_WORD = re.compile(r"\w")
WORDS = re.compile(r"\w+")
_CELLS = re.compile(r"\S {3,}(?=\S)")
_NUMTOK = re.compile(r"(?:^|\s)\W?\d")
_DIGIT = re.compile(r"\d")
_NUMCHARS = "0123456789.,:/-–"
ELLIPSES = ("...", "…")
EDGE = "\"'“”‘’«»„()[]{}<>.,;:!?…—–-|/*#@&%$+=~^`"

# What a line says on its own (`Reader.read`). `text` is the line without its bullet; `cjk`
# counts CJK characters and `cjk_words` is the length in words that counts them as fractions of a
# word; `low` its lowercased words and `lowered` those joined by single spaces; `alpha` is the
# number of tokens that are not numbers (for the stopword share); `heading` is an end_pattern
# heading; `about` the folded name of an "About Jane Doe" heading, else "".
_FIXED = ("indent", "bullet", "text", "low", "lowered", "ntok", "row", "byline", "cjk", "cjk_words",
          "title", "sent_end", "cjk_stop", "clause", "date", "alpha", "heading", "about")  # fmt: skip
# What the page makes of it: its index, length in words and sentence end (CJK pages count
# differently), class and tag, lines removed just above it, ...
_PAGE = ("i", "words", "sent", "cls", "tag", "gone", "stuck", "end", "table")
NO_WORD = ()  # what Reader.read says of a line without a word character (an ornament)


class Line:
    """A live line of a page: its features (`_FIXED`) and what the page makes of it (`_PAGE`)."""

    __slots__ = _FIXED + _PAGE

    def __init__(self, i: int, fixed: tuple):
        (self.indent, self.bullet, self.text, self.low, self.lowered, self.ntok, self.row, self.byline,
         self.cjk, self.cjk_words, self.title, self.sent_end, self.cjk_stop, self.clause, self.date,
         self.alpha, self.heading, self.about) = fixed  # fmt: skip
        self.i = i
        self.tag = ""
        self.table = False


@functools.cache
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.casefold().split())


class Reader:
    """Reads lines for one set of thresholds (a rule's parameters)."""

    def __init__(self, p: Mapping[str, Any]):
        self.scan = int(p["scan_chars"])
        self.min_good, self.min_near = p["min_words_good"], p["min_words_near"]
        self.title_min, self.cpw = p["title_min_words"], float(p["cjk_chars_per_word"])
        self.date_words = _wordset(p["date_words"])
        self.date_max, self.date_share = p["date_max_words"], p["date_share"]
        self.byline = re.compile(p["byline_pattern"]).search
        self.heading = re.compile(p["end_pattern"]).search
        self.about = re.compile(p["about_pattern"]).match
        self.stop_good, self.stop_near = p["min_stop_density"], p["near_stop_density"]
        self.max_title, self.min_unpunct = p["max_title_share"], p["min_words_unpunct"]
        self.menu_max = p["menu_max_words"]

    def ends(self, raw: str) -> bool:
        """Whether a line is a heading that ends an article (also asked of removed lines)."""
        return len(raw) < 120 and self.heading(raw.strip()) is not None

    def describe(self, language: tuple[frozenset[str], bool, bool], ln: Line) -> tuple:
        """(words, sentence end, class, tag) of a live line on a page of `language` (what
        language.page_language says: its stopwords, whether the page is CJK, whether its
        longest lines hold CJK at all)."""
        stopset, cjk_page, any_cjk = language
        words = ln.cjk_words if any_cjk else float(ln.ntok)
        # a sentence ends the line; in CJK text a full stop anywhere will do
        sent = ln.sent_end or (any_cjk and ln.cjk_stop)
        if ln.date:
            return words, sent, BAD, "date/counter line"
        title = ln.title
        use_stops = bool(stopset) and not cjk_page
        if use_stops:
            # numbers (scores, prices, dates) are neither function words nor content words
            dens = sum(map(stopset.__contains__, ln.low)) / ln.alpha if ln.alpha > 0 else 0.0
            good_shape = dens >= self.stop_good and title <= self.max_title
            near_shape = dens >= self.stop_near and title <= self.max_title
        else:
            good_shape = near_shape = True
        if words >= self.min_good and good_shape and (sent or words >= self.min_unpunct):
            return words, sent, GOOD, ""
        if words >= self.min_near and near_shape and (sent or ln.clause):
            return words, sent, NEAR, ""
        if ln.bullet and words <= self.menu_max and (title > self.max_title or not use_stops):
            return words, sent, BAD, "menu item"
        if use_stops and words >= self.title_min and title > self.max_title and not sent:
            return words, sent, BAD, ""  # a link title, a byline, a menu printed on one line
        return words, sent, SHORT, ""

    def read(self, raw: str) -> tuple | None:
        """A line's features (`_FIXED`), NO_WORD for a line without a word, None for a blank."""
        text = raw[: self.scan].strip() if len(raw) > self.scan else raw.strip()
        if not text:
            return None
        indent = len(raw) - len(raw.lstrip())
        bullet = False
        if text[0] in BULLET_START:
            m = _BULLET.match(text)
            if m:
                bullet = True
                text = text[m.end() :]
        if _WORD.search(text) is None:
            return NO_WORD
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
                about = " ".join(WORDS.findall(m.group(1).casefold()))
        # the cheap tests first: most lines have no run of spaces, no digit, no CJK full stop
        row = "   " in text and len(_CELLS.findall(text)) >= 2
        alpha = n - len(_NUMTOK.findall(text)) if n >= self.min_near and _DIGIT.search(text) else n
        cjk_stop = not text.isascii() and _CJK_STOP.search(text) is not None
        return (indent, bullet, text, low, " ".join(low), n, row,
                n < self.min_good and self.byline(text) is not None, cjk, cjk_words, title,
                _SENT_END.search(text[-12:]) is not None, cjk_stop, text.endswith(_CLAUSE_END),
                self._date(low), alpha, len(text) < 120 and self.heading(text) is not None, about)  # fmt: skip

    def _date(self, low: list[str]) -> bool:
        """A date or counter line: short, mostly numbers and date words, one a number."""
        n = len(low)
        if n > self.date_max:
            return False
        hits = digits = 0
        for t in low:
            t = t.strip(EDGE)
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
