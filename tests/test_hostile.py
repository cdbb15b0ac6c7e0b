"""Hostile input: empty, blank, binary, broken UTF-8, BOMs, odd line endings, very big pages.

No crash, no hang, nothing lost, and a one-line message where input is refused. Big inputs are
tested for correctness at a size the suite can afford; bench/hostile.py runs the 100 MB page and
the 20 MB line and prints the time and memory they take (README.md, "Limits").
"""

from __future__ import annotations

import json
import random

import pytest
from conftest import SKIP_PACK, write_pack

from clean_articles import BinaryInputError, clean_text, decode, encode, load_rules
from clean_articles.cli import main
from clean_articles.document import Document

PROSE = "The talks opened in Moscow on Wednesday with a long speech by the foreign minister."
MORE = "Both sides said afterwards that they had agreed to meet again before the end of the year."
PACK = SKIP_PACK.replace("content$'", "content'")


def cli(runner, tmp_path, data: bytes, *args: str):
    """Run the CLI in pipe mode on bytes with only the test pack; return (status, stdout bytes, stderr)."""
    pack = write_pack(tmp_path, PACK)
    result = runner.invoke(main, ["--no-builtin-rules", "--rules", str(pack), *args], input=data)
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.parametrize("data", [b"", b"\n", b"\n\n  \n\r\n\t\r", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
@pytest.mark.parametrize("mode", [[], ["--explain"], ["--diff"], ["--format", "json"]])
def test_empty_and_blank_input_give_empty_output(runner, tmp_path, data, mode):
    status, out, err = cli(runner, tmp_path, data, *mode)
    assert status == 0 and err == ""
    if mode == ["--format", "json"]:
        assert json.loads(out)["text"] == ""
    elif mode != ["--diff"]:
        assert out == b""


def test_empty_input_through_the_library_and_shipped_rules():
    assert clean_text("").text == "" and clean_text("").removals == []
    assert clean_text("\n \n\r\n").text == ""


@pytest.mark.parametrize("as_file", [False, True])
def test_binary_input_is_refused_naming_the_file(runner, tmp_path, as_file):
    data = b"PK\x03\x04\x00\x00binary\x00\n" + PROSE.encode()
    if as_file:
        path = tmp_path / "archive.zip"
        path.write_bytes(data)
        result = runner.invoke(main, [str(path)])
        name = str(path)
    else:
        result = runner.invoke(main, [], input=data)
        name = "-"
    assert result.exit_code == 1 and result.stdout_bytes == b""
    assert result.stderr.splitlines() == [
        f"Error: {name}: input holds NUL bytes: it looks binary, not text (--allow-binary cleans it anyway)"
    ]


def test_binary_refusal_in_the_library_and_allow_binary_keeps_the_bytes(runner, tmp_path):
    data = f"Skip to content\nA\x00B keeps its NUL\n{PROSE}\n".encode()
    with pytest.raises(BinaryInputError):
        decode(data)
    status, out, _ = cli(runner, tmp_path, data, "--allow-binary")
    assert status == 0 and out == data.split(b"\n", 1)[1]


BROKEN = b"caf\xe9 au lait \xff\xfe, and the rest of this line is long enough to read as prose.\n"


def test_invalid_utf8_lines_come_out_byte_for_byte(runner, tmp_path):
    data = b"Skip to content \xe9\n" + BROKEN + b"Half a character: \xe2\x82\n" + PROSE.encode() + b"\n"
    status, out, _ = cli(runner, tmp_path, data)
    assert status == 0 and out == data.split(b"\n", 1)[1]


@pytest.mark.parametrize("mode", [["--explain"], ["--diff"], ["--format", "json"]])
def test_invalid_utf8_in_removed_lines_does_not_break_explain_diff_or_json(runner, tmp_path, mode):
    data = b"Skip to content \xe9\xff\n" + BROKEN
    status, out, _ = cli(runner, tmp_path, data, *mode)
    assert status == 0
    if mode == ["--explain"]:
        assert out == b"-:1  mine.skip  Skip to content \xe9\xff\n"
    elif mode == ["--diff"]:
        assert b"-Skip to content \xe9\xff\n" in out
    else:
        obj = json.loads(out)  # surrogates come out as \udcXX escapes: valid JSON
        assert encode(obj["text"]) == BROKEN
        assert obj["removals"][0]["rule"] == "mine.skip"


def test_invalid_utf8_through_the_shipped_rules():
    text, _ = decode(b"\xff\xfe\xfd\n" + BROKEN + b"\x80" * 50 + b"\n" + PROSE.encode() + b"\n")
    result = clean_text(text)
    assert set(encode(result.text).splitlines()) <= set(encode(text).splitlines())
    json.dumps(result.to_json())  # no crash on surrogates
    result.explain(), result.diff()


def test_bom_is_kept_even_when_the_first_line_goes(runner, tmp_path):
    data = b"\xef\xbb\xbfSkip to content\n" + PROSE.encode() + b"\n"
    status, out, _ = cli(runner, tmp_path, data)
    assert status == 0 and out == b"\xef\xbb\xbf" + PROSE.encode() + b"\n"


@pytest.mark.parametrize("ending", [b"\r\n", b"\r", b"\n"])
def test_line_endings_are_kept_as_they_were(runner, tmp_path, ending):
    lines = [b"Skip to content", PROSE.encode(), b"", MORE.encode()]
    status, out, _ = cli(runner, tmp_path, ending.join(lines) + ending)
    assert status == 0 and out == ending.join(lines[1:]) + ending


def test_mixed_line_endings_each_line_keeps_its_own(runner, tmp_path):
    data = b"Skip to content\r\n" + PROSE.encode() + b"\r" + MORE.encode() + b"\n" + b"last line"
    status, out, _ = cli(runner, tmp_path, data)
    # a last line without an ending gets the page's first line ending
    assert status == 0 and out == PROSE.encode() + b"\r" + MORE.encode() + b"\nlast line\r\n"


def test_explain_and_diff_count_lines_as_the_document_does():
    # str.splitlines() would also split at \f, \x1c and \u2028; the Document does not.
    rules = load_rules([], builtin=False)
    text = f"a\x0cb\u2028c\n{PROSE}\n"
    doc = Document.from_text(text)
    assert len(doc) == 2
    result = clean_text(text, rules)
    assert result.text == text and result.diff() == ""


def test_a_removed_line_after_a_form_feed_is_explained_with_its_own_text(tmp_path):
    rules = load_rules([write_pack(tmp_path, PACK)], builtin=False)
    result = clean_text(f"one\x0ctwo\nSkip to content\n{PROSE}\n", rules)
    assert result.explain().endswith("  Skip to content\n")
    assert "-Skip to content\n" in result.diff() and "@@ -1,3 +1,2 @@" in result.diff()


@pytest.mark.slow
def test_a_big_page_loses_no_article_line():
    # ~0.5 MB: chrome lines between article paragraphs, no two paragraphs alike.
    rng = random.Random(5)
    words = (PROSE + " " + MORE).lower().rstrip(".").replace(".", "").split()
    chrome = ["Skip to content", "Home", "World", "Share on Facebook", "Accept all cookies"]
    paragraphs, parts = [], []
    for n in range(1500):
        paragraph = " ".join(rng.choice(words) for _ in range(40)).capitalize() + "."
        paragraphs.append(paragraph)
        parts += ([f"{c}" for c in chrome] if n % 50 == 0 else []) + ["", paragraph, ""]
    result = clean_text("\n".join(parts) + "\n")
    assert set(paragraphs) <= set(result.text.splitlines())


@pytest.mark.slow
def test_a_single_long_line_is_kept_whole():
    line = " ".join([PROSE] * 25_000)  # ~2 MB, no line break
    text = f"Skip to content\n\n{line}\n"
    result = clean_text(text)
    assert result.text.endswith(line + "\n")
    assert clean_text(line).text == line + "\n"
