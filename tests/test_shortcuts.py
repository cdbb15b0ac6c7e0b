"""Shortcuts (remembered answers) are bounded and change nothing: pages clean the same with every
shortcut off, in pipe mode and as pages of a batch."""

from __future__ import annotations

from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import Cleaner, shortcuts
from clean_articles.repeats import count_texts

PAGES = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted((SAMPLES / "raw").glob("*.txt"))]
PARTS = st.sampled_from(
    [line for page in PAGES[:6] for line in page.splitlines()[::7]] + ["", "  ", "• Home", "12 comments", "Mar 3, 2024"]
)


def test_a_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(shortcuts, "MAX_LINES", 3)
    doubled = shortcuts.per_line(lambda s: s * 2)
    assert [doubled(str(k)) for k in range(10)] == [str(k) * 2 for k in range(10)]
    assert len(doubled.memo) <= 3
    long = "x" * (shortcuts.MAX_CHARS + 1)
    assert doubled(long) == long * 2 and long not in doubled.memo


def test_off_asks_no_memo():
    doubled = shortcuts.per_line(lambda s: s * 2)
    with shortcuts.off():
        assert doubled("ab") == "abab" and doubled.many(["c"]) == ["cc"]
        assert not doubled.memo
    assert doubled("ab") == "abab" and "ab" in doubled.memo


def cleaned(cleaner: Cleaner, pages: list[str]) -> list:
    counts = count_texts(pages)
    return [(cleaner.clean(p).to_json(), cleaner.clean(p, counts).to_json(), counts.counts) for p in pages]


def test_the_samples_clean_the_same_with_shortcuts_off():
    cleaner = Cleaner()
    warm = cleaned(cleaner, PAGES)
    with shortcuts.off():
        assert cleaned(cleaner, PAGES) == warm


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(PARTS, max_size=40).map("\n".join), min_size=1, max_size=4))
def test_any_pages_clean_the_same_with_shortcuts_off(pages):
    cleaner = Cleaner()
    warm = cleaned(cleaner, pages)
    with shortcuts.off():
        cold = cleaned(cleaner, pages)
    assert cold == warm
