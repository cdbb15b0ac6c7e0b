"""The text vocabulary: what the rest of the code means by a line, a space, a fold, a bullet, a
sentence, a word; the word lists (stopwords, dates) are data in `lexicon/`.

Every matcher speaks these words, so a line reads the same to all of them:

>>> split_lines("Menu\\r\\n\\u00a0Rates rise again.\\n")
(['Menu', '\\xa0Rates rise again.'], ['\\r\\n', '\\n'])
>>> strip_lines(["\\u00a0Rates\\u2009rise again. "])
['Rates rise again.']
>>> collapse("rates  rise again.\\nmenu")  # a case-folded page's lines, their spacing collapsed
['rates rise again.', 'menu']
>>> fold_items(["• Big News: Fire!  Big News: Fire!"])  # a bullet, a title printed twice
['big news fire']
>>> fold_counters(["• 12 comments · Updated March 3, 2024 10:41 am"])
['0 comments updated D 0 0 0 0 D']
>>> prose_flags(["The council voted on Tuesday to close the old library for good.", "Read on."])
[True, False]

Each function takes a page's lines (or some of them) and answers for each: a page is one call,
and the work per line is done by C-level loops (`map`) or by one scan of the lines joined by
line breaks, not by a step of Python per line.
"""

from __future__ import annotations

import functools
import re
from itertools import compress
from pathlib import Path

import regex

from clean_articles._core import fold
from clean_articles._core import sentence_ends as _sentence_ends

LEXICON = Path(__file__).resolve().parent / "lexicon"

# ---------------------------------------------------------------------------------------------
# Lines and spaces

