"""The text vocabulary: what the rest of the code means by a line, a space, a fold, a bullet, a
sentence, a word; the word lists (stopwords, dates) are data in `lexicon/`.

Every matcher speaks these words, so a line reads the same to all of them:

>>> split_lines("Menu\\r\\n\\u00a0Rates rise again.\\n")
(['Menu', '\\xa0Rates rise again.'], ['\\r\\n', '\\n'])
>>> strip_line("\\u00a0Rates\\u2009rise again. ")
'Rates rise again.'
>>> fold("Rates  RISE again.")
'rates rise again.'
>>> fold_item("  • Big News: Fire!  Big News: Fire!")  # a bullet, a title printed twice
'big news fire'
>>> fold_counters("• 12 comments · Updated March 3, 2024 10:41 am")
['0 comments updated D 0 0 0 0 D']
>>> is_prose("The council voted on Tuesday to close the old library for good."), is_sentence("Read on.")
(True, False)

The functions of one line's text are remembered per text (shortcuts.py); those of a whole page
(`fold_counters`) work on the page's lines joined by line breaks, one call per page.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import regex

from clean_articles.shortcuts import per_line

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


@per_line
def strip_line(line: str) -> str:
    """A line as patterns see it: without leading and trailing whitespace, and with every other
    Unicode space (no-break, thin, ideographic...) read as a plain space, so a rule's literal
    space also matches the no-break spaces pages are full of."""
    line = line.strip()
    return line if line.isascii() else _SPACES.sub(" ", line)


@per_line
def fold(stripped: str) -> str:
    """A stripped line case-folded, its spacing collapsed (what phrases are scored against)."""
    return " ".join(stripped.casefold().split())


# ---------------------------------------------------------------------------------------------
# Bullets

#: A list item's bullet or number at the start of a stripped line.
BULLET = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—]|\d{1,3}[.)])(?:\s|$)")
_ITEM_LEAD = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—]|\d{1,3}[.)]?)\s+")
# the same, on a page of stripped lines joined by \n (it may not swallow a line break)
_PAGE_LEAD = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—|]|\d{1,3}[.)]?)[^\S\n]+", regex.MULTILINE)

# ---------------------------------------------------------------------------------------------
# Sentences

_STOPS = tuple(".!?…:;。！？")
_CLOSERS = "\"'”’»)]"
_CLOSED = tuple('"”’»)')
PROSE_MIN_WORDS = 10  # a prose line has at least this many words (\w+) ...
SENTENCE_WORDS = 5  # ... a sentence at least this many (whitespace-separated)
_WORD = regex.compile(r"\w+")


def ends_sentence(stripped: str) -> bool:
    """Whether a stripped line ends like a sentence: punctuation, maybe followed by closing
    quotes or brackets, or a closing quote or bracket. Read from the end, so a long line costs
    no more than a short one."""
    return stripped.endswith(_CLOSED) or stripped.rstrip(_CLOSERS).endswith(_STOPS)


@per_line
def is_prose(stripped: str) -> bool:
    """A line that reads like a sentence: enough words and sentence punctuation at the end."""
    if not ends_sentence(stripped):
        return False
    return len(_WORD.findall(stripped, concurrent=False)[:PROSE_MIN_WORDS]) >= PROSE_MIN_WORDS


@per_line
def is_sentence(stripped: str) -> bool:
    """A shorter sentence: SENTENCE_WORDS words or more and sentence punctuation at the end."""
    return ends_sentence(stripped) and len(stripped.split()) >= SENTENCE_WORDS


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

# ---------------------------------------------------------------------------------------------
# Folds: a line reduced to what two copies of it share


_NON_WORD = regex.compile(r"[\W_]+")


@per_line
def fold_item(stripped: str) -> str:
    """A line as it compares with the other lines of its page: its bullet or number, case,
    punctuation and spacing dropped; a text printed twice in a row counts once."""
    text = _NON_WORD.sub(" ", _ITEM_LEAD.sub("", stripped.strip()).casefold(), concurrent=False).strip()
    half, rest = divmod(len(text), 2)
    if rest and text[:half] == text[half + 1 :] and text[half] == " ":
        return text[:half]
    return text


_DIGITS = regex.compile(r"\d+")
_TOKEN = regex.compile(r"[^\W_]+|\n")


def fold_counters(joined: str) -> list[str]:
    """Stripped lines (joined by \\n) as they compare with the lines of other pages: bullets,
    case and punctuation dropped, numbers read as 0 and date words (DATE_WORDS) as D, so that
    chrome differing only in its counters and dates folds the same. One pass over a page."""
    # concurrent=False on the calls with many matches: ~40% fewer instructions
    text = _DIGITS.sub("0", _PAGE_LEAD.sub("", joined).casefold(), concurrent=False)
    out: list[str] = []
    folded: list[str] = []
    for token in _TOKEN.findall(text, concurrent=False):  # one scan beats a regex per line
        if token == "\n":
            out.append(" ".join(folded))
            folded = []
        else:
            folded.append("D" if token in DATE_WORDS else token)
    out.append(" ".join(folded))
    return out
