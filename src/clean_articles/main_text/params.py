"""The main-text detector's parameters: one schema, the only place each one is described.

Their values live in the rule file (rules/generic/main-text.toml, with `favor` tables that
``--favor`` merges over them); the loader checks them against `SCHEMA`, and
docs/main-text.md holds the table `table()` makes of it (a test keeps the two the same).

>>> SCHEMA["min_words_good"].phase, SCHEMA["min_words_good"].type
('classes', <class 'int'>)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One parameter: its name, type, the phase that reads it, and what it means."""

    name: str
    type: type
    phase: str
    doc: str


PHASES = {
    "features": "what a line says on its own (features.py)",
    "classes": "a line's class on its page (features.py, signals.py)",
    "teasers": "teaser runs (signals.py)",
    "span": "the main span (span.py)",
    "inside": "inside and around the span (span.py, labels.py)",
    "headline": "the headline (headline.py)",
}

_PARAMS = [
    Param("scan_chars", int, "features", "only this many characters of a line are analysed"),
    Param("lang_sample_words", int, "features", "words looked at to find the page's language"),
    Param("min_lang_hits", float, "features", "stopword share a page needs for its language to count"),
    Param("cjk_chars_per_word", float, "features", "CJK characters that count as one word"),
    Param("min_words_good", int, "classes", "prose: at least this many words ..."),
    Param("min_stop_density", float, "classes", "... at least this share of stopwords ..."),
    Param("max_title_share", float, "classes", "... at most this share of capitalised words ..."),
    Param("min_words_unpunct", int, "classes", "... and a sentence end, or at least this many words"),
    Param("min_words_near", int, "classes", "a shorter sentence: at least this many words ..."),
    Param("near_stop_density", float, "classes", "... this share of stopwords, and a sentence end"),
    Param("menu_max_words", int, "classes", "a bullet line with at most this many words is a menu item"),
    Param("title_min_words", int, "classes", "a capitalised line of at least this many words is a link title"),
    Param("date_words", str, "classes", "words of dates and counters (months, 'am', 'comments')"),
    Param("date_max_words", int, "classes", "a date/counter line: at most this many words ..."),
    Param("date_share", float, "classes", "... this share of them numbers or date words, one a number"),
    Param(
        "stuck_max_words",
        int,
        "inside",
        "a line this short in one block with a line an earlier rule removed (a caption and its credit) "
        "goes with it (0: never) ...",
    ),  # fmt: skip
    Param(
        "caption_max_words",
        int,
        "inside",
        "... or this short when the removed line is right below it (a caption above its credit; "
        "text below a teaser is not one)",
    ),  # fmt: skip
    Param(
        "table_min_rows", int, "classes", "this many lines in a row laid out in columns are a table (0: never)"
    ),  # fmt: skip
    Param("teaser_min_groups", int, "teasers", "at least this many teaser groups of the same shape"),
    Param("teaser_max_words", int, "teasers", "a teaser is at most this many words long"),
    Param("teaser_max_gap", int, "teasers", "at most this many lines (title, byline, date) before a teaser"),
    Param("good_cap", int, "span", "a prose line scores its words, at most this many"),
    Param("bullet_factor", float, "span", "a prose bullet item scores this share of that"),
    Param("near_score", float, "span", "score of a shorter sentence"),
    Param("short_penalty", float, "span", "cost of a short line"),
    Param("bad_penalty", float, "span", "cost of a menu item, date or link title"),
    Param("max_gap", float, "span", "more cost than this between two prose lines ends a run"),
    Param("list_min_lines", int, "inside", "a run of this many non-prose lines inside the span ..."),
    Param("list_max_words", float, "inside", "... of at most this many words on average is a link list ..."),
    Param("list_bad_share", float, "inside", "... and so is one with this share of menu items / link titles"),
    Param("date_cut_share", float, "span", "cut the span at a date/byline with less prose than this beyond"),
    Param(
        "gone_cut_lines",
        int,
        "span",
        "... or, near the end, after this many lines an earlier rule removed (share buttons, a "
        "'related' list) (0: never) ...",
    ),  # fmt: skip
    Param("gone_cut_words", float, "span", "... when at most this many words of prose lie beyond"),
    Param(
        "end_pattern",
        str,
        "span",
        "regex: a heading that ends the article ('Related stories', 'About the author'), kept or "
        "removed by an earlier rule ...",
    ),  # fmt: skip
    Param(
        "end_cut_share",
        float,
        "span",
        "... ends the span when at least this share of its prose lies before it (above 1: never)",
    ),  # fmt: skip
    Param(
        "about_pattern",
        str,
        "span",
        "regex: 'About Jane Doe', group 1 the name; a heading of an author box when a short line "
        "above printed the name",
    ),  # fmt: skip
    Param(
        "indent_tolerance",
        int,
        "span",
        "prose at the span's edges indented further from the article than this is trimmed (-1: never)",
    ),  # fmt: skip
    Param(
        "centre_indent",
        int,
        "inside",
        "inside the span, a line indented this much deeper than the article is a caption w3m "
        "centred under a figure (0: never)",
    ),  # fmt: skip
    Param(
        "trail_max_short",
        int,
        "span",
        "after the span, short sentences are the article's through at most this many short lines in a row (-1: never)",
    ),  # fmt: skip
    Param("keep_headline", bool, "headline", "keep the headline above the span"),
    Param("headline_window", int, "headline", "look this many live lines above the span for the headline"),
    Param("headline_min_words", int, "headline", "a headline has at least this many words ..."),
    Param("headline_max_words", int, "headline", "... and at most this many"),
    Param("headline_echo_window", int, "headline", "live lines above the span searched for a copy of the headline"),
    Param("byline_pattern", str, "headline", "regex: a byline or a credit is never the headline"),
]

#: Every parameter by name, in the order of the table.
SCHEMA: dict[str, Param] = {p.name: p for p in _PARAMS}


def table() -> str:
    """The parameters as a Markdown table, phase by phase (what docs/main-text.md holds)."""
    out = []
    for phase, what in PHASES.items():
        out += ["", f"### {what[0].upper()}{what[1:]}", "", "| parameter | type | meaning |", "|---|---|---|"]
        out += [f"| `{p.name}` | {p.type.__name__} | {p.doc} |" for p in _PARAMS if p.phase == phase]
    return "\n".join(out[1:]) + "\n"
