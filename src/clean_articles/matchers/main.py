"""Kind `main`: generic main-text detection, for pages from sites that have no rules.

The detector is the `main_text` package: a learned line scorer whose weights live in a model
file (`model`, a path relative to the rule file; rules/models/main-text.toml ships one). `bias`
is added to every line's score: above 0 keeps more, below 0 less; the shipped rule's favor
tables set it for --favor precision and recall. It runs last, so it sees the lines earlier
rules removed as absent.
"""

from __future__ import annotations

from collections.abc import Iterable

from clean_articles.document import Document, Mark
from clean_articles.main_text import classify, load
from clean_articles.matchers import Matcher, Param


class MainMatcher(Matcher):
    PARAMS = {"model": Param("path", required=True), "bias": Param("float", 0.0)}
    STAGE = 2

    def __init__(self, rule_id, params, why=""):
        super().__init__(rule_id, params, why)
        # a ModelError is the rule file's problem (the loader says so); no model: `train` sets one
        self.model = load(params["model"]) if params["model"] is not None else None

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        removed = list(map(bool, ctx.removed))
        for start, end, reason in classify(doc, removed, self.model, self.params["bias"]):
            yield Mark(start, end, self.rule, reason)
