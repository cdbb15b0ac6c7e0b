"""Per-line memos stay bounded and change no result: a page cleans the same cold and warm."""

from __future__ import annotations

from conftest import SAMPLES

from clean_articles import clean_text, memo
from clean_articles.api import default_rules
from clean_articles.batch import clean_page
from clean_articles.repeats import count_texts


def test_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MAX_LINES", 3)
    doubled = memo.per_line(lambda s: s * 2)
    assert [doubled(str(k)) for k in range(10)] == [str(k) * 2 for k in range(10)]
    assert len(doubled.memo) <= 3
    long = "x" * (memo.MAX_CHARS + 1)
    assert doubled(long) == long * 2 and long not in doubled.memo


def test_results_are_the_same_cold_and_warm():
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted((SAMPLES / "raw").glob("*.txt"))]
    counts = count_texts(texts)
    warm = [(clean_text(t).to_json(), clean_page(t, default_rules(), counts).to_json()) for t in texts]
    for t, expected in zip(texts, warm):
        memo.clear()
        assert count_texts(texts) == counts
        memo.clear()
        assert (clean_text(t).to_json(), clean_page(t, default_rules(), counts).to_json()) == expected
