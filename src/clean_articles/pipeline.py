"""mark(): run every rule of a RuleSet over a Document and collect Marks. Never edits text.

Rules run in pipeline order (plain rules, then context rules such as `repeated`, then `main`).
A gated pack runs only on pages its `when` pattern matches. A rule limited to the head or tail
has its marks clipped to that region. Each rule sees which lines earlier rules removed.
"""

from __future__ import annotations

from clean_articles.document import Document, Mark
from clean_articles.patterns import matching_lines
from clean_articles.rules import RuleSet


def mark(doc: Document, rules: RuleSet, repeats=None) -> list[Mark]:
    """All marks for doc, in pipeline order. `repeats` (a batch's `repeats.Counts`) is handed to
    the kinds that judge a page against its batch; without it they remove nothing."""
    doc.candidates = rules.prefilter.scan(doc.stripped)
    removed = bytearray(len(doc))
    marks: list[Mark] = []
    gates: dict[str, bool] = {}
    for rule in rules.rules:
        pack = rules.pack_of(rule)
        if pack.when is not None:
            if pack.name not in gates:
                gates[pack.name] = bool(matching_lines(pack.when, doc))
            if not gates[pack.name]:
                continue
        regions = doc.region(rule.where)
        found = rule.matcher.mark(doc, removed, repeats) if rule.matcher.BATCH else rule.matcher.mark(doc, removed)
        for m in found:
            for lo, hi in regions:
                start, end = max(m.start, lo), min(m.end, hi)
                if start < end:
                    clipped = m if (start, end) == (m.start, m.end) else Mark(start, end, m.rule, m.reason)
                    marks.append(clipped)
                    removed[start:end] = b"\x01" * (end - start)
    return marks
