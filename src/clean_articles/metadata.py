"""A page's title, author, date and language, read from its raw text around the article.

`extract(result)` takes a cleaned page (`render.Result`) and answers

    {"title": F | None, "author": F | None, "date": D | None, "language": L | None}

with F = {"text", "line"}: the value as the page prints it and its 1-based line; D adds "iso"
(YYYY-MM-DD, with THH:MM when a time follows the date; None when the date cannot be read
unambiguously); L = {"code", "share"}: the stopword list (lexicon/stopwords) that the article's
words fit best and the share of its words in that list.

Nothing is invented: every text is a substring of its line (at most a bullet, a label such as
"By" or "Published:" or a trailing separator is cut off), and iso is read from that text.

How, in order:
- the article's start is the first line the cleaner kept. The page's head is the stretch of
  lines above it (HEAD_LINES non-blank lines) and the first few of the article (a headline or a
  byline the cleaner kept);
- the title is the head's line that scores best as a headline: 2-25 words, no sentence end, no
  date, no byline cue, its content words found in the article, close to the article, printed
  twice (a page's title often is), capitalised;
- the author comes from a byline near the title: "By X", "Written by X", "Author: X", a label
  alone with the name on the next line, or a bare name (2-4 capitalised words) beside a date;
- the date is the head's date closest to the title or the article; a "Published"/"Posted" date
  wins over an "Updated" one. Month names are English (lexicon/dates.txt decides which
  abbreviations count); 03/04/2025 is read only when one number is over 12 (or both agree);
- the language is worked out as main_text's features do (the C does not hand it out): the
  stopword list holding most of the article's first words, if at least 8% of them.

Limits: the title found is the headline printed on the page, which may differ from the HTML
<title> (a site name appended, a different wording); a page without a visible byline or date
gets None; relative dates ("3 days ago") and dates without a year are not read; month names of
other languages are not known. Work is linear in the page (one pass for the article's words and
language, a bounded window for the rest), with simple patterns only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import islice

from clean_articles.document import Document
from clean_articles.render import Result
from clean_articles.text import BULLET, DATE_WORDS, LEXICON, ends_sentence, stopwords

HEAD_LINES = 40  # non-blank lines above the article read for its title, byline and date
INTO_ARTICLE = 4  # lines of the kept article read too (a headline or a byline it kept)
TITLE_WORDS = (2, 25)  # a title's length in words
LANGUAGE_WORDS = 600  # words of the article read for its language
LANGUAGE_SHARE = 0.08  # a language's stopwords make at least this share of them

# ---------------------------------------------------------------------------------------------
# The article and its head


def _start(result: Result) -> int:
    """The article's first line: the first kept line with a word, or 0 for a page kept whole or
    not at all (the head is then the page's top)."""
    stripped = result.doc.stripped
    return next((i for i in result.keep if stripped[i]), 0)


def _head(stripped: Sequence[str], start: int) -> list[int]:
    """The non-blank lines read for metadata: HEAD_LINES above the article, then INTO_ARTICLE of
    it, in page order."""
    above = list(islice((i for i in range(start - 1, -1, -1) if stripped[i]), HEAD_LINES))
    below = list(islice((i for i in range(start, len(stripped)) if stripped[i]), INTO_ARTICLE))
    return above[::-1] + below


def _unbulleted(line: str) -> str:
    """A stripped line without its list bullet (the text that follows it is what it says)."""
    m = BULLET.match(line)
    return line[m.end() :].strip() if m and not line[: m.end()].strip()[:1].isdigit() else line


# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")  # fmt: skip
_MONTH = r"[A-Za-z]{3,9}"
_YEAR = r"(?:19|20)\d\d"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(  # each form starts and ends where a word or a number does (pages run "2025August" together)
    rf"(?<![A-Za-z])(?P<m1>{_MONTH})\.?\s+(?P<d1>{_DAY})[,.]?\s+(?P<y1>{_YEAR})(?!\d)"
    rf"|(?<!\d)(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>{_YEAR})(?!\d)"
    rf"|(?<!\d)(?P<y3>{_YEAR})(?P<s3>[-/.•])(?P<n3>\d{{1,2}})(?P=s3)(?P<e3>\d{{1,2}})(?!\d)"
    rf"|(?<![\d.])(?P<a4>\d{{1,2}})(?P<s4>[-/.])(?P<b4>\d{{1,2}})(?P=s4)(?P<y4>{_YEAR})(?!\d)"
)
_TIME = re.compile(r"(?:\s*(?:,|at|@|-|–|·|\||•)?\s*)(?P<h>\d{1,2}):(?P<mi>\d\d)(?:\s*(?P<ap>[AaPp])\.?[Mm]\b\.?)?")
_PUBLISHED = re.compile(r"(?i)\b(?:published|posted|on|date)\b")
_UPDATED = re.compile(r"(?i)\b(?:updated|modified|edited|last)\b")


def month(word: str) -> int | None:
    """The number of an English month name or an abbreviation of it that lexicon/dates.txt
    lists ("Sept", "Dec"), else None.

    >>> month("Sept"), month("december"), month("Mayo")
    (9, 12, None)
    """
    w = word.casefold()
    if w not in DATE_WORDS:
        return None
    found = [n for n, name in enumerate(_MONTHS, 1) if name.startswith(w)]
    return found[0] if len(found) == 1 else None


def _day(text: str) -> int:
    return int(text.rstrip("stndrh"))


def _iso(m: re.Match) -> str | None:
    """The date a match of _DATE names, as YYYY-MM-DD, or None if it is no date (a 31 February,
    a word that is no month) or is ambiguous (03/04/2025)."""
    g = m.groupdict()
    if g["y1"]:
        y, mo, d = int(g["y1"]), month(g["m1"]), _day(g["d1"])
    elif g["y2"]:
        y, mo, d = int(g["y2"]), month(g["m2"]), _day(g["d2"])
    elif g["y3"]:
        y, mo, d = int(g["y3"]), int(g["n3"]), int(g["e3"])
    else:
        a, b, y = int(g["a4"]), int(g["b4"]), int(g["y4"])
        if a > 12 >= b:
            mo, d = b, a
        elif b > 12 >= a or a == b:
            mo, d = a, b
        else:
            return None
    try:
        return dt.date(y, mo or 0, d).isoformat()
    except ValueError:
        return None


def dates_in(line: str) -> list[tuple[str, str | None]]:
    """The dates a line prints, each as (its text, its iso form or None), a time right after a
    date taken with it.

    >>> dates_in("By Jane Doe | March 3, 2025 at 5:50 pm")
    [('March 3, 2025 at 5:50 pm', '2025-03-03T17:50')]
    >>> dates_in("Updated 2025-03-04; filed 03/04/2025")
    [('2025-03-04', '2025-03-04'), ('03/04/2025', None)]
    """
    out = []
    for m in _DATE.finditer(line):
        iso, end = _iso(m), m.end()
        if iso is None and (m["m1"] or m["m2"]) and month(m["m1"] or m["m2"]) is None:
            continue  # "Top 7 Blockchain 2025": a word where the month would be
        t = _TIME.match(line, end)
        if t and iso:
            h = int(t["h"]) % 12 + (12 if (t["ap"] or "").lower() == "p" else 0) if t["ap"] else int(t["h"])
            if h < 24 and int(t["mi"]) < 60:
                iso, end = f"{iso}T{h:02d}:{t['mi']}", t.end()
        out.append((line[m.start() : end], iso))
    return out


def _head_date(stripped: Sequence[str], head: list[int], anchor: int) -> dict | None:
    """The head's date closest to `anchor` (the title's line, or the article's start), a readable
    one before one that is not, a published one before an updated one on the same line."""
    best = None
    for i in head:
        line = stripped[i]
        for k, (text, iso) in enumerate(dates_in(line)):
            before = line[: line.find(text)]
            updated = _UPDATED.search(before) is not None and _PUBLISHED.search(before[-12:]) is None
            rank = (iso is None, updated, abs(i - anchor), k)
            if best is None or rank < best[0]:
                best = (rank, {"text": text, "iso": iso, "line": i + 1})
    return best[1] if best else None


_LABELLED = re.compile(r"(?i)^\W*(?:published|posted|first published|date published)\b")


def _labelled_date(stripped: Sequence[str]) -> dict | None:
    """The first readable date of the page on a line that says it is the publication's
    ("Published August 13, 2025"), wherever it is: some pages print it under the article."""
    for i, line in enumerate(stripped):
        if line[:40].lstrip()[:1].isalpha() and _LABELLED.match(line):
            found = [(text, iso) for text, iso in dates_in(line) if iso]
            if found:
                return {"text": found[0][0], "iso": found[0][1], "line": i + 1}
    return None


def find_date(stripped: Sequence[str], head: list[int], anchor: int) -> dict | None:
    """The date of the article: the head's (`_head_date`), else a labelled one anywhere."""
    return _head_date(stripped, head, anchor) or _labelled_date(stripped)


# ---------------------------------------------------------------------------------------------
# Title

_WORD = re.compile(r"\w+")
_NOT_TITLE = re.compile(
    r"(?i)^(?:by\b|written by|posted|published|updated|author|share|menu|home\b|skip|search|"
    r"log ?in|sign ?(?:in|up)|subscribe|advertisement|related|read more|table of contents?|"
    r"\d+ min(?:ute)?s? read)|cookie|©|copyright"
)


def _content(text: str) -> list[str]:
    """The words of a text that carry its subject: not stopwords of any language, not numbers,
    three letters or more, case-folded."""
    masks, _ = stopwords()
    return [w for w in _WORD.findall(text.casefold()) if len(w) > 2 and w not in masks and not w.isdigit()]


_BREAK = re.compile(r"[a-z]{2}\. [A-Z]|\S {3}")  # a sentence break or a table's column gap inside a line
_NUMBERED = re.compile(r"\d{1,2}[.)]\s")


def _title_shape(line: str) -> bool:
    """Whether a stripped line can be a headline: TITLE_WORDS words, no sentence end (a question
    or an exclamation may end it), one sentence, no date, no column gap, no label of chrome or
    byline."""
    n = len(line.split())
    if not TITLE_WORDS[0] <= n <= TITLE_WORDS[1] or _NOT_TITLE.search(line) or _BREAK.search(line):
        return False
    if ends_sentence(line) and not line.rstrip("\"'”’»)").endswith(("?", "!")):
        return False
    return not dates_in(line)


def _title_score(line: str, distance: int, body: dict[str, int], flags: tuple[bool, ...]) -> float | None:
    """How much a headline-shaped line looks like the article's headline: its subject words
    recur in the article (a menu item's word is there once, a headline's are its subject); it is
    near the article; a date or byline is next to it; it is printed twice above the article
    (a breadcrumb, a header) but not inside it (a table of contents' entry is); it is
    capitalised, not numbered (a list's item). None if it has no subject word."""
    printed_twice, in_article, inside, dated = flags
    content = _content(line)
    if not content:
        return None
    weight = min(sum(min(body.get(w, 0), 3) / 3 for w in content), 5.0)
    caps = sum(w[:1].isupper() for w in line.split()) / len(line.split())
    return (
        weight
        + caps
        + 0.8 * printed_twice
        - 0.7 * math.log2(1 + distance)
        - 2.0 * (inside or in_article)
        + 2.5 * dated
        - 1.5 * bool(_NUMBERED.match(line))
    )


def find_title(
    stripped: Sequence[str], head: list[int], start: int, body: dict[str, int], keep: list[int]
) -> dict | None:
    """The head's headline-shaped line (`_title_shape`) that scores best (`_title_score`)."""
    texts = [_unbulleted(stripped[i]) for i in head]
    printed = Counter(t.casefold() for t in texts)
    kept = {stripped[i].casefold() for i in keep}
    first = sum(1 for i in head if i < start)  # the article's first line's place in the head
    marked = [bool(dates_in(t)) or _is_byline(t) for t in texts]
    best = None
    for rank, (i, text) in enumerate(zip(head, texts)):
        if not _title_shape(text):
            continue
        # distance in non-blank lines from the article's start; lines inside it count double
        distance = first - rank if rank < first else 2 * (rank - first + 1)
        key = text.casefold()
        flags = (
            printed[key] > 1,
            rank < first and key in kept,
            rank >= first,
            any(marked[max(0, rank - 3) : rank + 4]),
        )
        score = _title_score(text, distance, body, flags)
        if score is not None and (best is None or score > best[0]):
            best = (score, {"text": text, "line": i + 1})
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# Author

AUTHOR_REACH = 10  # a byline is at most this many non-blank lines from the title (or the article's start)

_LABEL = re.compile(
    r"(?i)^(?:(?:written|posted|published|words|story|text|report(?:ed)?)\s+)?by\b\s*:?\s*"
    r"|^(?:authors?|autor|auteur|autore|writer|byline)\s*:\s*"
)
_BY = re.compile(r"(?i)\sby\s*:?\s+(?=[^\W\d_])")
_AFTER_BY = re.compile(
    r"(?i)^(?:posted|published|written|updated)\b|[|•·–—]\s*$"
)  # what may come before a mid-line "by"
_CUT = re.compile(
    r"(?=(?:Published|Updated|Posted|Follow|Share|Last updated)\b)"
    r"|\s+(?:[|•·/–—-]|on|in|at|and\s+last|updated|published|posted)\s|[|•·,;(]|\s\d|\s+\d+\s+min"
)
_PARTICLES = frozenset("de da del della di van von der den du la le bin al el st. jr. jr sr. sr ii iii".split())
_NAME_STOP = frozenset("the our your this that with for from about team staff news and more read".split())


def _name(text: str, handle: bool = False) -> str | None:
    """A person's or a desk's name at the start of `text`, up to a separator or a date, if it
    reads as one: 1-5 words, capitalised but for particles ("van", "de"), no digit, no date
    word. `handle`: a labelled byline may name a user ("by infuy"), one lower-case word."""
    text = text.strip()
    dates = dates_in(text)
    if dates:
        text = text[: text.find(dates[0][0])]
    cut = _CUT.search(text)
    name = (text[: cut.start()] if cut else text).strip().rstrip(" .:-–—")
    parts = name.split()
    if not 1 <= len(parts) <= 5 or any(c.isdigit() for c in name):
        return None
    if handle and len(parts) == 1 and _WORD.fullmatch(name):
        return name
    folded = [p.casefold().strip(".,") for p in parts]
    lower = [p for p, f in zip(parts, folded) if not p[:1].isupper() and f not in _PARTICLES]
    if lower or folded[0] in _NAME_STOP or any(w in DATE_WORDS for w in folded):
        return None
    return name


def _bare_name(line: str, common: frozenset[str] = frozenset()) -> str | None:
    """A line that is only a name: 2-4 capitalised words, none a stopword, a date word or a word
    all of whose words the article writes in lower case (`common`: "Marketing Strategy" is a
    category, not a person; "Tom May" is a person)."""
    parts = line.split()
    if not 2 <= len(parts) <= 4 or not all(p[:1].isupper() or p.casefold() in _PARTICLES for p in parts):
        return None
    masks, _ = stopwords()
    folded = [p.casefold().strip(".,") for p in parts]
    if all(w in common for w in folded):
        return None
    if any(w in masks or w in DATE_WORDS or not _WORD.fullmatch(w.replace("-", "").replace("'", "")) for w in folded):
        return None
    return _name(line)


def _dated_name(line: str, common: frozenset[str]) -> str | None:
    """The name a date line prints beside its date: before it ("Jane Doe | March 3, 2025",
    "Jane Doe March 3, 2025") or after it and a separator ("March 3, 2025 · Jane Doe")."""
    dates = dates_in(line)
    if not dates:
        return None
    at = line.find(dates[0][0])
    before, after = line[:at].rstrip(), line[at + len(dates[0][0]) :].strip()
    if before:
        name = _bare_name(before.rstrip("|•·-–—, "), common)
        return name if name and before[len(name) :].strip(" |•·-–—,") == "" else None
    if after[:1] in ("|", "•", "·", "-", "–", "—"):
        name = _name(after[1:])
        return name if name and len(name.split()) >= 2 and not common.issuperset(name.casefold().split()) else None
    return None


def _is_byline(line: str) -> bool:
    """Whether a line holds a byline's label ("By", "Author:")."""
    return _LABEL.match(line) is not None or _mid_by(line) is not None


def _mid_by(line: str) -> re.Match | None:
    """A "by" inside a line that introduces its author: after a date, a separator or a
    "Posted" ("Posted on July 1, 2024 by infuy"), not in a title ("Platforms by Industry")."""
    m = _BY.search(line)
    if m is None or len(line.split()) > 16:
        return None
    before = line[: m.start()]
    return m if _AFTER_BY.search(before) or dates_in(before) else None


def _byline(line: str) -> str | None:
    """The author a line names by a label: "By X", "Author: X", "Posted ... by X"."""
    m = _LABEL.match(line)
    if m:
        return _name(line[m.end() :], handle=True) if line[m.end() :].strip() else None
    m = _mid_by(line)
    return _name(line[m.end() :], handle=True) if m else None


def find_author(
    stripped: Sequence[str], head: list[int], anchor: int, dated: int | None, common: frozenset[str] = frozenset()
) -> dict | None:
    """The author of the byline nearest to `anchor` (the title's line, or the article's start),
    within AUTHOR_REACH head lines: a labelled byline first (its label may stand alone, the
    name on the next line); else a name beside the date (on the date's line, or a bare name
    within two lines of it)."""
    centre = min(range(len(head)), key=lambda k: abs(head[k] - anchor)) if head else 0
    near = sorted(
        range(max(0, centre - AUTHOR_REACH), min(len(head), centre + AUTHOR_REACH + 1)), key=lambda k: abs(k - centre)
    )
    texts = {k: _unbulleted(stripped[head[k]]) for k in near}
    for k in near:
        name, i = _byline(texts[k]), head[k]
        if name is None and _LABEL.fullmatch(texts[k]) and k + 1 < len(head):
            name, i = _name(_unbulleted(stripped[head[k + 1]]), handle=True), head[k + 1]
        if name:
            return {"text": name, "line": i + 1}
    if dated is None:
        return None
    for k in sorted(near, key=lambda k: abs(head[k] - dated)):
        if abs(head.index(dated) - k) > 2 if dated in head else True:
            continue
        name = _dated_name(texts[k], common) if head[k] == dated else _bare_name(texts[k], common)
        if name:
            return {"text": name, "line": head[k] + 1}
    return None


# ---------------------------------------------------------------------------------------------
# Language


def find_language(stripped: Sequence[str], keep: list[int]) -> dict | None:
    """The stopword list that the article's first LANGUAGE_WORDS words fit best, as main_text's
    features find the page's language, if its words are at least LANGUAGE_SHARE of them."""
    masks, sets = stopwords()
    codes = [p.stem for p in sorted((LEXICON / "stopwords").glob("*.txt"))]
    counts = [0] * len(sets)
    total = 0
    for i in keep:
        for w in _WORD.findall(stripped[i].casefold()):
            total += 1
            m = masks.get(w, 0)
            for b in range(len(sets)):
                if m >> b & 1:
                    counts[b] += 1
        if total >= LANGUAGE_WORDS:
            break
    if not total:
        return None
    best = max(range(len(sets)), key=counts.__getitem__)
    share = counts[best] / total
    return {"code": codes[best], "share": round(share, 3)} if share >= LANGUAGE_SHARE else None


# ---------------------------------------------------------------------------------------------


def extract(result: Result) -> dict:
    """Title, author, date and language of a cleaned page (see the module docstring)."""
    stripped = result.doc.stripped
    start = _start(result)
    head = _head(stripped, start)
    article = _WORD.findall("\n".join(stripped[i] for i in result.keep))
    body = Counter(w.casefold() for w in article)
    common = frozenset(w for w in article if w[:1].islower())
    title = find_title(stripped, head, start, body, result.keep)
    anchor = title["line"] - 1 if title else start
    date = find_date(stripped, head, anchor)
    author = find_author(stripped, head, anchor, date["line"] - 1 if date else None, common)
    out = {"title": title, "author": author, "date": date, "language": find_language(stripped, result.keep)}
    return {k: _as_printed(v, result.doc) for k, v in out.items()}


def _as_printed(value: dict | None, doc: Document) -> dict | None:
    """The value with its text as the raw line has it. The text was read from the stripped line,
    where odd spaces (no-break, thin) are plain ones; stripping keeps every other character in
    place, so the raw text is the same stretch of the raw line. None if it cannot be found:
    never a value the page does not hold."""
    if value is None or "text" not in value:
        return value
    raw, line = doc.lines[value["line"] - 1], doc.stripped[value["line"] - 1]
    at = line.find(value["text"])
    if at < 0:
        return None
    at += len(raw) - len(raw.lstrip())
    text = raw[at : at + len(value["text"])]
    return {**value, "text": text} if " ".join(text.split()) == " ".join(value["text"].split()) else None