_BREAK = re.compile(r"(\r\n|\r|\n)")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split on \\n, \\r\\n or \\r; return (lines, endings). The last ending may be ''.

    >>> split_lines("a\\r\\nb\\rc")
    (['a', 'b', 'c'], ['\\r\\n', '\\r', ''])
    >>> split_lines("")
    ([], [])
    """
    if "\r" in text:
        parts = _BREAK.split(text)  # line, break, line, break, ..., line
        lines, endings = parts[::2], parts[1::2]
    else:
        lines = text.split("\n")
        endings = ["\n"] * (len(lines) - 1)
    endings.append("")
    if not lines[-1]:  # the text ends with a line break, or is empty: no last line
        lines.pop()
        endings.pop()
    return lines, endings


def strip_lines(lines: list[str]) -> list[str]:
    """Each line as patterns see it: without leading and trailing whitespace, and with every
    other Unicode space (no-break, thin, ideographic...) read as a plain space, so a rule's
    literal space also matches the no-break spaces pages are full of."""
    joined = "\n".join(lines)  # a line holds no \n
    if not joined.isascii():
        joined = _SPACES.sub(" ", joined)
    return list(map(str.strip, joined.split("\n"))) if lines else []


def collapse(page: str) -> list[str]:
    """Each line of a page (lines joined by line breaks) with its spacing collapsed: of a
    case-folded page, what phrases are scored against (`Document.folded`)."""
    return list(map(" ".join, map(str.split, page.split("\n"))))


# ---------------------------------------------------------------------------------------------
# Bullets

#: A list item's bullet or number at the start of a stripped line.
BULLET = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—]|\d{1,3}[.)])(?:\s|$)")
# ---------------------------------------------------------------------------------------------
# Sentences

_STOP_CHARS = ".!?…:;。！？"
_STOPS = tuple(_STOP_CHARS)
_CLOSERS = "\"'”’»)]"
_CLOSED_CHARS = '"”’»)'
_CLOSED = tuple(_CLOSED_CHARS)
PROSE_MIN_WORDS = 10  # a prose line has at least this many words (\w+) ...
SENTENCE_WORDS = 5  # ... a sentence at least this many (whitespace-separated)
_WORD = regex.compile(r"\w+")


def ends_sentence(stripped: str) -> bool:
    """Whether a stripped line ends like a sentence: punctuation, maybe followed by closing
    quotes or brackets, or a closing quote or bracket. Read from the end, so a long line costs
    no more than a short one."""
    return stripped.endswith(_CLOSED) or stripped.rstrip(_CLOSERS).endswith(_STOPS)


def sentence_ends(stripped: list[str]) -> list[bool]:
    """ends_sentence() of each line (a loop in C: _core.sentence_ends)."""
    return _sentence_ends(stripped, _CLOSED_CHARS, _CLOSERS, _STOP_CHARS)


# PROSE_MIN_WORDS words, each begun at a word's start and taken whole (no backtracking: linear)
_TEN_WORDS = regex.compile(rf"(?<!\w)\w++(?:\W++\w++){{{PROSE_MIN_WORDS - 1}}}")


def prose_flags(stripped: list[str]) -> list[bool]:
    """Whether each line reads like a sentence: PROSE_MIN_WORDS words (\\w+) or more and
    sentence punctuation at the end."""
    out = sentence_ends(stripped)
    for i in compress(range(len(out)), out):
        out[i] = _TEN_WORDS.search(stripped[i]) is not None
    return out


def prose_span(stripped: list[str]) -> tuple[int, int] | None:
    """[start, end) from the first to the last line that prose_flags() calls prose, or None;
    the lines between them are not read."""
    ends = list(compress(range(len(stripped)), sentence_ends(stripped)))
    first = next((i for i in ends if _TEN_WORDS.search(stripped[i]) is not None), None)
    if first is None:
        return None
    return first, next(i for i in reversed(ends) if _TEN_WORDS.search(stripped[i]) is not None) + 1


def sentence_flags(stripped: list[str]) -> list[bool]:
    """Whether each line is a sentence, maybe shorter than prose: SENTENCE_WORDS words
    (whitespace-separated) or more and sentence punctuation at the end."""
    out = sentence_ends(stripped)
    for i in compress(range(len(out)), out):
        out[i] = len(stripped[i].split(None, SENTENCE_WORDS)) >= SENTENCE_WORDS
    return out


# ---------------------------------------------------------------------------------------------
# Words


def words(text: str) -> frozenset[str]:
    """The distinct words (\\w+) of a text."""
    # concurrent=False: a regex call with many matches costs ~40% more instructions without it
    return frozenset(_WORD.findall(text, concurrent=False))


def _lexicon(path: Path) -> frozenset[str]:
    """The words of a word list: whitespace-separated, lines starting with # left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@functools.cache
def stopwords() -> tuple[dict[str, int], tuple[frozenset[str], ...]]:
    """word -> bitmask of the languages whose list holds it, and one word set per language (in
    the order of the files in lexicon/stopwords/)."""
    sets = tuple(_lexicon(path) for path in sorted((LEXICON / "stopwords").glob("*.txt")))
    masks: dict[str, int] = {}
    for bit, words_ in enumerate(sets):
        for w in words_:
            masks[w] = masks.get(w, 0) | (1 << bit)
    return masks, sets


DATE_WORDS = _lexicon(LEXICON / "dates.txt")
_DATES = dict.fromkeys(DATE_WORDS, "D")

# ---------------------------------------------------------------------------------------------
# Folds: a line reduced to what two copies of it share


def fold_items(stripped: list[str]) -> list[str]:
    """Lines as they compare with the other lines of their page: their words (runs of letters
    and digits: str.isalnum) joined by single spaces, a list number before them, case and
    everything else dropped; a text printed twice in a row counts once. One scan of the page."""
    return fold("\n".join(stripped).casefold(), False, None, True) if stripped else []


def fold_counters(stripped: list[str]) -> list[str]:
    """Stripped lines as they compare with the lines of other pages: folded as `fold_items`
    folds them (a doubled text aside), numbers read as 0 and date words (DATE_WORDS) as D, so
    that chrome differing only in its counters and dates folds the same."""
    return fold("\n".join(stripped).casefold(), True, _DATES, False) if stripped else []
