"""The public way to clean pages: `clean_text` for a page now and then, a `Cleaner` for many.

>>> from clean_articles import Cleaner
>>> cleaner = Cleaner()  # the shipped packs, compiled once
>>> result = cleaner.clean("Skip to main content\\nA headline\\n")
>>> result.text, [(r.first, r.rule) for r in result.removals]
('A headline\\n', [(1, 'navigation.skip-links')])

A batch is cleaned in two passes, and a Cleaner has both: `count` the pages (anywhere, in any
chunks: counts add up and pickle), keep what can recur enough (`hot`), then `clean` each page
with it, so that the chrome that recurs across the pages of a site goes too:

>>> pages = [f"Menu\\nHome | News | Sport\\n\\nStory {n} is told in full here.\\n" for n in range(4)]
>>> counts = cleaner.hot(cleaner.count(pages))
>>> cleaner.clean(pages[0], counts).text
'Story 0 is told in full here.\\n'
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

from clean_articles.document import Document
from clean_articles.packs import RuleSet, load_rules
from clean_articles.pipeline import Pipeline
from clean_articles.render import Result
from clean_articles.repeats import page_keys
from clean_articles.table import Table, rows


class Cleaner:
    """Cleans pages with one RuleSet, whose pipeline and prefilter are built once.

    Built from options (`rules`: packs to add, files or folders; `builtin`, `disable`, `favor`,
    `model`: as `load_rules` takes them), or from a RuleSet you loaded. A Cleaner built from
    options pickles as its options, and a process compiles the rules for given options once,
    however many Cleaners it unpickles (worker pools, Dask)."""

    def __init__(
        self,
        rules: RuleSet | Iterable[str | Path] | None = None,
        *,
        builtin: bool = True,
        disable: Iterable[str] = (),
        favor: str = "balanced",
        model: str | Path | None = None,
    ):
        if isinstance(rules, RuleSet):
            self.options: dict | None = None
            self.rules = rules
        else:
            self.options = _options(rules, builtin, disable, favor, model)
            self.rules = load_rules(**self.options)
        self.pipeline = Pipeline(self.rules)
        self.whys = {r.full_id: r.why for r in self.rules.rules}
        recurring = [r.matcher for r in self.rules.rules if r.kind == "recurring"]
        self._threshold = (lambda pages: min(m.threshold(pages) for m in recurring)) if recurring else None

    def clean(self, text: str, counts: Table | None = None, site: str = "") -> Result:
        """Clean one page of text. With `counts` (from `hot`), the page is cleaned as one page of
        that batch: what recurs across the pages of its `site` (see `site_of`) goes too."""
        doc = Document.from_text(text)
        marks, _, keep = self.pipeline.mark(doc, None if counts is None else counts.of(site))
        return Result(doc, marks, keep, self.whys)

    @property
    def counts_pages(self) -> bool:
        """Whether cleaning a batch counts its pages first (a rule of kind `recurring` is on)."""
        return self._threshold is not None

    def keys(self, text: str, site: str = "") -> set[int]:
        """What one page adds to a batch's counts: the keys of its lines, salted by its site."""
        return page_keys(Document.from_text(text), site)

    def count(self, texts: Iterable[str], sites: Iterable[str] | None = None) -> Counter:
        """The counts of some pages of a batch (`sites`: each page's site, "" for none): the
        pages holding each key, and each site's pages (`table.rows`), exact. The counts of other
        chunks add to them (`a + b`), and they pickle; `hot` keeps what pass 2 needs. They hold
        every line key of the pages: past memory, add each chunk's counts to a `table.Spill`, which
        spills to disk and makes the table (`batch` does)."""
        if not self.counts_pages:
            return Counter()
        pairs = zip(texts, repeat("") if sites is None else sites)
        return rows((self.keys(text, site), site) for text, site in pairs)

    def threshold(self, pages: int) -> int:
        """Pages of a site a key must be on to count as recurring (no rule counts: never)."""
        return self._threshold(pages) if self._threshold is not None else pages + 1

    @property
    def floor(self) -> int:
        """Pages a key must be on to recur enough on any site (of one page or more) to matter."""
        return self.threshold(1)

    def hot(self, counts: Counter) -> Table:
        """The table of the keys that recur on enough pages of their site to matter: what the
        pages are cleaned with, small enough to send to every worker."""
        return Table.of_rows(counts.items(), self.floor)

    @classmethod
    def shared(
        cls,
        rules: Iterable[str | Path] | None = None,
        *,
        builtin: bool = True,
        disable: Iterable[str] = (),
        favor: str = "balanced",
        model: str | Path | None = None,
    ) -> Cleaner:
        """The Cleaner of this process for these options, compiled on the first call only."""
        return _compiled(tuple(sorted(_options(rules, builtin, disable, favor, model).items())))

    def __reduce__(self):
        if self.options is None:
            raise TypeError("a Cleaner made from a RuleSet does not pickle: make it from options (Cleaner(rules=...))")
        return _compiled, (tuple(sorted(self.options.items())),)


def _options(rules, builtin, disable, favor, model) -> dict:
    """A Cleaner's options as `load_rules` takes them, in a form that hashes and pickles."""
    return dict(paths=tuple(map(str, rules or ())), builtin=builtin, disable=tuple(disable), favor=favor,
                model=None if model is None else str(model))  # fmt: skip


@functools.cache
def _compiled(options: tuple) -> Cleaner:
    """The one Cleaner of this process for these options (an unpickled Cleaner is this one)."""
    kwargs = dict(options)
    return Cleaner(kwargs.pop("paths"), **kwargs)


def clean_text(text: str, rules: RuleSet | None = None, *, favor: str = "balanced") -> Result:
    """Clean one page of text with `rules` (default: the shipped packs, compiled once per
    process). `.text` of the Result is the clean text; `.removals` lists each removed line range
    with the id of the rule that removed it and why. For many pages with rules of your own, make
    a Cleaner once."""
    return (Cleaner.shared(favor=favor) if rules is None else Cleaner(rules)).clean(text)
