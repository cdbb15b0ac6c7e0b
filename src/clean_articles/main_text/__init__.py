"""Main-text detection for pages from sites nobody wrote rules for: a learned line scorer.

The page is the visible text of a web page as a text browser dumps it; the article is a mostly
contiguous run of its lines. `classify` goes through these steps, one module each:

1. features.py: a row of numbers for each live line (not blank, not removed by an earlier rule,
   with a word character): what it says on its own and what the lines around it say;
2. model.py: members trained on different shares of the sites, each two logistic regressions
   and trees that correct the second, whose weights are data (rules/models/main-text.toml),
   score each line; their mean is the log-odds that it is article text;
3. decode.py: the best path through the states before / in / gap / after the article, with
   costs for entering, interrupting and leaving it, turns the scores into the article;
4. `_edges` settles the article's first and last lines by what they say (a headline atop it
   leaves it, a closing sentence below it joins it), where the scores are least sure.

A line is removed as `before the article`, `after the article` or `left out of the article` (a
gap); its reason then names the features that pushed the scores of its run of lines down most,
worked out only when a removal is explained. train.py makes a model from pages and their clean
text (``clean-articles train``); docs/main-text.md has the features, the labels and the figures.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import chain, compress, groupby
from operator import itemgetter, mul, sub

from clean_articles.document import Document
from clean_articles.main_text.decode import STATES, path
from clean_articles.main_text.features import DESCRIPTIONS, DESCRIPTIONS_2, page_features
from clean_articles.main_text.model import STAGE2_NAMES, Model, ModelError, Stage, dump, load
from clean_articles.text import ends_sentence, sentence_flags

__all__ = ["Model", "ModelError", "classify", "dump", "load"]

PLACES = {"before": "before the article", "gap": "left out of the article", "after": "after the article"}


def classify(doc: Document, removed: Sequence[bool], model: Model, bias: float = 0.0) -> list[tuple[int, int, object]]:
    """The [start, end) line ranges of `doc` to remove, each with its reason (str() gives it).
    `removed` flags the lines earlier rules took; `bias` is added to every score (above 0 keeps
    more, below 0 less)."""
    feats = page_features(doc, removed)
    if not feats.live:
        return []
    parts, z = model.scored(feats)
    costs = model.decoder
    states = path(z, costs["bias"] + bias, costs)  # 0 before, 1 in, 2 gap, 3 after (decode.STATES)
    live = feats.live
    states = _edges(states, z, costs["bias"] + bias, [doc.stripped[i] for i in live])
    kept = [i for i, s in zip(live, states) if s == 1]
    first, last = (kept[0], kept[-1]) if kept else (len(doc), -1)
    out: list[tuple[int, int, object]] = []
    k = 0
    for state, run in groupby(states):  # each run of lines of one state
        size = len(list(run))
        if state != 1:
            run_of = list(range(k, k + size))
            out.append((live[k], live[k + size - 1] + 1, _Reason(STATES[state], parts, run_of)))
        k += size
    # lines without a word (rules, ornaments, icon bullets) go outside the article, stay inside it
    taken = bytearray(len(doc))
    for i in live:
        taken[i] = 1
    for i in compress(range(len(removed)), removed):
        taken[i] = 1
    stripped = doc.stripped
    for i in chain(range(first), range(last + 1, len(doc))):
        if stripped[i] and not taken[i]:
            out.append((i, i + 1, PLACES["before" if i < first else "after"] + ": no word"))
    out.sort(key=itemgetter(0))
    return out


TAIL_MARGIN = 1.0  # a sentence right after the article joins it if it scores above -TAIL_MARGIN
HEADLINE_WORDS = 20  # a line of at most this many words, unpunctuated, atop the article is its headline


def _edges(states: bytes, z: Sequence[float], shift: float, lines: Sequence[str]) -> bytes:
    """The path with its two ends settled by what the lines say, where the scores are least sure:
    articles often end on one short sentence, which scores near zero (it looks like a caption
    or a prompt), and a page that starts with its headline gives it no chrome to stand apart
    from. So the first line after the article joins it if it is a sentence that scored above
    -TAIL_MARGIN; the first line of the article leaves it (as before it) if it is a short line
    without end punctuation right above a sentence."""
    ins = [q for q, s in enumerate(states) if s == 1]
    if not ins:
        return states
    out = bytearray(states)
    after = ins[-1] + 1
    if after < len(out) and out[after] == 3 and z[after] + shift > -TAIL_MARGIN and sentence_flags([lines[after]])[0]:
        out[after] = 1
    top = ins[0]
    if (
        len(ins) > 1
        and out[top + 1] == 1
        and not ends_sentence(lines[top])
        and len(lines[top].split(None, HEADLINE_WORDS)) <= HEADLINE_WORDS
        and sentence_flags([lines[top + 1]])[0]
    ):
        out[top] = 0
    return bytes(out)


class _Reason:
    """Why a run of lines goes: its place, and (worked out when asked, since most removals are
    never explained) the two features that pushed the run's scores down most against the
    training means, summed over the model's members. `parts` are each member's last stage and
    the page's rows it read; only the run's rows are kept once first read."""

    __slots__ = ("place", "stages", "_parts", "_run", "_rows")

    def __init__(self, place: str, parts: Sequence[tuple[Stage, Sequence[Sequence[float]]]], run: list[int]):
        self.place, self.stages = place, [stage for stage, _ in parts]
        self._parts, self._run = parts, run  # each member's rows of the page; the run's indices in them
        self._rows: list | None = None

    @property
    def rows(self) -> list:
        """Per member, the rows of the run's lines."""
        if self._rows is None:
            self._rows = [[rows[q] for q in self._run] for _, rows in self._parts]
            self._parts = None  # the page's rows are no longer needed
        return self._rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Reason):
            return (self.place, self.stages, self.rows) == (other.place, other.stages, other.rows)
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.place)

    def __repr__(self) -> str:
        return repr(str(self))

    def __str__(self) -> str:
        first = self.stages[0]
        names = (
            DESCRIPTIONS + [DESCRIPTIONS_2[n] for n in STAGE2_NAMES]
            if len(first.weights) > len(DESCRIPTIONS)
            else DESCRIPTIONS
        )
        push = [0.0] * len(first.weights)
        for stage, rows in zip(self.stages, self.rows):
            for row in rows:
                push = list(map(sum, zip(push, map(mul, stage.weights, map(sub, row, stage.means)))))
        low = self.rows[0][0]
        strongest = heapq.nsmallest(2, range(len(push)), key=push.__getitem__)
        said = [_said(names[f], low[f] > first.means[f]) for f in strongest if push[f] < 0]
        return PLACES[self.place] + (": " + ", ".join(said) if said else "")


def _said(description: tuple[str, str], high: bool) -> str:
    return description[1] if high else description[0]
