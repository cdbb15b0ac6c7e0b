"""The command line, through click's CliRunner: modes, options, exit codes and error texts."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES, write_pack
from conftest import SKIP_PACK as PACK

from clean_articles import Cleaner, __version__
from clean_articles import cli as command_line
from clean_articles.cli import main

PAGE = "Skip to content\nA headline\n\nThe talks opened in Moscow on Wednesday with a long speech by the minister.\n"


def run(runner, args, stdin=None):
    return runner.invoke(main, args, input=stdin)


def test_pipe_mode_reads_stdin_writes_stdout(runner, tmp_path):
    result = run(runner, ["--no-builtin-rules", "--rules", str(write_pack(tmp_path, PACK))], PAGE)
    assert result.exit_code == 0
    assert result.output == PAGE.split("\n", 1)[1]


def test_dash_is_stdin_and_clean_subcommand_is_the_default(runner, tmp_path):
    pack = str(write_pack(tmp_path, PACK))
    a = run(runner, ["--no-builtin-rules", "--rules", pack, "-"], PAGE)
    b = run(runner, ["clean", "--no-builtin-rules", "--rules", pack], PAGE)
    assert a.exit_code == b.exit_code == 0 and a.output == b.output


def test_file_argument(runner):
    raw = SAMPLES / "raw" / "001_1713ab11c099b517.txt"
    want = (SAMPLES / "clean" / "001_1713ab11c099b517.txt").read_text(encoding="utf-8")
    result = run(runner, [str(raw)])
    assert result.exit_code == 0 and result.output == want


def test_disable_switches_a_rule_off(runner, tmp_path):
    pack = str(write_pack(tmp_path, PACK))
    result = run(runner, ["--no-builtin-rules", "--rules", pack, "--disable", "mine.skip"], PAGE)
    assert result.output == PAGE


def test_explain_names_rule_and_lines(runner, tmp_path):
    result = run(runner, ["--no-builtin-rules", "--rules", str(write_pack(tmp_path, PACK)), "--explain"], PAGE)
    assert result.output == "-:1  mine.skip  Skip to content\n"  # the signal is only the why: rules show has it


def test_diff_is_unified(runner, tmp_path):
    result = run(runner, ["--no-builtin-rules", "--rules", str(write_pack(tmp_path, PACK)), "--diff"], PAGE)
    assert result.output.splitlines()[:4] == ["--- a/-", "+++ b/-", "@@ -1,2 +1 @@", "-Skip to content"]


def test_json_has_text_removals_counts(runner, tmp_path):
    result = run(runner, ["--no-builtin-rules", "--rules", str(write_pack(tmp_path, PACK)), "--format", "json"], PAGE)
    obj = json.loads(result.output)
    assert obj["text"] == PAGE.split("\n", 1)[1]
    assert obj["removals"] == [
        {"first": 1, "last": 1, "rule": "mine.skip", "reason": "Skip links.", "text": "Skip to content"}
    ]
    assert obj["counts"] == {"lines_in": 4, "lines_out": 3, "removals": {"mine.skip": 1}}


def test_version(runner):
    result = run(runner, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_teaches_pipe_usage_and_options(runner):
    result = run(runner, ["--help"])
    assert result.exit_code == 0
    for needle in ("clean-articles < raw.txt > clean.txt", "--rules", "--disable", "--explain", "rules"):
        assert needle in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.txt"], 1, "Error: missing.txt: cannot read: No such file or directory\n"),
        (["--favor", "speed"], 2, "Invalid value for '--favor'"),
        (["--disable", "nosuch.rule"], 1, "Error: --disable: no rule or pack named 'nosuch.rule'."),
        (["--rules", "nowhere.toml"], 2, "Path 'nowhere.toml' does not exist"),
    ],
)
def test_errors_are_one_line_with_exit_status(runner, args, code, message):
    result = run(runner, args, "")
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_broken_rule_file_exits_1_with_file_and_line(runner, tmp_path):
    pack = write_pack(tmp_path, PACK.replace('kind = "line"', 'kind = "lines"'))
    result = run(runner, ["--rules", str(pack)], PAGE)
    assert result.exit_code == 1
    assert f"Error: {pack}:6: rule 'skip': unknown kind 'lines'" in result.output


def test_binary_input_is_refused_with_its_name(runner, tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"abc\x00def\n")
    result = run(runner, [str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: input holds NUL bytes")


@pytest.mark.slow  # a pool or a child process: in the full run
def test_rules_list_check_and_test(runner, tmp_path):
    pack = write_pack(tmp_path, PACK)
    listed = run(runner, ["rules", "list", "--no-builtin-rules", "--rules", str(pack)])
    assert listed.output.split() == ["mine.skip", "line", "mine", "anywhere", "Skip", "links."]
    checked = run(runner, ["rules", "check", str(pack)])
    assert checked.exit_code == 1
    assert checked.output.startswith(f"{pack}:4: rule 'skip': needs at least one must-remove example")
    assert run(runner, ["rules", "check"]).exit_code == 0
    assert run(runner, ["rules", "test"]).exit_code == 0


def test_rules_test_reports_failing_example(runner, tmp_path):
    pack = write_pack(tmp_path, PACK + '  [[rule.example]]\n  raw = "Skip to content now\\nHi"\n  clean = "Hi"\n')
    result = run(runner, ["rules", "test", str(pack)])
    assert result.exit_code == 1
    assert f"{pack}:9: rule 'mine.skip' example 1: kept \"Skip to content now\"" in result.output


def test_rules_test_names_a_line_that_lost_copies(runner, tmp_path):
    """A keep example whose line is printed twice and kept once names that line (not the first
    line of the page, which was kept)."""
    field = "Price: free for everyone, with paid add-ons"
    raw = f"Two editors are worth a look.\\n\\n{field}\\n\\nVS Code\\n\\n{field}\\n\\nVim"
    rule = '\n[[rule]]\nid = "again"\nkind = "repeated"\nwhy = "Printed again."\n'
    pack = write_pack(tmp_path, PACK + rule + f'  [[rule.example]]\n  raw = "{raw}"\n  keep = true\n')
    result = run(runner, ["rules", "test", str(pack)])
    assert result.exit_code == 1
    assert f"rule 'mine.again' example 1: removed \"{field}\"" in result.output


@pytest.mark.slow  # a pool or a child process: in the full run
def test_installed_module_finds_its_rules_from_any_directory(tmp_path):
    import subprocess
    import sys

    raw = (SAMPLES / "raw" / "001_1713ab11c099b517.txt").read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "clean_articles", "--explain"], input=raw, cwd=tmp_path, capture_output=True, check=True
    ).stdout.decode()
    assert "menafn." in out and "Legal Disclaimer" in out


@pytest.mark.slow
def test_output_is_utf8_whatever_the_locale_says(tmp_path):
    import subprocess

    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / "raw" / "russian-chrome.txt", tmp_path / "in")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}  # a locale that cannot write Cyrillic
    for args in (["batch", "in", "out", "--explain", "-j", "1"], ["learn", "in"], ["rules", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "clean_articles", *args], cwd=tmp_path, env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in done.stderr
    assert "Поделиться".encode() in subprocess.run(
        [sys.executable, "-m", "clean_articles", "batch", "in", "out2", "--explain", "-j", "1"],
        cwd=tmp_path, env=env, capture_output=True,
    ).stdout  # fmt: skip


def cli(*args, **kw):
    import subprocess

    return subprocess.run([sys.executable, "-m", "clean_articles", *args], capture_output=True, **kw)


@pytest.mark.slow
def test_a_page_past_the_size_limit_is_one_line(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"A line of a page that goes on.\n" * 40_000)  # 1.2 MB
    done = cli(str(big), "--max-page-mb", "1")
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode() == f"Error: {big}: over 1 MB: no article is that big (--max-page-mb raises the limit)\n"
    assert cli(str(big), "--max-page-mb", "2").returncode == 0
    done = cli("/dev/zero")  # never ends: refused at the default limit
    assert done.returncode == 1 and b"over 64 MB" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_stdout_or_a_closed_stdin_is_one_line():
    import subprocess

    page = str(SAMPLES / "raw" / "ad-markers.txt")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "clean_articles", page], stdout=full, stderr=-1)
    assert done.returncode == 1 and done.stderr == b"Error: cannot write the output: No space left on device\n"
    done = subprocess.run([sys.executable, "-m", "clean_articles"], stdin=-1, capture_output=True,
                          preexec_fn=lambda: os.close(0))  # fmt: skip
    assert done.returncode == 1 and done.stderr == b"Error: -: there is no standard input (it is closed)\n"


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    import subprocess

    pages = [str(p) for p in sorted((SAMPLES / "raw").glob("*.txt"))] * 20
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"text": Path(p).read_text(errors="replace")}) + "\n" for p in pages))
    for args in (["--diff", *pages], ["batch", str(SAMPLES / "raw"), str(tmp_path / "out"), "--diff", "-j", "2"],
                 ["--jsonl", str(corpus)], ["batch", str(corpus), str(tmp_path / "c.jsonl"), "--explain", "-j", "2"]):  # fmt: skip
        proc = subprocess.Popen([sys.executable, "-m", "clean_articles", *args], stdout=-1, stderr=-1)
        proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        assert proc.wait(timeout=60) == 1
        err = proc.stderr.read().decode()
        assert "Traceback" not in err and "Broken pipe" not in err, err


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_mark_are_text_and_come_out_as_they_came(runner, codec, tmp_path):
    raw = (SAMPLES / "raw" / "keep-french.txt").read_text(encoding="utf-8")
    want = (SAMPLES / "clean" / "keep-french.txt").read_text(encoding="utf-8")
    mark = b"\xfe\xff" if codec == "utf-16-be" else b""  # "utf-16" and "utf-32" write their own
    page = tmp_path / "page.txt"
    page.write_bytes(mark + raw.encode(codec))
    result = runner.invoke(main, [str(page)])
    assert result.exit_code == 0 and result.stdout_bytes == mark + want.encode(codec)
    page.write_bytes(b"\xff\xfea\x00b")  # a mark, then no UTF-16 text: bytes with a NUL
    result = runner.invoke(main, [str(page)])
    assert result.exit_code == 1 and "input holds NUL bytes" in result.output


def test_the_diff_of_a_page_with_bare_carriage_returns_is_a_patch_of_lines(runner, tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(
        b"Skip to content\rThe talks opened in Moscow on Wednesday with a long speech.\rShare this article\r"
    )
    result = runner.invoke(main, ["--diff", str(page)])
    assert result.exit_code == 0
    lines = result.stdout_bytes.split(b"\n")
    assert lines[0] == f"--- a/{page}".encode() and lines[1] == f"+++ b/{page}".encode()
    assert b"-Skip to content\r" in lines and lines[-1] == b""  # one diff line per page line, each ended by \n


SHOWN = "Skip to main content\nThe council met on Monday and decided to reopen the harbour next spring, it said.\n"


def test_color_is_forced_on_or_off_and_auto_follows_the_terminal_and_no_color(runner, monkeypatch):
    coloured = runner.invoke(main, ["--explain", "--color", "always"], input=SHOWN).stdout
    assert coloured.startswith("\x1b[36m-:1\x1b[0m  \x1b[1m") and "\x1b[31mSkip to main content\x1b[0m" in coloured
    diff = runner.invoke(main, ["--diff", "--color", "always"], input=SHOWN).stdout
    assert "\x1b[31m-Skip to main content\x1b[0m\n" in diff and "\x1b[36m@@ " in diff
    assert "\x1b[" not in runner.invoke(main, ["--explain", "--color", "never"], input=SHOWN).stdout
    assert "\x1b[" not in runner.invoke(main, ["--explain"], input=SHOWN).stdout  # auto, and no terminal

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(command_line.sys, "stdout", Terminal())
    monkeypatch.setattr(command_line.shutil, "get_terminal_size", lambda: os.terminal_size((50, 20)))
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert command_line.styled("auto") == (command_line.paint, 50)
    monkeypatch.setenv("NO_COLOR", "1")
    assert command_line.styled("auto") == (None, 50) and command_line.styled("always")[0] is command_line.paint


def test_explain_fits_the_terminal_width():
    result = Cleaner().clean("Skip to main content and everything else that a long line of a page may hold\n" + SHOWN)
    for width in (50, 80, 120):
        line = result.explain("p", width=width).splitlines()[0]
        assert len(line) == width and line.endswith("…") and line.startswith("p:1  main-text.blocks (")


def test_rules_show_prints_a_rule_whole(runner):
    shown = runner.invoke(main, ["rules", "show", "navigation.skip-links"]).stdout
    assert shown.startswith("navigation.skip-links  (line, anywhere)\n")
    assert "rules/generic/navigation.toml:" in shown and "pattern = '(?i)^" in shown and "keeps it" in shown
    wrong = runner.invoke(main, ["rules", "show", "navigation.skip"])
    assert wrong.exit_code == 2 and "Did you mean 'navigation.skip-links'?" in wrong.output


def test_verbose_names_the_packs_and_quiet_drops_the_summary(runner, tmp_path):
    told = runner.invoke(main, ["-v", "--no-config"], input=SHOWN).stderr
    assert "clean-articles: configuration: none\n" in told and "clean-articles: pack navigation: " in told
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(SHOWN)
    loud = runner.invoke(main, ["batch", str(tmp_path / "in"), str(tmp_path / "out"), "-j", "1", "--force"])
    quiet = runner.invoke(main, ["batch", str(tmp_path / "in"), str(tmp_path / "out"), "-j", "1", "--force", "-q"])
    assert "1 files, 0 skipped" in loud.stderr and quiet.stderr == "" and quiet.exit_code == 0


@pytest.mark.parametrize(
    "words, cword, expected",
    [("clean-articles ru", 1, ["plain,rules"]), ("clean-articles rules sh", 2, ["plain,show"]),
     ("clean-articles batch --gl", 2, ["plain,--glob"])],
)  # fmt: skip
def test_shell_completion_knows_the_commands_and_options(words, cword, expected):
    env = {"_CLEAN_ARTICLES_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = CliRunner(env=env).invoke(main, [], prog_name="clean-articles")
    assert result.stdout.split() == expected
