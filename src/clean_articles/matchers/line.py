"""Kind `line`: a regex tested against each (stripped) line; every matching line goes."""

from __future__ import annotations

from collections.abc import Iterable

from clean_articles.document import Document, Mark
from clean_articles.matchers import Matcher, Param
from clean_articles.patterns import Pattern


class LineMatcher(Matcher):
    PARAMS = {"pattern": Param("regex", required=True)}

    def __init__(self, rule_id, params, why=""):
        super().__init__(rule_id, params, why)
        self.pattern = Pattern(params["pattern"], rule_id)

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        reason = self.why or "the line matches the rule's pattern"
        for i in ctx.lines(self.pattern):
            yield Mark(i, i + 1, self.rule, reason)
