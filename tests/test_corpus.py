"""Corpora of JSON Lines: `batch` on .jsonl and .jsonl.gz files (alone or in a folder), pipe mode's
--jsonl, per-site counts, and the Cleaner's two passes as a library."""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path

import pytest
from conftest import ROOT
from synthetic_site import page

from clean_articles import Cleaner, batch
from clean_articles.batch import Options
from clean_articles.cli import main
from clean_articles.corpus import BadRecord, Fields, clean_record, parse

RECURRING = str(ROOT / "rules" / "generic" / "recurring.toml")
ONLY_RECURRING = ["--no-builtin-rules", "--rules", RECURRING]
CHROME = "Sign up for our newsletter"


def b_page(k: int, chrome: bool) -> str:
    """A page of site B: a story of its own, and (if `chrome`) site A's footer."""
    story = f"The orchestra gave concert number {k} last night, and the hall was full to the last seat.\n"
    return story + (f"\n{CHROME}\n© 2020 Example Media. All rights reserved.\n" if chrome else "")


def two_sites() -> list[dict]:
    """Six pages of site A (its chrome on each), then five of site B (A's footer on two)."""
    a = [{"id": f"a{k}", "url": f"https://www.a.example/{k}", "text": page(k), "n": k} for k in range(6)]
    b = [{"id": f"b{k}", "url": f"http://b.example/{k}", "text": b_page(k, k < 2), "n": k} for k in range(5)]
    return a + b


def write_jsonl(path: Path, records: list, extra: list[str] = ()) -> Path:
    lines = [json.dumps(r) for r in records] + list(extra)
    data = "".join(line + "\n" for line in lines).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    return [json.loads(line) for line in (gzip.decompress(data) if path.name.endswith(".gz") else data).splitlines()]


def batch_cli(runner, *args):
    """`clean-articles batch ARGS`, with one process unless the test says -j (a pool takes time)."""
    jobs = [] if "-j" in args else ["-j", "1"]
    return runner.invoke(main, ["batch", *map(str, args), *jobs])


def test_a_broken_line_is_reported_with_file_and_line_and_the_other_records_are_cleaned(runner, tmp_path):
    src = tmp_path / "in" / "crawl.jsonl"
    good = [{"id": 1, "text": "Skip to main content\nA first story is told here in full.\n"},
            {"id": 3, "text": "Skip to main content\nA third story is told here in full.\n"}]  # fmt: skip
    src.parent.mkdir()
    src.write_text(json.dumps(good[0]) + '\n{"id": 2, "text": "cut sho\n' + json.dumps(good[1]) + "\n")
    result = batch_cli(runner, src, tmp_path / "out.jsonl", "-j", "1")
    assert result.exit_code == 1
    assert "clean-articles: crawl.jsonl:2: skipped: not JSON" in result.output
    assert "1 files (3 records), 0 skipped, 1 failed" in result.output
    assert [r["text"] for r in read_jsonl(tmp_path / "out.jsonl")] == [
        "A first story is told here in full.\n",
        "A third story is told here in full.\n",
    ]
    piped = runner.invoke(main, ["--jsonl"], input=src.read_bytes())
    assert piped.exit_code == 1
    assert "clean-articles: -:2: skipped: not JSON" in piped.stderr
    assert piped.stdout_bytes == (tmp_path / "out.jsonl").read_bytes()


