"""Run every rule's own examples, each with only that rule enabled.

A rule's `[[rule.example]]` tables say what it must remove (`raw` -> `clean`) and what it must
keep (`keep = true`: `raw` comes out unchanged). Both sides are compared after the renderer's
normalisation, so an example need not spell out trailing spaces or blank-line runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from clean_articles.cleaner import Cleaner
from clean_articles.document import Document
from clean_articles.packs import Example, Rule, RuleSet
from clean_articles.render import clean


@dataclass(frozen=True)
class Failure:
    rule: Rule
    number: int  # 1-based example number within the rule
    example: Example
    got: str

    def __str__(self) -> str:
        want = normalise(self.example.raw if self.example.keep else self.example.clean)
        # as multisets of the non-blank lines: a line printed three times and kept once is lost twice
        got_lines, want_lines = (Counter(filter(str.strip, text.splitlines())) for text in (self.got, want))
        extra, lost = list((got_lines - want_lines).elements()), list((want_lines - got_lines).elements())
        what = f'kept "{_short(extra[0])}"' if extra else f'removed "{_short(lost[0] if lost else self.got)}"'
        return f"{self.rule.path}:{self.example.line}: rule '{self.rule.full_id}' example {self.number}: {what}"


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def normalise(text: str) -> str:
    """What the renderer would make of text if nothing were removed."""
    doc = Document.from_text(text)
    return clean(doc, bytearray(len(doc)))


def run(rules: RuleSet, rule: Rule, example: Example) -> str:
    """Clean an example's raw text with only `rule` enabled (its pack gate ignored). An example
    with `pages` is cleaned as one page of a batch made of raw and those pages."""
    cleaner = Cleaner(rules.only(rule.full_id))
    counts = cleaner.hot(cleaner.count([example.raw, *example.pages])) if example.pages else None
    return cleaner.clean(example.raw, counts).text


def check(rules: RuleSet) -> list[Failure]:
    """Every example of every rule in `rules` that does not do what it says."""
    failures = []
    for rule in rules.rules:
        for n, example in enumerate(rule.examples, 1):
            got = run(rules, rule, example)
            want = normalise(example.raw if example.keep else example.clean)
            if got != want:
                failures.append(Failure(rule, n, example, got))
    return failures
