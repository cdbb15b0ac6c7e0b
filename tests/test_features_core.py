"""The compiled features (main_text/_features.c) are the plain-Python ones (reference_features.py):
on the sample pages and on generated pages made of tricky pieces, every feature of every live
line, the content words, stage 2's features and the scores are equal; and it stays linear."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import pytest
import reference_features as ref
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clean_articles.document import Document
from clean_articles.main_text import _features, load
from clean_articles.main_text.features import Rows, names, page_features
from clean_articles.main_text.model import STAGE2_NAMES, stage2_features
from clean_articles.packs import builtin_rules_dir

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples" / "raw").glob("*.txt"))
MODEL = load(builtin_rules_dir() / "models" / "main-text.toml")
# coh_core sums over a Python set of words, in the set's order (which changes with
# PYTHONHASHSEED); the C sums in the words' page order. Only there, and in the stage 2 scores
# that read it, may the last bits differ: those are compared with `close` (rel_tol=1e-12; abs_tol=1e-12
# for scores near 0).
COH_CORE = STAGE2_NAMES.index("coh_core")


def page(lines: list[str]) -> Document:
    return Document(lines, ["\n"] * len(lines))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def assert_same(doc: Document, removed, z: list[float] | None = None) -> None:
    """The C's features of `doc` are the reference's; so are stage 2's for scores `z` (random
    when None), and the scores of both stages."""
    got, want = page_features(doc, removed), ref.page_features(doc, removed)
    assert got.live == want.live
    assert list(got.words) == want.words
    assert _features.content_sets(got.content) == want.content
    assert len(got.rows) == len(want.rows)
    for k, (a, b) in enumerate(zip(got.rows, want.rows)):
        if a != b:
            bad = [(n, x, y) for n, x, y in zip(names(), a, b) if x != y]
            pytest.fail(f"line {got.live[k]} ({doc.lines[got.live[k]]!r}): {bad[:5]}")
    if not got.live:
        return
    if z is None:
        rng = random.Random(len(got.live))
        z = [rng.choice((0.0, 15.0, -15.0, 30.0, rng.uniform(-40, 40), rng.gauss(0, 3))) for _ in got.live]
    two, want2 = stage2_features(z, got), ref.stage2_features(z, want)
    for k, (a, b) in enumerate(zip(two, want2)):
        for f, (x, y) in enumerate(zip(a, b)):
            assert x == y or (f == COH_CORE and close(x, y)), (got.live[k], STAGE2_NAMES[f], x, y)
    # the scores: the C's sums are Python's sums, in the same order
    member = MODEL.members[0]
    z1 = member.stage1.scores(got.rows)
    assert z1.tolist() == [member.stage1.score(row) for row in got.rows]
    assert z1.tolist() == [member.stage1.score(row) for row in want.rows]
    rows2 = Rows(got.rows.flat, got.rows.width, _features.stage2(z1, got.words, got.content), len(STAGE2_NAMES))
    z2 = member.stage2.scores(rows2)
    assert z2.tolist() == [member.stage2.score(row) for row in rows2]
    want_z2 = [member.stage2.score(r + s) for r, s in zip(want.rows, ref.stage2_features(list(z1), want))]
    assert all(close(x, y) for x, y in zip(z2, want_z2))  # coh_core (see COH_CORE)
    assert member.scored(got, got.rows)[2].tolist() == [z + member.trees.score(row) for z, row in zip(z2, rows2)]


# ---------------------------------------------------------------------------------------------
# The sample pages


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_the_samples_get_the_reference_features(path):
    doc = Document.from_text(path.read_text(encoding="utf-8", errors="surrogateescape"))
    assert_same(doc, [False] * len(doc))
    rng = random.Random(path.name)
    assert_same(doc, [rng.random() < 0.25 for _ in doc.lines][: rng.randrange(len(doc) + 1)])


# ---------------------------------------------------------------------------------------------
# Generated pages

PROSE = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring.",
    "The decision follows two years of debate in which residents and shop owners argued over it,",
    "According to the report, repairs would cost about a third of a new bridge but would not last",
    "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke für Autos zu sperren, und das ist gut.",
    "Le conseil municipal a voté mardi la fermeture du vieux pont aux voitures dès le printemps.",
    "市议会周二投票决定从明年春天起禁止汽车通行旧港口大桥。",
    "Η ΑΠΟΦΑΣΗ ΕΛΗΦΘΗ ΜΕΤΑ ΑΠΟ ΔΥΟ ΧΡΟΝΙΑ ΣΥΖΗΤΗΣΕΩΝ ΣΤΟ ΣΥΜΒΟΥΛΙΟ ΤΗΣ ΠΟΛΗΣ",
    "Why would the council close a bridge that thousands of people use every single day?",
    "John says: I think the bridge should stay open for everyone who lives on the other side.",
    "Your email address will not be published. Required fields are marked",
    "Jane Doe is a writer and editor based in Lisbon who covers cities.",
]
PIECES = [
    # bullets and numbers
    "• ", "· ", "- ", "– ", "* ", "> ", "► ", "1. ", "12) ", "(3) ", "(١٢) ", "999. ", "1234. ", "7.", "(", "1",
    "٣. ", "²) ",
    # questions and answers
    "Q: ", "A. ", "q12) ", "Question - ", "FRAGE: ", "respuesta) ", "İ", "ı", "ſ", "answer :", "Q1:",
    # cue words and written cues
    "reply", "Reply", "subscribe", "sign up", "Sign Up for", "log in to reply", "©", "says:", "said:", "wrote:",
    "% off", "Inc.", "source:", "Tags:", "Related", "Read more", "Comments", "Share", "Photo", "By", "by", "posted",
    "you may also like", "Getty Images", "advertisement", "we", "our", "Post Comment", "Submit",
    # ends
    "…", "...", "[…]", "[...]", "…]", "...]", "?", "!", ".", ",", ":", "、", "，", "。", "！", ";", "~", "\"", "”",
    "»", ")", "]", "」",
    # digits, dates, addresses
    "١٢", "٣", "²", "2024", "12:30", "jan", "Monday", "ago", "5 min", "views", "http://x.com/a", "www.example.com",
    "a@b.org", ".com",
    # spaces and odd characters
    "\t", "\u00a0", "\u2003", "\udce9", "", " ", " | ", " · ", " / ", " • ", "x_y", "_", "ǅ", "ß", "ﬁ", "Σ", "ΣΑΣ",
    "中文字", "한국어", "ひらがな", "\u0307", "K",
    # words
    "the", "and", "of", "to", "is", "der", "die", "und", "le", "la", "el", "de", "word", "Longword", "Council",
]  # fmt: skip

LINE = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=10).map(" ".join),
    st.sampled_from(PROSE),
    st.tuples(st.sampled_from(PIECES), st.sampled_from(PROSE)).map("".join),
    st.tuples(st.sampled_from(PROSE), st.sampled_from(PIECES), st.sampled_from(PROSE)).map(" ".join),
    st.builds("{}{} {}".format, st.integers(0, 9), st.sampled_from([".", ")", ".)"]), st.sampled_from(PROSE + PIECES)),
    st.builds("({}) {}".format, st.integers(0, 9), st.sampled_from(PROSE)),
    st.tuples(st.sampled_from(['"', "“", "‘", "'", "«", "„"]), st.sampled_from(PROSE)).map("".join),
    st.just(""),
)
PAGE = st.lists(LINE, max_size=40)


@st.composite
def pages(draw):
    lines = draw(PAGE)
    rng = draw(st.randoms(use_true_random=False))
    removed = [rng.random() < 0.3 for _ in lines][: rng.randrange(len(lines) + 1)]
    return lines, removed, rng


def check_generated(case) -> None:
    lines, removed, rng = case
    doc = page(lines)
    n = len(ref.page_features(doc, removed).live)
    z = [rng.choice((0.0, -0.0, 15.0, -15.0, 30.0, -30.0, 0.5, rng.uniform(-50, 50))) for _ in range(n)]
    assert_same(doc, removed, z)
    assert_same(doc, bytes(removed), z)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_get_the_reference_features(case):
    check_generated(case)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_get_the_reference_features_long(case):
    check_generated(case)


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [""],
        ["", "   ", "\t"],
        ["---", "***", "| |"],
        ["• ", "1. ", "(3)"],
        ["x"],
        ["İstanbul İSTANBUL ΣΑΣ"] * 3,
        ["1. One", "2. Two", "3) Three", "(4) Four", "5. Five"] * 2,
    ],
)
def test_small_and_empty_pages(lines):
    assert_same(page(lines), [False] * len(lines))
    assert_same(page(lines), [True] * len(lines))  # no live line at all


def test_removed_longer_than_the_page_is_read_as_python_reads_it():
    lines = ["A line with some words in it.", "Another line of words here."]
    for removed in ([False, False, True], [False, True, True], [False, False, False, True]):
        try:
            want = ref.page_features(page(lines), removed)
        except IndexError:
            with pytest.raises(IndexError):
                page_features(page(lines), removed)
        else:
            assert page_features(page(lines), removed).rows == want.rows


# ---------------------------------------------------------------------------------------------
# Linear time


@pytest.mark.slow
def test_a_huge_line_and_many_lines_stay_linear():
    rng = random.Random(7)
    words = [p for p in PIECES + " ".join(PROSE).split() if p.strip()]
    huge = " ".join(rng.choice(words) for _ in range(300_000))[:2_000_000]
    start = time.perf_counter()
    page_features(page([huge, "", PROSE[0], huge]), [])
    assert time.perf_counter() - start < 3.0
    lines = [rng.choice(PROSE + [" ".join(rng.choices(words, k=rng.randrange(1, 12))), ""]) for _ in range(100_000)]
    start = time.perf_counter()
    feats = page_features(page(lines), [rng.random() < 0.1 for _ in lines])
    MODEL.scores(feats)
    assert time.perf_counter() - start < 3.0
