"""The rule loader: every problem in a broken pack is one line with file, line, rule and a hint."""

from __future__ import annotations

import pytest
from conftest import SKIP_PACK, write_pack

from clean_articles import RuleError, clean_text, load_rules
from clean_articles.cli import main
from clean_articles.packs import builtin_rules_dir

GOOD = (
    SKIP_PACK
    + """\
  [[rule.example]]
  raw = "Skip to content\\nHello"
  clean = "Hello"
  [[rule.example]]
  raw = "You may skip to content you like."
  keep = true
"""
)


def problems(tmp_path, text, **kw):
    path = write_pack(tmp_path, text)
    with pytest.raises(RuleError) as err:
        load_rules([path], builtin=False, **kw)
    return [str(p).replace(str(path), "mine.toml") for p in err.value.problems]


def test_good_pack_loads_with_full_ids(tmp_path):
    rules = load_rules([write_pack(tmp_path, GOOD)], builtin=False, strict=True)
    assert [r.full_id for r in rules.rules] == ["mine.skip"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('kind = "line"', 'kind = "lines"'),
            "mine.toml:6: rule 'skip': unknown kind 'lines': 'kind' must be one of "
            "['line', 'main', 'phrase', 'recurring', 'repeated', 'section']. Did you mean 'line'?",
        ),
        (
            ("pattern =", "patern ="),
            "mine.toml:8: rule 'skip': unknown key 'patern' for kind 'line'. Did you mean 'pattern'?",
        ),
        (
            ("'(?i)^skip to content$'", "'(?i)^skip to (content$'"),
            "mine.toml:8: rule 'skip': regex does not compile: missing ) at position 22.",
        ),
        (
            ("'(?i)^skip to content$'", '"(skip"'),
            "mine.toml:8: rule 'skip': regex does not compile: missing ) at position 5. "
            "Write regexes in single-quoted TOML strings ('...') so backslashes survive.",
        ),
        (('why = "Skip links."\n', ""), "mine.toml:4: rule 'skip': needs a one-line 'why' saying what it removes."),
        (
            ('id = "skip"', 'id = "Skip It"'),
            "mine.toml:5: rule 'Skip It': id 'Skip It' must be lower-case letters, digits, '-' or '_'.",
        ),
    ],
)
def test_broken_rule_is_one_line_with_position(tmp_path, change, expected):
    assert problems(tmp_path, GOOD.replace(*change)) == [expected]


def test_toml_syntax_error_has_line_column_and_quote_hint(tmp_path):
    found = problems(tmp_path, GOOD.replace("'(?i)^skip to content$'", '"\\d+ comments"'))
    assert len(found) == 1
    assert found[0].startswith("mine.toml:8:")
    assert "invalid TOML" in found[0] and "single-quoted" in found[0]


def test_a_pack_that_would_take_tomllib_hours_or_a_traceback_is_one_line(tmp_path):
    deep_key = GOOD + "a" + ".a" * 5000 + " = 1\n"  # tomllib is quadratic in a dotted key's parts
    assert problems(tmp_path, deep_key) == [f"mine.toml:{GOOD.count(chr(10)) + 1}: a key of 5001 parts (at most 32)."]
    nested = GOOD.replace("[pack]\n", "[pack]\nv = " + "[" * 3000 + "]" * 3000 + "\n", 1)
    assert problems(tmp_path, nested) == ["mine.toml: nested too deeply (arrays or tables inside one another)."]
    huge = GOOD + "# " + "x" * (1 << 20) + "\n"
    assert problems(tmp_path, huge) == ["mine.toml: over 1 MB: no rule or model file is that big."]


def test_a_pack_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_bytes(GOOD.encode().replace(b"Skip links", b"Skip l\xe9nks"))
    with pytest.raises(RuleError) as err:
        load_rules([path], builtin=False)
    line = GOOD.split("Skip links")[0].count("\n") + 1
    assert [str(p) for p in err.value.problems] == [f"{path}:{line}: not UTF-8: byte 0xe9 (a rule file is UTF-8 text)."]


