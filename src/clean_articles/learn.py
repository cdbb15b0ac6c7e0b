"""learn: write a rule pack of the blocks that recur across the pages of a folder.

A site's chrome, found once by comparing its pages (the `recurring` kind, with the thresholds
given), becomes an ordinary pack that then cleans single pages in pipe mode:

- a line that recurs becomes a `line` rule matching that whole line, with each run of digits
  generalised to ``\\d+`` and each run of spaces to ``\\s+``;
- a block whose heading recurs but whose items rotate ("Most read") becomes a `section` rule
  anchored on the heading, reaching over the list under it.

Each rule carries its own must-remove and must-keep examples made from a page where it was seen,
so the pack passes `rules check` and `rules test` and can be reviewed like any shipped one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from clean_articles.document import Document
from clean_articles.encoding import BinaryInputError, decode
from clean_articles.files import walk
from clean_articles.matchers.recurring import RecurringMatcher
from clean_articles.pipeline import Context
from clean_articles.repeats import count_texts

FILLER = "The council voted on Tuesday to close the old library and move its books to the new school."
GATE_SHARE = 0.9  # a line on this share of the pages becomes the pack's `when` gate


def pattern(line: str) -> str:
    """A regex matching this whole (stripped) line, digits and spacing generalised.

    >>> pattern("© 2024 Example (Media) Ltd.")
    '^©\\\\s+\\\\d+\\\\s+Example\\\\s+\\\\(Media\\\\)\\\\s+Ltd\\\\.$'
    """
    parts = re.split(r"(\d+|\s+)", line.strip())
    out = "".join(r"\d+" if p.isdigit() else r"\s+" if p.isspace() else re.escape(p) for p in parts if p)
    return f"^{out}$"


def toml_string(text: str) -> str:
    """A TOML string for text: a literal '...' string when text allows, a basic one otherwise.

    >>> print(toml_string(r"^a\\.b$"), toml_string("it's"))
    '^a\\.b$' "it's"
    """
    if "'" not in text and not any(ord(c) < 32 or ord(c) == 127 for c in text):
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.casefold().encode("ascii", "ignore").decode())
    base = "-".join(words)[:40].strip("-") or "line"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def learn(
    folder: Path,
    glob: str = "*.txt",
    min_pages: int = 3,
    min_share: float = 0.3,
    name: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The text of a rule pack (TOML) for the chrome that recurs across the pages under folder.
    The pages are read twice, once to count and once to learn, so memory holds the counts, not
    the pages. `warn` hears of each page passed over, and why."""
    counts = count_texts(_pages(folder, glob, warn))
    matcher = RecurringMatcher("learn.recurring", {"min_pages": min_pages, "min_share": min_share, "min_chars": 3})
    lines: Counter[str] = Counter()  # pattern -> pages it was removed on
    seen: dict[str, str] = {}  # pattern -> the first line it was learned from
    sections: Counter[str] = Counter()  # heading pattern -> pages
    section_items: dict[str, list[str]] = {}  # heading pattern -> the first list seen under it
    under: dict[str, set[str]] = {}  # item pattern -> the headings it was seen under
    for doc in map(Document.from_text, _pages(folder, glob)):
        on_page: set[str] = set()
        heads: set[str] = set()
        for m in matcher.mark(doc, Context(doc, bytearray(len(doc)), counts.of(""))):
            start, end = doc.blocks[doc.block_of[m.start]]
            for i in range(m.start, m.end):
                on_page.add(pattern(doc.stripped[i]))
                seen.setdefault(pattern(doc.stripped[i]), doc.stripped[i])
            if m.start == start and end - start > 2:
                heads.add(pattern(doc.stripped[start]))
                section_items.setdefault(pattern(doc.stripped[start]), [doc.stripped[i] for i in range(start, end)])
                for i in range(start + 1, end):
                    under.setdefault(pattern(doc.stripped[i]), set()).add(pattern(doc.stripped[start]))
        lines.update(on_page)
        sections.update(heads)
    need = matcher.threshold(counts.pages)
    stable = sorted((p for p, n in lines.items() if n >= need), key=lambda p: (-lines[p], p))
    # a heading whose items are each on fewer pages than itself heads a rotating list
    rotating = sorted(
        (
            h
            for h, n in sections.items()
            if n >= need and lines[h] >= need and all(lines[p] < lines[h] for p, hs in under.items() if h in hs)
        ),
        key=lambda p: (-lines[p], p),
    )
    stable = [p for p in stable if not under.get(p, set()) & set(rotating)]
    return _render(folder, name, counts.pages, stable, rotating, lines, seen, section_items)


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
    folder: Path,
    name: str | None,
    total: int,
    stable: list[str],
    rotating: list[str],
    lines: Counter,
    seen: dict[str, str],
    section_items: dict[str, list[str]],
) -> str:
    site = name or folder.resolve().name
    out = [
        f"# Learned by `clean-articles learn` from {total} pages of {site}: review before use.",
        "[pack]",
        f"why = {toml_string(f'Chrome that recurs across the pages of {site}.')}",
        f"site = {toml_string(site)}",
    ]
    gate = next((p for p in stable if lines[p] >= GATE_SHARE * total), None)
    if gate:
        out.append(f"when = {toml_string(gate)}")
    taken: set[str] = set()
    for head in rotating:
        items = section_items[head]
        words = max(len(x.split()) for x in items[1:])
        out += [
            "",
            "[[rule]]",
            f"id = {toml_string(_slug(seen[head], taken))}",
            'kind = "section"',
            f"why = {toml_string(f'A list under this heading on {lines[head]} of {total} pages; its items rotate.')}",
            f"anchor = {toml_string(head)}",
            'reach = "list"',
            f"max_words = {max(16, words + 4)}",
        ]
        out += _examples("\n".join(items), seen[head])
    for p in stable:
        out += [
            "",
            "[[rule]]",
            f"id = {toml_string(_slug(seen[p], taken))}",
            'kind = "line"',
            f"why = {toml_string(f'On {lines[p]} of {total} pages.')}",
            f"pattern = {toml_string(p)}",
        ]
        out += _examples(seen[p], seen[p])
    return "\n".join(out) + "\n"


def _examples(chrome: str, line: str) -> list[str]:
    """A must-remove example (the chrome above a sentence) and a must-keep one (its text quoted
    inside a sentence, which a whole-line rule must leave alone)."""
    return [
        "  [[rule.example]]",
        f"  raw = {toml_string(chrome + chr(10) + chr(10) + FILLER)}",
        f"  clean = {toml_string(FILLER)}",
        "  [[rule.example]]",
        f"  raw = {toml_string(f'The page showed “{line}” above the story, readers said.')}",
        "  keep = true",
    ]
