"""The pipeline: run every rule of a RuleSet over a Document and collect Marks. Never edits text.

Rules run in pipeline order (plain rules, then context rules such as `repeated`, then `main`).
A gated pack runs only on pages its `when` pattern matches. A rule limited to the head or tail
has its marks clipped to that region. Each rule sees which lines earlier rules removed: what a
run knows travels in a `Context`, handed to each matcher with the page.

Rules that judge by context (the main text, head and tail, lists under an anchor) can see more
once their neighbours are gone, so cleaning clean text could remove more. The pipeline therefore
runs again on what it keeps, exactly as the clean text will read, until a round finds nothing:
the marks are a fixed point, and cleaning is idempotent by construction. Most pages take two
rounds; the main text may take one more line atop an article a round (the commands above a
documentation page's prose), and the 1,117 pages of the dev sets and the speed benchmark all
settle within 16 (`ROUNDS`), which bounds a page's cost. A later round reads a
subset of the page: what was read of its lines carries over (`Document.subset`), and so do the
prefilter's candidates. The prefilter (prefilter.py) finds, in passes over the whole page, the
lines each rule pattern may match, so that a rule whose pattern matches no line costs a lookup.
Both are shortcuts (shortcuts.py): the output is the same without them.

Rules of the last stage (`LAST`: the recurring chrome of a batch) act once, after the rounds,
on the lines they left, and what they remove changes no other rule's verdict: a page cleaned in a
batch is the page cleaned alone, less the lines that recur across the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from clean_articles import shortcuts
from clean_articles.document import Document, Mark
from clean_articles.packs import Pack, RuleSet
from clean_articles.patterns import PageClock, Pattern, matching_lines
from clean_articles.prefilter import Prefilter
from clean_articles.repeats import SiteCounts

ROUNDS = 16  # a bound on the rounds, for a page whose main text would take one line a round forever
LAST = 3  # rules of this stage or later act once, on the page the rounds left (Matcher.STAGE)


@dataclass
class Context:
    """What one run knows of the page it is cleaning, besides the page itself."""

    doc: Document
    #: 1 for each line an earlier rule of this round removed
    removed: bytearray
    #: a batch's cross-page counts (repeats.py), or None outside a batch
    counts: SiteCounts | None = None
    #: pattern -> the lines it may match, from the prefilter (a pattern missing: every line)
    candidates: dict[Pattern, list[int] | tuple] = field(default_factory=dict)
    #: the time all patterns together may still spend on the page (over all rounds)
    clock: PageClock | None = None

    def lines(self, pattern: Pattern) -> list[int]:
        """The non-blank lines of the page that `pattern` matches, within its time budget."""
        found = self.candidates.get(pattern)
        if found is not None and not found:
            return []
        return matching_lines(pattern, self.doc.stripped, self.doc.size, found, self.clock)


class Pipeline:
    """The rules of a RuleSet in pipeline order, with the prefilter of their patterns."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        packs = {p.name: p for p in reversed(rules.packs)}  # by name (the first, should two share one)
        steps = [(rule, packs[rule.pack]) for rule in rules.rules]
        self.steps: list[tuple] = [s for s in steps if s[0].matcher.STAGE < LAST]
        #: rules that act once on what the rounds kept (a batch's recurring chrome)
        self.last: list[tuple] = [s for s in steps if s[0].matcher.STAGE >= LAST]
        self._gated: dict[str, Prefilter] = {}

    @cached_property
    def prefilter(self) -> Prefilter:
        """The gates and the patterns of ungated packs, for one pass per page."""
        found = [p.when for p in self.rules.packs if p.when is not None]
        for pack in self.rules.packs:
            if pack.when is None:
                found.extend(_patterns(pack))
        return Prefilter(found)

    def gated(self, pack: Pack) -> Prefilter:
        """A gated pack's patterns, scanned only on pages its gate lets in; built on the first
        such page (a site's pack costs nothing on the pages of other sites)."""
        found = self._gated.get(pack.name)
        if found is None:
            found = self._gated[pack.name] = Prefilter(_patterns(pack))
        return found

    def mark(self, doc: Document, counts: SiteCounts | None = None) -> tuple[list[Mark], bytearray, list[int]]:
        """All marks for doc, each round's in pipeline order; the mask they make (1 for each
        removed line); and the lines the clean text is made of (`Document.kept`)."""
        clock = PageClock(doc.size)
        marks, removed, candidates = self._round(doc, counts, None, clock=clock)
        first_candidates = candidates
        keep = doc.kept(removed)
        rounds = 1
        found = bool(marks)
        while found and rounds < ROUNDS:
            rounds += 1
            if shortcuts.enabled:
                sub, candidates = doc.subset(keep), _narrowed(candidates, keep, len(doc))
            else:  # read afresh
                sub, candidates = Document([doc.lines[i] for i in keep], [doc.endings[i] for i in keep]), None
            more, _, candidates = self._round(sub, counts, candidates, clock=clock)
            for m in more:
                for lifted in _lift(m, keep):
                    marks.append(lifted)
                    removed[lifted.start : lifted.end] = b"\x01" * (lifted.end - lifted.start)
            found = bool(more)
            if found:
                keep = doc.kept(removed)
        if self.last:
            more, removed, _ = self._round(doc, counts, first_candidates, self.last, removed, clock)
            if more:
                marks += more
                keep = doc.kept(removed)
        return marks, removed, keep

    def _round(
        self,
        doc: Document,
        counts: SiteCounts | None,
        candidates: dict | None,
        steps: list | None = None,
        removed: bytearray | None = None,
        clock: PageClock | None = None,
    ) -> tuple[list[Mark], bytearray, dict]:
        """One round: each rule of `steps` (default: those before the last stage) over doc,
        where `removed` (default: nothing) is gone already; its marks, the mask, and the
        prefilter's candidates."""
        if candidates is None:
            candidates = self.prefilter.scan(doc.stripped) if shortcuts.enabled else {}
        ctx = Context(doc, bytearray(len(doc)) if removed is None else removed, counts, candidates, clock)
        removed = ctx.removed
        marks: list[Mark] = []
        gates: dict[str, bool] = {}
        for rule, pack in self.steps if steps is None else steps:
            if pack.when is not None:
                if pack.name not in gates:
                    gates[pack.name] = bool(ctx.lines(pack.when))
                    if gates[pack.name] and shortcuts.enabled:
                        candidates.update(self.gated(pack).scan(doc.stripped))
                if not gates[pack.name]:
                    continue
            found = list(rule.matcher.mark(doc, ctx))  # all judged before any is applied
            if rule.where == "anywhere":  # a matcher's marks lie inside the page: nothing to clip
                for m in found:
                    marks.append(m)
                    removed[m.start : m.end] = b"\x01" * (m.end - m.start)
                continue
            regions = doc.region(rule.where)
            for m in found:
                for lo, hi in regions:
                    start, end = max(m.start, lo), min(m.end, hi)
                    if start < end:
                        clipped = m if (start, end) == (m.start, m.end) else Mark(start, end, m.rule, m.reason)
                        marks.append(clipped)
                        removed[start:end] = b"\x01" * (end - start)
        return marks, removed, candidates


def _patterns(pack: Pack) -> list[Pattern]:
    """The patterns a pack's matchers hold (what the prefilter scans for)."""
    return [p for rule in pack.rules for p in rule.matcher.patterns()]


def _narrowed(candidates: dict, keep: list[int], n: int) -> dict:
    """The prefilter's candidates on the page made of the lines `keep` of a page of n lines."""
    new = [-1] * n
    for j, i in enumerate(keep):
        new[i] = j
    out = {}
    for pattern, lines in candidates.items():
        out[pattern] = [new[i] for i in lines if new[i] >= 0] if lines else lines
    return out


def _lift(m: Mark, keep: list[int]) -> list[Mark]:
    """A mark on the kept lines, as marks on the page's own lines (one per contiguous run)."""
    out, start = [], keep[m.start]
    for j in range(m.start + 1, m.end):
        if keep[j] != keep[j - 1] + 1:
            out.append(Mark(start, keep[j - 1] + 1, m.rule, m.reason))
            start = keep[j]
    out.append(Mark(start, keep[m.end - 1] + 1, m.rule, m.reason))
    return out