def test_duplicate_id_points_at_first(tmp_path):
    text = GOOD + GOOD.split("\n", 3)[3]
    assert problems(tmp_path, text) == [
        "mine.toml:16: rule 'skip': duplicate id 'mine.skip'. The first one is at mine.toml:5."
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace('kind = "line"', 'kind = "lines"') + GOOD.split("\n", 3)[3].replace(
        'id = "skip"', 'id = "two"'
    ).replace("pattern =", "patern =")
    assert len(problems(tmp_path, text)) == 2


def test_strict_requires_both_kinds_of_example(tmp_path):
    text = GOOD.split("  [[rule.example]]")[0]
    load_rules([write_pack(tmp_path, text)], builtin=False)  # fine when not strict
    assert problems(tmp_path, text, strict=True) == [
        "mine.toml:4: rule 'skip': needs at least one must-remove example (raw + clean) "
        "and one must-keep example (raw + keep = true)."
    ]


def test_example_needs_clean_or_keep(tmp_path):
    text = GOOD.replace("  keep = true\n", "")
    assert problems(tmp_path, text) == [
        "mine.toml:12: rule 'skip': example 2 needs either 'clean' (the expected output) "
        "or 'keep = true' (must come out unchanged)."
    ]


def test_wrong_type_and_range(tmp_path):
    text = GOOD.replace('kind = "line"', 'kind = "phrase"').replace(
        "pattern = '(?i)^skip to content$'", "phrases = 'skip'\nscore = 150"
    )
    assert problems(tmp_path, text) == [
        "mine.toml:8: rule 'skip': 'phrases' must be a non-empty list of strings.",
        "mine.toml:9: rule 'skip': 'score' must be between 1 and 100.",
    ]


def test_unknown_disable_suggests(tmp_path):
    path = write_pack(tmp_path, GOOD)
    with pytest.raises(RuleError) as err:
        load_rules([path], builtin=False, disable=["mine.skp"])
    assert str(err.value) == "--disable: no rule or pack named 'mine.skp'. Did you mean 'mine.skip'?"


def test_disable_rule_and_pack(tmp_path):
    path = write_pack(tmp_path, GOOD)
    assert load_rules([path], builtin=False, disable=["mine.skip"]).rules == []
    assert load_rules([path], builtin=False, disable=["mine"]).rules == []


def test_builtin_rules_are_found_and_hold_generic_and_site_packs():
    root = builtin_rules_dir()
    assert (root / "generic").is_dir() and (root / "sites").is_dir()
    names = {p.name for p in load_rules().packs}
    assert {"menafn", "sputnik", "cookies", "main-text"} <= names


def test_fingerprint_changes_with_rules_and_options(tmp_path):
    path = write_pack(tmp_path, GOOD)
    a = load_rules([path], builtin=False).fingerprint
    assert a == load_rules([path], builtin=False).fingerprint
    assert a != load_rules([path], builtin=False, disable=["mine.skip"]).fingerprint
    path.write_text(GOOD.replace("Skip links.", "Skip links!"), encoding="utf-8")
    assert a != load_rules([path], builtin=False).fingerprint


def test_a_pack_named_like_another_is_refused_naming_both_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_pack(tmp_path / "a", SKIP_PACK)
    write_pack(tmp_path / "b", SKIP_PACK.replace('"skip"', '"other"'))
    with pytest.raises(RuleError) as e:
        load_rules([tmp_path / "a", tmp_path / "b"], builtin=False)
    assert [str(p) for p in e.value.problems] == [
        f"{tmp_path / 'b' / 'mine.toml'}:1: a pack named 'mine' comes from {tmp_path / 'a' / 'mine.toml'} already. "
        "A pack is named after its file: rename this one (my-mine.toml, say)."
    ]


@pytest.mark.parametrize("command", [[], ["rules", "check"], ["rules", "test"]])
def test_a_user_pack_named_like_a_shipped_one_is_refused(runner, tmp_path, command):
    write_pack(tmp_path, SKIP_PACK, "footer.toml")
    result = runner.invoke(main, [*command, *(["--rules"] if not command else []), str(tmp_path / "footer.toml")],
                           input="text\n")  # fmt: skip
    assert result.exit_code == 1
    assert "footer.toml:1: a pack named 'footer' comes from " in result.output
    assert str(builtin_rules_dir() / "generic" / "footer.toml") in result.output


def test_a_pack_read_again_is_parsed_once_and_each_reader_gets_its_own_copy(tmp_path, monkeypatch):
    from clean_articles import tomlfile

    parsed = []
    real = tomlfile.tomllib.loads
    monkeypatch.setattr(tomlfile.tomllib, "loads", lambda text: parsed.append(text) or real(text))
    text = GOOD + "\n# this test's own text, so that no earlier test parsed it\n"
    first = tomlfile.loads(text)
    first["rule"][0]["id"] = "changed by its reader"
    assert tomlfile.loads(text)["rule"][0]["id"] == "skip" and len(parsed) == 1
    path = write_pack(tmp_path, text)
    assert [r.full_id for r in load_rules([path], builtin=False).rules] == ["mine.skip"]
    path.write_text(text.replace('id = "skip"', 'id = "skip-links"'), encoding="utf-8")
    assert [r.full_id for r in load_rules([path], builtin=False).rules] == ["mine.skip-links"]  # read anew
    assert len(parsed) == 2


def test_a_site_pack_stays_shut_on_another_sites_page():
    """Gospel Herald's pack opens on a bulleted headline about faith, not on a one-word bullet
    of a reference page's list (a Wikipedia list of laureates has "• Christian")."""
    menu = "Navigation\n\n  • Main page\n  • Contents\n\nContribute\n\n  • Help\n\n"
    article = "The prize was first awarded in 1901, the committee said.\n\nIt has been given every year since.\n"
    own = clean_text(menu + "  • Christian\n\n" + article)
    assert not [r for r in own.removals if r.rule.startswith("gospelherald.")]
    headline = "  • Discipleship and Evangelism: Walking the Path of the Great Commission\n\n"
    theirs = clean_text(menu + headline + article)
    assert [r for r in theirs.removals if r.rule.startswith("gospelherald.")]
