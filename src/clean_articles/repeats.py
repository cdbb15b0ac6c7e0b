"""Across the pages of a batch: fingerprints of lines (`page_keys`), and a page's site.

Site chrome (sidebars, footers, newsletter prompts, "Most read" lists whose items rotate) recurs
from page to page with only numbers, dates and counters changed. Each line is folded
(`text.fold_counters`: case, digits, date words, bullets and punctuation) and hashed to a 64-bit
key; a line of seven words or more also gets a *near* key from its first and last three folded
words, so a line whose middle changes (an author, a title in a teaser) still meets its kin. The
cost is linear in the number of lines: one hash per key, no comparison between pages, and only
keys (never texts) are kept.

A key is counted once per page (table.py sums them into what a batch is cleaned with). Lines
alone in their block and lines inside a larger block are keyed apart, so an article's headline
(alone on its own page) is not confused with the same title as an item of other pages' "Most
read" lists.

Protected lines are never counted, so recurrence can never remove them (see `protected`): the
page's sentences inside its body, and the few lines right before the body (headline, byline).
The same agency story syndicated on several pages of a batch keeps its text that way.

>>> pages = [page_keys(Document.from_text(f"Story {n} is told here in full.\\n\\nMenu\\n")) for n in "ABC"]
>>> menu = line_keys(Document.from_text("Menu"), [0])[0][0]
>>> [keys == set(menu) for keys in pages]  # the story is protected: only the menu is counted
[True, True, True]
"""

from __future__ import annotations

import functools
import hashlib
from bisect import bisect_right
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
    folded = fold_counters([doc.stripped[i] for i in lines])
    return list(zip(keys(folded, bytes(map(context.__getitem__, lines)), NEAR_WORDS), map(len, folded)))


def protected(doc: Document) -> bytes:
    """1 for each line recurrence must never remove, 0 for the others: the body's sentences (every
    sentence when the page has no body) and the small blocks right before the body, or before the
    first sentence (headline, byline, dateline), up to TITLE_LINES lines; a longer block there (a
    list) ends the stretch."""
    guard = bytearray(len(doc))
    lo, hi = doc.body or (0, len(doc))
    guard[lo:hi] = bytes(sentence_flags(doc.stripped[lo:hi]))
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


@dataclass(frozen=True)
class SiteCounts:
    """The counts one page is cleaned with: its site's pages, and the batch's recurring keys
    with the site's salt (`recur`: anything with `get(key, default)`, a dict or a `table.Table`)."""

    pages: int
    recur: dict[int, int] | Table
    salt: int = 0
    site: str = ""
