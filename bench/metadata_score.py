"""Score `clean_articles.metadata.extract` against gold metadata.

    python bench/metadata_score.py RAW_DIR META_DIR [-v]

RAW_DIR holds pages (`NAME.txt`), META_DIR their metadata (`NAME.json`: "title", "author",
"publish_date"). A field counts only on the pages whose gold value is non-empty. Matching:

- title: equal after folding (case, runs of whitespace, typographic quotes and dashes);
- author: after folding (also punctuation dropped), ours equals the gold author, or one holds
  the other as whole words (gold "Holly Wilgus, E-RYT 200" and ours "Holly Wilgus"; gold a list
  of eight names and ours one of them). Ours must have a letter;
- date: the date part of our iso equals the gold publish_date's date part (no iso: no match).

A second title figure also counts ours when the gold title is ours plus the site's name after a
separator ("What is Git? | Terabyte Systems"): the HTML title adds it, the page's headline has not.

It also counts values not found in their line (text not a substring of the raw line it names):
that must be 0. `-v` prints each miss.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from clean_articles import Cleaner
from clean_articles.metadata import extract

_TYPO = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Case, spacing and typographic quotes and dashes folded."""
    return " ".join(text.translate(_TYPO).casefold().split())


def fold_name(text: str) -> str:
    """A name's words only, for comparing authors."""
    return " ".join(re.findall(r"\w+", fold(text)))


def title_match_but_site(ours: str, gold: str) -> bool:
    """The gold (HTML) title is ours and the site's name after a separator ("... | Site")."""
    a, g = fold(ours), fold(gold)
    return bool(a) and g.startswith(a) and re.match(r"\s*[|\-:·»]\s*\S", g[len(a) :]) is not None


def author_match(ours: str, gold: str) -> bool:
    a, g = fold_name(ours), fold_name(gold)
    if not a or not g or not re.search(r"[^\W\d_]", a):
        return False
    return a == g or f" {a} " in f" {g} " or f" {g} " in f" {a} "


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    raw, meta = Path(args[0]), Path(args[1])
    cleaner = Cleaner()
    tally = {k: [0, 0] for k in ("title", "author", "date")}
    but_site = 0  # titles that are the gold title less the site's name the HTML title adds
    invented, pages, spent = 0, 0, 0.0
    for path in sorted(raw.glob("*.txt")):
        gold_path = meta / (path.stem + ".json")
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        result = cleaner.clean(path.read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        found = extract(result)
        spent += time.perf_counter() - t0
        pages += 1
        for key in ("title", "author", "date"):
            value = found[key]
            if value is not None and value["text"] not in result.doc.lines[value["line"] - 1]:
                invented += 1
                print(f"{path.name}: {key} {value!r} not in its line", file=sys.stderr)
        checks = {
            "title": (gold.get("title"), lambda g, v: v is not None and fold(v["text"]) == fold(g)),
            "author": (gold.get("author"), lambda g, v: v is not None and author_match(v["text"], g)),
            "date": (gold.get("publish_date"), lambda g, v: v is not None and (v["iso"] or "")[:10] == g[:10]),
        }
        for key, (g, ok) in checks.items():
            if not g:
                continue
            tally[key][1] += 1
            if ok(g, found[key]):
                tally[key][0] += 1
            elif key == "title" and found[key] is not None and title_match_but_site(found[key]["text"], g):
                but_site += 1
            elif verbose:
                got = found[key] and (found[key].get("iso") or found[key]["text"])
                print(f"  miss {path.stem} {key}: gold {g!r} ours {got!r}")
    for key, (hit, total) in tally.items():
        print(f"{key:7} {hit}/{total} ({100 * hit / max(total, 1):.1f}%)")
    hit, total = tally["title"]
    print(
        f"title, or the gold title less a site name after | - : ({but_site} more): "
        f"{hit + but_site}/{total} ({100 * (hit + but_site) / max(total, 1):.1f}%)"
    )
    print(f"not in page: {invented}")
    print(f"pages: {pages}, extract: {1000 * spent / max(pages, 1):.2f} ms a page")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
