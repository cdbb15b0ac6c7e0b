"""Kind `recurring`: blocks that recur across the pages of a batch (site chrome).

It reads the batch's counts (`repeats.Counts`, from pass 1 of `clean-articles batch`, or from an
example's `pages`); without counts (pipe mode) it removes nothing. A line is *hot* when its key, or
its near key, is held by at least `min_pages` pages and `min_share` of the batch. Then:

- a block of one line goes when that line is hot;
- a larger block goes whole when most of its lines are hot: a "Most read" list whose items rotate
  still has its heading and most items in common with other pages;
- in a block that is mostly not hot, only runs of two or more hot lines go.

Protected lines (`repeats.protected`: the body's sentences, the lines just before the body) are
never removed, so a story syndicated on several pages of a batch keeps its text.
"""

from __future__ import annotations

import math
from typing import Iterable

from clean_articles.document import Document, Mark
from clean_articles.matchers import Matcher, Param, between
from clean_articles.repeats import Counts, line_keys


class RecurringMatcher(Matcher):
    PARAMS = {
        "min_pages": Param("int", 3, between(2, 10**9)),
        "min_share": Param("float", 0.01, between(0, 1)),
        "min_chars": Param("int", 3, between(1, 10**6)),
    }
    STAGE = 1
    BATCH = True

    def threshold(self, pages: int) -> int:
        """Pages a key must be on to count as recurring, in a batch of `pages` pages."""
        return max(self.params["min_pages"], math.ceil(self.params["min_share"] * pages))

    def mark(self, doc: Document, removed: bytearray, repeats: Counts | None = None) -> Iterable[Mark]:
        if not repeats or not repeats.pages:
            return
        need, min_chars = self.threshold(repeats.pages), self.params["min_chars"]
        keys = line_keys(doc)
        seen: dict[int, int] = {}
        pages = repeats.counts.get
        for i, (ks, length) in keys.items():
            if length >= min_chars and not removed[i]:
                n = max(map(pages, ks, (0, 0)))  # a line has one or two keys
                if n >= need:
                    seen[i] = n
        hot_in: dict[int, list[int]] = {}  # block -> its hot lines, blocks in page order
        for i in seen:
            hot_in.setdefault(doc.block_of[i], []).append(i)
        for b, hot in hot_in.items():
            start, end = doc.blocks[b]
            if 2 * len(hot) > end - start:
                run = [i for i in range(start, end) if i in keys and not removed[i]]
            else:
                run = [i for i in hot if i - 1 in seen or i + 1 in seen]
            yield from self._runs(run, seen, repeats.pages)

    def _runs(self, lines: list[int], seen: dict[int, int], pages: int) -> Iterable[Mark]:
        """One Mark per run of consecutive lines, naming how many pages its hottest line is on."""
        k = 0
        while k < len(lines):
            j = k
            while j + 1 < len(lines) and lines[j + 1] == lines[j] + 1:
                j += 1
            most = max(seen.get(i, 0) for i in lines[k:j + 1])
            yield Mark(lines[k], lines[j] + 1, self.rule, f"recurs on {most} of {pages} pages of the batch")
            k = j + 1
