"""learn: write a rule pack of the blocks that recur across the pages of a folder.

A site's chrome, found once by comparing its pages (the `recurring` kind, with the thresholds
given), becomes an ordinary pack that then cleans single pages in pipe mode, one rule per block
so that a person can review it:

- a *block* is a run of lines that recur together: lines on enough pages that sit next to each
  other (blank lines between them allowed) on enough pages. A menu printed as many small blocks
  is one block here. It becomes one `line` rule whose pattern is the alternation of its lines,
  each matched whole, with each run of digits generalised to ``\\d+`` and each run of spaces to
  ``\\s+``: it removes those lines and never a line it has not seen, wherever the block's lines
  come in a new page, in any order or only some of them;
- a list whose heading recurs but whose items rotate ("Most read") becomes a `section` rule
  anchored on the heading, reaching over the list under it.

A rule's id is its block's steadiest line (on the most pages) slugged, never a rotating item;
a comment above it says on how many pages it was seen and shows its first lines. Each rule
carries its own must-remove and must-keep examples made from a page where it was seen, so the
pack passes `rules check` and `rules test` and can be reviewed like any shipped one. When
nothing recurs enough, the pack has no rules and `warn` says why.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clean_articles.document import Document
from clean_articles.encoding import BinaryInputError, decode
from clean_articles.files import walk
from clean_articles.matchers.recurring import RecurringMatcher
from clean_articles.pipeline import Context
from clean_articles.repeats import page_keys
from clean_articles.table import Table, marker, rows

FILLER = "The council voted on Tuesday to close the old library and move its books to the new school."
GATE_SHARE = 0.9  # a line on this share of the pages becomes the pack's `when` gate
SHOWN = 5  # lines of a block shown in its comment ...
SHOWN_CHARS = 70  # ... each cut to this many characters
EXAMPLE_LINES = 8  # lines of a block in its must-remove example
ID_CHARS = 40


def pattern(line: str) -> str:
    """A regex matching this whole (stripped) line, digits and spacing generalised.

    >>> print(pattern("© 2024 Example (Media) Ltd."), pattern("It's"))
    ^©\\s+\\d+\\s+Example\\s+\\(Media\\)\\s+Ltd\\.$ ^It\\x27s$
    """
    return f"^{_body(line)}$"


def alternation(lines: list[str]) -> str:
    """A regex matching each of these whole lines (digits and spacing generalised) and no other
    line: plain literals under one anchor pair, so it cannot backtrack badly.

    >>> print(alternation(["Home", "Sport 24"]), alternation(["Home"]))
    ^(?:Home|Sport\\s+\\d+)$ ^Home$
    """
    bodies = list(dict.fromkeys(map(_body, lines)))
    return f"^{bodies[0]}$" if len(bodies) == 1 else f"^(?:{'|'.join(bodies)})$"


def _body(line: str) -> str:
    parts = re.split(r"(\d+|\s+)", line.strip())
    out = "".join(r"\d+" if p.isdigit() else r"\s+" if p.isspace() else re.escape(p) for p in parts if p)
    return _AWKWARD.sub(lambda m: f"\\x{ord(m[0]):02x}", out)


_AWKWARD = re.compile("['\x00-\x1f\x7f]")  # written \xNN, so that the regex fits a literal TOML string


def toml_string(text: str) -> str:
    """A TOML string for text: a literal '...' string when text allows, a basic one otherwise.

    >>> print(toml_string(r"^a\\.b$"), toml_string("it's"))
    '^a\\.b$' "it's"
    """
    if "'" not in text and not any(ord(c) < 32 or ord(c) == 127 for c in text):
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def slug(text: str) -> str:
    """An id made of a line's words (ASCII letters and digits; lone numbers, which change from
    page to page, dropped when other words remain), cut at a word under ID_CHARS characters.

    >>> slug("© 2015 Example Media. All rights reserved.")
    'example-media-all-rights-reserved'
    >>> slug("Главная"), slug("2024")
    ('', '2024')
    """
    words = re.findall(r"[a-z0-9]+", text.casefold().encode("ascii", "ignore").decode())
    words = [w for w in words if not w.isdigit()] or words
    out = ""
    for w in words:
        if out and len(out) + 1 + len(w) > ID_CHARS:
            break
        out = f"{out}-{w}" if out else w[:ID_CHARS]
    return out


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


@dataclass
class _Survey:
    """What pass 2 saw: each chrome line's pattern (by number), on how many pages, where first,
    and each page's runs of chrome lines."""

    pages: int = 0
    number: dict[str, int] = field(default_factory=dict)  # pattern -> its number
    text: list[str] = field(default_factory=list)  # number -> the first line it was learned from
    seen_on: list[int] = field(default_factory=list)  # number -> pages it was removed on
    first: list[tuple[int, int]] = field(default_factory=list)  # number -> (page, line) first seen
    runs: list[array] = field(default_factory=list)  # chrome lines next to each other on a page; -1 ends a run
    heads: Counter = field(default_factory=Counter)  # heading number -> pages it headed a list on
    items: dict[int, list[str]] = field(default_factory=dict)  # heading number -> the first list under it
    under: dict[int, set[int]] = field(default_factory=dict)  # item number -> headings it was under

    def of(self, line: str, where: tuple[int, int]) -> int:
        p = pattern(line)
        k = self.number.get(p)
        if k is None:
            k = self.number[p] = len(self.text)
            self.text.append(line)
            self.seen_on.append(0)
            self.first.append(where)
        return k


