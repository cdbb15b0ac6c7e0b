"""The library's entry points: clean_text() and clean_document()."""

from __future__ import annotations

from functools import lru_cache

from clean_articles.document import Document
from clean_articles.pipeline import mark
from clean_articles.render import Result, kept, text_of
from clean_articles.rules import RuleSet, load_rules


@lru_cache(maxsize=4)
def default_rules(favor: str = "balanced") -> RuleSet:
    """The shipped packs, compiled once per process."""
    return load_rules(favor=favor)


def clean_document(doc: Document, rules: RuleSet, original: str = "", repeats=None) -> Result:
    """Clean a Document; `repeats` are a batch's cross-page counts (see repeats.py), if any."""
    marks, removed = mark(doc, rules, repeats)
    keep = kept(doc, removed)
    return Result(text_of(doc, keep), len(doc), len(keep), original, (doc.stripped, marks))


def clean_text(text: str, rules: RuleSet | None = None) -> Result:
    """Clean one page of text with `rules` (default: the shipped packs).

    Returns a Result: `.text` is the clean text, `.removals` lists each removed line range with
    the id of the rule that removed it and why.
    """
    return clean_document(Document.from_text(text), rules or default_rules(), text)
