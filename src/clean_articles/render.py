"""From a Document and its Marks to what users see: clean text, removals, diff, explanation, JSON.

Everything here is derived from the same marks, so the clean text, the diff and the explanation
cannot disagree.

Normalisation of the clean text (and only this; kept lines are otherwise verbatim):
- trailing whitespace of each kept line is stripped (leading indentation is kept);
- a run of blank lines becomes one blank line, and there are none at the start or end;
- every line keeps its own line ending (\\n, \\r\\n or \\r); a last line that had none gets the
  page's first line ending (\\n if the page has none), so clean text always ends with one.
Cleaning clean text again changes nothing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from itertools import compress

from clean_articles.document import Document, Mark
from clean_articles.text import split_lines


@dataclass(frozen=True)
class Removal:
    """Lines first..last (1-based, inclusive) removed by `rule` for `reason`."""

    first: int
    last: int
    rule: str
    reason: str


class Result:
    """The outcome of cleaning one page: the page, its marks and the lines kept. The clean text,
    the removals, the diff and the explanation are all worked out from these, on first use
    (most callers, pipe mode and a quiet batch, only want the text)."""

    def __init__(self, doc: Document, marks: list[Mark], keep: list[int], whys: dict[str, str] | None = None):
        self.doc = doc
        self.marks = marks
        self.keep = keep
        self.whys = whys or {}  # rule id -> its `why`: a removal whose reason is just that needs no signal
        self.lines_in = len(doc)
        self.lines_out = len(keep)

    @cached_property
    def text(self) -> str:
        """The clean text (see the module docstring for its normalisation)."""
        return text_of(self.doc, self.keep)

    @property
    def original(self) -> str:
        """The page as it came in."""
        return self.doc.text

    @cached_property
    def removals(self) -> list[Removal]:
        return removals(self.doc.stripped, self.marks)  # the module's function of that name

    def explain(self, path: str = "-", width: int = 0, style: Callable[[str, str], str] | None = None) -> str:
        return explain(self, path, width, style)

    def diff(self, path: str = "-") -> str:
        return diff(self.original, self.text, path)

    def to_json(self, path: str | None = None, metadata: bool = False) -> dict:
        return to_json(self, path, metadata)


def clean(doc: Document, mask: bytearray) -> str:
    """The kept lines, normalised as the module docstring says."""
    return text_of(doc, doc.kept(mask))


def text_of(doc: Document, keep: list[int]) -> str:
    """The clean text of the lines `keep` (from Document.kept())."""
    lines, endings = doc.lines, doc.endings
    default = next((e for e in endings if e), "\n")
    return "".join([lines[i].rstrip() + (endings[i] or default) for i in keep])


def removals(stripped: list[str], marks: list[Mark]) -> list[Removal]:
    """One Removal per run of lines taken by the same mark, for a page of these stripped lines
    (`Document.stripped`); each removed non-blank line is attributed to the first mark (in
    pipeline order) that covers it. Blank lines are layout: a run includes the blank lines
    between its lines but never starts or ends on one."""
    owner: list[Mark | None] = [None] * len(stripped)
    for m in reversed(marks):  # so the first mark that covers a line is the one left owning it
        owner[m.start : m.end] = [m] * (m.end - m.start)
    out: list[Removal] = []
    current: Mark | None = None
    first = last = -1
    for i in compress(range(len(stripped)), stripped):  # the non-blank lines
        m = owner[i]
        if m is not current:
            if current is not None:
                out.append(Removal(first + 1, last + 1, current.rule, str(current.reason)))
            current, first = m, i
        last = i
    if current is not None:
        out.append(Removal(first + 1, last + 1, current.rule, str(current.reason)))
    return out


TEXT_WIDTH = 60  # characters of a removed line that --explain shows when no terminal says


def explain(result: Result, path: str = "-", width: int = 0, style: Callable[[str, str], str] | None = None) -> str:
    """One line per removal: `path:lines  rule-id (signal)  text…`. The signal is what the rule
    saw (the main text's strongest features, a count of pages), left out when it is only the
    rule's `why` (`clean-articles rules show ID` prints that); the text is the start of the first
    removed line, cut to fit `width` columns (0: TEXT_WIDTH characters of it). `style(part,
    text)` may colour the parts: "where", "rule", "signal", "text"."""
    lines = result.doc.lines
    paint = style or (lambda part, text: text)
    out = []
    for r in result.removals:
        span = f"{r.first}" if r.first == r.last else f"{r.first}-{r.last}"
        where = f"{shown(path)}:{span}"
        signal = "" if r.reason == result.whys.get(r.rule) else f" ({r.reason.rstrip('.')})"
        start = " ".join(lines[r.first - 1].split()) if r.first <= len(lines) else ""
        room = TEXT_WIDTH
        if width:  # the text takes at least half of what is free (20 columns at least), the signal the rest
            free = width - len(where) - len(r.rule) - 4
            room = max(20, min(len(start), free // 2))
            if len(signal) > free - room:
                cut = free - room - 4  # " (" + "…)"
                signal = f" ({signal[2 : cut + 2]}…)" if cut > 0 else ""
            room = max(20, free - len(signal))
        start = _cut(start, room)
        out.append(f"{paint('where', where)}  {paint('rule', r.rule)}{paint('signal', signal)}  {paint('text', start)}")
    return "\n".join(out) + ("\n" if out else "")


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def diff(before: str, after: str, path: str = "-") -> str:
    """A unified diff of input against clean output, with `path` as the file name (quoted, as
    `shown` does, when it holds a line break). Every line of it ends with a line feed, so it
    is a well-formed patch even of a page whose lines end with a bare carriage return (kept, as
    a CRLF page's are)."""
    lines = difflib.unified_diff(
        _with_endings(before), _with_endings(after), fromfile=f"a/{shown(path)}", tofile=f"b/{shown(path)}", n=1
    )
    return "".join(
        line
        if line.endswith("\n")
        else line + "\n"
        if line.endswith("\r")
        else line + "\n\\ No newline at end of file\n"
        for line in lines
    )


_ANSI = {"where": "36", "rule": "1", "signal": "2", "text": "31", "-": "31", "+": "32", "@": "36", "head": "1"}


def paint(part: str, text: str) -> str:
    """`text` in the colour of its part (of --explain, or of a diff line), as ANSI escapes."""
    return f"\x1b[{_ANSI[part]}m{text}\x1b[0m" if text else text


def colour_diff(text: str) -> str:
    """A unified diff with its removed lines red, added green, hunk heads cyan, file heads bold."""
    out = []
    for line in text.splitlines(keepends=True):
        body, end = line.rstrip("\n"), line[len(line.rstrip("\n")) :]
        part = "head" if line.startswith(("--- ", "+++ ")) else line[:1] if line[:1] in "-+@" else ""
        out.append((paint(part, body) if part else body) + end)
    return "".join(out)


def shown(path: str) -> str:
    """A file name as outputs print it: as it is, or, when it holds a control character (a line
    break would split a line of --explain in two), as a JSON string."""
    return json.dumps(path) if any(c < " " or c == "\x7f" for c in path) else path


def _with_endings(text: str) -> list[str]:
    """Lines with their endings, split where the Document splits (so diff line numbers agree)."""
    return [line + end for line, end in zip(*split_lines(text))]


def to_json(result: Result, path: str | None = None, metadata: bool = False) -> dict:
    """A JSON-ready dict: clean text, removals, counts; with `metadata`, also the page's title,
    author, date and language (metadata.py), each with its line, or null."""
    per_rule: dict[str, int] = {}
    for r in result.removals:
        per_rule[r.rule] = per_rule.get(r.rule, 0) + 1
    lines = result.doc.lines
    out = {
        "text": result.text,
        "removals": [asdict(r) | {"text": "\n".join(lines[r.first - 1 : r.last])} for r in result.removals],
        "counts": {"lines_in": result.lines_in, "lines_out": result.lines_out, "removals": per_rule},
    }
    if metadata:
        from clean_articles.metadata import extract  # here: metadata.py reads Results

        out.update(extract(result))
    return {"path": path, **out} if path is not None else out


def dumps(obj: dict) -> str:
    """One line of JSON; text with undecodable bytes keeps them as \\udcXX escapes."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
