"""Inputs users have and golden folders: gzipped pages, binary pages in a batch, misspelt
commands, and `batch --check / --update / --prune` on a folder of expected outputs."""

from __future__ import annotations

import gzip

import pytest

from clean_articles.cli import main

PAGE = "Skip to main content\nThe council met on Monday and decided to reopen the harbour next spring, it said.\n"
CLEAN = PAGE.split("\n", 1)[1]


def batch(runner, *args):
    return runner.invoke(main, ["batch", *map(str, args), "-j", "1"])


def test_a_gzipped_page_is_read_as_its_text(runner, tmp_path):
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE.encode()))
    assert runner.invoke(main, [str(tmp_path / "page.txt.gz")]).stdout == CLEAN
    assert runner.invoke(main, [], input=gzip.compress(PAGE.encode())).stdout == CLEAN
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(PAGE.encode())[:-12])
    cut = runner.invoke(main, [str(tmp_path / "cut.txt.gz")])
    assert cut.exit_code == 1 and cut.stderr.startswith(f"Error: {tmp_path / 'cut.txt.gz'}: a gzip file")


def test_a_gzip_bomb_is_refused_past_the_page_limit(runner, tmp_path):
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(b"a" * (3 << 20)))
    result = runner.invoke(main, ["--max-page-mb", "1", str(tmp_path / "bomb.gz")])
    assert result.exit_code == 1 and "over 1 MB" in result.stderr


def test_a_batch_writes_a_gzipped_page_gzipped(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt.gz").write_bytes(gzip.compress(PAGE.encode(), mtime=1234))
    assert batch(runner, tmp_path / "in", tmp_path / "out", "--glob", "*.gz").exit_code == 0
    out = (tmp_path / "out" / "a.txt.gz").read_bytes()
    assert gzip.decompress(out) == CLEAN.encode() and out == gzip.compress(CLEAN.encode(), mtime=0)


def test_allow_binary_works_in_a_batch_as_its_message_says(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(PAGE.encode() + b"Nul \x00 here.\n")
    refused = batch(runner, tmp_path / "in", tmp_path / "out")
    assert refused.exit_code == 1 and "(--allow-binary cleans it anyway)" in refused.output
    assert batch(runner, tmp_path / "in", tmp_path / "out", "--allow-binary").exit_code == 0
    assert (tmp_path / "out" / "a.txt").read_bytes().startswith(CLEAN.encode())


@pytest.mark.parametrize(
    "args, said",
    [(["rule", "list"], "no command and no file named 'rule'. Did you mean 'rules'?"),
     (["bacth", "in", "out"], "Did you mean 'batch'?"), (["help"], "Did you mean 'clean-articles --help'?")],
)  # fmt: skip
def test_a_misspelt_command_gets_did_you_mean(runner, args, said):
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and said in result.stderr


@pytest.fixture
def golden(runner, tmp_path):
    """Raw pages and a golden folder made from them."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a", "b"):
        (raw / f"{name}.txt").write_text(PAGE.replace("council", f"council {name}"))
    assert batch(runner, raw, tmp_path / "golden", "--update").exit_code == 0
    return raw, tmp_path / "golden"


def test_update_writes_goldens_and_no_manifest_among_them(golden):
    raw, gold = golden
    assert sorted(p.name for p in gold.iterdir()) == ["a.txt", "b.txt"]


def test_check_writes_nothing_and_names_missing_and_stale_goldens(runner, golden):
    raw, gold = golden
    assert batch(runner, raw, gold, "--check").exit_code == 0
    (gold / "a.txt").unlink()
    (raw / "b.txt").rename(raw / "c.txt")
    result = batch(runner, raw, gold, "--check")
    assert result.exit_code == 1
    assert "a.txt: no output (missing)\n" in result.stdout and "c.txt: no output (missing)\n" in result.stdout
    assert "b.txt: stale: its input is gone" in result.stdout and "+++" not in result.stdout
    assert sorted(p.name for p in gold.iterdir()) == ["b.txt"]
    assert batch(runner, raw, gold, "--update").exit_code == 0
    assert sorted(p.name for p in gold.iterdir()) == ["a.txt", "c.txt"]
    assert batch(runner, raw, gold, "--check", "--update").exit_code == 2


def test_a_batch_names_outputs_whose_input_is_gone_and_prune_removes_them(runner, tmp_path, golden):
    raw, _ = golden
    out = tmp_path / "out"
    batch(runner, raw, out)
    (raw / "a.txt").unlink()
    named = batch(runner, raw, out)
    assert "clean-articles: a.txt: its input is gone (--prune removes it)" in named.stderr and (out / "a.txt").exists()
    pruned = batch(runner, raw, out, "--prune")
    assert "clean-articles: a.txt: removed: its input is gone" in pruned.stderr and not (out / "a.txt").exists()
