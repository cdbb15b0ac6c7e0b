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
>>> counts.pages(), counts.get(line_keys(Document.from_text("Menu"), [0])[0][0][0])
(3, 3)
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from clean_articles._core import keys
from clean_articles.document import LEFT, Document
from clean_articles.text import fold_counters, sentence_flags

if TYPE_CHECKING:
    from clean_articles.table import Table

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


def page_keys(doc: Document, site: str = "") -> set[int]:
    """Every key of the page's unprotected lines, once: what the page adds to a batch's counts
    (salted by its site, see `salt`)."""
    guard = protected(doc)
    free = [i for i in compress(range(len(doc)), guard.translate(LEFT)) if doc.stripped[i]]
    found = set(chain.from_iterable(line for line, _ in line_keys(doc, free)))
    mix = salt(site)
    return {k ^ mix for k in found} if mix else found


def site_of(url: object) -> str:
    """The site of a page's URL: its host, lower case, without a leading "www." ("" for none)."""
    if not isinstance(url, str) or not url:
        return ""
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


@functools.lru_cache(maxsize=4096)
def salt(site: str) -> int:
    """What a site's keys are mixed with (XOR), so that one table holds every site's keys apart:
    0 for no site (the keys as they are)."""
    return int.from_bytes(hashlib.blake2b(site.encode("utf-8", "surrogatepass"), digest_size=8).digest()) if site else 0


WINDOW = 1 << 18  # keys seen on one page only that Counts remember (the newest)


class Counts:
    """How many pages of a batch hold each line key, per site, in bounded memory.

    A key on two pages or more is counted from then on (`recur`). A key seen on one page only is
    kept among the last `window` such keys (those added longest ago are forgotten first), so
    memory stops growing with pages that share nothing: it holds at most `window` keys seen once,
    and the keys that recur. A key is counted exactly unless two of its pages lie so far apart
    that more than `window` other keys seen once came between them; then it counts from the later
    page on. Keys are salted by site (`salt`), so one table counts every site apart, and `sites`
    holds each site's pages ("" for pages without one).

    Counts add up (`a + b`, `a += b`: b's pages come after a's) and pickle, so chunks of pages
    can be counted anywhere and summed in order: the same chunks summed in the same order give the
    same counts whatever the number of workers.
    """

    def __init__(self, window: int = WINDOW):
        self.window = window
        self.sites: dict[str, int] = {}
        self.recur: dict[int, int] = {}
        self.once: set[int] = set()
        self._ages: deque[list[int]] = deque()  # the keys each addition put in `once`, oldest first

    @property
    def pages(self) -> int:
        return sum(self.sites.values())

    def add_page(self, keys: Iterable[int], site: str = "") -> None:
        """Count one page's keys (`page_keys`, salted by `site`)."""
        self.sites[site] = self.sites.get(site, 0) + 1
        self._add({k: 1 for k in keys})

    def __iadd__(self, other: Counts) -> Counts:
        for site, n in other.sites.items():
            self.sites[site] = self.sites.get(site, 0) + n
        self._add(dict.fromkeys(other.once, 1) | other.recur)
        return self

    def __add__(self, other: Counts) -> Counts:
        total = Counts(self.window)
        total += self
        total += other
        return total

    def _add(self, counted: dict[int, int]) -> None:
        recur, once, fresh = self.recur, self.once, []
        for k, n in counted.items():
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
        self._ages.append(fresh)
        while len(once) > self.window and len(self._ages) > 1:
            once.difference_update(self._ages.popleft())
        if len(self._ages) > 1 and not fresh:
            self._ages.pop()

    def hot(self, least: int = 2) -> Table:
        """The table of the keys on at least `least` pages of their site, and of the sites with
        that many pages (`table.Table`): small, what pages are cleaned with."""
        from clean_articles.table import Table, marker

        rows = {marker(site): n for site, n in self.sites.items() if n >= least}
        return Table.of_rows([*rows.items(), *((k, n) for k, n in self.recur.items() if n >= least)])

    def get(self, key: int, site: str = "") -> int:
        """Pages holding `key` (an unsalted key of a page of `site`), if it recurs."""
        return self.recur.get(key ^ salt(site), 0)

    def of(self, site: str) -> SiteCounts:
        """What the pages of one site see: the site's pages and its keys."""
        return SiteCounts(self.sites.get(site, 0), self.recur, salt(site), site)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and (self.sites, self.recur, self.once) == (
            other.sites,
            other.recur,
            other.once,
        )

    def __repr__(self) -> str:
        return f"Counts(pages={self.pages}, sites={len(self.sites)}, recur={len(self.recur)}, once={len(self.once)})"


@dataclass(frozen=True)
class SiteCounts:
    """The counts one page is cleaned with: its site's pages, and the batch's recurring keys
    with the site's salt (`recur`: anything with `get(key, default)`, a dict or a `table.Table`)."""

    pages: int
    recur: dict[int, int] | Table
    salt: int = 0
    site: str = ""


def count_texts(texts: Iterable[str]) -> Table:
    """Counts for a few pages in memory (rule examples, tests, learn on small folders)."""
    counts = Counts()
    for text in texts:
        counts.add_page(page_keys(Document.from_text(text)))
    return counts.hot()
