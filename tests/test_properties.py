"""Properties of cleaning over generated pages (hypothesis): debris blocks mixed with article
paragraphs, random unicode, odd whitespace, \\r and \\r\\n.

- output lines are an ordered subset of input lines (modulo trailing whitespace);
- cleaning clean text changes nothing (with the full shipped rules);
- the removals account exactly for the non-blank lines that disappear;
- diff and JSON agree with the text;
- every mark lies inside the page and is not empty.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clean_articles import clean_text, load_rules
from clean_articles.document import Document
from clean_articles.pipeline import Pipeline
from clean_articles.render import dumps
from clean_articles.text import split_lines

DEBRIS = [
    "Skip to content",
    "Home",
    "World",
    "Share on Facebook",
    "Accept all cookies",
    "Read more:",
    "Related",
    "• Trump says talks are dead",
    "12 comments",
    "November 19, 2019",
    "Advertisement",
    "© 2024 Example Media. All rights reserved.",
    "Sign in",
    "Photo: Reuters",
    "Tags:",
    "Follow us",
]
PROSE = [
    "The talks opened in Moscow on Wednesday with a long speech by the foreign minister.",
    "Both sides said afterwards that they had agreed to meet again before the end of the year.",
    "Der Minister sagte am Mittwoch, dass die Gespräche noch zwei weitere Tage dauern würden.",
    "Le ministre a déclaré mercredi que les discussions se poursuivraient encore deux jours.",
    "Officials declined to say whether the agreement would be signed before the summit in May.",
]

line = st.one_of(
    st.sampled_from(DEBRIS),
    st.sampled_from(PROSE),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=60),
)
indent = st.sampled_from(["", "", "  ", "\t", " \u00a0"])
trail = st.sampled_from(["", "", " ", "\t", "  \u3000"])
ending = st.sampled_from(["\n", "\n", "\r\n", "\r"])
page = st.lists(st.tuples(indent, line, trail, ending), max_size=40).map(
    lambda parts: "".join(a + b + c + d for a, b, c, d in parts)
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kept_lines(text: str) -> list[str]:
    return [s.rstrip() for s in split_lines(text)[0]]


@SETTINGS
@given(page)
def test_output_is_an_ordered_subset_of_input_lines(text):
    out = [s for s in kept_lines(clean_text(text).text) if s]
    source = iter(kept_lines(text))
    assert all(any(s == t for t in source) for s in out)


@SETTINGS
@given(page)
def test_cleaning_is_idempotent(text):
    once = clean_text(text).text
    assert clean_text(once).text == once


@SETTINGS
@given(page)
def test_removals_account_for_the_lost_lines(text):
    result = clean_text(text)
    lines = split_lines(text)[0]
    covered = [0] * len(lines)
    for r in result.removals:
        assert 1 <= r.first <= r.last <= len(lines)
        assert lines[r.first - 1].strip() and lines[r.last - 1].strip()
        for i in range(r.first - 1, r.last):
            covered[i] += 1
    assert all(c <= 1 for c in covered)
    removed = {i for i, c in enumerate(covered) if c and lines[i].strip()}
    kept = [s.rstrip() for i, s in enumerate(lines) if s.strip() and i not in removed]
    assert kept == [s for s in kept_lines(result.text) if s]


@SETTINGS
@given(page)
def test_diff_and_json_agree_with_the_text(text):
    result = clean_text(text)
    obj = json.loads(dumps(result.to_json("p")))
    assert obj["text"] == result.text
    assert obj["counts"]["lines_out"] >= len([s for s in kept_lines(result.text) if s])
    diff = split_lines(result.diff("p"))[0]
    body = diff[2:]  # past the ---/+++ header: a removed line "--" reads "---" in the body
    minus = [d[1:].rstrip() for d in body if d.startswith("-")]
    plus = [d[1:] for d in body if d.startswith("+")]
    explained = result.explain("p").splitlines()
    assert len(explained) == len(result.removals)
    gone = {split_lines(text)[0][i].rstrip() for r in result.removals for i in range(r.first - 1, r.last)}
    assert {m for m in minus if m} >= {g for g in gone if g} - set(kept_lines(result.text))
    assert all(p.rstrip() in kept_lines(text) for p in plus if p.strip())


SHIPPED = Pipeline(load_rules())


@SETTINGS
@given(page)
def test_every_mark_lies_inside_the_page_and_is_not_empty_and_the_mask_is_theirs(text):
    # the pipeline takes a mark of a rule that may act anywhere as it is, without clipping it
    doc = Document.from_text(text)
    marks, removed, keep = SHIPPED.mark(doc)
    assert all(0 <= m.start < m.end <= len(doc) for m in marks)
    # the mask the rounds built as they went is the one their marks make
    assert removed == bytearray(any(m.start <= i < m.end for m in marks) for i in range(len(doc)))
    assert keep == doc.kept(removed)
