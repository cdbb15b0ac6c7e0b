"""What is wrong with a rule file: one Problem per fault, all of them raised together as RuleError.

A problem prints as one line, ``path:line[:col]: rule 'id': fault. hint``, the way compilers and
linters point at a fault, so an editor can jump to it.

>>> print(Problem("my.toml", 7, "unknown key 'patern'", rule="read-more", hint=suggest("patern", ["pattern"])))
my.toml:7: rule 'read-more': unknown key 'patern'. Did you mean 'pattern'?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

QUOTE_HINT = "Write regexes in single-quoted TOML strings ('...') so backslashes survive."


@dataclass(frozen=True)
class Problem:
    """One fault in one rule file."""

    path: str
    line: int | None
    message: str
    rule: str | None = None
    col: int | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}" + (f":{self.col}" if self.col else "")
        who = f" rule '{self.rule}':" if self.rule else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}:{who} {self.message.rstrip('.')}.{hint}"


class RuleError(Exception):
    """Rule files with problems; str() gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def suggest(word: str, choices: Iterable[str]) -> str:
    """'Did you mean ...?' for the closest of `choices`, or ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else ""
