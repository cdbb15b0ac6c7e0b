"""The table pages are cleaned with, and a batch's exact counts in bounded memory (table.py)."""

from __future__ import annotations

import pickle
import random
import tempfile
from collections import Counter

import pytest
from test_corpus import CHROME, RECURRING, read_jsonl, two_sites, write_jsonl

from clean_articles import batch, table
from clean_articles.batch import Options
from clean_articles.cli import main
from clean_articles.table import Spill, Table, marker, rows


def chunks(seed: int) -> list[dict[int, int]]:
    """Rows of 16 chunks: keys seen once, keys shared by chunks, and keys on the top byte's edges."""
    rng = random.Random(seed)
    shared = [rng.getrandbits(64) for _ in range(10)] + [1, (1 << 64) - 1, 0xFF << 56]
    return [{**{rng.getrandbits(64): 1 for _ in range(12)}, **{k: rng.randint(1, 4) for k in rng.sample(shared, 8)}}
            for _ in range(16)]  # fmt: skip


def summed(parts: list[dict[int, int]], floor: int) -> dict[int, int]:
    total: Counter = Counter()
    for part in parts:
        total.update(part)
    return {k: n for k, n in total.items() if n >= floor}


@pytest.mark.parametrize("budget", [10**6, 50, 3, 1])
def test_spilled_counts_are_exact_and_memory_holds_at_most_the_budget(budget, tmp_path):
    parts = chunks(budget)
    spill = Spill(budget, folder=str(tmp_path))
    for part in parts:
        spill.add(part)
        assert len(spill._total) <= budget  # what memory holds between chunks
    got = spill.table(3)
    assert dict(got.items()) == summed(parts, 3) and [k for k, _ in got.items()] == sorted(summed(parts, 3))
    assert (spill.spilled > 0) == (budget < 10**6) and (got.path is not None) == (spill.spilled > 0)
    spill.close()
    assert list(tmp_path.iterdir()) == []  # spilled files and the table's gone


def test_a_table_finds_keys_and_sites_and_pickles_as_its_file(tmp_path):
    spill = Spill(1, folder=str(tmp_path))
    spill.add(rows([({5, 9}, "a.com"), ({5}, "a.com"), ({9}, "b.com")]))
    t = spill.table(1)
    assert (t.get(5), t.get(9), t.get(6), t.pages("a.com"), t.pages("b.com"), t.pages("c.com")) == (2, 2, 0, 2, 1, 0)
    assert t.of("a.com").pages == 2 and t.of("a.com").salt == marker("a.com")
    assert len(pickle.dumps(t)) < 200 and pickle.loads(pickle.dumps(t)) == t  # the path, not the keys
    memory = Table.of_rows(t.items())
    assert memory == t and pickle.loads(pickle.dumps(memory)) == t and memory.path is None
    with pytest.raises(ValueError, match="not a table"):
        Table.from_bytes(b"12345")
    spill.close()


def test_a_batch_over_its_counts_budget_writes_what_one_within_it_writes(tmp_path, monkeypatch):
    """The corpus of two sites cleaned with the counts in memory, then spilled at every chunk:
    the same records, A's chrome gone from A's pages only."""
    src = write_jsonl(tmp_path / "crawl.jsonl", two_sites())
    options = Options(jobs=1, rules={"builtin": False, "paths": [RECURRING]})
    batch.run(src, tmp_path / "memory.jsonl", options, warn=print)
    monkeypatch.setattr(table, "BUDGET", 2)
    spilled: list[Spill] = []
    monkeypatch.setattr(batch, "Spill", lambda: spilled.append(Spill()) or spilled[-1])
    batch.run(src, tmp_path / "disk.jsonl", options, warn=print)
    assert spilled[0].spilled > 0
    got = read_jsonl(tmp_path / "disk.jsonl")
    assert got == read_jsonl(tmp_path / "memory.jsonl")
    assert CHROME not in got[0]["text"] and CHROME in got[6]["text"]
    counts = tmp_path / ".disk.jsonl.clean-articles-counts"
    assert Table.open(counts) == Table.from_bytes(counts.read_bytes())  # kept for the next run


def test_a_temporary_folder_that_cannot_take_the_counts_is_one_line(runner, tmp_path, monkeypatch):
    src = write_jsonl(tmp_path / "crawl.jsonl", two_sites())
    monkeypatch.setattr(table, "BUDGET", 2)
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **_: str(tmp_path / "gone"))  # a folder removed under us
    result = runner.invoke(main, ["batch", str(src), str(tmp_path / "out.jsonl"), "-j", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the cross-page counts cannot be written to the temporary folder" in result.output
    assert "set TMPDIR to a folder with room" in result.output
