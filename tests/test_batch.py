"""`clean-articles batch`: determinism, resume, failures, --check, and diff/explain/jsonl agreeing
with the clean text."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES
from synthetic_site import write_site

from clean_articles import Cleaner, batch, clean_text, files, load_rules
from clean_articles.batch import Options
from clean_articles.cli import main
from clean_articles.files import COUNTS, JSONL, MANIFEST

RECURRING = str(ROOT / "rules" / "generic" / "recurring.toml")
ONLY_RECURRING = ["--no-builtin-rules", "--rules", RECURRING]


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (MANIFEST, JSONL, COUNTS)
    }


@pytest.fixture
def site(tmp_path):
    src = tmp_path / "in"
    write_site(src)
    (src / "notes.md").write_text("not a page\n")
    return src


def batch_cli(runner, *args):
    return runner.invoke(main, ["batch", *map(str, args)])


@pytest.mark.slow  # a pool or a child process: in the full run
def test_same_output_whatever_the_workers_and_the_order(runner, site, tmp_path):
    one = batch_cli(runner, site, tmp_path / "one", "-j", "1")
    two = batch_cli(runner, site, tmp_path / "two", "-j", "2")
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")
    assert len(outputs(tmp_path / "one")) == 10  # notes.md is not *.txt
    paths = files.walk(site, "*.txt")
    random.Random(7).shuffle(paths)
    batch.run(site, tmp_path / "shuffled", Options(jobs=2), files=paths)
    assert outputs(tmp_path / "shuffled") == outputs(tmp_path / "one")


@pytest.mark.slow  # a pool or a child process: in the full run
def test_interrupted_run_leaves_no_half_output_and_the_next_run_finishes(site, tmp_path, monkeypatch):
    full = tmp_path / "full"
    batch.run(site, full, Options(jobs=1))
    out, real, calls = tmp_path / "out", Cleaner.clean, []

    def interrupted(*args):
        calls.append(1)
        if len(calls) > 4:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(Cleaner, "clean", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.run(site, out, Options(jobs=1))
    monkeypatch.setattr(Cleaner, "clean", real)
    written = outputs(out)
    assert len(written) == 4 and all(written[k] == outputs(full)[k] for k in written)
    assert not list(out.rglob("*.tmp"))
    again = batch.run(site, out, Options(jobs=2))
    assert (again.skipped, again.failed) == (4, 0)
    assert outputs(out) == outputs(full)
    assert batch.run(site, out, Options(jobs=2)).skipped == 10
    assert batch.run(site, out, Options(jobs=1, force=True)).skipped == 0


def test_changed_input_or_rules_or_edited_output_are_redone(site, tmp_path):
    out = tmp_path / "out"
    batch.run(site, out, Options(jobs=1))
    (out / "news" / "page-01.txt").write_text("edited by hand\n")
    assert batch.run(site, out, Options(jobs=1)).skipped == 9
    other = Options(jobs=1, rules=dict(disable=["recurring"]))
    assert batch.run(site, out, other).skipped == 0


def test_a_binary_file_is_reported_and_skipped_while_the_rest_go_on(runner, site, tmp_path):
    (site / "local" / "broken.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    result = batch_cli(runner, site, tmp_path / "out", "-j", "2")
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if "broken.txt" in line] == [
        "clean-articles: local/broken.txt: input holds NUL bytes: it looks binary, not text "
        "(--allow-binary cleans it anyway)"
    ]
    assert len(outputs(tmp_path / "out")) == 10
    assert "11 files, 0 skipped, 1 failed" in result.output


def test_a_file_that_vanishes_mid_batch_is_reported_and_skipped(runner, site, tmp_path, monkeypatch):
    real = files.walk

    def walk_then_delete(src, glob, skipped=None):
        found = real(src, glob, skipped)
        if src.name == "in":  # IN (the batch also walks OUT, for outputs whose input is gone)
            (src / found[3]).unlink()
        return found

    monkeypatch.setattr(batch, "walk", walk_then_delete)
    result = batch_cli(runner, site, tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "clean-articles: local/page-06.txt: cannot read: No such file or directory" in result.output
    assert len(outputs(tmp_path / "out")) == 9


@pytest.mark.parametrize("inner", [True, False])
def test_out_and_in_must_not_contain_each_other(runner, site, inner):
    args = (site, site / "cleaned") if inner else (site / "local", site)
    result = batch_cli(runner, *args)
    assert result.exit_code == 1
    assert "must not contain each other" in result.output
    assert not (site / "cleaned").exists()


def test_an_out_that_cannot_be_made_is_one_line_not_a_traceback(runner, site, tmp_path):
    (tmp_path / "a-file").write_text("not a folder\n")
    result = batch_cli(runner, site, tmp_path / "a-file" / "out")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'a-file' / 'out'}: Not a directory\n"


def test_a_glob_that_matches_nothing_says_so(runner, site, tmp_path):
    result = batch_cli(runner, site, tmp_path / "out", "--glob", "*.htm")
    assert result.exit_code == 0
    assert (
        result.output.splitlines()[-1]
        == f"clean-articles: no file under {site} matches --glob '*.htm' (nor is a corpus file)"
    )


@pytest.mark.slow  # a pool or a child process: in the full run
def test_check_writes_nothing_and_exits_1_when_an_output_would_change(runner, site, tmp_path):
    out = tmp_path / "out"
    missing = batch_cli(runner, site, out, "--check")
    assert missing.exit_code == 1 and not out.exists()
    assert batch_cli(runner, site, out).exit_code == 0
    manifest = (out / MANIFEST).read_bytes()
    same = batch_cli(runner, site, out, "--check")
    assert same.exit_code == 0, same.output
    assert "0 would change" in same.output
    (out / "news" / "page-03.txt").write_text("stale\n")
    changed = batch_cli(runner, site, out, "--check")
    assert changed.exit_code == 1
    assert "--- a/news/page-03.txt\n+++ b/news/page-03.txt\n" in changed.output
    assert "-stale\n" in changed.output and "1 would change" in changed.output
    assert (out / "news" / "page-03.txt").read_text() == "stale\n" and (out / MANIFEST).read_bytes() == manifest


def removed_lines(result) -> list[int]:
    return [i for r in result.removals for i in range(r.first, r.last + 1)]


def test_jsonl_explain_and_diff_come_from_the_same_marks_as_the_text(runner, site, tmp_path):
    out = tmp_path / "out"
    result = batch_cli(runner, site, out, "--format", "jsonl", "--explain", "-j", "2")
    assert result.exit_code == 0
    pages = [json.loads(line) for line in (out / JSONL).read_text().splitlines()]
    assert [p["path"] for p in pages] == files.walk(site, "*.txt")
    explained = [line for line in result.output.splitlines() if line.startswith(("local/", "news/"))]
    assert len(explained) == sum(len(p["removals"]) for p in pages)
    for page in pages:
        raw = (site / page["path"]).read_text().split("\n")
        assert (out / page["path"]).read_text() == page["text"]
        gone = {i for r in page["removals"] for i in range(r["first"], r["last"] + 1)}
        # the removals account for exactly the non-blank lines that disappear
        kept = [line for n, line in enumerate(raw, 1) if line.strip() and n not in gone]
        assert kept == [line for line in page["text"].split("\n") if line.strip()]
        for r in page["removals"]:
            assert any(line.startswith(f"{page['path']}:{r['first']}") and r["rule"] in line for line in explained)
    diffed = batch_cli(runner, site, tmp_path / "again", "--diff", "-j", "1")
    minus = [line[1:] for line in diffed.output.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert sorted(m for m in minus if m.strip()) == sorted(
        line
        for p in pages
        for n, line in enumerate((site / p["path"]).read_text().split("\n"), 1)
        if line.strip() and any(r["first"] <= n <= r["last"] for r in p["removals"])
    )


def test_a_page_in_a_batch_is_the_page_alone_less_the_lines_that_recur():
    """Pages of different sites whose articles share a two-line block: in a batch, each loses
    exactly what it loses alone, and the recurring block, nothing else."""
    samples = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "raw").glob("keep-*.txt"))]
    pages = []
    for text in samples:
        paragraphs = text.strip().split("\n\n")
        pages.append("\n\n".join(paragraphs[:2] + ["What happens next\nRead the timeline"] + paragraphs[2:]) + "\n")
    cleaner = Cleaner()
    counts = cleaner.hot(cleaner.count(pages))
    recurring = 0
    for text in pages:
        alone, batched = cleaner.clean(text), cleaner.clean(text, counts)
        extra = {n for r in batched.removals if r.rule == "recurring.site-chrome" for n in range(r.first, r.last + 1)}
        assert _gone(batched) == _gone(alone) | extra and not _gone(alone) & extra
        recurring += len(extra)
    assert recurring >= 6  # the block did recur, and went


def _gone(result) -> set[int]:
    return {n for r in result.removals for n in range(r.first, r.last + 1)}


@pytest.mark.slow
def test_pipe_and_batch_agree_when_pages_share_no_chrome(runner, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLES / "raw", src)
    assert batch_cli(runner, src, tmp_path / "out", "-j", "2").exit_code == 0
    rules = load_rules()
    for page in sorted(src.glob("*.txt")):
        piped = runner.invoke(main, [str(page)])
        assert piped.exit_code == 0
        assert (tmp_path / "out" / page.name).read_text() == piped.output == clean_text(page.read_text(), rules).text


def test_summary_line_and_no_progress_bar_when_stderr_is_not_a_terminal(runner, site, tmp_path):
    result = batch_cli(runner, site, tmp_path / "out", *ONLY_RECURRING)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 1 and "cleaning" not in lines[0]
    assert lines[0].startswith("10 files, 0 skipped, 0 failed, ") and "% removed, " in lines[0]


def test_outputs_get_the_permissions_any_new_file_gets(site, tmp_path):
    old = os.umask(0o027)
    try:
        batch.run(site, tmp_path / "out", Options(jobs=1, jsonl=True), echo=lambda s: None)
    finally:
        os.umask(old)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {MANIFEST, JSONL}
    assert {p.stat().st_mode & 0o777 for p in written} == {0o640}  # 0o666 less the umask


def test_a_write_never_clobbers_a_temporary_file_it_did_not_make(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_TMP_NAMES", iter(range(10)))
    taken = tmp_path / "new" / f"{files.TMP_PREFIX}{os.getpid()}-0{files.TMP_SUFFIX}"
    files.write(tmp_path / "new" / "first.txt", b"one\n")  # makes the folder, uses name 0
    taken.write_bytes(b"someone else's\n")
    files.write(tmp_path / "new" / "second.txt", b"two\n")  # name 1
    monkeypatch.setattr(files, "_TMP_NAMES", iter(range(10)))
    files.write(tmp_path / "new" / "third.txt", b"three\n")  # name 0 is taken: name 1
    assert taken.read_bytes() == b"someone else's\n"
    names = sorted(p.name for p in taken.parent.iterdir())
    assert names == sorted([taken.name, "first.txt", "second.txt", "third.txt"])
    assert (taken.parent / "third.txt").read_bytes() == b"three\n"


def test_saving_the_manifest_takes_a_bounded_share_of_the_run(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for k in range(60):
        (src / f"{k:02}.txt").write_text(f"Page {k}\n\nA first line of the article, which is long enough.\n")
    clock, saves = [0.0], []
    real_save, real_tally = batch.save_manifest, batch._tally

    def save(*args):  # a save that takes 2 s, as one of a huge manifest would
        saves.append(clock[0])
        clock[0] += 2.0
        real_save(*args)

    def tally(*args):  # each page takes 1 s
        clock[0] += 1.0
        real_tally(*args)

    monkeypatch.setattr(batch.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(batch, "save_manifest", save)
    monkeypatch.setattr(batch, "_tally", tally)
    batch.run(src, tmp_path / "out", Options(jobs=1, rules={"builtin": False, "paths": [RECURRING]}))
    # every 5 s at first; then at least 40 s apart (2 s is 5% of 40 s); and once at the end
    assert saves == [6.0, 49.0, 64.0]
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["files"].keys() == {f"{k:02}.txt" for k in range(60)}


@pytest.mark.parametrize("glob", ["*.txt", "*", "*.TXT", "x.txt", "[xy]*", "a/*/*.txt", "**/*.txt"])
def test_walk_finds_what_rglob_finds_that_is_a_file(tmp_path, glob):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "dir.txt").mkdir()  # a folder whose name matches
    for name in ("a/b/x.txt", ".hidden/y.txt", "z.TXT", "x.txt", "a/w.md"):
        (tmp_path / name).write_text("text\n")
    (tmp_path / "a" / "b" / "loop").symlink_to(tmp_path / "a")  # a link to a folder: not entered
    (tmp_path / "link").symlink_to(tmp_path / "a")
    (tmp_path / "to-file.txt").symlink_to(tmp_path / "x.txt")  # a link to a file: a file
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing")  # a broken link: not a file
    (tmp_path / "a" / "self.txt").symlink_to(tmp_path / "a" / "self.txt")  # a link that loops: neither
    expected = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob(glob) if p.is_file())
    assert files.walk(tmp_path, glob) == expected
    assert expected  # every pattern finds something here


# ---------------------------------------------------------------------------------------------
# Never write outside OUT, never read outside IN unless asked, never lose track of the rules


@pytest.mark.slow
def test_a_folder_link_in_out_is_never_written_through(runner, site, tmp_path):
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    out.mkdir()
    (out / "news").symlink_to(site / "news")  # OUT/news is IN/news
    result = batch_cli(runner, site, out)
    assert result.exit_code == 1
    assert result.output.count(f": not written: {out / 'news'} is a link") == 5
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before  # IN untouched
    assert sorted(p.name for p in (out / "local").iterdir()) == [f"page-0{k}.txt" for k in (0, 2, 4, 6, 8)]


@pytest.mark.slow
def test_a_link_to_a_file_outside_in_is_skipped_unless_asked(runner, site, tmp_path):
    private = tmp_path / "private.txt"
    private.write_text("A private note that is long enough to be a page of its own.\n")
    private.chmod(0o600)
    (site / "secret.txt").symlink_to(private)
    (site / "inside.txt").symlink_to(site / "news" / "page-01.txt")  # a link within IN is a page
    result = batch_cli(runner, site, tmp_path / "out")
    assert result.exit_code == 1
    assert "secret.txt: not cleaned: a link to a file outside IN (--follow-links cleans it)" in result.output
    assert "secret.txt" not in outputs(tmp_path / "out") and "inside.txt" in outputs(tmp_path / "out")
    result = batch_cli(runner, site, tmp_path / "out2", "--follow-links")
    assert result.exit_code == 0
    assert (tmp_path / "out2" / "secret.txt").stat().st_mode & 0o777 == 0o600  # never wider than its input


@pytest.mark.slow
def test_a_page_named_like_the_batchs_own_files_is_refused(runner, site, tmp_path):
    (site / JSONL).write_text('{"a page": "named like the JSONL output"}\n')
    (site / f"{files.TMP_PREFIX}1-2{files.TMP_SUFFIX}").write_text("named like a temporary file\n")
    result = batch_cli(runner, site, tmp_path / "out", "--glob", "*", "--format", "jsonl")
    assert result.exit_code == 1
    assert f"{JSONL}: not cleaned: the batch keeps this name" in result.output
    assert f"{files.TMP_PREFIX}1-2{files.TMP_SUFFIX}: not cleaned" in result.output
    lines = (tmp_path / "out" / JSONL).read_text().splitlines()
    assert len(lines) == 11 and all(json.loads(line)["path"] != JSONL for line in lines)


@pytest.mark.slow
def test_rules_edited_during_a_batch_leave_no_page_recorded_as_done(runner, site, tmp_path, monkeypatch):
    pack = tmp_path / "pack.toml"
    shutil.copy(RECURRING, pack)
    real_tally, seen = batch._tally, []

    def tally(summary, outcome, *args):  # the pack is edited after the first page
        if not seen:
            pack.write_text(pack.read_text() + "\n# edited\n")
        seen.append(outcome.path)
        real_tally(summary, outcome, *args)

    monkeypatch.setattr(batch, "_tally", tally)
    out = tmp_path / "out"
    result = batch_cli(runner, site, out, "--no-builtin-rules", "--rules", pack, "-j", "1")
    assert result.exit_code == 1 and "the rule files changed while the batch ran" in result.output
    assert json.loads((out / MANIFEST).read_text())["files"] == {}
    monkeypatch.setattr(batch, "_tally", real_tally)
    again = batch_cli(runner, site, out, "--no-builtin-rules", "--rules", pack, "-j", "1")
    assert again.exit_code == 0 and " 0 skipped, " in again.output  # every page redone


@pytest.mark.slow
@pytest.mark.parametrize(
    "manifest",
    [
        '{"version": 1, "rules": "x", "counts": "y", "files": {"news/page-01.txt": "ab"}}',
        "[1, 2]",
        "{not json",
    ],
)
def test_a_hand_edited_manifest_is_set_aside_with_a_warning(runner, site, tmp_path, manifest):
    out = tmp_path / "out"
    assert batch_cli(runner, site, out).exit_code == 0
    for extra in [["--force"], ["--check"], []] if manifest == "[1, 2]" else [[]]:
        (out / MANIFEST).write_text(manifest)
        result = batch_cli(runner, site, out, *extra)
        assert result.exit_code == 0 and result.exception is None
        assert f"{MANIFEST}: " in result.output and "every page is redone" in result.output
    assert " 0 skipped, " in result.output
    assert json.loads((out / MANIFEST).read_text())["files"].keys() == set(files.walk(site, "*.txt"))


@pytest.mark.slow
def test_a_page_too_big_or_out_of_memory_costs_only_that_page(runner, site, tmp_path, monkeypatch):
    (site / "big.txt").write_bytes(b"A line of a page that goes on.\n" * 40_000)  # 1.2 MB
    result = batch_cli(runner, site, tmp_path / "out", "--max-page-mb", "1", "-j", "1")
    assert result.exit_code == 1
    assert "big.txt: over 1 MB: no article is that big (--max-page-mb raises the limit)" in result.output
    assert len(outputs(tmp_path / "out")) == 10

    real = Cleaner.clean

    def clean(self, text, counts=None, site=""):
        if text.startswith("A line of a page"):  # big.txt
            raise MemoryError
        return real(self, text, counts, site)

    monkeypatch.setattr(Cleaner, "clean", clean)
    result = batch_cli(runner, site, tmp_path / "out2", "-j", "1")
    assert result.exit_code == 1
    assert "big.txt: out of memory while cleaning it (split the page)" in result.output
    assert len(outputs(tmp_path / "out2")) == 10


@pytest.mark.slow
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the poisoned clean() reaches workers by fork")
def test_a_worker_that_dies_costs_only_its_page(site, tmp_path, poisoned):
    (site / "poison.txt").write_text("POISON: this page kills the worker that cleans it\n")
    warnings: list[str] = []

    def hung(signum, frame):
        raise TimeoutError("the batch hung on a dead worker")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)  # a batch that hangs fails this test, not the whole suite
    try:
        summary = batch.run(site, tmp_path / "out", Options(jobs=2), echo=lambda s: None, warn=warnings.append)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert summary.failed == 1 and warnings == [
        "poison.txt: the worker cleaning it died (out of memory, or killed); the rest go on"
    ]
    assert len(outputs(tmp_path / "out")) == 10


def running_batch(tmp_path: Path, pages: int, written: int):
    """A `batch -j 2` of `pages` sample pages in a child process, once it has written `written`."""
    import subprocess
    import time

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    samples = sorted((SAMPLES / "raw").glob("*.txt"))
    for k in range(pages):
        shutil.copy(samples[k % len(samples)], src / f"{k:04}.txt")
    command = [sys.executable, "-m", "clean_articles", "batch", str(src), str(out), "-j", "2"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out.is_dir() and len(list(out.glob("*.txt"))) >= written) and time.monotonic() < deadline:
        time.sleep(0.02)
    return src, out, proc


@pytest.mark.slow
def test_sigterm_saves_progress_like_ctrl_c(tmp_path):
    import subprocess

    src, out, proc = running_batch(tmp_path, 400, 200)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0
    assert b"Traceback" not in proc.stderr.read()
    saved = json.loads((out / MANIFEST).read_text())["files"]
    assert saved and not list(out.rglob(f"*{files.TMP_SUFFIX}"))
    again = subprocess.run([sys.executable, "-m", "clean_articles", "batch", str(src), str(out), "-j", "2"],
                           capture_output=True, timeout=120)  # fmt: skip
    assert again.returncode == 0 and f"400 files, {len(saved)} skipped, 0 failed".encode() in again.stderr


@pytest.mark.slow
def test_more_jobs_than_cpus_is_capped_with_a_message(runner, site, tmp_path):
    result = batch_cli(runner, site, tmp_path / "out", "-j", "1000")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert result.exit_code == 0
    assert f"-j 1000 is more than the {cpus} CPUs this process may use: -j {cpus}" in result.output


@pytest.mark.slow
def test_a_read_only_or_full_out_is_one_message_naming_out(runner, site, tmp_path, monkeypatch):
    import errno

    def refuse(path):
        raise PermissionError(errno.EACCES, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(batch, "create_beside", refuse)
        result = batch_cli(runner, site, tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'out'}: cannot write there: Permission denied\n"

    real, written = batch.write, []

    def write(path, data, mode=0o777):  # the disk fills up after three pages
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real(path, data, mode)

    monkeypatch.setattr(batch, "write", write)
    result = batch_cli(runner, site, tmp_path / "out2", "-j", "1")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'out2'}: No space left on device: the batch stops (3 pages done, saved if OUT lets it)"
    ]
    assert len(json.loads((tmp_path / "out2" / MANIFEST).read_text())["files"]) == 3


@pytest.mark.slow
def test_what_matches_the_glob_but_is_no_file_is_named(runner, site, tmp_path):
    os.mkfifo(site / "pipe.txt")  # a batch that read it would wait forever
    (site / "broken.txt").symlink_to(tmp_path / "missing")
    (site / "loop.txt").symlink_to(site / "loop.txt")
    result = batch_cli(runner, site, tmp_path / "out", "-j", "1")
    assert result.exit_code == 0
    for line in ["pipe.txt: skipped: a FIFO, not a file", "broken.txt: skipped: a broken link",
                 "loop.txt: skipped: a link that loops"]:  # fmt: skip
        assert f"clean-articles: {line}\n" in result.output
    assert len(outputs(tmp_path / "out")) == 10


@pytest.mark.slow
def test_names_and_keys_do_not_depend_on_the_locale(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "raw" / "keep-french.txt", src / "café.txt")
    shutil.copy(SAMPLES / "raw" / "ad-markers.txt", src / "line\nbreak.txt")
    command = [sys.executable, "-m", "clean_articles", "batch", str(src), str(tmp_path / "out"), "-j", "1", "--explain"]
    first = subprocess.run(command, capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert first.returncode == 0 and b'"line\\nbreak.txt":' in first.stdout  # one line each
    ascii_locale = {**os.environ, "LC_ALL": "POSIX", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    again = subprocess.run(command[:-1], capture_output=True, env=ascii_locale)
    assert again.returncode == 0 and b"2 files, 2 skipped, 0 failed" in again.stderr


_SENDING = multiprocessing.Event()  # made before any pool: forked workers share it


def _send_half_then(then: Callable[[], None]) -> None:
    """Patch this worker process's sends to send half a message, then call `then` (which stops
    or kills the worker there), as a worker stopped or killed mid-send does."""
    import multiprocessing.connection
    import struct

    def send_half(self, buf):
        self._send(struct.pack("!i", len(buf)) + bytes(buf[: len(buf) // 2]))
        then()

    multiprocessing.connection.Connection._send_bytes = send_half


def _stuck_halfway_through_its_results(chunk: list) -> bytes:
    """A worker's task that sends half its results and stops there."""
    import time

    _send_half_then(lambda: (_SENDING.set(), time.sleep(600)))
    return b"x" * (1 << 20)


