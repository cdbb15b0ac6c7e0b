"""render's removals agree with their plain per-line definition, on any marks (overlapping,
equal, touching blank lines)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from clean_articles.document import Document, Mark
from clean_articles.render import Removal, removals

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


@SETTINGS
@given(page_and_marks())
def test_removals(case):
    doc, marks = case
    assert removals(doc, marks) == plain_removals(doc, marks)
