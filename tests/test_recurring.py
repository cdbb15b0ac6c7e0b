"""Kind `recurring` and the cross-page counts behind it (repeats.py)."""

from __future__ import annotations

import pickle
import random
from collections import Counter

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_site import TOPICS, page

from clean_articles import Cleaner, clean_text, load_rules
from clean_articles.document import Document
from clean_articles.repeats import line_keys, page_keys, protected, salt, site_of
from clean_articles.table import Table, marker, rows

RULES = load_rules([ROOT / "rules" / "generic" / "recurring.toml"], builtin=False, strict=True)
STORY = (
    "Quake shakes the capital\n\nBy AP\n\n"
    "A strong earthquake shook the capital on Sunday, cracking walls and sending people into the streets.\n\n"
    "Rescue teams searched the old town through the night, the interior ministry said in a statement.\n\n"
    "Home | World | Sport\n"
)
QUOTE = 'Minister quits\n\n"I will not stay a day longer," she said.\n'


def clean_batch(texts: list[str]) -> list[str]:
    cleaner = Cleaner(RULES)
    counts = cleaner.hot(cleaner.count(texts))
    return [cleaner.clean(t, counts).text for t in texts]


def test_rotating_sidebar_counters_and_footer_go_and_the_story_stays():
    pages = [page(k) for k in range(10)]
    for k, (raw, out) in enumerate(zip(pages, clean_batch(pages))):
        assert "Most read" not in out and "comments" not in out and "newsletter" not in out
        assert "Example Media" not in out and "Home | World" not in out
        story = [line for line in raw.splitlines() if line.startswith(("The city", "Residents", "A final vote"))]
        assert all(line in out for line in story) and len(story) == 3
        assert out.startswith(f"Council weighs the future of the {TOPICS[k]}\n\nBy Reporter {k}\n\n")


def test_a_syndicated_story_keeps_its_text_on_every_page():
    pages = [STORY] * 4 + [page(k) for k in range(6)]
    for out in clean_batch(pages)[:4]:
        assert out == STORY.replace("\nHome | World | Sport\n", "")  # only the site menu goes


def test_a_short_article_that_is_mostly_a_quote_survives_syndication():
    pages = [QUOTE] * 5 + [page(k) for k in range(5)]
    assert clean_batch(pages)[:5] == [QUOTE] * 5


def test_a_heading_pages_share_stays_among_their_own_lines_and_goes_beside_chrome():
    """Articles of a batch (of sites not named) that share a heading ("Pros"): alone among a
    page's own lines it stays; beside chrome that goes too, or at the page's end, it goes."""
    stories = [STORY.replace("Home | World | Sport\n", "").replace("capital", town) for town in TOPICS[:5]]
    amid = [s.replace("streets.\n\n", "streets.\n\nWhat we know so far\n\n") for s in stories]
    assert clean_batch(amid) == [clean_text(s, RULES).text for s in amid]
    at_end = [s + "\nWhat we know so far\n" for s in stories]
    assert all("What we know so far" not in out for out in clean_batch(at_end))


def test_pipe_mode_removes_nothing():
    assert clean_text(page(3), RULES).text == page(3)


def test_counts_depend_neither_on_order_nor_on_how_pages_are_split():
    pages = [page(k) for k in range(10)] + [STORY, QUOTE]
    cleaner = Cleaner(RULES)
    whole = cleaner.hot(cleaner.count(pages))
    for seed in range(3):
        shuffled = pages[:]
        random.Random(seed).shuffle(shuffled)
        tally = Counter()
        for k in range(0, len(shuffled), 1 + seed):  # chunks of 1, 2 and 3 pages
            tally += cleaner.count(shuffled[k : k + 1 + seed])
        assert cleaner.hot(tally) == whole and whole.pages() == 12


def test_counts_add_up_in_any_grouping_and_survive_pickling():
    pages = [{1, 2, 3}, {2, 3}, {3, 4}, {5}, {1, 5}]
    one = rows((keys, "a.com") for keys in pages)
    a, b = rows((keys, "a.com") for keys in pages[:2]), rows((keys, "a.com") for keys in pages[2:])
    both = pickle.loads(pickle.dumps(a)) + pickle.loads(pickle.dumps(b))
    assert both == one and both[marker("a.com")] == 5
    assert dict(Table.of_rows(both.items(), 2).items()) == {marker("a.com"): 5, 1: 2, 2: 2, 3: 3, 5: 2}


def test_each_site_counts_apart():
    texts = [f"Story {n} is told here in full, as it was on the day.\n\nMenu\n" for n in range(3)]
    cleaner = Cleaner(RULES)
    counts = cleaner.hot(cleaner.count(texts, ["a.com"] * 3))
    key = line_keys(Document.from_text("Menu"), [0])[0][0][0]
    assert counts.get(key ^ salt("a.com")) == 3 and counts.get(key ^ salt("b.com")) == 0 and counts.get(key) == 0
    assert counts.of("a.com").pages == 3 and counts.of("b.com").pages == 0


@pytest.mark.parametrize(
    "url, site",
    [("https://www.Example.com/a/b", "example.com"), ("http://news.example.com:8080/x", "news.example.com"),
     ("example.org/path", "example.org"), ("", ""), (None, ""), (42, ""), ("http://[bad/", "")],
)  # fmt: skip
def test_a_site_is_the_host_without_www(url, site):
    assert site_of(url) == site


def test_counts_keep_integers_not_texts_and_only_keys_on_two_pages_or_more():
    cleaner = Cleaner(RULES)
    counts = cleaner.hot(cleaner.count([page(k) for k in range(10)]))
    assert len(counts) > 1 and all(type(k) is int and n >= 2 for k, n in counts.items())


def test_below_the_page_threshold_nothing_goes():
    pages = [page(k) for k in range(2)]  # min_pages is 3
    assert clean_batch(pages) == [clean_text(p, RULES).text for p in pages]


LINE_KINDS = [
    "Home",
    "• 12 comments",
    "Most read",
    "By Jane Doe",
    "Updated 3 March 2024 10:41 am",
    "The council met on Monday.",  # a sentence, not prose
    "A short quote, she said, was all there was to it.",  # a sentence, not prose
    "The council met on Monday to agree a budget for the coming year of the town.",  # prose
    "Residents said the plan would cut the bus routes that most of them use each day.",
    "",
    "   ",
    "\u00a0",
    "\t",  # blank lines
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINE_KINDS), max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_page_counts_the_keys_of_its_unprotected_lines_and_no_other(lines, end):
    doc = Document.from_text(end.join(lines))
    guard = protected(doc)
    every = [i for i, s in enumerate(doc.stripped) if s]
    keys = dict(zip(every, line_keys(doc, every)))
    assert page_keys(doc) == {k for i in every if not guard[i] for k in keys[i][0]}
    assert all(guard[i] for i, s in enumerate(doc.stripped) if doc.body and s.endswith(".") and doc.prose[i])
