"""Kind `main`: generic main-text detection, for pages from sites that have no rules.

The detector itself is the `main_text` package; this wraps it as a matcher. Its thresholds come
from the rule (rules/generic/main-text.toml), with `favor` tables that --favor merges over them.
It runs last, so it sees the lines earlier rules removed as absent. Parameters named
`*_pattern` are regexes: the loader checks them, and they must compile with `re` too (the
detector's engine), so a bad one is a rule-file error, not a crash on the first page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex

from clean_articles.document import Document, Mark
from clean_articles.main_text import SCHEMA, Reader, classify
from clean_articles.matchers import Matcher, Param

_TYPES = {bool: "bool", int: "int", float: "float", str: "str"}


class MainMatcher(Matcher):
    PARAMS = {
        name: Param("regex" if name.endswith("_pattern") else _TYPES[p.type], required=True)
        for name, p in SCHEMA.items()
    }
    STAGE = 2

    def __init__(self, rule_id, params, why=""):
        super().__init__(rule_id, params, why)
        for name, value in params.items():
            if name.endswith("_pattern"):
                try:
                    re.compile(value)
                except re.error as e:  # the loader reports regex.error with the rule's position
                    raise regex.error(f"'{name}': {e}") from None
        self.reader = Reader(params)

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        for start, end, reason in classify(doc, list(map(bool, ctx.removed)), self.params, self.reader):
            yield Mark(start, end, self.rule, reason)
