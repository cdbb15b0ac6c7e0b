"""Shortcuts change nothing: pages clean the same with every shortcut off, in pipe mode and as
pages of a batch."""

from __future__ import annotations

import pytest
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import Cleaner, shortcuts

PAGES = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted((SAMPLES / "raw").glob("*.txt"))]
PARTS = st.sampled_from(
    [line for page in PAGES for line in page.splitlines()[::5]]
    + ["", "  ", "• Home", "12 comments", "Mar 3, 2024", "caf\udce9 au lait", "Skip to main content"]
)
CLEANER = Cleaner()


def cleaned(pages: list[str]) -> list:
    counts = CLEANER.hot(CLEANER.count(pages))
    return [(CLEANER.clean(p).to_json(), CLEANER.clean(p, counts).to_json()) for p in pages]


def test_the_samples_clean_the_same_with_shortcuts_off():
    fast = cleaned(PAGES)
    with shortcuts.off():
        assert cleaned(PAGES) == fast


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(PARTS, max_size=60).map("\n".join), min_size=1, max_size=4))
def test_any_pages_clean_the_same_with_shortcuts_off(pages):
    fast = cleaned(pages)
    with shortcuts.off():
        slow = cleaned(pages)
    assert slow == fast