def learn(
    folder: Path,
    glob: str = "*.txt",
    min_pages: int = 3,
    min_share: float = 0.3,
    name: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The text of a rule pack (TOML) for the chrome that recurs across the pages under folder.
    The pages are read twice, once to count and once to learn, so memory holds the counts and
    the chrome lines' numbers, not the pages. `warn` hears of each page passed over, and why,
    and of a pack with no rules."""
    counts = rows((page_keys(Document.from_text(text)), "") for text in _pages(folder, glob, warn))
    pages = counts[marker("")]
    matcher = RecurringMatcher("learn.recurring", {"min_pages": min_pages, "min_share": min_share, "min_chars": 3})
    survey = _survey(map(Document.from_text, _pages(folder, glob)), matcher, Table.of_rows(counts.items(), 2))
    need = matcher.threshold(pages)
    stable = {k for k, n in enumerate(survey.seen_on) if n >= need}
    # a heading whose items are each on fewer pages than itself heads a rotating list
    rotating = {
        h
        for h, n in survey.heads.items()
        if n >= need
        and h in stable
        and all(survey.seen_on[k] < survey.seen_on[h] for k, hs in survey.under.items() if h in hs)
    }
    listed = {k for k, hs in survey.under.items() if hs & rotating}
    blocks = _blocks(survey, stable - rotating - listed, rotating | listed)
    site = name or folder.resolve().name
    nothing = None if blocks or rotating else _nothing(pages, need, min_pages, min_share)
    if nothing and warn is not None:
        warn(f"learned no rules (the pack written is empty): {nothing}")
    return _render(survey, site, pages, blocks, sorted(rotating, key=survey.first.__getitem__), stable, nothing)


def _nothing(pages: int, need: int, min_pages: int, min_share: float) -> str:
    """Why a pack has no rules, in one line."""
    if pages == 0:
        return "no pages to learn from (is --glob right?)"
    return (
        f"no line recurs on {need} or more of the {pages} pages (--min-pages {min_pages}, "
        f"--min-share {min_share:g}); give more pages of one site, or lower those"
    )


def _survey(docs: Iterator[Document], matcher: RecurringMatcher, counts) -> _Survey:
    """Pass 2: the lines the recurring matcher removes from each page, as numbered patterns."""
    s = _Survey()
    for page, doc in enumerate(docs):
        s.pages += 1
        on_page: set[int] = set()
        heads: set[int] = set()
        chrome: dict[int, int] = {}  # line -> its number
        for m in matcher.mark(doc, Context(doc, bytearray(len(doc)), counts.of(""))):
            start, end = doc.blocks[doc.block_of[m.start]]
            for i in range(m.start, m.end):
                chrome[i] = s.of(doc.stripped[i], (page, i))
            if m.start == start and end - start > 2:
                h = chrome[start]
                heads.add(h)
                s.items.setdefault(h, [doc.stripped[i] for i in range(start, end)])
                for i in range(start + 1, end):
                    s.under.setdefault(s.of(doc.stripped[i], (page, i)), set()).add(h)
        run = array("l")
        last = None
        for i in sorted(chrome):
            if last is not None and any(doc.stripped[j] for j in range(last + 1, i)):
                run.append(-1)  # a line that is not chrome lies between
            run.append(chrome[i])
            last = i
        if run:
            s.runs.append(run)
        on_page.update(chrome.values())
        for k in on_page:
            s.seen_on[k] += 1
        s.heads.update(heads)
    return s


def _blocks(s: _Survey, lines: set[int], breaks: set[int]) -> list[list[int]]:
    """The given lines grouped into blocks: two lines are in one block when they come next to
    each other (blank lines and other chrome lines between them allowed, but not `breaks`: a
    rotating list) on two pages or more, and on at least half the pages of the rarer of them
    (a header and a footer that meet on the odd page with no article stay apart). Each block in
    page order, the blocks in the order of their first lines."""
    pairs: Counter[tuple[int, int]] = Counter()
    for run in s.runs:
        on_page, prev = set(), None
        for k in run:
            if k < 0 or k in breaks:
                prev = None
                continue
            if k not in lines:
                continue  # chrome on too few pages (a rotating teaser) does not part its neighbours
            if prev is not None and prev != k:
                on_page.add((min(prev, k), max(prev, k)))
            prev = k
        pairs.update(on_page)
    parent = {k: k for k in lines}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for (a, b), n in pairs.items():
        if n >= 2 and 2 * n >= min(s.seen_on[a], s.seen_on[b]):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for k in sorted(lines, key=s.first.__getitem__):
        groups.setdefault(root(k), []).append(k)
    return sorted(groups.values(), key=lambda g: s.first[g[0]])


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what decode() makes of bytes that are not UTF-8


def _pages(folder: Path, glob: str, warn: Callable[[str], None] | None = None) -> Iterator[str]:
    """The pages under folder, one at a time; unreadable and binary ones are passed over, and so
    are pages with undecodable bytes, which cannot be written into a TOML file (each said to
    `warn`, if given)."""
    say = warn or (lambda message: None)
    skipped: list[tuple[str, str]] = []
    for rel in walk(folder, glob, skipped):
        try:
            text, _ = decode((folder / rel).read_bytes())
        except OSError as e:
            say(f"{rel}: skipped: cannot read it ({e.strerror or e})")
            continue
        except BinaryInputError as e:
            say(f"{rel}: skipped: {e}")
            continue
        if _UNDECODABLE.search(text) is None:
            yield text
        else:
            say(f"{rel}: skipped: not UTF-8 text (its lines could not be written into a rule pack)")
    for rel, why in skipped:
        say(f"{rel}: skipped: {why}")


def _render(
    s: _Survey,
    site: str,
    total: int,
    blocks: list[list[int]],
    rotating: list[int],
    stable: set[int],
    nothing: str | None,
) -> str:
    summary = (
        f"{_count(len(blocks) + len(rotating), 'rule')}: {_count(len(blocks), 'block')} of lines (`line`), "
        f"{_count(len(rotating), 'list')} whose items rotate (`section`)."
    )
    out = [
        f"# Learned by `clean-articles learn` from {total} pages of {site}: review before use.",
        f"# No rules learned: {nothing}." if nothing else f"# {summary}",
        "[pack]",
        f"why = {toml_string(f'Chrome that recurs across the pages of {site}.')}",
        f"site = {toml_string(site)}",
    ]
    if blocks or rotating:
        # the steadiest line, the longest of those (the most telling) gates the pack
        gate = max(stable, key=lambda k: (s.seen_on[k], len(s.text[k]), -s.first[k][0], -s.first[k][1]))
        if s.seen_on[gate] >= GATE_SHARE * total:
            out.append(f"when = {toml_string(pattern(s.text[gate]))}")
    rules = [(s.first[h], _list_rule(s, h, total)) for h in rotating]
    rules += [(s.first[b[0]], _block_rule(s, b, total)) for b in blocks]
    taken: set[str] = set()
    for _, (base, comment, body) in sorted(rules, key=lambda r: r[0]):
        out += ["", *comment, "[[rule]]", f"id = {toml_string(_unique(base, taken))}", *body]
    return "\n".join(out) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _pages_seen(s: _Survey, block: list[int], total: int) -> str:
    low, high = min(s.seen_on[k] for k in block), max(s.seen_on[k] for k in block)
    return f"{high} of {total} pages" if low == high else f"{low} to {high} of {total} pages"


def _block_rule(s: _Survey, block: list[int], total: int) -> tuple[str, list[str], list[str]]:
    """A `line` rule removing a block: its id (before it is made unique), its comment, and its
    lines after the id."""
    texts = [s.text[k] for k in block]
    steady = sorted(block, key=lambda k: (-s.seen_on[k], block.index(k)))
    slugs = [x for x in (slug(s.text[k]) for k in steady) if x]
    base = next((x for x in slugs if not x.replace("-", "").isdigit()), slugs[0] if slugs else "block")
    lines = len(block)
    what = "A line" if lines == 1 else f"A block of {lines} lines"
    comment = [f"# On {_pages_seen(s, block, total)}{':' if lines == 1 else f', {lines} lines:'}", *_shown(texts)]
    return (
        base,
        comment,
        [
            'kind = "line"',
            f"why = {toml_string(f'{what} on {_pages_seen(s, block, total)}.')}",
            f"pattern = {toml_string(alternation(texts))}",
            *_examples("\n".join(texts[:EXAMPLE_LINES]), s.text[steady[0]]),
        ],
    )


def _list_rule(s: _Survey, head: int, total: int) -> tuple[str, list[str], list[str]]:
    """A `section` rule removing a list whose items rotate: its id, comment and lines after the id."""
    items = s.items[head]
    words = max(len(x.split()) for x in items[1:])
    pages = f"{s.seen_on[head]} of {total} pages"
    comment = [f"# On {pages}: a list under this heading whose items rotate, as on one page:", *_shown(items)]
    return (
        slug(s.text[head]) or "list",
        comment,
        [
            'kind = "section"',
            f"why = {toml_string(f'A list under this heading on {pages}; its items rotate.')}",
            f"anchor = {toml_string(pattern(s.text[head]))}",
            'reach = "list"',
            f"max_words = {max(16, words + 4)}",
            *_examples("\n".join(items), s.text[head]),
        ],
    )


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # what a TOML comment may not hold


def _shown(texts: list[str]) -> list[str]:
    """Comment lines showing the first SHOWN of texts, each cut short."""
    out = []
    for t in texts[:SHOWN]:
        t = _CONTROL.sub("?", t)
        out.append(f"#   {t if len(t) <= SHOWN_CHARS else t[: SHOWN_CHARS - 1] + '…'}")
    if len(texts) > SHOWN:
        out.append(f"#   … and {len(texts) - SHOWN} more")
    return out


def _examples(chrome: str, line: str) -> list[str]:
    """A must-remove example (the chrome above a sentence) and a must-keep one (a line of it
    quoted inside a sentence, which a whole-line rule must leave alone)."""
    return [
        "  [[rule.example]]",
        f"  raw = {toml_string(chrome + chr(10) + chr(10) + FILLER)}",
        f"  clean = {toml_string(FILLER)}",
        "  [[rule.example]]",
        f"  raw = {toml_string(f'The page showed “{line}” above the story, readers said.')}",
        "  keep = true",
    ]
