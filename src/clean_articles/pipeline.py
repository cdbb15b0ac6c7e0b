"""mark(): run every rule of a RuleSet over a Document and collect Marks. Never edits text.

Rules run in pipeline order (plain rules, then context rules such as `repeated`, then `main`).
A gated pack runs only on pages its `when` pattern matches. A rule limited to the head or tail
has its marks clipped to that region. Each rule sees which lines earlier rules removed.

Rules that judge by context (the main text, head and tail, lists under an anchor) can see more
once their neighbours are gone, so cleaning clean text could remove more. mark() therefore runs
again on what it keeps, exactly as the clean text will read, until a round finds nothing: the
marks are a fixed point, and cleaning is idempotent by construction. A rule that judges each
line by its own text alone, anywhere in the page (`Matcher.local`), took every line it matches
in the first round and is not asked again (`RuleSet.replan`); nor is a matcher that found it
has nothing left to mark on the page (`Document.settled`).

What the rounds after the first find is a function of the lines the first round left (in order,
blank ones too), of the rules and of a batch's counts. A page whose first round left the same
lines as an earlier page's (the same article with other chrome around it: a story fetched twice,
or syndicated) replays their marks (`_later`), worked out on lines that are the same. A page of
more than LATER_CHARS characters is always worked on: its digest would cost a copy of the page.
"""

from __future__ import annotations

import hashlib
from itertools import compress

from clean_articles.document import Document, Mark
from clean_articles.memo import LineMemo
from clean_articles.patterns import matching_lines
from clean_articles.render import LEFT, kept
from clean_articles.repeats import CountsMemo
from clean_articles.rules import RuleSet

ROUNDS = 4
LATER_CHARS = 1 << 20  # pages up to this size (a digest of their lines is a copy) replay later rounds


def mark(doc: Document, rules: RuleSet, repeats=None) -> tuple[list[Mark], bytearray]:
    """All marks for doc, each round's in pipeline order, and the mask they make (1 for each
    removed line). `repeats` (a batch's `repeats.Counts`) is handed to the kinds that judge a page
    against its batch; without it they remove nothing."""
    doc.settled = set()  # what a matcher settles holds for this run's rounds only
    marks, removed = _mark_once(doc, rules, rules.plan, repeats)
    if not marks:  # a round that finds nothing leaves the page as it is
        return marks, removed
    later = _later(rules, repeats)
    key = _left(doc, removed) if doc.size <= LATER_CHARS else None  # a huge page is not kept
    known = later.get(key) if key is not None else None  # each later round's marks, on its lines
    rounds = []
    for k in range(ROUNDS - 1):
        keep = kept(doc, removed)
        if known is None:
            more, _ = _mark_once(doc.subset(keep), rules, rules.replan, repeats)
            if not more:
                break
            if key is not None:
                rounds.append(more)
        elif k < len(known):
            more = known[k]
        else:
            break
        for m in more:
            for lifted in _lift(m, keep):
                marks.append(lifted)
                removed[lifted.start : lifted.end] = b"\x01" * (lifted.end - lifted.start)
    if known is None and key is not None:
        later.put(key, tuple(rounds))
    return marks, removed


def _later(rules: RuleSet, repeats) -> LineMemo:
    """The memo of the rounds after the first for these rules, kept while the counts stay these."""
    memo = rules.memos.get("later")
    if memo is None:
        memo = rules.memos["later"] = CountsMemo()
    return memo.of(repeats)


def _left(doc: Document, removed: bytearray) -> bytes:
    """A digest of the lines `removed` leaves, in order, blank ones too: the memo holds no text."""
    left = "\n".join(compress(doc.lines, removed.translate(LEFT)))  # no line holds a line break
    return hashlib.blake2b(left.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _lift(m: Mark, keep: list[int]) -> list[Mark]:
    """A mark on the kept lines, as marks on the page's own lines (one per contiguous run)."""
    out, start = [], keep[m.start]
    for j in range(m.start + 1, m.end):
        if keep[j] != keep[j - 1] + 1:
            out.append(Mark(start, keep[j - 1] + 1, m.rule, m.reason))
            start = keep[j]
    out.append(Mark(start, keep[m.end - 1] + 1, m.rule, m.reason))
    return out


def _mark_once(doc: Document, rules: RuleSet, plan: list, repeats=None) -> tuple[list[Mark], bytearray]:
    """One round: each rule of `plan` (`rules.plan`, or `rules.replan` after the first round)
    over doc; its marks and their mask. A rule whose required pattern the prefilter says matches
    no line would find nothing, so it is not asked."""
    doc.candidates = rules.prefilter.scan(doc.stripped)
    removed = bytearray(len(doc))
    marks: list[Mark] = []
    gates: dict[str, bool] = {}
    for rule, pack, required in plan:
        if pack.when is not None:
            if pack.name not in gates:
                gates[pack.name] = bool(matching_lines(pack.when, doc))
                if gates[pack.name]:
                    doc.candidates.update(rules.gated(pack).scan(doc.stripped))
            if not gates[pack.name]:
                continue
        if required is not None and not doc.candidates.get(required, True):  # no line it may match
            continue
        matcher = rule.matcher
        if matcher in doc.settled:
            continue
        found = matcher.mark(doc, removed, repeats) if matcher.BATCH else matcher.mark(doc, removed)
        if rule.where == "anywhere":  # a matcher's marks lie inside the page: nothing to clip
            for m in found:
                marks.append(m)
                removed[m.start : m.end] = b"\x01" * (m.end - m.start)
            continue
        regions = doc.region(rule.where)
        found = list(found)
        doc.settled.discard(matcher)  # what it marked outside the region stays
        for m in found:
            for lo, hi in regions:
                start, end = max(m.start, lo), min(m.end, hi)
                if start < end:
                    clipped = m if (start, end) == (m.start, m.end) else Mark(start, end, m.rule, m.reason)
                    marks.append(clipped)
                    removed[start:end] = b"\x01" * (end - start)
    return marks, removed
