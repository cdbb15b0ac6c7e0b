"""Across the pages of a batch: fingerprints of lines, and how many pages hold each (`Counts`).

Site chrome (sidebars, footers, newsletter prompts, "Most read" lists whose items rotate) recurs
from page to page with only numbers, dates and counters changed. Each line is folded
(`text.fold_counters`: case, digits, date words, bullets and punctuation) and hashed to a 64-bit
key; a line of seven words or more also gets a *near* key from its first and last three folded
words, so a line whose middle changes (an author, a title in a teaser) still meets its kin. The
cost is linear in the number of lines: one hash per key, no comparison between pages, and only
keys (never texts) are kept.

A key is counted once per page. Lines alone in their block and lines inside a larger block are
keyed apart, so an article's headline (alone on its own page) is not confused with the same title
as an item of other pages' "Most read" lists.

Protected lines are never counted, so recurrence can never remove them (see `protected`): the
page's sentences inside its body, and the few lines right before the body (headline, byline).
The same agency story syndicated on several pages of a batch keeps its text that way.

>>> counts = count_texts(["Menu\\n\\nStory one.\\n", "Menu\\n\\nStory two.\\n", "Menu\\n\\nOther.\\n"])
>>> counts.pages, counts.get(line_keys(Document.from_text("Menu"), [0])[0][0][0])
(3, 3)
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter

from clean_articles._core import keys
from clean_articles.document import LEFT, Document
from clean_articles.text import fold_counters, sentence_flags

NEAR_WORDS = 7  # lines with this many folded words also get a near key
TITLE_LINES = 4  # the blocks right before the body, up to this many lines, are protected


def line_keys(doc: Document, lines: list[int]) -> list[tuple[tuple[int, ...], int]]:
    """For each of `lines` (indices of non-blank lines, in order): its keys in its block (alone,
    or inside a larger one) and the length of its folded text."""
    blocks, owner = doc.blocks, doc.block_of
    folded = doc.each(fold_counters, lines)
    contexts = bytes(b"L"[0] if blocks[owner[i]][1] - blocks[owner[i]][0] > 1 else b"A"[0] for i in lines)
    return list(zip(keys(folded, contexts, NEAR_WORDS), map(len, folded)))


def protected(doc: Document) -> bytes:
    """1 for each line recurrence must never remove, 0 for the others: the body's sentences (every
    sentence when the page has no body) and the small blocks right before the body, or before the
    first sentence (headline, byline, dateline), up to TITLE_LINES lines; a longer block there (a
    list) ends the stretch."""
    guard = bytearray(len(doc))
    lo, hi = doc.body or (0, len(doc))
    guard[lo:hi] = bytes(doc.each(sentence_flags, range(lo, hi)))
    first = guard.find(1)
    if first < 0:
        return bytes(guard)
    lo = first if doc.body is None else lo  # a line with text, so inside a block
    own = bisect_right(doc.blocks, lo, key=itemgetter(0)) - 1
    taken = lo - doc.blocks[own][0]
    guard[lo - taken : lo] = b"\1" * taken
    for start, end in reversed(doc.blocks[:own]):
        if taken + end - start > TITLE_LINES:
            break
        guard[start:end] = b"\1" * (end - start)
        taken += end - start
    return bytes(guard)


def page_keys(doc: Document) -> set[int]:
    """Every key of the page's unprotected lines, once: what the page adds to a batch's counts."""
    guard = protected(doc)
    free = [i for i in compress(range(len(doc)), guard.translate(LEFT)) if doc.stripped[i]]
    return set(chain.from_iterable(line for line, _ in line_keys(doc, free)))


@dataclass
class Counts:
    """How many pages of a batch hold each key. Merging is a sum, so the result depends neither
    on the order of the pages nor on how they were split among workers."""

    pages: int = 0
    counts: dict[int, int] = field(default_factory=dict)

    def add_page(self, keys: Iterable[int]) -> None:
        self.pages += 1
        c = self.counts
        for k in keys:
            c[k] = c.get(k, 0) + 1

    def merge(self, other: Counts) -> None:
        self.pages += other.pages
        c = self.counts
        for k, n in other.counts.items():
            c[k] = c.get(k, 0) + n

    def prune(self) -> Counts:
        """Drop keys seen on one page only: they can never pass a threshold of two pages or more."""
        self.counts = {k: n for k, n in self.counts.items() if n > 1}
        return self

    def get(self, key: int) -> int:
        return self.counts.get(key, 0)

    def digest(self) -> str:
        """A fingerprint of the counts, for deciding whether an earlier output is up to date."""
        h = hashlib.sha256(f"pages={self.pages}\n".encode())
        for k in sorted(self.counts):
            h.update(k.to_bytes(8, "big") + self.counts[k].to_bytes(4, "big"))
        return h.hexdigest()[:16]


def count_texts(texts: Iterable[str]) -> Counts:
    """Counts for a few pages in memory (rule examples, tests, learn on small folders)."""
    counts = Counts()
    for text in texts:
        counts.add_page(page_keys(Document.from_text(text)))
    return counts.prune()