@pytest.mark.slow
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched send reaches workers by fork")
def test_a_batch_stopped_while_a_worker_sends_its_results_ends(tmp_path):
    import threading

    runner = batch._Runner(2, (Options(), tmp_path, None, None, {}, (False, None)), None, lambda item: None)
    runner.pool.submit(_stuck_halfway_through_its_results, [tmp_path])
    assert _SENDING.wait(60)
    closing = threading.Thread(target=runner.close, args=(False,), daemon=True)
    closing.start()
    closing.join(60)  # it used to wait forever for the rest of the results
    assert not closing.is_alive()


def _killed_halfway_through_its_results(chunk: list) -> list:
    """A worker's task that, for the item "killed", sends half its results and dies, as a worker
    killed mid-send (out of memory) does; other items come back as they are."""
    if chunk != ["killed"]:
        return chunk
    _send_half_then(lambda: os._exit(1))
    return ["x" * (1 << 20)]


@pytest.mark.slow
@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the task reaches workers by fork")
def test_a_worker_killed_while_it_sends_its_results_costs_only_its_item(tmp_path):
    import threading

    runner = batch._Runner(2, (Options(), tmp_path, None, None, {}, (False, None)), None, lambda item: ("lost", item))
    results = []
    chunks = [["killed"], ["fine"], ["also fine"]]

    def run() -> None:
        # the pool is closed by the thread that made its workers: they die with that thread
        # (PR_SET_PDEATHSIG), and one killed in the middle of taking work would hold the lock
        # the others wait for
        results.extend(runner.map(_killed_halfway_through_its_results, chunks))
        runner.close(True)

    running = threading.Thread(target=run, daemon=True)
    running.start()
    running.join(60)  # the pool used to wait forever for the rest of the dead worker's results
    assert not running.is_alive()
    assert results == [("lost", "killed"), ["fine"], ["also fine"]]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers learn of their parent's death from Linux")
