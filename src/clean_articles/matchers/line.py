"""Kind `line`: a regex tested against each (stripped) line; every matching line goes."""

from __future__ import annotations

from collections.abc import Iterable

from clean_articles.document import Document, Mark
from clean_articles.matchers import Matcher, Param
from clean_articles.patterns import Pattern, matching_lines


class LineMatcher(Matcher):
    PARAMS = {"pattern": Param("regex", required=True)}

    def __init__(self, rule_id, params):
        super().__init__(rule_id, params)
        self.pattern = Pattern(params["pattern"], rule_id)

    @property
    def local(self) -> bool:
        return True

    @property
    def required(self) -> Pattern:
        return self.pattern

    def mark(self, doc: Document, removed: bytearray) -> Iterable[Mark]:
        for i in matching_lines(self.pattern, doc):
            yield Mark(i, i + 1, self.rule, self.why or "the line matches the rule's pattern")
