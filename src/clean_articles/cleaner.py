"""The public way to clean a page: `clean_text` for a page now and then, a `Cleaner` for many.

>>> from clean_articles import Cleaner
>>> cleaner = Cleaner()  # the shipped packs, compiled once
>>> result = cleaner.clean("Skip to main content\\nA headline\\n")
>>> result.text, [(r.first, r.rule) for r in result.removals]
('A headline\\n', [(1, 'navigation.skip-links')])
"""

from __future__ import annotations

import functools

from clean_articles.document import Document
from clean_articles.packs import RuleSet, load_rules
from clean_articles.pipeline import Pipeline
from clean_articles.render import Result
from clean_articles.repeats import Counts


class Cleaner:
    """Cleans pages with one RuleSet (default: the shipped packs for `favor`), whose pipeline
    and prefilter are built once, on the first page."""

    def __init__(self, rules: RuleSet | None = None, *, favor: str = "balanced"):
        self.rules = rules if rules is not None else load_rules(favor=favor)
        self.pipeline = Pipeline(self.rules)

    def clean(self, text: str, counts: Counts | None = None) -> Result:
        """Clean one page of text. `counts` are a batch's cross-page counts (repeats.py), if
        the page is cleaned as one page of a batch."""
        doc = Document.from_text(text)
        marks, _, keep = self.pipeline.mark(doc, counts)
        return Result(doc, marks, keep)


@functools.cache
def _shipped(favor: str) -> Cleaner:
    return Cleaner(favor=favor)


def clean_text(text: str, rules: RuleSet | None = None, *, favor: str = "balanced") -> Result:
    """Clean one page of text with `rules` (default: the shipped packs, compiled once per
    process). `.text` of the Result is the clean text; `.removals` lists each removed line range
    with the id of the rule that removed it and why. For many pages with rules of your own, make
    a Cleaner once."""
    return (_shipped(favor) if rules is None else Cleaner(rules)).clean(text)
