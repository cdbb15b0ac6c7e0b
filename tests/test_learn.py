"""`clean-articles learn`: a reviewable pack of a site's recurring chrome that then cleans single
pages in pipe mode."""

from __future__ import annotations

import tomllib

import regex
from synthetic_site import page, write_site

from clean_articles.cli import main
from clean_articles.learn import learn, pattern, toml_string


def learn_site(runner, tmp_path):
    write_site(tmp_path / "site")
    result = runner.invoke(main, ["learn", str(tmp_path / "site"), "--name", "example.com"])
    assert result.exit_code == 0, result.output
    pack = tmp_path / "example.toml"
    pack.write_text(result.output, encoding="utf-8")
    return pack


def test_learned_pack_passes_check_and_test(runner, tmp_path):
    pack = learn_site(runner, tmp_path)
    check = runner.invoke(main, ["rules", "check", str(pack)])
    assert check.exit_code == 0 and "no problems" in check.output, check.output
    test = runner.invoke(main, ["rules", "test", str(pack)])
    assert test.exit_code == 0 and " 0 failed" in test.output, test.output
    data = tomllib.loads(pack.read_text())
    kinds = {r["id"]: r["kind"] for r in data["rule"]}
    assert kinds["most-read"] == "section"  # the heading of the rotating list, not its items
    assert not any("comments" in rid for rid in kinds)
    assert data["pack"]["site"] == "example.com" and "when" in data["pack"]


def test_learned_pack_cleans_a_new_page_of_the_site_in_pipe_mode(runner, tmp_path):
    pack = learn_site(runner, tmp_path)
    new = page(42)  # a page learn never saw: other story, other counters, other year
    result = runner.invoke(main, ["--no-builtin-rules", "--rules", str(pack)], new)
    assert result.exit_code == 0
    assert result.output.startswith(
        "Council weighs the future of the bridge\n\nBy Reporter 42\n\nThe city council met on day 42"
    )
    for chrome in ("Home | World", "Most read", "comments)", "newsletter", "Example Media"):
        assert chrome not in result.output


def test_patterns_match_their_line_only_and_survive_toml():
    for line in ["It's 5 o'clock \\ here", "(c) 2024 [Media] *Ltd*", 'Say "hi"\tnow', "Ошибка 404 — страница"]:
        rx = pattern(line)
        parsed = tomllib.loads(f"p = {toml_string(rx)}\n")["p"]
        assert parsed == rx
        assert regex.search(rx, line.strip()) and not regex.search(rx, f"He said {line} again.")


def test_pages_learn_cannot_write_into_toml_are_passed_over(tmp_path):
    write_site(tmp_path / "site")
    clean = learn(tmp_path / "site", name="example.com")
    chrome = page(7).encode("utf-8")
    (tmp_path / "site" / "latin1.txt").write_bytes(chrome.replace(b"Most read", b"Most r\xe9ad"))  # not UTF-8
    (tmp_path / "site" / "binary.txt").write_bytes(b"\x00" + chrome)
    assert learn(tmp_path / "site", name="example.com") == clean


def test_learn_names_each_page_it_passes_over(runner, tmp_path):
    from clean_articles.cli import main

    src = tmp_path / "pages"
    src.mkdir()
    (src / "good.txt").write_text("Menu\n\nA first line of an article that is long enough.\n")
    (src / "latin1.txt").write_bytes("Caf\xe9 du coin\n".encode("latin-1"))
    (src / "binary.txt").write_bytes(b"\x00\x01\x02")
    result = runner.invoke(main, ["learn", str(src)])
    assert result.exit_code == 0
    assert "clean-articles: latin1.txt: skipped: not UTF-8 text" in result.stderr
    assert "clean-articles: binary.txt: skipped: input holds NUL bytes" in result.stderr