@pytest.mark.parametrize(
    "line, why",
    [('["text"]', "a JSON list, not an object"), ('{"id": 7, "body": "x"}', 'a record (id 7) with no "text" field'),
     ('{"text": null}', '"text" of the record is a null, not a string'), (b'{"text": "\xff"}', "not UTF-8"),
     ("[" * 100_000, "not JSON")],
)  # fmt: skip
def test_what_is_not_a_record_says_why(line, why):
    with pytest.raises(BadRecord, match=r"^" + why.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse(line.encode() if isinstance(line, str) else line, Fields())


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_records_keep_every_field_and_their_order_and_gz_gives_gz(runner, tmp_path, suffix):
    records = two_sites()
    src = write_jsonl(tmp_path / f"crawl{suffix}", records)
    out = tmp_path / f"clean{suffix}"
    result = batch_cli(runner, src, out, "-j", "2")
    assert result.exit_code == 0, result.output
    got = read_jsonl(out)
    assert [r["id"] for r in got] == [r["id"] for r in records]
    assert all(list(g) == list(r) and {k: g[k] for k in g if k != "text"} == {k: r[k] for k in r if k != "text"}
               for g, r in zip(got, records))  # fmt: skip
    assert got[0]["text"] != records[0]["text"] and CHROME not in got[0]["text"]
    if suffix.endswith(".gz"):
        assert out.read_bytes()[:2] == b"\x1f\x8b"
    again = tmp_path / f"again{suffix}"
    batch_cli(runner, src, again, "-j", "1")
    assert again.read_bytes() == out.read_bytes()  # the same bytes: no time or name in the gzip header


def test_each_site_counts_its_own_chrome(runner, tmp_path):
    src = write_jsonl(tmp_path / "crawl.jsonl", two_sites())
    by_site = tmp_path / "by-site.jsonl"
    assert batch_cli(runner, src, by_site, *ONLY_RECURRING).exit_code == 0
    got = {r["id"]: r["text"] for r in read_jsonl(by_site)}
    assert all(CHROME not in got[f"a{k}"] for k in range(6))  # six pages of A: chrome
    assert CHROME in got["b0"] and CHROME in got["b1"]  # on two pages of B: not B's chrome
    one_group = tmp_path / "one-group.jsonl"
    assert batch_cli(runner, src, one_group, *ONLY_RECURRING, "--sites", "none").exit_code == 0
    assert CHROME not in {r["id"]: r["text"] for r in read_jsonl(one_group)}["b0"]  # on 8 pages of the batch


def test_a_folder_per_site(runner, tmp_path):
    src = tmp_path / "in"
    records = two_sites()
    for r in records:
        folder = "a.example" if r["id"].startswith("a") else "b.example"
        (src / folder).mkdir(parents=True, exist_ok=True)
        (src / folder / f"{r['id']}.txt").write_text(r["text"])
    out = tmp_path / "out"
    assert batch_cli(runner, src, out, *ONLY_RECURRING, "--sites", "folder").exit_code == 0
    assert CHROME in (out / "b.example" / "b0.txt").read_text()
    assert CHROME not in (out / "a.example" / "a0.txt").read_text()
    batch_cli(runner, src, tmp_path / "one", *ONLY_RECURRING)
    assert CHROME not in (tmp_path / "one" / "b.example" / "b0.txt").read_text()


@pytest.mark.slow
def test_a_folder_mirrors_its_corpus_files_and_pages_whatever_the_workers(runner, tmp_path):
    src = tmp_path / "in"
    records = two_sites()
    write_jsonl(src / "one.jsonl", records[:4])
    write_jsonl(src / "deep" / "two.jsonl.gz", records[4:])
    (src / "page.txt").write_text(page(9))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = batch_cli(runner, src, out, "-j", jobs)
        assert result.exit_code == 0, result.output
        assert "3 files (11 records)" in result.output
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
                     and not p.name.startswith(".")})  # fmt: skip
    assert outs[0] == outs[1] and set(outs[0]) == {"one.jsonl", "deep/two.jsonl.gz", "page.txt"}
    assert [r["id"] for r in read_jsonl(tmp_path / "out1" / "deep" / "two.jsonl.gz")] == [r["id"] for r in records[4:]]


def test_a_corpus_file_is_resumed_as_a_whole_and_redone_when_it_changes(runner, tmp_path):
    src = write_jsonl(tmp_path / "in" / "c.jsonl", two_sites())
    out = tmp_path / "out"
    assert "0 skipped" in batch_cli(runner, src.parent, out).output
    written = (out / "c.jsonl").stat().st_mtime_ns
    assert "1 files, 1 skipped, 0 failed" in batch_cli(runner, src.parent, out).output
    assert (out / "c.jsonl").stat().st_mtime_ns == written
    write_jsonl(src, two_sites()[:3])
    assert "(3 records), 0 skipped" in batch_cli(runner, src.parent, out).output
    assert len(read_jsonl(out / "c.jsonl")) == 3


