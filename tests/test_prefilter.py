"""The RE2 prefilter is a superset: it never drops a line the rule's own regex matches."""

from __future__ import annotations

import pytest
from conftest import SAMPLES
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clean_articles import load_rules
from clean_articles.patterns import Pattern
from clean_articles.prefilter import Prefilter, widen

SHIPPED = load_rules()
PREFILTERS = [SHIPPED.prefilter, *(SHIPPED.gated(p) for p in SHIPPED.packs if p.when is not None)]
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
        (r"[^\w\s]", r"[^\w\s]"),  # negated class: ASCII classes exclude less, so match more
        (r"[\w.-]+@", r"[\p{L}\p{N}\p{M}\p{Pc}.-]+@"),
        (r"\d{4}", r"\p{N}{4}"),
        (r"^(a)\1$", r"^(a).*$"),  # a back-reference matches some text
        (r"^(?!By )\w", r"^[\p{L}\p{N}\p{M}\p{Pc}]"),  # a look-around only restricts
        (r"^(?=(?:\S+\s+){0,4}\S+$)[A-Z]", r"^[A-Z]"),
        (r"(?>ab|a)c", r"(?:ab|a)c"),  # atomic group
        (r"a++b", r"a+b"),  # possessive
        (r"^[^©]{0,300}©.{1,80}$", r"^[^©]{0,}©.{1,}$"),  # counted repeats lose their upper bound
        (r"\d{1,4}[/.]\d{1,2}", r"\p{N}{1,}[/.]\p{N}{1,}"),
        (r"(?:\s\w+){0,4}", r"(?:[\s\x{0b}\p{Z}\x{85}\x{1c}-\x{1f}][\p{L}\p{N}\p{M}\p{Pc}]+){0,}"),
        (r"[a{0,300}]x", r"[a{0,300}]x"),  # braces in a class are characters
        (r"x(?i)y", r"(?i)xy"),  # regex applies a mid-pattern flag to the whole pattern
        (r"[^\W]", None),  # cannot be widened soundly
        (r"(?x) a b", None),  # verbose flag
    ],
)
def test_widen(source, expected):
    assert widen(source) == expected


def test_most_shipped_patterns_are_prefiltered():
    every = [p.when for p in SHIPPED.packs if p.when] + [
        v for r in SHIPPED.rules for v in vars(r.matcher).values() if isinstance(v, Pattern)
    ]
    assert len(PATTERNS) >= 0.8 * len(every)


def test_gated_packs_are_scanned_apart():
    ungated = {p for _, members in SHIPPED.prefilter.groups for p in members}
    pack = next(p for p in SHIPPED.packs if p.name == "sputnik")
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
    import clean_articles.rules as rules_module
    from clean_articles import clean_text

    built = []
    monkeypatch.setattr(
        rules_module, "Prefilter", lambda patterns, screens=(): built.append(patterns) or Prefilter(patterns, screens)
    )
    rules = load_rules()
    clean_text((SAMPLES / "raw" / "cookie-banner.txt").read_text(encoding="utf-8"), rules)
    assert len(built) == 1  # the ungated set; no site's gate let the page in
    sputnik = (SAMPLES / "raw" / "003_67a6b126cbf451ca.txt").read_text(encoding="utf-8")
    clean_text(sputnik, rules)
    clean_text(sputnik, rules)
    assert len(built) == 2  # and sputnik's, once
    assert {p.rule.partition(".")[0] for p in built[1]} == {"sputnik"}


def test_phrase_rules_on_lines_find_the_same_lines_through_the_screen():
    """A phrase rule on lines looks only at the lines its screen let through in the prefilter's
    pass: on every sample page it marks what it marks looking at every line."""
    from clean_articles.document import Document

    screens = [s for pf in PREFILTERS for s in pf.screens]
    assert {m.rule for m in screens} >= {"cookies.banner", "share.prompts", "accounts.walls"}
    for path in sorted((SAMPLES / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        screened, every = Document.from_text(text), Document.from_text(text)
        for pf in PREFILTERS:
            screened.candidates.update(pf.scan(screened.stripped))
        for m in screens:
            removed = bytearray(len(every))
            assert list(m.mark(screened, removed)) == list(m.mark(every, removed)), (path.name, m.rule)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([" ", " " * 300, "\t" * 50]), min_size=4, max_size=4),
    st.sampled_from(["", "now", "x" * 60, "x" * 60 + " " + "y" * 60, "z " * 120]),
)
def test_a_phrase_screen_says_no_to_long_lines_as_the_fold_would(gaps, extra):
    """A line longer than any phrase could cover is turned away without folding it (a 20 MB
    line would be folded once per phrase rule), exactly when its folded text is too long: a long
    line of spaces that folds to the phrase still goes."""
    from clean_articles.document import fold_line, strip_line
    from clean_articles.matchers.phrase import PhraseMatcher

    m = PhraseMatcher(
        "t.prompt", {"phrases": ["sign up for our newsletter"], "score": 85, "coverage": 0.8, "unit": "line"}
    )
    words = ["Sign", "up", "for", "our", "newsletter"]
    line = strip_line(words[0] + "".join(g + w for g, w in zip(gaps, words[1:])) + f" {extra}")
    assert m.screen(line) == (m._line(fold_line(line)) is not None)


_SHORT = {"phrases": ["get the app", "sign up for our newsletter"], "score": 85, "coverage": 0.8, "unit": "line"}
_LONG = {
    "phrases": ["we use cookies to improve your experience on our website", "share this"],
    "score": 80,
    "coverage": 0.3,
    "unit": "line",
}
_TOKENS = [
    "Sign",
    "up",
    "for",
    "our",
    "newsletter",
    "Get",
    "the",
    "app",
    "cookies",
    "We",
    "use",
    "improve",
    "experience",
    "website",
    "Share",
    "this",
    "Ünïcode",
    "ß",
    "x" * 70,
    "1,234",
]


_COOKIES = [(w, " ") for w in "We use cookies to improve your experience on our website".split()]


@settings(max_examples=300, deadline=None)
@example(_COOKIES + [("x" * 70, " "), ("Share", "")])  # too long for t.short, covered for t.long
@example([("Get", " " * 90), ("the", " " * 90), ("app", "")])  # spaces fold away
@given(
    st.lists(st.tuples(st.sampled_from(_TOKENS), st.sampled_from([" ", "  ", " " * 90, "\t"])), min_size=1, max_size=40)
)
def test_screening_phrase_rules_together_says_what_each_rule_says_alone(parts):
    """The prefilter asks a kind's screens together (one fold and one word lookup a line for
    all phrase rules, a length gate before folding): each rule gets the verdict it gives the
    folded line on its own, whatever the rules' lengths, bare phrases and the line's spacing."""
    from clean_articles.document import fold_line, strip_line
    from clean_articles.matchers.phrase import PhraseMatcher

    shipped = [s for pf in PREFILTERS for s in pf.screens]
    rules = [PhraseMatcher("t.short", _SHORT), PhraseMatcher("t.long", _LONG), *shipped]
    line = strip_line("".join(word + gap for word, gap in parts))
    alone = tuple(m for m in rules if m._line(fold_line(line)) is not None)
    assert PhraseMatcher.screener(rules)(line) == alone
    assert tuple(m for m in rules if m.screen(line)) == alone
