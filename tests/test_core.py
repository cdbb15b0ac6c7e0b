"""The compiled core (_core.c) does what its plain-Python definitions here say, on any input."""

from __future__ import annotations

import re
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import _core

WORDS = st.sampled_from(["a", "D", "jan", "0", "käse", "今日", "\n", "x\udce9", "word", "mon"])
PIECES = st.sampled_from(
    [
        "a",
        "jan",
        "mon",
        "12",
        "1234",
        "٣",
        "½",
        "käse",
        "今日",
        "x\udce9",
        "\n",
        " ",
        "\t",
        ".",
        ")",
        "•",
        "_",
        "-",
        "ß",
    ]
)
REPLACE = {"jan": "D", "mon": "D", "a": "a word longer than a"}


def fold(page: str, digits: bool, replace: dict | None, once: bool) -> list[str]:
    out = []
    for line in page.split("\n"):
        line = re.sub(r"^\d{1,3}[.)]?\s", " ", line)  # re's \d is str.isdecimal, its \s str.isspace
        words = ["".join(run) for alnum, run in groupby(line, str.isalnum) if alnum]
        if digits:
            words = [re.sub(r"\d+", "0", w) for w in words]
        words = [(replace or {}).get(w, w) for w in words]
        half = len(words) // 2
        if once and words and words[:half] == words[half:]:
            words = words[:half]
        out.append(" ".join(words))
    return out


def fnv(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & (2**64 - 1)
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return h ^ (h >> 31)


def keys(lines: list[str], contexts: bytes, near: int) -> list[tuple[int, ...]]:
    out = []
    for line, c in zip(lines, contexts):
        if not line:
            out.append(())
            continue
        data = line.encode("utf-8", "surrogatepass")
        words = line.split(" ")
        found = (fnv(bytes([c]) + data),)
        if len(words) >= near:
            ends = " ".join(words[:3] + ["~"] + words[-3:]).encode("utf-8", "surrogatepass")
            found += (fnv(bytes([c]) + b"~" + ends),)
        out.append(found)
    return out


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(
    st.lists(PIECES, max_size=30).map("".join).flatmap(lambda p: st.sampled_from([p, p + " " + p])),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_fold(page, digits, replace, once):
    table = REPLACE if replace else None
    assert _core.fold(page, digits, table, once) == fold(page, digits, table, once)


def test_fold_drops_list_numbers_and_halves_a_line_printed_twice():
    page = "12. big news big news\n1234 votes\n3) jan 2024\n•  5 things"
    assert _core.fold(page, False, None, True) == ["big news", "1234 votes", "jan 2024", "5 things"]
    assert _core.fold(page, True, REPLACE, False) == ["big news big news", "0 votes", "D 0", "0 things"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(WORDS.filter(lambda w: w != "\n"), max_size=12).map(" ".join), max_size=10), st.integers(1, 8))
def test_keys(lines, near):
    contexts = bytes(b"AL"[k % 2] for k in range(len(lines)))
    assert _core.keys(lines, contexts, near) == keys(lines, contexts, near)


def ends_sentence(line: str, closed: str, closers: str, stops: str) -> bool:
    return line.endswith(tuple(closed)) or line.rstrip(closers).endswith(tuple(stops))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("a.!?;:)]\"'”’»。 \udce9")), max_size=12))
def test_sentence_ends(lines):
    closed, closers, stops = '"”’»)', "\"'”’»)]", ".!?…:;。！？"
    want = [ends_sentence(s, closed, closers, stops) for s in lines]
    assert _core.sentence_ends(lines, closed, closers, stops) == want


def line_starts(data: bytes) -> list[int]:
    return [0] + [k + 1 for k, byte in enumerate(data) if byte == ord("\n")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\xc3\xa9", b"\x00", b"\n\n"]), max_size=30).map(b"".join))
def test_line_starts(data):
    assert _core.line_starts(data) == line_starts(data)


def test_wrong_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="one context byte per line"):
        _core.keys(["a"], b"", 7)
    with pytest.raises(TypeError):
        _core.fold("a", False, ["a"], False)
    with pytest.raises(TypeError, match="list of str"):
        _core.sentence_ends(["a", 1], "", "", ".")
    with pytest.raises(TypeError):
        _core.line_starts("a str, not bytes")