def test_a_corpus_file_with_a_bad_record_is_redone_and_reported_again(runner, tmp_path):
    src = write_jsonl(tmp_path / "in" / "c.jsonl", two_sites()[:2], ["{}"])
    for _ in range(2):
        result = batch_cli(runner, src.parent, tmp_path / "out")
        assert result.exit_code == 1 and "c.jsonl:3: skipped: a record with no" in result.output


@pytest.mark.slow
def test_check_compares_records_and_names_each_that_would_change(runner, tmp_path):
    src = write_jsonl(tmp_path / "in" / "c.jsonl", two_sites())
    out = tmp_path / "out"
    batch_cli(runner, src.parent, out)
    assert batch_cli(runner, src.parent, out, "--check").exit_code == 0
    records = two_sites()
    records[1]["text"] = records[1]["text"].replace("Residents near", "Neighbours near")
    write_jsonl(src, records)
    result = batch_cli(runner, src.parent, out, "--check")
    assert result.exit_code == 1
    assert "+++ b/c.jsonl:2" in result.output and "+Neighbours near" in result.output
    assert "c.jsonl:1" not in result.output


def test_a_line_over_the_page_limit_is_a_bad_record(runner, tmp_path):
    big = json.dumps({"text": "word " * 300_000})
    src = write_jsonl(tmp_path / "in" / "c.jsonl", two_sites()[:1], [big, json.dumps(two_sites()[1])])
    result = batch_cli(runner, src.parent, tmp_path / "out", "--max-page-mb", "1")
    assert result.exit_code == 1 and "c.jsonl:2: skipped: a line over 1 MB" in result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "out" / "c.jsonl")] == ["a0", "a1"]


def test_a_cut_gzip_file_is_reported_and_its_output_not_written(runner, tmp_path):
    src = write_jsonl(tmp_path / "in" / "c.jsonl.gz", two_sites())
    src.write_bytes(src.read_bytes()[:-30])
    result = batch_cli(runner, src.parent, tmp_path / "out")
    assert result.exit_code == 1 and "c.jsonl.gz: cannot read it to its end" in result.output
    assert not (tmp_path / "out" / "c.jsonl.gz").exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "out, message",
    [("out.txt", "OUT must be a corpus file of IN's kind (.jsonl)"), ("out.jsonl.gz", "of IN's kind (.jsonl)"),
     ("in.jsonl", "OUT is IN")],
)  # fmt: skip
def test_one_corpus_file_goes_into_one_of_its_kind(runner, tmp_path, out, message):
    src = write_jsonl(tmp_path / "in.jsonl", two_sites()[:1])
    result = batch_cli(runner, src, tmp_path / out)
    assert result.exit_code == 1 and message in result.output
    assert src.read_bytes() == (json.dumps(two_sites()[0]) + "\n").encode()


def test_field_options(runner, tmp_path):
    records = [
        {"key": "x", "link": "https://a.example/1", "body": "Skip to main content\nThe story is told in full.\n"}
    ]
    src = write_jsonl(tmp_path / "c.jsonl", records)
    args = ["--text-field", "body", "--output-field", "clean", "--with-removals", "--id-field", "key"]
    result = runner.invoke(main, ["--jsonl", *args, str(src)])
    got = json.loads(result.stdout)
    assert got["body"] == records[0]["body"] and got["clean"] == "The story is told in full.\n"
    assert got["clean_articles"]["removals"][0]["rule"] == "navigation.skip-links"
    assert got["clean_articles"]["counts"] == {"lines_in": 2, "lines_out": 1, "removals": {"navigation.skip-links": 1}}
    missing = runner.invoke(main, ["--jsonl", "--text-field", "text", "--id-field", "key", str(src)])
    assert missing.exit_code == 1 and 'c.jsonl:1: skipped: a record (id "x") with no "text" field' in missing.stderr


