"""The features of a page's lines: what each says on its own, and what the lines around it say.

`page_features(doc, removed)` reads the live lines of a page (not blank, not removed by an
earlier rule, with a word character) and gives each a row of numbers named by `names()`:

- the line's shape: its length in words and characters, its share of the page language's
  function words, of capitalised words, digits and date words, how it ends (a sentence, a comma,
  a colon, a question, a clipped "…"), separators, an address, a byline's first word, a bullet or
  a number, whether the page prints it twice, and the cue groups it holds (lexicon/cues.toml);
- its context: lines earlier rules removed next to it, its block (size, prose, place), its place
  on the page and the share of the page's prose before and after it, the end markers above and
  below ("Related", "Comments", forms), its words shared with the page's prose, numbered
  sequences, lists announced by a colon, runs of short lines, shapes that repeat (teaser feeds,
  comment threads), and the density of questions, comment cues, dates and clipped lines nearby;
- windows: the means of a few of these over the lines above and below.

Nothing reads indentation or columns, so two text browsers' renderings of a page get the same
features. The work is done in C (`_features.c`, under 1 ms for a page of 550 lines; every pass is
linear in the number of lines); this module holds what is data: the feature names, the cue
groups, the words a byline starts with, and how a removal's reason says each feature.
tests/reference_features.py keeps the plain-Python definition the C is held to.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from clean_articles.document import Document
from clean_articles.main_text import _features
from clean_articles.text import LEXICON, stopwords

_WORD = re.compile(r"\w+")
_DATE_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december mon tue wed thu fri sat sun monday tuesday wednesday "
    "thursday friday saturday sunday am pm utc gmt est edt pst pdt ago min mins minute minutes hour "
    "hours day days week weeks month months year years updated published posted on at read comments "
    "comment views shares likes replies reply".split()
)
_BYLINE_FIRST = frozenset(
    "by von par por di door av przez от oleh written posted publicado publié pubblicato geschrieben autor "
    "author auteur autore photo photos image images foto fotos bild credit credits source sources quelle "
    "fonte fuente".split()
)


@dataclass(frozen=True)
class _Cues:
    """The cue groups (lexicon/cues.toml), compiled for lookups by word."""

    names: list[str]
    words: dict[str, tuple[int, bool, list | None]]  # word -> (its groups' bits, a date word, phrases it starts)
    written: list[tuple[str, list[tuple[str, int]]]]  # (a character, the cues with punctuation holding it)

    def bit(self, name: str) -> int:
        return 1 << self.names.index(name)


@cache
def cues() -> _Cues:
    groups = tomllib.loads((LEXICON / "cues.toml").read_text(encoding="utf-8"))
    single: dict[str, int] = {}
    phrases: dict[str, list] = {}
    written: list[tuple[str, int]] = []
    for g, entries in enumerate(groups.values()):
        for cue in entries:
            words = _WORD.findall(cue)
            if not words or cue != " ".join(words):
                written.append((cue, 1 << g))
            elif len(words) == 1:
                single[words[0]] = single.get(words[0], 0) | 1 << g
            else:
                phrases.setdefault(words[0], []).append((tuple(words[1:]), 1 << g))
    info = {w: (single.get(w, 0), w in _DATE_WORDS, phrases.get(w)) for w in set(single) | set(phrases) | _DATE_WORDS}
    by_char = [(c, [(s, b) for s, b in written if c in s]) for c in (":", "©", "%", ".")]
    assert sum(len(lst) for _, lst in by_char) == len(written), "every written cue holds one of : © % ."
    return _Cues(list(groups), info, [(c, lst) for c, lst in by_char if lst])


@cache
def tables() -> object:
    """The lexicons the C reads words against (cue words and phrases, written cues, stopwords,
    byline words), compiled once for `_features.page`."""
    c = cues()
    masks, sets = stopwords()
    marker = c.bit("related") | c.bit("comment") | c.bit("form") | c.bit("subscribe") | c.bit("share") | c.bit("tags")
    return _features.tables(c.words, c.written, masks, [bool(s) for s in sets], _BYLINE_FIRST, len(c.names), marker,
                            c.bit("comment"), c.bit("related"), c.bit("form"))  # fmt: skip


def _line_names() -> list[str]:
    return [
        "bias", "lnw", "lnchars", "stop", "stop_len", "title", "digit", "datey", "sent", "clause", "colon",
        "question", "clipped", "pipes", "urlish", "byline", "quote", "lower_start", "commas", "inner", "says",
        "qa", "bullet", "numbered", "nw1", "nw2", "nw3", "nw4_6", "nw7_12", "nw13_25", "nw26", "prose", "near",
        "titleline", "dup", "dup_prose",
    ] + ["cue_" + name for name in cues().names]  # fmt: skip


CONTEXT_NAMES = [
    "gone_up", "gone_dn", "stuck_up", "stuck_dn",
    "blk_n", "blk_lnw", "blk_prose", "blk_first", "blk_last", "blk_alone", "blk_bullet",
    "pos", "tokpos", "pm_before", "pm_after", "pm_min", "loc_mass5", "loc_mass15",
    "mk_above", "mk_above1", "mk_above3", "mk_near_up", "mk_near_dn", "mk_below", "pm_since_mk",
    "mkc_above", "mkr_above", "mkf_above",
    "coh", "coh2", "coh_n",
    "seq", "announced", "run_len", "run_pos", "in_run", "periodic", "period_len",
    "qa_win", "q_win", "com_win", "says_win", "date_win", "clipped_win", "com_above",
    "dup_n", "dup_win", "dupdate_win",
]  # fmt: skip
_WIN_VARS = ["prose", "lnw", "bullet", "short", "sent"]
WINDOW_NAMES = (
    [f"up3_{v}" for v in _WIN_VARS]
    + [f"dn3_{v}" for v in _WIN_VARS]
    + ["sw2_prose", "sw2_lnw", "sw2_sent", "substantial"]
)


@cache
def names() -> list[str]:
    """The name of each feature, in the order of a row."""
    return _line_names() + CONTEXT_NAMES + WINDOW_NAMES


class Rows(Sequence):
    """The feature rows of a page's live lines, kept as the C wrote them: `flat`, a buffer of
    doubles (a memoryview, or an array('d')) of rows of `width` numbers one after another, which
    a row may go on in `flat2` (rows of `width2`: stage 2's features). A row is made (a list of
    floats) when it is asked for."""

    __slots__ = ("flat", "width", "flat2", "width2")

    def __init__(self, flat: Sequence[float], width: int, flat2: Sequence[float] | None = None, width2: int = 0):
        self.flat, self.width = flat, width
        self.flat2, self.width2 = flat2, (width2 if flat2 is not None else 0)

    def __len__(self) -> int:
        return len(self.flat) // self.width

    def _row(self, k: int) -> list[float]:
        row = self.flat[k * self.width : (k + 1) * self.width].tolist()
        if self.flat2 is not None:
            row += self.flat2[k * self.width2 : (k + 1) * self.width2].tolist()
        return row

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return [self._row(q) for q in range(*k.indices(len(self)))]
        n = len(self)
        if not -n <= k < n:
            raise IndexError("row index out of range")
        return self._row(k % n if k < 0 else k)

    def __iter__(self) -> Iterator[list[float]]:
        return (self._row(k) for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows of {self.width + self.width2})"


@dataclass
class Features:
    """A page's live lines (their indices), a row of features for each (`Rows`), their lengths in
    words (a memoryview of doubles) and the content words of each (for the model's second stage; opaque:
    `_features.content_sets(content)` lists them)."""

    live: list[int]
    rows: Rows
    words: Sequence[float]
    content: object


def page_features(doc: Document, removed: Sequence[bool]) -> Features:
    """The features of the live lines of `doc`, where `removed` flags the lines earlier rules took
    (lines past its end count as not removed)."""
    live, flat, words, content = _features.page(doc.lines, removed, tables())
    return Features(live, Rows(flat, len(names())), words, content)


# How a removal's reason says a feature: (when the line's value is below the training mean,
# when above), for each feature of `names()`.
_SAID = {
    "bias": ("", ""),
    "lnw": ("few words", "many words"),
    "lnchars": ("short", "long"),
    "stop": ("few function words", "many function words"),
    "stop_len": ("few function words", "many function words"),
    "title": ("few capitals", "capitalised words"),
    "digit": ("few numbers", "numbers"),
    "datey": ("no date", "a date or counter"),
    "sent": ("no sentence end", "a sentence end"),
    "clause": ("no comma end", "a comma end"),
    "colon": ("no colon end", "a colon end"),
    "question": ("no question", "a question"),
    "clipped": ("not clipped", "clipped with …"),
    "pipes": ("no separators", "separators"),
    "urlish": ("no address", "an address"),
    "byline": ("no byline", "a byline or credit"),
    "quote": ("no opening quote", "an opening quote"),
    "lower_start": ("a capital start", "a lower-case start"),
    "commas": ("few commas", "commas"),
    "inner": ("one sentence", "several sentences"),
    "says": ("no 'says:'", "'says:'"),
    "qa": ("no Q/A", "a Q/A prefix"),
    "bullet": ("no bullet", "a bullet"),
    "numbered": ("not numbered", "numbered"),
    "nw1": ("more than a word", "one word"),
    "nw2": ("not two words", "two words"),
    "nw3": ("not three words", "three words"),
    "nw4_6": ("not 4-6 words", "4-6 words"),
    "nw7_12": ("not 7-12 words", "7-12 words"),
    "nw13_25": ("not 13-25 words", "13-25 words"),
    "nw26": ("under 26 words", "26 words or more"),
    "prose": ("not prose", "prose"),
    "near": ("not a short sentence", "a short sentence"),
    "titleline": ("not a title", "a title"),
    "dup": ("printed once", "printed twice"),
    "dup_prose": ("printed once", "prose printed twice"),
    "gone_up": ("nothing removed above", "removed lines above"),
    "gone_dn": ("nothing removed below", "removed lines below"),
    "stuck_up": ("", "beside removed chrome"),
    "stuck_dn": ("", "beside removed chrome"),
    "blk_n": ("a small block", "a big block"),
    "blk_lnw": ("short lines around", "long lines around"),
    "blk_prose": ("little prose in its block", "prose in its block"),
    "blk_first": ("", "first in its block"),
    "blk_last": ("", "last in its block"),
    "blk_alone": ("", "alone in its block"),
    "blk_bullet": ("few bullets around", "bullets around"),
    "pos": ("early on the page", "late on the page"),
    "tokpos": ("early on the page", "late on the page"),
    "pm_before": ("little prose before", "much prose before"),
    "pm_after": ("little prose after", "much prose after"),
    "pm_min": ("at an edge of the prose", "amid the prose"),
    "loc_mass5": ("little prose nearby", "prose nearby"),
    "loc_mass15": ("little prose nearby", "prose nearby"),
    "mk_above": ("no end marker above", "end markers above"),
    "mk_above1": ("no end marker above", "an end marker above"),
    "mk_above3": ("few end markers above", "end markers above"),
    "mk_near_up": ("no end marker just above", "an end marker just above"),
    "mk_near_dn": ("no end marker just below", "an end marker just below"),
    "mk_below": ("no end marker below", "end markers below"),
    "pm_since_mk": ("little prose since a marker", "prose since a marker"),
    "mkc_above": ("no comments heading above", "a comments heading above"),
    "mkr_above": ("no 'related' heading above", "a 'related' heading above"),
    "mkf_above": ("no form above", "a form above"),
    "coh": ("shares few words with the prose", "shares words with the prose"),
    "coh2": ("shares few words with the prose", "shares words with the prose"),
    "coh_n": ("few content words", "many content words"),
    "seq": ("not in a numbered list", "in a numbered list"),
    "announced": ("no list announced", "in a list announced by a colon"),
    "run_len": ("a short run of short lines", "a long run of short lines"),
    "run_pos": ("early in its run", "late in its run"),
    "in_run": ("in the prose", "in a run of short lines"),
    "periodic": ("no repeating shape", "a repeating shape (a feed)"),
    "period_len": ("a short period", "a long period"),
    "qa_win": ("no Q/A around", "Q/A around"),
    "q_win": ("no questions around", "questions around"),
    "com_win": ("no comment cues around", "comment cues around"),
    "says_win": ("no 'says:' around", "'says:' around"),
    "date_win": ("no dates around", "dates around"),
    "clipped_win": ("no clipped lines around", "clipped lines around"),
    "com_above": ("no comment cues above", "comment cues above"),
    "dup_n": ("printed once", "printed many times"),
    "dup_win": ("no repeats around", "repeats around"),
    "dupdate_win": ("no repeats or dates around", "repeats or dates around"),
    "substantial": ("a short or menu line", "a substantial line"),
}
for _v, _said in (("prose", "prose"), ("lnw", "long lines"), ("bullet", "bullets"), ("short", "short lines"),
                  ("sent", "sentences")):  # fmt: skip
    _SAID[f"up3_{_v}"] = (f"few {_said} above", f"{_said} above")
    _SAID[f"dn3_{_v}"] = (f"few {_said} below", f"{_said} below")
for _v, _said in (("prose", "prose"), ("lnw", "long lines"), ("sent", "sentences")):
    _SAID[f"sw2_{_v}"] = (f"few {_said} around", f"{_said} around")
for _g in cues().names:
    _SAID[f"cue_{_g}"] = (f"no {_g} cue", f"{_g} cue")

#: `_SAID` in the order of `names()`.
DESCRIPTIONS = [_SAID[n] for n in names()]

#: How a reason says stage 2's features (model.STAGE2_NAMES: what stage 1's scores say around
#: a line), as `_SAID` does the line features'.
DESCRIPTIONS_2 = {
    "z": ("scored low", "scored high"),
    "zm1": ("low scores around", "high scores around"),
    "zm2": ("low scores around", "high scores around"),
    "zm5": ("low scores nearby", "high scores nearby"),
    "zm10": ("low scores nearby", "high scores nearby"),
    "zup3": ("low scores above", "high scores above"),
    "zdn3": ("low scores below", "high scores below"),
    "zmaxup": ("nothing scored high above", "a high score above"),
    "zmaxdn": ("nothing scored high below", "a high score below"),
    "inspan": ("outside the best span", "inside the best span"),
    "span_d_lo": ("near the span's start", "far from the span's start"),
    "span_d_hi": ("near the span's end", "far from the span's end"),
    "span_rel": ("early in the span", "late in the span"),
    "after_span": ("not after the span", "after the best span"),
    "before_span": ("not before the span", "before the best span"),
    "zrank": ("ranks high", "ranks low"),
    "z_minus_spanmean": ("below the span's scores", "above the span's scores"),
    "pz_before": ("little article before", "much article before"),
    "pz_after": ("little article after", "much article after"),
    "pz_min": ("at an end of the article", "amid the article"),
    "page_pos_share": ("few article lines on the page", "many article lines on the page"),
    "z_minus_top": ("far below the best lines", "near the best lines"),
    "coh_core": ("shares few words with the article", "shares words with the article"),
    "coh_core2": ("shares few words with the article", "shares words with the article"),
}
