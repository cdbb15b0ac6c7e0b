"""Kind `recurring`: blocks that recur across the pages of a batch (site chrome).

It reads the batch's counts (a `table.Table`, those of the page's site, from pass 1 of
`clean-articles batch`, or from an example's `pages`); without counts (pipe mode) it removes
nothing. A line is *hot* when its key, or its near key, is held by at least `min_pages` pages and
`min_share` of the batch. Then:

- a block of one line goes when that line is hot and the nearest line with text above or below
  goes too (or the page ends there): chrome comes in runs, while a heading that articles of
  many sites share ("Pros", "Conclusion") stands alone among a page's own lines;
- a larger block goes whole when most of its lines are hot: a "Most read" list whose items rotate
  still has its heading and most items in common with other pages;
- in a block that is mostly not hot, only runs of two or more hot lines go.

Protected lines (`repeats.protected`: the body's sentences, the lines just before the body) are
never removed, so a story syndicated on several pages of a batch keeps its text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import compress

from clean_articles.document import LEFT, Document, Mark
from clean_articles.matchers import Matcher, Param, between
from clean_articles.repeats import SiteCounts, line_keys, protected


class RecurringMatcher(Matcher):
    PARAMS = {
        "min_pages": Param("int", 3, between(2, 10**9)),
        "min_share": Param("float", 0.01, between(0, 1)),
        "min_chars": Param("int", 3, between(1, 10**6)),
    }
    STAGE = 3  # last: what it removes changes no other rule's verdict (pipeline.LAST)

    def threshold(self, pages: int) -> int:
        """Pages a key must be on to count as recurring, in a batch of `pages` pages."""
        return max(self.params["min_pages"], math.ceil(self.params["min_share"] * pages))

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        counts: SiteCounts | None = ctx.counts
        if not counts or not counts.pages:
            return
        excluded = _either(protected(doc), ctx.removed)
        free = [i for i in compress(range(len(doc)), excluded.translate(LEFT)) if doc.stripped[i]]
        keys = dict(zip(free, line_keys(doc, free)))
        found = []  # (start, end, reason, whether it is a block of one line)
        for start, end in doc.blocks:
            if excluded.find(0, start, end) < 0:
                continue  # nothing in the block may go
            block = [keys.get(i, _NONE) for i in range(start, end)]
            found += [
                (start + a, start + b, why, end - start == 1)
                for a, b, why in self._block(block, excluded[start:end], counts)
            ]
        gone = bytearray(ctx.removed)
        for a, b, _, _ in found:
            gone[a:b] = b"\1" * (b - a)
        for a, b, why, alone in found:
            if not alone or _beside(doc, gone, a):
                yield Mark(a, b, self.rule, why)

    def _block(
        self, keys: list[tuple[tuple[int, ...], int]], excluded: bytes, counts: SiteCounts
    ) -> list[tuple[int, int, str]]:
        """The runs of a block's lines (their keys and folded lengths) that go, [a, b) from the
        block's start, each with its reason: how many pages its hottest line is on. Excluded
        lines (protected, or removed before) stay."""
        need, min_chars = self.threshold(counts.pages), self.params["min_chars"]
        pages, mix = counts.recur.get, counts.salt
        seen: dict[int, int] = {}  # hot line -> its pages
        keyed: list[int] = []  # lines that may go with their block
        for i, ((line, length), skip) in enumerate(zip(keys, excluded)):
            if length and not skip:
                keyed.append(i)
                n = max(pages(k ^ mix, 0) for k in line) if length >= min_chars and line else 0  # one or two keys
                if n >= need:
                    seen[i] = n
        if not seen:
            return []
        if 2 * len(seen) > len(keys):
            run = keyed
        else:
            run = [i for i in seen if i - 1 in seen or i + 1 in seen]
        out, k = [], 0
        while k < len(run):
            j = k
            while j + 1 < len(run) and run[j + 1] == run[j] + 1:
                j += 1
            most = max(seen.get(i, 0) for i in run[k : j + 1])
            out.append(
                (run[k], run[j] + 1, f"recurs on {most} of {counts.pages} pages of {counts.site or 'the batch'}")
            )
            k = j + 1
        return out


_NONE = ((), 0)  # what an excluded line's keys are taken to be (it may not go)


def _beside(doc: Document, gone: bytearray, i: int) -> bool:
    """Whether the nearest line with text above or below line i is gone too, or the page ends
    there. Chrome comes in runs, or at the page's edges; a recurring line alone among the page's
    own lines is a heading that pages share by chance ("Pros", "Conclusion"), above all in a batch
    of many sites without their names."""
    stripped = doc.stripped
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(stripped) and not stripped[j]:
            j += step
        if not 0 <= j < len(stripped) or gone[j]:
            return True
    return False


def _either(a: bytes, b: bytes) -> bytes:
    """1 where a or b has 1, for two masks of 0 and 1 of the same length (one C-level operation)."""
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(len(a), "little")
