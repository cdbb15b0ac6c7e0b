"""`clean-articles learn`: a reviewable pack of a site's recurring chrome that then cleans single
pages in pipe mode."""

from __future__ import annotations

import re
import tomllib

import regex
from synthetic_site import POOL, TOPICS, page, write_site

from clean_articles.cli import main
from clean_articles.learn import alternation, learn, pattern, toml_string


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
    lines = [
        "It's 5 o'clock \\ here",
        "(c) 2024 [Media] *Ltd*",
        'Say "hi"\tnow',
        "Ошибка 404 — страница",
        "a|b (?x) .*",
    ]
    for rx in [*map(pattern, lines), alternation(lines)]:
        assert toml_string(rx).startswith("'")  # a literal string: the regex reads as written
        parsed = tomllib.loads(f"p = {toml_string(rx)}\n")["p"]
        assert parsed == rx
        for line in lines if rx == alternation(lines) else [line for line in lines if pattern(line) == rx]:
            assert regex.search(rx, line.strip()) and not regex.search(rx, f"He said {line} again.")
    assert not regex.search(alternation(lines), "a|b")


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


def rules_of(pack_text):
    """The pack's rules, each with the comment lines right above it."""
    data = tomllib.loads(pack_text)
    comments = [chunk.rsplit("\n\n", 1)[-1] for chunk in pack_text.split("[[rule]]")[:-1]]
    return data, list(zip(data.get("rule", []), comments))


def test_one_rule_per_block_on_the_synthetic_site(tmp_path):
    write_site(tmp_path / "site")
    data, rules = rules_of(learn(tmp_path / "site", name="example.com"))
    # the menu line, the rotating "Most read" list, the newsletter prompt with the footer below it
    assert [(r["id"], r["kind"]) for r, _ in rules] == [
        ("home-world-sport", "line"),
        ("most-read", "section"),
        ("sign-up-for-our-newsletter", "line"),
    ]
    footer = rules[2][0]["pattern"]
    for line in ["Sign up for our newsletter", "© 2031 Example Media. All rights reserved."]:
        assert regex.search(footer, line)
    assert not regex.search(footer, "Sign up for our newsletter today, the mayor said.")


def test_ids_come_from_the_steadiest_line_of_a_block(tmp_path):
    """A block led by a headline that recurs on a few pages is named after its steady lines, and
    no id carries a word of a rotating headline, a story or a counter."""
    (tmp_path / "site").mkdir()
    for k in range(10):  # the block between the story's first and second paragraphs
        teaser = POOL[k % 3]  # each on 3 or 4 of the 10 pages: recurring, yet rotating
        text = page(k).replace("for months.\n", f"for months.\n\n{teaser}\nFollow us on Mastodon\nPrivacy policy\n")
        (tmp_path / "site" / f"{k}.txt").write_text(text, encoding="utf-8")
    data, rules = rules_of(learn(tmp_path / "site", name="example.com"))
    ids = [r["id"] for r, _ in rules]
    assert "follow-us-on-mastodon" in ids, ids
    words = {w.casefold() for text in POOL + TOPICS for w in re.findall(r"\w+", text) if len(w) > 3}
    words |= {"comments", "council", "reporter", "storm"}
    assert not [rid for rid in ids if set(rid.split("-")) & words], ids


def test_each_rule_has_a_comment_with_its_pages_and_lines(tmp_path):
    write_site(tmp_path / "site")
    menu = [f"Section {name} and more" for name in ["Politics", "Business", "Science", "Travel", "Food", "Cars", "Art"]]
    for path in (tmp_path / "site").rglob("*.txt"):
        path.write_text("\n".join(menu) + "\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    data, rules = rules_of(learn(tmp_path / "site", name="example.com"))
    comments = {r["id"]: comment for r, comment in rules}
    assert comments["sign-up-for-our-newsletter"].splitlines() == [
        "# On 10 of 10 pages, 2 lines:",
        "#   Sign up for our newsletter",
        "#   © 2015 Example Media. All rights reserved.",
    ]
    assert comments["most-read"].startswith("# On 10 of 10 pages: a list under this heading whose items rotate")
    # the menu and the line under it are one block of 8 lines, of which the comment shows 5
    shown = comments["section-politics-and-more"].splitlines()
    assert shown[0] == "# On 10 of 10 pages, 8 lines:" and shown[1:3] == [f"#   {m}" for m in menu[:2]]
    assert shown[-1] == "#   … and 3 more" and len(shown) == 7
    assert data["pack"]["when"]  # the steadiest line still gates the pack


def test_learning_nothing_says_so_and_writes_an_empty_valid_pack(runner, tmp_path):
    src = tmp_path / "pages"
    src.mkdir()
    for k, topic in enumerate(TOPICS[:4]):  # four pages that share no line
        (src / f"{k}.txt").write_text(
            f"Notes on the {topic}\n\nThe {topic} opened in {1900 + k} and is still in use.\n"
        )
    result = runner.invoke(main, ["learn", str(src)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "clean-articles: learned no rules (the pack written is empty): no line recurs on 3 or more of the 4 pages "
        "(--min-pages 3, --min-share 0.3); give more pages of one site, or lower those\n"
    )
    assert "rule" not in tomllib.loads(result.stdout)
    assert "# No rules learned: no line recurs" in result.stdout
    pack = tmp_path / "empty.toml"
    pack.write_text(result.stdout, encoding="utf-8")
    check = runner.invoke(main, ["rules", "check", str(pack)])
    assert check.exit_code == 0 and "0 rules: no problems" in check.output, check.output
    said = []
    (tmp_path / "no-pages").mkdir()
    learn(tmp_path / "no-pages", warn=said.append)
    assert said == ["learned no rules (the pack written is empty): no pages to learn from (is --glob right?)"]
