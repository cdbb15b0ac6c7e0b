"""Dask: the same output as a local batch, byte for byte, whatever the parts and the workers; bags
and DataFrame columns cleaned as a Cleaner with the batch's counts cleans them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT
from synthetic_site import page
from test_corpus import CHROME, two_sites, write_jsonl

from clean_articles import Cleaner, batch
from clean_articles.batch import Options
from clean_articles.cli import main
from clean_articles.corpus import Fields
from clean_articles.repeats import site_of

dask = pytest.importorskip(
    "dask", reason="the dask extra is part of the test command"
)  # fails CI if missing: see below
distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

from clean_articles import dask as on_dask  # noqa: E402

RECURRING = str(ROOT / "rules" / "generic" / "recurring.toml")
pytestmark = pytest.mark.slow  # clusters take seconds to start: in the full run (CI's), not in `-m "not slow"`


def test_dask_is_installed_by_the_test_command():
    """The README's test command installs the dask extra, so the tests of this file run in CI."""
    assert "dask[" in (ROOT / "README.md").read_text().split("```sh")[2].split("```")[0]


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes, for the module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder of a plain and a gzipped corpus file (two sites, a bad line) and .txt pages."""
    src = tmp_path_factory.mktemp("corpus") / "in"
    records = two_sites()
    write_jsonl(src / "crawl.jsonl", records[:7], ["not json"])
    write_jsonl(src / "more" / "crawl.jsonl.gz", records[7:])
    for k in range(5):
        (src / ("a" if k % 2 else "b") / f"page-{k}.txt").parent.mkdir(parents=True, exist_ok=True)
        (src / ("a" if k % 2 else "b") / f"page-{k}.txt").write_text(page(k))
    (src / "bom.txt").write_bytes("\ufeffCafé\r\nA page with a mark, told in full here for the test.\r\n".encode())
    return src


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}  # fmt: skip


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("local") / "out"
    summary = batch.run(corpus, out, Options(jobs=1), warn=lambda s: None)
    assert summary.failed == 1 and summary.records == 12
    return tree(out)


@pytest.mark.parametrize("piece_size, pages_per_piece", [(1 << 26, 64), (700, 2), (1, 1)])
def test_dask_writes_what_a_local_batch_writes_whatever_the_parts(cluster, corpus, local, tmp_path,
                                                                  piece_size, pages_per_piece):  # fmt: skip
    warnings: list[str] = []
    summary = on_dask.run(str(corpus), str(tmp_path / "out"), Options(), cluster.scheduler_address,
                          warn=warnings.append, piece_size=piece_size, pages_per_piece=pages_per_piece)  # fmt: skip
    assert tree(tmp_path / "out") == local
    assert warnings == ["crawl.jsonl:8: skipped: not JSON (Expecting value: line 1 column 1 (char 0))"]
    assert (summary.files, summary.records, summary.failed) == (8, 12, 1)
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("sites", ["folder", "none"])
def test_dask_counts_sites_as_a_local_batch_does(cluster, corpus, tmp_path, sites):
    options = Options(jobs=1, sites=sites, rules={"builtin": False, "paths": [RECURRING]})
    batch.run(corpus, tmp_path / "local", options, warn=lambda s: None)
    on_dask.run(str(corpus), str(tmp_path / "dask"), options, cluster.scheduler_address, warn=lambda s: None,
                piece_size=500)  # fmt: skip
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")


def test_the_cli_runs_a_folder_and_a_corpus_file_on_a_local_cluster_of_one_worker(runner, corpus, local, tmp_path):
    result = runner.invoke(main, ["batch", str(corpus), str(tmp_path / "folder"), "--dask", "local:1"])
    assert result.exit_code == 1 and "crawl.jsonl:8: skipped: not JSON" in result.output
    assert tree(tmp_path / "folder") == local
    result = runner.invoke(main, ["batch", str(corpus / "more" / "crawl.jsonl.gz"), str(tmp_path / "out.jsonl.gz"),
                                  "--dask", "local:1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 files (4 records), 0 skipped, 0 failed" in result.output
    alone = tmp_path / "alone.jsonl.gz"
    batch.run(corpus / "more" / "crawl.jsonl.gz", alone, Options(jobs=1), warn=lambda s: None)
    assert (tmp_path / "out.jsonl.gz").read_bytes() == alone.read_bytes()


def test_the_cli_says_what_dask_does_not_do(runner, corpus, tmp_path):
    result = runner.invoke(main, ["batch", str(corpus), str(tmp_path / "out"), "--dask", "local:1", "--check"])
    assert result.exit_code == 2 and "--dask writes the outputs only" in result.output
    result = runner.invoke(main, ["batch", str(corpus), str(tmp_path / "out"), "--dask", "local:two"])
    assert result.exit_code == 1 and "local:N, N a number of worker processes" in result.output


def _expected(texts: list[str], sites: list[str], cleaner: Cleaner) -> list[str]:
    counts = cleaner.hot(cleaner.count(texts, sites))
    return [cleaner.clean(t, counts, s).text for t, s in zip(texts, sites)]


def test_a_bag_of_records_or_texts_is_cleaned_as_a_cleaner_with_the_batch_counts_cleans_it(cluster):
    cleaner = Cleaner([RECURRING], builtin=False)
    records = two_sites()
    with distributed.Client(cluster):
        got = on_dask.clean_bag(db.from_sequence(records, npartitions=3), cleaner).compute()
        texts = on_dask.clean_bag(db.from_sequence([r["text"] for r in records], npartitions=2), cleaner).compute()
    want = _expected([r["text"] for r in records], [site_of(r["url"]) for r in records], cleaner)
    assert [r["text"] for r in got] == want and [r["id"] for r in got] == [r["id"] for r in records]
    assert CHROME not in want[0] and CHROME in want[6]  # A's chrome, not B's
    assert texts == _expected([r["text"] for r in records], [""] * len(records), cleaner)
    assert CHROME not in texts[6]  # without sites, the batch is one group


def test_a_dataframe_column_is_cleaned_as_a_cleaner_with_the_batch_counts_cleans_it(cluster):
    cleaner = Cleaner([RECURRING], builtin=False)
    records = two_sites()
    frame = dd.from_pandas(pd.DataFrame(records), npartitions=4)
    with distributed.Client(cluster):
        got = on_dask.clean_dataframe(frame, "text", cleaner, into="clean").compute()
    assert list(got["clean"]) == _expected([r["text"] for r in records], [site_of(r["url"]) for r in records], cleaner)
    assert list(got["text"]) == [r["text"] for r in records] and list(got["id"]) == [r["id"] for r in records]


def test_records_keep_their_fields_through_dask(cluster, corpus, tmp_path):
    on_dask.run(str(corpus / "crawl.jsonl"), str(tmp_path / "out.jsonl"), Options(), cluster.scheduler_address,
                warn=lambda s: None)  # fmt: skip
    got = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [list(r) for r in got] == [list(r) for r in two_sites()[:7]]


@pytest.mark.parametrize("inside", [True, False])
def test_in_and_out_must_not_contain_each_other_on_dask_either(cluster, corpus, inside):
    out = corpus / "out" if inside else corpus.parent
    with pytest.raises(ValueError, match="must not contain each other"):
        on_dask.run(str(corpus), str(out), Options(), cluster.scheduler_address)


def test_each_part_gets_the_counts_of_its_own_keys_only(cluster):
    """No table of the whole batch: a part of site A's pages gets A's chrome, a part of B's
    pages gets B's, and together they are the batch's table."""
    cleaner = Cleaner([RECURRING], builtin=False)
    records = two_sites()  # six pages of A, then five of B
    parts = db.from_sequence(records, partition_size=6).to_delayed()
    frames = dd.from_delayed([dask.delayed(on_dask._bag_frame)(p, Fields(), k) for k, p in enumerate(parts)],
                             meta=on_dask._META)  # fmt: skip
    with distributed.Client(cluster):
        a, b = (on_dask._table(rows) for rows in dask.compute(*on_dask.tables(frames, cleaner)))
    whole = cleaner.hot(cleaner.count([r["text"] for r in records], [site_of(r["url"]) for r in records]))
    assert a.pages("a.example") == 6 and b.pages("b.example") == 5
    assert a.pages("b.example") == 0 and b.pages("a.example") == 0 and len(a) > 1
    assert dict(a.items()) | dict(b.items()) == dict(whole.items()) and not dict(a.items()).keys() & dict(b.items())


def test_a_local_cluster_runs_its_workers_without_the_sampling_profiler():
    """Dask's profiler samples each worker's stack every 10 ms: about a fifth of a cleaning task."""
    with on_dask.client("local:1") as c:
        assert list(c.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values()) == [False]
