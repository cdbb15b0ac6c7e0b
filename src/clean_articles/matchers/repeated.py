"""Kind `repeated`: lines that occur again in the same page, exactly or nearly.

Lines are folded (`text.fold_items`: case and spacing folded, bullets and list numbers dropped; a
line that is the same text twice counts once), grouped exactly by text and nearly by rapidfuzz inside buckets
that share a prefix or suffix (never all pairs). In a group, list lines (bullets in a block of
two lines or more, or lines of a block that mostly recurs) go in every copy: a sidebar printed
twice. Of the other copies one stays, the first one set among prose if any, else the first: a
title printed twice keeps one, and a numbered heading stays when a table of contents lists it.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress
from operator import and_

from rapidfuzz import fuzz

from clean_articles.document import LEFT, Document, Mark
from clean_articles.matchers import Matcher, Param, between
from clean_articles.text import BULLET, fold_items

BUCKET_KEY = 12
BUCKET_CAP = 64


class RepeatedMatcher(Matcher):
    PARAMS = {
        "score": Param("int", 92, between(1, 100)),
        "min_chars": Param("int", 24, between(1, 10**6)),
    }
    STAGE = 1

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        removed = ctx.removed
        groups = self._groups(doc, removed)
        recurring = {i: k for k, g in enumerate(groups) for i in g}
        listed: dict[int, bool] = {}  # block -> most of its lines recur (judged once per block)
        for group in groups:  # in line order
            lists = {i for i in group if _in_list(doc, i, recurring, listed)}
            # of the other copies, the one to keep: the first set among prose (a summary line at the
            # top that repeats a body sentence goes, not the sentence), else the first
            others = [i for i in group if i not in lists]
            keep = min(others, key=lambda i: (not _among_prose(doc, i, removed), i), default=-1)
            for i in group:
                if i in lists:
                    yield Mark(i, i + 1, self.rule, "list line repeated in the page")
                elif i != keep:
                    yield Mark(i, i + 1, self.rule, f"repeats line {keep + 1}")

    def _groups(self, doc: Document, removed: bytearray) -> list[list[int]]:
        """Lines that repeat each other, each group in line order, groups in order of their first
        line. Union-find over the lines long enough to count; only the few lines ever joined to
        another are gathered into groups at the end."""
        min_chars, cutoff = self.params["min_chars"], self.params["score"]
        parent: dict[int, int] = {}
        joined: set[int] = set()

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def join(i: int, j: int) -> None:
            parent[find(i)] = find(j)
            joined.update((i, j))

        exact: dict[str, int] = {}
        prefixes: dict[str, list[int]] = {}
        suffixes: dict[str, list[int]] = {}
        norms: dict[int, str] = {}
        long_enough = map(min_chars.__le__, map(len, doc.stripped))
        long = list(compress(range(len(doc)), map(and_, long_enough, removed.translate(LEFT))))  # and left
        for i, norm in zip(long, doc.each(fold_items, long)):
            if len(norm) < min_chars:
                continue
            parent[i] = i
            if norm in exact:
                join(i, exact[norm])
                continue
            exact[norm] = i
            norms[i] = norm
            for members in (prefixes.setdefault(norm[:BUCKET_KEY], []), suffixes.setdefault(norm[-BUCKET_KEY:], [])):
                for j in members:
                    if find(i) != find(j) and fuzz.ratio(norm, norms[j], score_cutoff=cutoff):
                        join(i, j)
                if len(members) < BUCKET_CAP:
                    members.append(i)
        groups: dict[int, list[int]] = {}
        for i in sorted(joined):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())


def _among_prose(doc: Document, i: int, removed: bytearray) -> bool:
    """The nearest remaining non-blank lines before and after line i both read as prose."""

    def nearest(step: int) -> bool:
        j = i + step
        while 0 <= j < len(doc) and (removed[j] or not doc.stripped[j]):
            j += step
        return 0 <= j < len(doc) and doc.prose[j]

    return nearest(-1) and nearest(1)


def _in_list(doc: Document, i: int, recurring: dict[int, int], listed: dict[int, bool]) -> bool:
    """A bullet line in a block of two lines or more (alone, it is a numbered heading), or a line
    of a multi-line block most of whose lines recur, as copies of different lines (a block that is
    one line printed twice is a doubled title, not a list).
    `listed` keeps each block's verdict, so a page of one huge block is read once, not once
    per recurring line."""
    b = doc.block_of[i]
    if BULLET.match(doc.stripped[i]) and doc.blocks[b][1] - doc.blocks[b][0] > 1:
        return True
    if b not in listed:
        start, end = doc.blocks[b]
        groups = [recurring[j] for j in range(start, end) if j in recurring]
        listed[b] = end - start >= 2 and 2 * len(groups) > end - start and len(set(groups)) > 1
    return listed[b]
