"""The RE2 prefilter is a superset: it never drops a line the rule's own regex matches."""

from __future__ import annotations

import pytest
import re2
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import load_rules
from clean_articles.patterns import Pattern
from clean_articles.pipeline import Pipeline
from clean_articles.prefilter import Prefilter, line_starts, spans, widen

SHIPPED = Pipeline(load_rules())
PREFILTERS = [SHIPPED.prefilter, *(SHIPPED.gated(p) for p in SHIPPED.rules.packs if p.when is not None)]
PATTERNS = [p for pf in PREFILTERS for _, members in pf.groups for p in members]
LINES = sorted(
    {
        line.strip()
        for path in (SAMPLES / "raw").glob("*.txt")
        for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        if line.strip()
    }
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"^\w+$", r"^[\p{L}\p{N}\p{M}\p{Pc}]+$"),
        (r"(?i)\bread more\b", r"(?i)read more"),
        (r"[^\w\s]", r"[^\w\s\n]"),  # negated class: ASCII classes exclude less, so match more; never \n
        (r"[\w.-]+@", r"[\p{L}\p{N}\p{M}\p{Pc}.-]+@"),
        (r"\d{4}", r"\p{N}{4}"),
        (r"^(a)\1$", r"^(a).*$"),  # a back-reference matches some text
        (r"^(?!By )\w", r"^[\p{L}\p{N}\p{M}\p{Pc}]"),  # a look-around only restricts
        (r"^(?=(?:\S+\s+){0,4}\S+$)[A-Z]", r"^[A-Z]"),
        (r"(?>ab|a)c", r"(?:ab|a)c"),  # atomic group
        (r"a++b", r"a+b"),  # possessive
        (r"^[^©]{0,300}©.{1,80}$", r"^[^©\n]{0,}©.{1,}$"),  # counted repeats lose their upper bound
        (r"\A\W\D\z", r"^[^\n0-9A-Za-z_][^\n0-9]$"),  # a line's start and end; nothing crosses lines
        (r"\d{1,4}[/.]\d{1,2}", r"\p{N}{1,}[/.]\p{N}{1,}"),
        (r"(?:\s\w+){0,4}", r"(?:[\t\f\r \x{0b}\p{Z}\x{85}\x{1c}-\x{1f}][\p{L}\p{N}\p{M}\p{Pc}]+){0,}"),
        (r"[a{0,300}]x", r"[a{0,300}]x"),  # braces in a class are characters
        (r"x(?i)y", r"(?i)xy"),  # regex applies a mid-pattern flag to the whole pattern
        (r"[^\W]", None),  # cannot be widened soundly
        (r"(?x) a b", None),  # verbose flag
    ],
)
def test_widen(source, expected):
    assert widen(source) == expected


def test_most_shipped_patterns_are_prefiltered():
    every = [p.when for p in SHIPPED.rules.packs if p.when] + [
        p for r in SHIPPED.rules.rules for p in r.matcher.patterns()
    ]
    assert len(PATTERNS) >= 0.8 * len(every)


def test_gated_packs_are_scanned_apart():
    ungated = {p for _, members in SHIPPED.prefilter.groups for p in members}
    pack = next(p for p in SHIPPED.rules.packs if p.name == "sputnik")
    sputnik = {p for _, members in SHIPPED.gated(pack).groups for p in members}
    assert sputnik and not sputnik & ungated


def test_prefilter_finds_every_line_each_shipped_pattern_matches_in_the_samples():
    hits = {p: lines for pf in PREFILTERS for p, lines in pf.scan(LINES).items()}
    for pattern in PATTERNS:
        truth = [i for i, line in enumerate(LINES) if pattern.rx.search(line)]
        assert set(truth) <= set(hits[pattern]), pattern.rule


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1, max_size=40
        ),
        min_size=1,
        max_size=8,
    )
)
def test_prefilter_is_a_superset_on_random_unicode(lines):
    sources = [r"^\w+\s\w+$", r"(?i)\bcomments?\b", r"^\d+$", r"[^\w\s]{2,}", r"(?i)^ÉTÉ\s*\S"]
    patterns = [Pattern(s, f"t.{k}") for k, s in enumerate(sources)]
    hits = Prefilter(patterns).scan(lines)
    for p in patterns:
        assert {i for i, line in enumerate(lines) if p.rx.search(line)} <= set(hits[p]), p.source


def test_lines_with_undecodable_bytes_are_confirmed_by_regex():
    pattern = Pattern(r"^caf.$", "t.cafe")
    lines = ["caf\udce9", "tea"]
    assert Prefilter([pattern]).scan(lines)[pattern] == [0]  # RE2 cannot read it: regex decides


def test_a_site_packs_set_is_built_on_the_first_page_its_gate_lets_in(monkeypatch):
    from clean_articles import Cleaner, pipeline

    built = []
    monkeypatch.setattr(pipeline, "Prefilter", lambda patterns: built.append(patterns) or Prefilter(patterns))
    cleaner = Cleaner()
    cleaner.clean((SAMPLES / "raw" / "cookie-banner.txt").read_text(encoding="utf-8"))
    assert len(built) == 1  # the ungated set; no site's gate let the page in
    sputnik = (SAMPLES / "raw" / "003_67a6b126cbf451ca.txt").read_text(encoding="utf-8")
    cleaner.clean(sputnik)
    cleaner.clean(sputnik)
    assert len(built) == 2  # and sputnik's, once
    assert {p.rule.partition(".")[0] for p in built[1]} == {"sputnik"}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([b"a|", b"ab|c", b"(?m)^x", b"\\bthe\\b", b"(a)(b)?", b"", b"\\n", b"[^a]+"]),
    st.lists(st.sampled_from([b"a", b"b", b"c", b"x", b"the", b" ", b"\n", b"\xc3\xa9", b"\xff"]), max_size=20).map(
        b"".join
    ),
)
def test_spans_are_finditers_matches(pattern, data):
    rx = re2.compile(pattern)
    assert list(spans(rx, data)) == [m.span() for m in rx.finditer(data)]
    assert line_starts(data) == [0, *(k + 1 for k, c in enumerate(data) if c == 10)]


def test_pipelines_of_the_same_rules_share_their_compiled_sets_and_keep_their_own_patterns():
    one, two = Pipeline(load_rules()), Pipeline(load_rules())
    assert [id(s) for s, _ in one.prefilter.groups] == [id(s) for s, _ in two.prefilter.groups]
    ours = {p for _, members in one.prefilter.groups for p in members}
    theirs = {p for _, members in two.prefilter.groups for p in members}
    assert ours and not ours & theirs  # each RuleSet's Pattern objects (and their strikes) are its own
    page = (SAMPLES / "raw" / "cookie-banner.txt").read_text(encoding="utf-8").splitlines()
    found = {p.source: lines for p, lines in one.prefilter.scan(page).items()}
    assert found == {p.source: lines for p, lines in two.prefilter.scan(page).items()}
