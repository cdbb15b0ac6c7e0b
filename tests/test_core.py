"""The compiled core (_core.c) does what its plain-Python definitions here say, on any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import _core

WORDS = st.sampled_from(["a", "D", "jan", "0", "käse", "今日", "\n", "x\udce9", "word", "mon"])
REPLACE = {"jan": "D", "mon": "D"}


def join_lines(words: list[str], replace: dict | None) -> list[str]:
    out, line = [], []
    for w in words + ["\n"]:
        if w == "\n":
            out.append(" ".join(line))
            line = []
        else:
            line.append((replace or {}).get(w, w))
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
@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=30), st.booleans())
def test_join_lines(words, replace):
    assert _core.join_lines(words, REPLACE if replace else None) == join_lines(words, REPLACE if replace else None)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(WORDS.filter(lambda w: w != "\n"), max_size=12).map(" ".join), max_size=10), st.integers(1, 8))
def test_keys(lines, near):
    contexts = bytes(b"AL"[k % 2] for k in range(len(lines)))
    assert _core.keys(lines, contexts, near) == keys(lines, contexts, near)


def test_wrong_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="one context byte per line"):
        _core.keys(["a"], b"", 7)
    with pytest.raises(TypeError):
        _core.join_lines(["a", 1], None)
