"""Inputs the fuzzers (fuzz/fuzz_rules.py) or hostile-input reviews found crashing, kept as tests.

Each: the loader returns or raises RuleError; the cleaner returns or raises BinaryInputError.
"""

from __future__ import annotations

import pytest
from conftest import write_pack

from clean_articles import RuleError, clean_text, load_rules
from clean_articles.packs import builtin_rules_dir


def main_pack(**override: str) -> str:
    """The shipped main-text pack with some keys' values replaced."""
    text = (builtin_rules_dir() / "generic" / "main-text.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key, value in override.items():
        lines = [f"{key} = {value}" if line.startswith(f"{key} =") else line for line in lines]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bad", ["'('", "'\\p{L}+'"])
def test_a_main_rule_regex_that_does_not_compile_is_a_rule_error(tmp_path, bad):
    # Found by review: kind `main` took its *_pattern parameters as plain strings, so
    # `rules check` passed and the first page crashed with re.error inside the classifier.
    path = write_pack(tmp_path, main_pack(byline_pattern=bad), "main-text.toml")
    with pytest.raises(RuleError) as err:
        load_rules([path], builtin=False)
    assert "rule 'blocks': regex does not compile: " in str(err.value)
    assert str(err.value).startswith(f"{path}:")


def test_the_shipped_main_rule_still_loads(tmp_path):
    rules = load_rules([write_pack(tmp_path, main_pack(), "main-text.toml")], builtin=False)
    clean_text("Menu\n\nThe talks opened in Moscow on Wednesday with a long speech by the minister.\n", rules)