def test_undecodable_bytes_in_a_record_survive(runner):
    line = json.dumps({"text": "Caf\udce9 au lait is served here every day of the week.\n"}) + "\n"
    out = runner.invoke(main, ["--jsonl"], input=line.encode())
    assert out.exit_code == 0 and json.loads(out.stdout)["text"] == json.loads(line)["text"]


def test_counts_from_chunks_clean_as_counts_of_the_whole():
    cleaner = Cleaner(ONLY_RECURRING[2:], builtin=False)
    records = two_sites()
    texts, sites = [r["text"] for r in records], [r["url"].split("/")[2].removeprefix("www.") for r in records]
    whole = cleaner.hot(cleaner.count(texts, sites))
    parts = cleaner.count(texts[:5], sites[:5]) + pickle.loads(pickle.dumps(cleaner.count(texts[5:], sites[5:])))
    assert cleaner.hot(parts) == whole
    cleaned = [cleaner.clean(t, whole, s).text for t, s in zip(texts, sites)]
    assert CHROME not in cleaned[0] and CHROME in cleaned[6]
    assert cleaned == [cleaner.clean(t, cleaner.hot(parts), s).text for t, s in zip(texts, sites)]


def test_a_cleaner_pickles_as_its_options_and_is_compiled_once_per_process():
    cleaner = Cleaner(ONLY_RECURRING[2:], builtin=False)
    assert pickle.loads(pickle.dumps(cleaner)) is pickle.loads(pickle.dumps(cleaner))
    assert pickle.loads(pickle.dumps(cleaner)).rules.fingerprint == cleaner.rules.fingerprint
    with pytest.raises(TypeError, match="does not pickle"):
        pickle.dumps(Cleaner(cleaner.rules))


def test_the_library_batch_and_the_cli_agree(tmp_path):
    src = write_jsonl(tmp_path / "c.jsonl", two_sites())
    batch.run(src, tmp_path / "lib.jsonl", Options(rules={"builtin": False, "paths": [RECURRING]}), warn=print)
    cleaner = Cleaner([RECURRING], builtin=False)
    records = two_sites()
    counts = cleaner.hot(
        cleaner.count([r["text"] for r in records], [r["url"].split("/")[2].removeprefix("www.") for r in records])
    )
    lines = b"".join(clean_record(cleaner, json.dumps(r).encode(), Fields(), counts)[1] for r in records)
    assert (tmp_path / "lib.jsonl").read_bytes() == lines


@pytest.mark.slow
def test_a_worker_that_dies_on_a_record_costs_only_that_record(tmp_path, poisoned):
    records = two_sites()
    records.insert(3, {"id": "poison", "text": "POISON: this record kills the worker that cleans it\n"})
    src = write_jsonl(tmp_path / "c.jsonl", records)
    warnings: list[str] = []
    summary = batch.run(src, tmp_path / "out.jsonl", Options(jobs=2), echo=lambda s: None, warn=warnings.append)
    assert summary.failed == 1 and summary.records == 12
    assert warnings == ["c.jsonl:4: the worker cleaning it died (out of memory, or killed); the rest go on"]
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == [r["id"] for r in records if r["id"] != "poison"]


def test_a_corpus_file_is_not_written_through_a_link_in_out(runner, tmp_path):
    src = tmp_path / "in"
    write_jsonl(src / "deep" / "c.jsonl", two_sites())
    write_jsonl(src / "top.jsonl", two_sites()[:2])
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "deep").symlink_to(elsewhere)
    result = batch_cli(runner, src, out, "-j", "1")
    assert result.exit_code == 1
    assert "deep/c.jsonl: not written: " in result.output and "is a link" in result.output
    assert list(elsewhere.iterdir()) == [] and len(read_jsonl(out / "top.jsonl")) == 2


@pytest.mark.slow
def test_an_output_bigger_than_a_page_is_hashed_whole(tmp_path):
    import hashlib

    from clean_articles.files import MAX_PAGE_MB, output_hash

    big = tmp_path / "big.jsonl"
    data = b'{"text": "a line"}\n' * ((MAX_PAGE_MB << 20) // 19 + 1000)  # a corpus output past the page limit
    big.write_bytes(data)
    assert output_hash(str(big)) == hashlib.sha256(data).hexdigest()[:32]
