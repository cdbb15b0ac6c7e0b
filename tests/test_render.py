"""The kept lines (Document.kept) and render's removals agree with their plain per-line
definitions, on any marks (overlapping, equal, touching blank lines); a Result explains itself
whatever made it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import Cleaner, clean_text, render
from clean_articles.document import Document, Mark
from clean_articles.render import Removal, Result, removals

SETTINGS = settings(max_examples=300, deadline=None)
lines = st.lists(st.sampled_from(["", " ", "a", "b c"]), min_size=1, max_size=20)


@st.composite
def page_and_marks(draw) -> tuple[Document, list[Mark]]:
    doc = Document.from_text("\n".join(draw(lines)) + "\n")
    n = len(doc)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n), st.sampled_from("xy")), max_size=8))
    return doc, [Mark(min(a, b - 1), max(a + 1, b), f"r.{c}", c) for a, b, c in spans]


def plain_removals(doc: Document, marks: list[Mark]) -> list[Removal]:
    runs: list[list] = []  # [owner, first, last] for each run of non-blank lines with one owner
    for i, text in enumerate(doc.stripped):
        if text:
            owner = next((m for m in marks if m.start <= i < m.end), None)
            if runs and runs[-1][0] is owner:
                runs[-1][2] = i
            else:
                runs.append([owner, i, i])
    return [Removal(a + 1, b + 1, m.rule, m.reason) for m, a, b in runs if m is not None]


@pytest.mark.slow
@SETTINGS
@given(page_and_marks())
def test_removals(case):
    doc, marks = case
    assert removals(doc.stripped, marks) == plain_removals(doc, marks)


def removed_mask(n: int, marks: list[Mark]) -> bytearray:
    mask = bytearray(n)
    for m in marks:
        mask[m.start : m.end] = b"\x01" * (m.end - m.start)
    return mask


def plain_kept(doc: Document, mask: bytearray) -> list[int]:
    left = [i for i in range(len(doc)) if not mask[i]]
    keep = [i for k, i in enumerate(left) if doc.stripped[i] or (k and doc.stripped[left[k - 1]])]
    while keep and not doc.stripped[keep[-1]]:
        keep.pop()
    return keep


@pytest.mark.slow
@SETTINGS
@given(page_and_marks())
def test_kept(case):
    doc, marks = case
    mask = removed_mask(len(doc), marks)
    assert doc.kept(mask) == plain_kept(doc, mask)


def test_removals_are_worked_out_once_and_only_when_asked(monkeypatch):
    calls = []
    real = render.removals
    monkeypatch.setattr(render, "removals", lambda stripped, marks: calls.append(1) or real(stripped, marks))
    result = clean_text("Skip to main content\nA headline\n")
    assert result.text == "A headline\n" and calls == []  # the text alone needs no attribution
    assert [(r.first, r.last, r.rule) for r in result.removals] == [(1, 1, "navigation.skip-links")]
    assert result.removals and calls == [1]


def test_a_result_holds_the_page_it_explains():
    page = "Skip to main content\r\nA headline\r\n"
    result = Cleaner().clean(page)
    assert result.original == page
    assert result.explain("p.txt") == "p.txt:1  navigation.skip-links  Skip to main content\n"
    assert result.diff("p.txt").splitlines()[3:] == ["-Skip to main content", " A headline"]
    rebuilt = Result(result.doc, result.marks, result.keep, result.whys)  # a Result made by hand explains the same
    assert (rebuilt.text, rebuilt.explain(), rebuilt.diff()) == (result.text, result.explain(), result.diff())
