"""Kind `main`: generic main-text detection, for pages from sites that have no rules.

The classifier itself lives in `main_text`; this wraps it as a matcher. Its thresholds come from
the rule (rules/generic/main-text.toml), with `favor` tables that --favor merges over them.
It runs last, so it sees the lines earlier rules removed as absent. Parameters named
`*_pattern` are regexes: the loader checks them, and they must compile with `re` too (the
classifier's engine), so a bad one is a rule-file error, not a crash on the first page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex

from clean_articles.document import Document, Mark
from clean_articles.matchers import Matcher, Param, main_text

_TYPES = {bool: "bool", int: "int", float: "float", str: "str"}


class MainMatcher(Matcher):
    PARAMS = {
        name: Param("regex" if name.endswith("_pattern") else _TYPES[t], required=True)
        for name, t in main_text.PARAMS.items()
    }
    STAGE = 2

    def __init__(self, rule_id, params):
        super().__init__(rule_id, params)
        for name, value in params.items():
            if name.endswith("_pattern"):
                try:
                    re.compile(value)
                except re.error as e:  # the loader reports regex.error with the rule's position
                    raise regex.error(f"'{name}': {e}") from None

    def mark(self, doc: Document, removed: bytearray) -> Iterable[Mark]:
        flags = list(map(bool, removed))
        for start, end, reason in main_text.classify(doc.lines, flags, self.params):
            yield Mark(start, end, self.rule, reason)
