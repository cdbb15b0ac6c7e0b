"""The Document's blocks and body, found by C-level scans, agree with their plain definitions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles.document import UNREAD, Document
from clean_articles.text import prose_flags

PROSE = "A first line of the article, which is long enough to count as one."
TRICKY = [
    "",
    "\n",
    "a",
    "a\n",
    "\n\na",
    "a\n\n",
    " \n\t\na\n \u3000\n",
    "a\nb\n\nc\n \n\u00a0\nd",
    "\n \na\n\n\nb\nc\n\n",
    "x\r\n\r\ny\rz",
    PROSE,
    f"{PROSE}\n\nMenu\n{PROSE}\n",
    f"Menu\n\n{PROSE}\nEnd",
]


def plain_blocks(doc: Document) -> list[tuple[int, int]]:
    out, start = [], None
    for i, s in enumerate(doc.stripped + [""]):
        if s and start is None:
            start = i
        elif not s and start is not None:
            out.append((start, i))
            start = None
    return out


def plain_block_of(doc: Document) -> list[int]:
    owner = [-1] * len(doc)
    for b, (start, end) in enumerate(plain_blocks(doc)):
        owner[start:end] = [b] * (end - start)
    return owner


def plain_body(doc: Document) -> tuple[int, int] | None:
    prose = [i for i, s in enumerate(doc.stripped) if prose_flags([s])[0]]
    return (prose[0], prose[-1] + 1) if prose else None


def agree(text: str) -> None:
    doc = Document.from_text(text)
    assert doc.blocks == plain_blocks(doc)
    assert doc.block_of == plain_block_of(doc)
    assert doc.body == plain_body(doc)
    assert doc.folded == [" ".join(s.casefold().split()) for s in doc.stripped]  # from the page `scan` reads


@pytest.mark.parametrize("text", TRICKY)
def test_blocks_on_tricky_pages(text):
    agree(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "\t\u00a0", "a", " b ", "\u3000c", PROSE]), max_size=30))
def test_blocks_on_any_mix_of_blank_and_text_lines(lines):
    agree("\n".join(lines))


@pytest.mark.parametrize("text", TRICKY)
def test_a_subset_carries_its_views_over_as_they_would_be_worked_out(text):
    doc = Document.from_text(text)
    doc.stripped, doc.folded, doc.prose  # noqa: B018 (worked out on the whole page first)
    keep = list(range(0, len(doc), 2))
    sub, fresh = doc.subset(keep), Document([doc.lines[i] for i in keep], [doc.endings[i] for i in keep])
    assert (sub.lines, sub.endings) == (fresh.lines, fresh.endings)
    assert "stripped" in sub.__dict__  # carried over, not worked out again
    notes = doc.notes("mine")
    notes[:] = [len(line) for line in doc.lines]
    assert sub.notes("mine") == [UNREAD] * len(sub)  # the subset was made before they were written
    assert doc.subset(keep).notes("mine") == [len(line) for line in fresh.lines]
    assert (sub.stripped, sub.folded, sub.prose, sub.body) == (fresh.stripped, fresh.folded, fresh.prose, fresh.body)
