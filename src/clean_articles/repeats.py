"""Across the pages of a batch: fingerprints of lines, and how many pages hold each (`Counts`).

Site chrome (sidebars, footers, newsletter prompts, "Most read" lists whose items rotate) recurs
from page to page with only numbers, dates and counters changed. Each line is folded
(`text.fold_counters`: case, digits, date words, bullets and punctuation) and hashed to a 64-bit
key; a line of seven words or more also gets a *near* key from its first and last three folded
words, so a line whose middle changes (an author, a title in a teaser) still meets its kin. The
cost is linear in the number of lines: one hash per key, no comparison between pages, and only
keys (never texts) are kept.

A key is counted once per page, and a batch keeps the keys that recur (`Tally`, in bounded
memory). Lines alone in their block and lines inside a larger block are
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
from collections import deque
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
    context = bytearray(b"L" * len(doc))  # a line inside a larger block
    for start, end in doc.blocks:
        if end - start == 1:
            context[start] = ord("A")  # alone in its block
    folded = doc.each(fold_counters, lines)
    return list(zip(keys(folded, bytes(map(context.__getitem__, lines)), NEAR_WORDS), map(len, folded)))


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
    """How many pages hold each key: of a chunk of pages (every key), or of a whole batch (the
    keys that recur, from `Tally`)."""

    pages: int = 0
    counts: dict[int, int] = field(default_factory=dict)

    def add_page(self, keys: Iterable[int]) -> None:
        self.pages += 1
        c = self.counts
        for k in keys:
            c[k] = c.get(k, 0) + 1

    def get(self, key: int) -> int:
        return self.counts.get(key, 0)

    def digest(self) -> str:
        """A fingerprint of the counts, for deciding whether an earlier output is up to date."""
        h = hashlib.sha256(f"pages={self.pages}\n".encode())
        for k in sorted(self.counts):
            h.update(k.to_bytes(8, "big") + self.counts[k].to_bytes(4, "big"))
        return h.hexdigest()[:16]


WINDOW = 1 << 18  # keys seen on one page only that a batch's tally remembers (the newest)


class Tally:
    """A batch's counts, summed from the counts of its chunks in their order, in bounded memory.

    A key on two pages or more is counted from then on. A key seen on one page only is kept among
    the last `window` such keys (those of the oldest chunks are forgotten first), so memory stops
    growing with pages that share nothing: it holds at most `window` keys seen once (plus a
    chunk's), and the keys that recur. A key is counted exactly unless two of its pages lie so far
    apart that more than `window` other keys seen once came between them; then it counts from the
    later page on. Chunks are the same whatever the number of workers and are added in order, so
    the counts are too.
    """

    def __init__(self, window: int = WINDOW):
        self.window = window
        self.pages = 0
        self.recur: dict[int, int] = {}
        self.once: set[int] = set()
        self._chunks: deque[list[int]] = deque()  # the keys each chunk added to `once`, oldest first

    def add(self, chunk: Counts) -> None:
        self.pages += chunk.pages
        recur, once, fresh = self.recur, self.once, []
        for k, n in chunk.counts.items():
            if k in recur:
                recur[k] += n
            elif k in once:
                once.discard(k)
                recur[k] = n + 1
            elif n > 1:
                recur[k] = n
            else:
                fresh.append(k)
        once.update(fresh)
        self._chunks.append(fresh)
        while len(once) > self.window and len(self._chunks) > 1:
            once.difference_update(self._chunks.popleft())

    def counts(self, least: int = 2) -> Counts:
        """The counts of the keys on at least `least` pages (what can recur enough to matter)."""
        return Counts(self.pages, {k: n for k, n in self.recur.items() if n >= least})


def count_texts(texts: Iterable[str]) -> Counts:
    """Counts for a few pages in memory (rule examples, tests, learn on small folders)."""
    chunk = Counts()
    for text in texts:
        chunk.add_page(page_keys(Document.from_text(text)))
    tally = Tally()
    tally.add(chunk)
    return tally.counts()
