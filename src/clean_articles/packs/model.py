"""Rule packs once loaded: an Example, a Rule, a Pack, and the RuleSet the pipeline runs.

A pack is one TOML file (its stem is the pack name); a rule's full id is ``<pack>.<id>``. These
are plain values: loading them is `loader.py`'s work, running them the pipeline's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clean_articles.matchers import Matcher
from clean_articles.patterns import Pattern


@dataclass
class Example:
    """What a rule must do to `raw`: come out as `clean`, or unchanged when `clean` is None."""

    raw: str
    clean: str | None
    line: int | None
    pages: tuple[str, ...] = ()  # the other pages of a small batch (for kind `recurring`)

    @property
    def keep(self) -> bool:
        return self.clean is None


@dataclass
class Rule:
    pack: str
    id: str
    kind: str
    why: str
    where: str  # anywhere | head | tail | edges
    params: dict[str, Any]
    examples: list[Example]
    path: str
    line: int | None
    matcher: Matcher

    @property
    def full_id(self) -> str:
        return f"{self.pack}.{self.id}"


@dataclass
class Pack:
    name: str
    path: str
    why: str
    site: str | None
    when: Pattern | None  # the gate: the pack runs only on pages with a line it matches
    rules: list[Rule] = field(default_factory=list)


@dataclass(eq=False)
class RuleSet:
    """Compiled packs in order, the `favor` they were compiled for, and a fingerprint of their
    files and options (what a batch's manifest compares)."""

    packs: list[Pack]
    fingerprint: str
    favor: str = "balanced"

    @property
    def rules(self) -> list[Rule]:
        """The pipeline order: by the matcher's stage, then in pack order."""
        ordered = [r for p in self.packs for r in p.rules]
        return sorted(ordered, key=lambda r: r.matcher.STAGE)

    def only(self, full_id: str) -> RuleSet:
        """A RuleSet with just one rule, its pack gate removed (to run its examples)."""
        for p in self.packs:
            for r in p.rules:
                if r.full_id == full_id:
                    alone = Pack(p.name, p.path, p.why, p.site, None, [r])
                    return RuleSet([alone], f"{self.fingerprint}:{full_id}", self.favor)
        raise KeyError(full_id)
