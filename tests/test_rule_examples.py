"""Every shipped rule's examples, each run with only that rule enabled (one test per example)."""

from __future__ import annotations

import pytest

from clean_articles import load_rules
from clean_articles.examples import normalise, run

RULES = load_rules(strict=True)
CASES = [(rule, n, ex) for rule in RULES.rules for n, ex in enumerate(rule.examples, 1)]


@pytest.mark.parametrize(
    ("rule", "n", "example"), CASES, ids=[f"{r.full_id}#{n}{'-keep' if e.keep else ''}" for r, n, e in CASES]
)
def test_example(rule, n, example):
    want = normalise(example.raw if example.keep else example.clean)
    assert run(RULES, rule, example) == want


def test_every_rule_has_both_kinds_of_example():
    # strict loading already enforces this; assert it on the data so the guarantee is visible
    for rule in RULES.rules:
        assert any(e.keep for e in rule.examples), rule.full_id
        assert any(not e.keep for e in rule.examples), rule.full_id


def test_every_site_pack_is_gated():
    for pack in RULES.packs:
        if "/sites/" in pack.path.replace("\\", "/"):
            assert pack.when is not None, pack.name