def test_workers_do_not_outlive_a_killed_batch(tmp_path):
    import time

    _, out, proc = running_batch(tmp_path, 2000, 1)
    proc.kill()  # kill -9: no handler runs in the parent
    proc.wait()

    def alive() -> int:
        found = 0
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                found += str(out).encode() in cmdline.read_bytes()
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive() == 0


@pytest.mark.slow
def test_a_page_added_to_a_batch_redoes_only_the_pages_whose_output_it_changes(runner, site, tmp_path):
    out = tmp_path / "out"
    assert batch_cli(runner, site, out, "-j", "1").exit_code == 0
    before = outputs(out)
    from synthetic_site import page

    (site / "local" / "page-10.txt").write_text(page(10))  # the site's chrome again, a story of its own
    again = batch_cli(runner, site, out, "-j", "2")
    assert "11 files, 10 skipped, 0 failed" in again.output  # its lines recur as before on every other page
    assert {k: v for k, v in outputs(out).items() if k != "local/page-10.txt"} == before
    fresh = tmp_path / "fresh"
    batch_cli(runner, site, fresh, "-j", "1")
    assert outputs(fresh) == outputs(out)  # what a batch from scratch writes
    for path in sorted(site.rglob("page-*.txt"))[2:]:  # two pages left: nothing is on enough pages to recur
        path.unlink()
    shrunk = batch_cli(runner, site, out, "-j", "1", "--prune")
    assert "2 files, 0 skipped, 0 failed" in shrunk.output
    fresh = tmp_path / "fresh-2"
    batch_cli(runner, site, fresh, "-j", "1")
    assert outputs(fresh) == outputs(out) and len(outputs(out)) == 2


def test_explain_names_the_recurring_rule_and_the_count_behind_a_removal(runner, site, tmp_path):
    result = batch_cli(runner, site, tmp_path / "out", "-j", "1", "--explain", *ONLY_RECURRING)
    told = [line for line in result.stdout.splitlines() if line.startswith("local/page-00.txt:")]
    assert told and all(
        "recurring.site-chrome (recurs on " in line and " of 10 pages of the batch)" in line for line in told
    )
