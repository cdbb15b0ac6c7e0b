"""Matchers: one module per rule kind. `MATCHERS` maps a kind (a noun) to its class.

A matcher is built once per rule from the rule's parameters (compiling what it needs) and then
asked, for each page, which lines to remove: ``matcher.mark(doc, removed)`` yields Marks and never
edits anything. `removed` says which lines earlier rules already took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from clean_articles.document import Document, Mark
from clean_articles.patterns import Pattern


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
    """Base class: subclasses declare PARAMS and implement mark()."""

    PARAMS: ClassVar[dict[str, Param]] = {}
    #: Rules run in stages: plain rules first, then the ones that judge by context.
    STAGE: ClassVar[int] = 0
    #: Kinds that judge a page against the rest of its batch get the batch's counts
    #: (`repeats.Counts`, or None outside a batch) as a third argument to mark().
    BATCH: ClassVar[bool] = False

    def __init__(self, rule_id: str, params: dict[str, Any]):
        self.rule = rule_id
        self.params = params
        #: the rule's one-line `why`: what a removal by a plain pattern rule is explained with
        self.why = ""

    @property
    def local(self) -> bool:
        """True when the verdict on a line depends on that line's text alone, not on its
        neighbours or the rest of the page (the pipeline then runs the rule only once)."""
        return False

    @property
    def required(self) -> Pattern | Matcher | None:
        """A pattern that must match some line for the rule to mark anything, or None. The
        pipeline skips the rule on a page where the prefilter finds no line it may match.
        A matcher with a `screen(stripped_line) -> bool` of its own returns itself: the
        prefilter then asks the screen, and the lines it lets through are the candidates."""
        return None

    @classmethod
    def screener(cls, matchers: list[Matcher]) -> Callable[[str], tuple[Matcher, ...]]:
        """For matchers of this kind that screen lines (see `required`): a function telling
        which of them let a stripped line through, in their order. A kind whose screens share
        work (reading a line's words once for all its rules) answers all of them in one go."""
        return lambda line: tuple(m for m in matchers if m.screen(line))

    def mark(self, doc: Document, removed: bytearray) -> Iterable[Mark]:
        """The lines to remove, as Marks inside the page and not empty (0 <= start < end <= len(doc)).

        A matcher that can tell it would mark nothing on any page made of some of the lines left
        once its marks are applied (the pipeline's next rounds) adds itself to `doc.settled`;
        the pipeline then does not ask it again on such a page (unless its rule's marks were
        clipped to a region, which may leave lines it marked)."""
        raise NotImplementedError


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
