"""The text vocabulary answers for a whole page at once (C-level loops, one scan of the joined
lines); on any lines it answers what the plain definition of each word says line by line."""

from __future__ import annotations

import re
from itertools import groupby

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import text

SPACES = "\u00a0\u1680\u2000\u2005\u200a\u202f\u205f\u3000"
PIECES = [" ", "\t", "\x0b", "\x1c", "\u2028", *SPACES, ".", "!", "?", "…", ":", ";", "。", '"', "”", "’", "»", ")", "]",
          "•", "-", "1.", "12", "March", "mon", "_", "É", "ß", "İ", "ΟΔΟΣ", "今日", "word", "Word", "a-b", "🙂", "\udce9"]  # fmt: skip
line = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
lines = st.lists(line, max_size=12)
stripped = lines.map(text.strip_lines)
SETTINGS = settings(max_examples=400, deadline=None)


def plain_strip(s: str) -> str:
    s = s.strip()
    return s if s.isascii() else regex.sub(f"[{SPACES}\u2001-\u2009]", " ", s)


@pytest.mark.slow
@SETTINGS
@given(lines)
def test_strip_lines(page):
    assert text.strip_lines(page) == [plain_strip(s) for s in page]


@pytest.mark.slow
@SETTINGS
@given(stripped)
def test_collapse(page):
    assert text.collapse("\n".join(page)) == [" ".join(s.split()) for s in page or [""]]


@pytest.mark.slow
@SETTINGS
@given(stripped)
def test_sentence_ends_prose_and_sentences(page):
    assert text.sentence_ends(page) == list(map(text.ends_sentence, page))
    words = [len(regex.findall(r"\w+", s)) for s in page]
    assert text.prose_flags(page) == [text.ends_sentence(s) and n >= text.PROSE_MIN_WORDS for s, n in zip(page, words)]
    assert text.sentence_flags(page) == [text.ends_sentence(s) and len(s.split()) >= text.SENTENCE_WORDS for s in page]


def plain_fold_item(s: str) -> str:
    s = re.sub(r"^\d{1,3}[.)]?\s+", "", s).casefold()  # re's \d is str.isdecimal, its \s str.isspace
    words = ["".join(run) for alnum, run in groupby(s, str.isalnum) if alnum]
    half = len(words) // 2
    return " ".join(words[:half] if words and words[:half] == words[half:] else words)


@pytest.mark.slow
@SETTINGS
@given(stripped.flatmap(lambda page: st.sampled_from([page, [s + " " + s for s in page]])))
def test_fold_items(page):
    assert text.fold_items(page) == list(map(plain_fold_item, page))


@pytest.mark.slow
@SETTINGS
@given(stripped)
def test_fold_counters_folds_each_line_as_it_would_alone(page):
    assert text.fold_counters(page) == [text.fold_counters([s])[0] for s in page]


def test_prose_on_a_huge_word_is_linear():
    assert text.prose_flags(["x" * 2_000_000 + "."]) == [False]


# what ends_sentence() reads from the end of a line: the sentence end as a pattern would say it
SENTENCE_END = regex.compile(r"[.!?…:;。！？][\"'”’»)\]]*$|[\"”’»)]$")
ENDINGS = list(".!?…:;。！？\"'”’»)]") + ["a", " ", "(", "[", "“", "🙂"]


@pytest.mark.slow
@settings(max_examples=500)
@given(st.text(), st.lists(st.sampled_from(ENDINGS), max_size=8))
def test_a_sentence_end_is_read_from_the_end_as_the_pattern_would_find_it(start, ending):
    s = (start + "".join(ending)).strip()
    assert text.ends_sentence(s) == (SENTENCE_END.search(s) is not None)
