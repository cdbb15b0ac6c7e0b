"""Kind `section`: an anchor line and what follows it, with a stated reach.

Reaches: `end` (to the end of the page), `until` (to a closing line), `paragraph` (the next
block), `list` (the list under the anchor), `above` (the short lines above the anchor in its
block: a caption above its credit). See docs/rule-format.md for the exact definitions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from clean_articles.document import Document, Mark
from clean_articles.matchers import Matcher, Param, between, one_of
from clean_articles.patterns import PageClock, Pattern
from clean_articles.text import BULLET

REACHES = ("list", "paragraph", "until", "end", "above")


class SectionMatcher(Matcher):
    PARAMS = {
        "anchor": Param("regex", required=True),
        "reach": Param("str", required=True, check=one_of(*REACHES)),
        "until": Param("regex"),
        "keep_anchor": Param("bool", False),
        "max_lines": Param("int", 400, between(1, 10**9)),
        "max_words": Param("int", 16, between(1, 10**6)),
    }

    def __init__(self, rule_id, params, why=""):
        super().__init__(rule_id, params, why)
        self.anchor = Pattern(params["anchor"], rule_id)
        self.until = Pattern(params["until"], rule_id) if params.get("until") else None
        self.reach = params["reach"]

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        after = -1
        closing = _Closing(self.until, doc, ctx.clock) if self.until is not None else None
        limit = self.params["max_words"]
        items = _Exceptions(doc, lambda s: not _is_item(s, limit))  # lines that end a list
        long = _Exceptions(doc, lambda s: len(s.split(None, limit)) > limit)  # lines too long for a caption
        # a section to the end starts below the page's first prose line: an anchor above them all
        # is a menu's link ("Community Guidelines") and would take the whole article (a page
        # without prose has no article to keep)
        first = (doc.body or (0,))[0] if self.reach == "end" else 0
        for a in ctx.lines(self.anchor):
            if a < after or a < first:
                continue  # inside the previous section already, or above the page's prose
            end = self._end(doc, a, closing, items)
            if end is None:
                continue
            end = min(end, a + self.params["max_lines"])
            start = a + 1 if self.params["keep_anchor"] else a
            if self.reach == "above":
                start, end = self._above(doc, a, long), a if self.params["keep_anchor"] else a + 1
            if end > start:
                yield Mark(start, end, self.rule, self.why or f"a section ({self.reach}) after its anchor line")
            after = end

    def _end(self, doc: Document, a: int, closing: _Closing | None, items: _Exceptions) -> int | None:
        n = len(doc)
        if self.reach in ("end", "above"):
            return n
        if self.reach == "until":
            j = closing.after(a) if closing is not None else None
            return None if j is None else j + 1
        first = _next_block(doc, a)
        if first is None:
            return a + 1
        if self.reach == "paragraph":
            return first[1]
        return self._list_end(doc, a, first, items)

    def _above(self, doc: Document, a: int, long: _Exceptions) -> int:
        """The first of the lines above the anchor in its block, when each has at most max_words
        words (a caption above its credit); the anchor itself when they do not."""
        start = doc.blocks[doc.block_of[a]][0]
        return a if long.any(start, a) else start

    def _list_end(self, doc: Document, a: int, first: tuple[int, int], items: _Exceptions) -> int:
        start, end = first
        if items.any(start, end) or doc.stripped[end - 1].endswith(":"):
            return start  # not a list (a line ending in a colon announces what follows): only the anchor goes
        column, reach = doc.indent(start), a + self.params["max_lines"]
        for b in range(doc.block_of[end - 1] + 1, len(doc.blocks)):
            s, e = doc.blocks[b]
            # a deeper block is the list's when its lines are items or it is a bullet's text (w3m
            # prints it under the bullet): never for its depth alone, which the text browser sets
            under = doc.indent(s) > column and (BULLET.match(doc.stripped[end - 1]) or not items.any(s, e))
            if not (BULLET.match(doc.stripped[s]) or under):
                break
            end = e
            if end >= reach:
                break  # the section is cut at max_lines anyway
        return end


class _Exceptions:
    """The lines of each block for which `odd(stripped line)` holds, found once per block when an
    anchor first asks about that block: so many anchors in one long block cost the block once,
    not once each (a page of anchors every few lines was quadratic)."""

    def __init__(self, doc: Document, odd: Callable[[str], bool]):
        self.doc, self.odd = doc, odd
        self.found: dict[int, list[int]] = {}

    def any(self, start: int, end: int) -> bool:
        """Whether a line in [start, end) (inside one block) is odd."""
        if start >= end:
            return False
        b = self.doc.block_of[start]
        odd = self.found.get(b)
        if odd is None:
            s, e = self.doc.blocks[b]
            odd = self.found[b] = [i for i in range(s, e) if self.odd(self.doc.stripped[i])]
        k = bisect_left(odd, start)
        return k < len(odd) and odd[k] < end


class _Closing:
    """The first `until` line after an anchor. Anchors come in order, so each line is searched
    at most once per page (many anchors and no closing line must not cost anchors x lines), and
    all those searches share one time budget."""

    def __init__(self, until: Pattern, doc: Document, clock: PageClock | None):
        self.until, self.doc = until, doc
        self.budget = until.budget(doc.size, clock)
        self.scanned = 0  # lines below this were searched ...
        self.hit: int | None = None  # ... and this is the first match among them at or after the last anchor

    def after(self, a: int) -> int | None:
        if self.hit is not None and self.hit > a:
            return self.hit
        self.hit = None
        for j in range(max(a + 1, self.scanned), len(self.doc)):
            self.scanned = j + 1
            if self.until.search(self.doc.stripped[j], self.budget):
                self.hit = j
                return j
        return None


def _next_block(doc: Document, a: int) -> tuple[int, int] | None:
    """The rest of the anchor's block, or the next block when the anchor ends its block."""
    b = doc.block_of[a]
    start, end = doc.blocks[b]
    if a + 1 < end:
        return a + 1, end
    return doc.blocks[b + 1] if b + 1 < len(doc.blocks) else None


def _is_item(stripped: str, max_words: int) -> bool:
    return bool(BULLET.match(stripped)) or len(stripped.split()) <= max_words
