"""Kind `recurring` and the cross-page counts behind it (repeats.py)."""

from __future__ import annotations

import random

from conftest import ROOT, SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_site import TOPICS, page

from clean_articles import clean_text, load_rules
from clean_articles.api import clean_document
from clean_articles.document import Document
from clean_articles.encoding import decode
from clean_articles.repeats import Counts, count_texts, data_keys, free_blocks, line_keys, protected, text_keys

RULES = load_rules([ROOT / "rules" / "generic" / "recurring.toml"], builtin=False, strict=True)
STORY = (
    "Quake shakes the capital\n\nBy AP\n\n"
    "A strong earthquake shook the capital on Sunday, cracking walls and sending people into the streets.\n\n"
    "Rescue teams searched the old town through the night, the interior ministry said in a statement.\n\n"
    "Home | World | Sport\n"
)
QUOTE = 'Minister quits\n\n"I will not stay a day longer," she said.\n'


def clean_batch(texts: list[str]) -> list[str]:
    counts = count_texts(texts)
    return [clean_document(Document.from_text(t), RULES, t, repeats=counts).text for t in texts]


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


def test_pipe_mode_removes_nothing():
    assert clean_text(page(3), RULES).text == page(3)


def test_counts_depend_neither_on_order_nor_on_how_pages_are_split():
    pages = [page(k) for k in range(10)] + [STORY, QUOTE]
    whole = count_texts(pages)
    shuffled = pages[:]
    random.Random(3).shuffle(shuffled)
    left, right = Counts(), Counts()
    for k, text in enumerate(shuffled):
        (left if k % 3 else right).add_page(text_keys(text))
    right.merge(left)
    assert right.prune().digest() == whole.digest() and whole.pages == 12


def test_counts_keep_integers_not_texts_and_only_keys_on_two_pages_or_more():
    counts = count_texts([page(k) for k in range(10)])
    assert counts.counts and all(type(k) is int and n >= 2 for k, n in counts.counts.items())


def test_below_the_page_threshold_nothing_goes():
    pages = [page(k) for k in range(2)]  # min_pages is 3
    assert clean_batch(pages) == [clean_text(p, RULES).text for p in pages]


def test_what_a_block_loses_is_memoised_per_batch_never_across_batches():
    pages = [page(k) for k in range(10)]
    assert clean_batch(pages) != pages  # the rule's memo now holds this batch's blocks
    assert clean_batch(pages[:2]) == [clean_text(p, RULES).text for p in pages[:2]]  # a batch below the threshold
    counts = count_texts(pages[:2])
    for text in pages[2:]:  # the same counts object, grown into a batch where they recur
        counts.add_page(text_keys(text))
    got = clean_document(Document.from_text(pages[0]), RULES, pages[0], repeats=counts).text
    assert got == clean_batch(pages)[0]


def test_a_block_is_memoised_with_the_lines_excluded_in_it():
    pages = [page(k) for k in range(10)]
    counts = count_texts(pages)
    doc = Document.from_text(pages[0])
    rule = next(r for r in RULES.rules if r.kind == "recurring").matcher
    masks = [bytearray(len(doc))]
    for start, end in doc.blocks:
        for i in range(start, end if end - start > 1 else start):  # one line of a larger block taken
            mask = bytearray(len(doc))
            mask[i] = 1
            masks.append(mask)
    assert len(masks) > 3
    for mask in masks + masks[::-1]:  # the same blocks again, now from the memo
        fresh = type(rule)(rule.rule, rule.params)
        assert list(rule.mark(doc, mask, counts)) == list(fresh.mark(doc, mask, counts))


def page_keys(doc: Document) -> set[int]:
    """What text_keys() must find, by definition: the keys of every line of the page that
    `protected` (the line-level rule the recurring matcher goes by) leaves, in block context."""
    guard = protected(doc)
    found: set[int] = set()
    for start, end, _ in free_blocks(doc, guard):
        found.update(
            k for (keys, _), g in zip(line_keys(doc.stripped[start:end]), guard[start:end]) if not g for k in keys
        )
    return found


def test_text_keys_are_the_keys_of_the_lines_protected_leaves_on_the_samples():
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted((SAMPLES / "raw").glob("*.txt"))]
    texts += [page(k) for k in range(10)] + [STORY, QUOTE]
    for text in texts:
        assert text_keys(text) == page_keys(Document.from_text(text))


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
@given(st.lists(st.sampled_from(LINE_KINDS), max_size=30), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_text_keys_agree_with_protected_on_any_page(lines, end, last):
    text = end.join(lines) + (end if last else "")
    assert text_keys(text) == page_keys(Document.from_text(text))


PIECES = [kind.encode() for kind in LINE_KINDS] + [
    b"\n",
    b"\r\n",
    b"\r",
    b"\n\n",
    b"\xef\xbb\xbf",
    b"caf\xc3\xa9 au lait",
    b"caf\xe9",
    b"\xe2\x80",
    b"\xff\xfe",
    "Übersicht – Nachrichten".encode(),
    "今日のニュース".encode(),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_keys_from_bytes_are_the_keys_of_the_decoded_text(pieces):
    """Pass 1 counts from a page's bytes (data_keys): what it finds is what text_keys finds in
    the text pass 2 reads, whatever the line breaks, byte-order mark or undecodable bytes."""
    data = b"".join(pieces)
    assert data_keys(data) == text_keys(decode(data)[0])
