"""Matchers: one module per rule kind. `MATCHERS` maps a kind (a noun) to its class.

A matcher is built once per rule from the rule's parameters (compiling what it needs) and then
asked, for each page, which lines to remove: ``matcher.mark(doc, ctx)`` yields Marks and never
edits anything. The contract is that: `PARAMS` (the rule file's keys for the kind), `STAGE`
(when it runs) and `mark`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from clean_articles.document import Document, Mark
from clean_articles.patterns import Pattern

if TYPE_CHECKING:
    from clean_articles.pipeline import Context


@dataclass(frozen=True)
class Param:
    """One parameter a kind accepts: its TOML type, a default (None: required) and a check."""

    type: str  # regex | str | int | float | bool | strings
    default: Any = None
    check: Callable[[Any], str | None] | None = None  # returns a fault, or None when fine
    required: bool = False


def between(lo: float, hi: float) -> Callable[[Any], str | None]:
    return lambda v: None if lo <= v <= hi else f"must be between {lo} and {hi}"


def one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else f"must be one of {list(choices)}"


class Matcher:
    """A rule kind: subclasses declare PARAMS (and STAGE) and implement mark()."""

    PARAMS: ClassVar[dict[str, Param]] = {}
    #: Rules run in stages: plain rules first (0), then the ones that judge by context (1), then
    #: the main text (2), to a fixed point; rules of the last stage (3) act once on what is left.
    STAGE: ClassVar[int] = 0

    def __init__(self, rule_id: str, params: dict[str, Any], why: str = ""):
        self.rule = rule_id
        self.params = params
        #: the rule's one-line `why`: what a removal by a plain pattern rule is explained with
        self.why = why

    def mark(self, doc: Document, ctx: Context) -> Iterable[Mark]:
        """The lines of `doc` to remove, as Marks inside the page and not empty
        (0 <= start < end <= len(doc)). `ctx` is the run's: which lines earlier rules removed
        (`ctx.removed`), the lines a pattern matches (`ctx.lines(pattern)`), a batch's counts."""
        raise NotImplementedError

    def patterns(self) -> list[Pattern]:
        """The patterns this matcher holds (what the prefilter scans a page for)."""
        return [v for v in vars(self).values() if isinstance(v, Pattern)]


def _registry() -> dict[str, type[Matcher]]:
    from clean_articles.matchers.line import LineMatcher
    from clean_articles.matchers.main import MainMatcher
    from clean_articles.matchers.phrase import PhraseMatcher
    from clean_articles.matchers.recurring import RecurringMatcher
    from clean_articles.matchers.repeated import RepeatedMatcher
    from clean_articles.matchers.section import SectionMatcher

    return {
        "line": LineMatcher,
        "section": SectionMatcher,
        "phrase": PhraseMatcher,
        "repeated": RepeatedMatcher,
        "recurring": RecurringMatcher,
        "main": MainMatcher,
    }


MATCHERS: dict[str, type[Matcher]] = _registry()
