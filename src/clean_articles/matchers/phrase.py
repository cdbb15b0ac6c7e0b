"""Kind `phrase`: fuzzy phrases scored with rapidfuzz against lines or blocks.

Banners and prompts are reworded and misspelt from site to site, so a phrase need not match
exactly: `fuzz.partial_ratio` finds its best-aligned span in the unit. A unit goes only when the
matched spans cover enough of it (`coverage`), so an article that quotes a cookie banner inside a
long paragraph keeps that paragraph.

Speed: fuzzy scoring is only tried for phrases that share two content words with the unit
(an inverted index built once per rule), and never for units far longer than the phrases could
cover (checked before the unit's text is even built, so a 20 MB line costs nothing here).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import compress

import re2
from rapidfuzz import fuzz

from clean_articles.document import UNREAD, Document, Mark
from clean_articles.matchers import Matcher, Param, between, one_of
from clean_articles.prefilter import line_starts, spans
from clean_articles.text import stopwords, words

LONGEST = 50_000


def _keywords(phrase: str) -> frozenset[str]:
    """A phrase's words that say something: four letters or more (or any word in scripts without
    spaces), and not a stopword of any shipped language ("your", "this" and "with" pick out
    nothing)."""
    found = words(phrase).difference(_stopwords())
    return frozenset(w for w in found if len(w) >= 4 or not w.isascii())


def _any_of(words: Iterable[str], whole: bool = True) -> re2._Regexp | None:
    """An RE2 pattern (on UTF-8 bytes) matching any of `words` as a whole word (anywhere, when
    not `whole`), or None when there are none; every whole-word occurrence of each of them is a
    match of its own. RE2's word boundary is ASCII's: it is asserted at a word's ASCII ends only,
    which every whole-word occurrence has (a non-word character in Unicode is one in ASCII)."""

    def edge(c: str) -> str:
        return r"\b" if whole and c.isascii() and (c.isalnum() or c == "_") else ""

    # longest first: where a word and a longer one that starts with it both match, the longer
    # one is the word there (a whole word cannot be a longer word's start)
    words = sorted(words, key=lambda w: (-len(w), w))
    alternatives = (edge(w[0]) + re.escape(w) + edge(w[-1]) for w in words)
    return re2.compile("|".join(alternatives).encode()) if words else None


def _unit_words(lines: Sequence[str]) -> frozenset[str]:
    """The words of a unit's folded lines. A line past LONGEST is far longer than any phrase
    could cover: it brings no words."""
    if len(lines) == 1:
        return words(lines[0]) if len(lines[0]) <= LONGEST else frozenset()
    return frozenset().union(*(words(s) for s in lines if len(s) <= LONGEST))


@functools.cache
def _stopwords() -> frozenset[str]:
    return frozenset().union(*stopwords()[1])


class PhraseMatcher(Matcher):
    PARAMS = {
        "phrases": Param("strings", required=True),
        "score": Param("int", 85, between(1, 100)),
        "coverage": Param("float", 0.5, between(0.0, 1.0)),
        "unit": Param("str", "line", one_of("line", "block")),
    }

    def __init__(self, rule_id, params, why=""):
        super().__init__(rule_id, params, why)
        self.phrases = [" ".join(p.casefold().split()) for p in params["phrases"]]
        self.index: dict[str, list[int]] = {}
        self.need: list[int] = []
        for k, phrase in enumerate(self.phrases):
            keys = _keywords(phrase)
            self.need.append(min(2, len(keys)))
            for w in keys:
                self.index.setdefault(w, []).append(k)
        self.vocabulary = frozenset(self.index)
        #: the keywords enough on their own (of a phrase that needs one), as a page scan finds them
        self.alone = frozenset(w.encode() for w, ks in self.index.items() if any(self.need[k] == 1 for k in ks))
        longest = max((len(p) for p in self.phrases), default=0)
        # Phrases with no content word ("get the app") can only be most of a unit this short:
        # such units are candidates whatever their words.
        self.bare = [k for k, n in enumerate(self.need) if n == 0]
        self.bare_len = (
            int(max((len(self.phrases[k]) for k in self.bare), default=-8) / max(params["coverage"], 0.05)) + 8
        )
        bare_words = sorted({w for k in self.bare for w in self.phrases[k].split() if len(w) >= 3})
        self.bare_words = _any_of(bare_words, whole=False)
        # What finds, in one pass over a page, the lines that hold a keyword
        self.keywords = _any_of(self.vocabulary)
        # A unit longer than this cannot be covered enough, whatever matches inside it.
        self.max_len = int(4 * longest / max(params["coverage"], 0.05)) + 1

    def mark(self, doc: Document, ctx) -> Iterable[Mark]:
        found = self._lines(doc, ctx.removed) if self.params["unit"] == "line" else self._blocks(doc, ctx.removed)
        for start, end, hit in found:
            yield Mark(start, end, self.rule, f"phrase {hit!r}")

    def _lines(self, doc: Document, removed: bytearray) -> list[tuple[int, int, str]]:
        """(i, i + 1, phrase) of each line a phrase covers. A line is judged by its own text, so
        the verdicts are noted on the page (`Document.notes`): the pipeline's later rounds read
        them."""
        verdicts = doc.notes(self)
        if verdicts and verdicts[0] is UNREAD:
            verdicts[:] = self._judge_page(doc, removed)
        return [(i, i + 1, verdicts[i]) for i in compress(range(len(verdicts)), verdicts) if not removed[i]]

    def _judge_page(self, doc: Document, removed: bytearray) -> list[str | None]:
        """The phrase that covers each line (None for most). Only the lines that may be covered
        are judged: those holding a keyword or a word of a bare phrase, found by scans of the
        whole page (`Document.scan`); a line earlier rules removed is not."""
        candidates = set()
        if self.keywords:  # enough keywords of one phrase (a superset: not yet words of the line)
            index, need, alone = self.index, self.need, self.alone
            for i, held in doc.scan(self.keywords).items():
                if held.isdisjoint(alone):  # most lines hold one keyword: then none is enough
                    if len(held) == 1:
                        continue
                    shared = Counter(k for w in held for k in index[w.decode()])
                    if all(n < need[k] for k, n in shared.items()):
                        continue
                candidates.add(i)
        if self.bare_words is not None:  # a short line (once folded) with a bare word
            folded, most = doc.folded, self.bare_len
            short = list(compress(range(len(folded)), map(most.__ge__, map(len, folded))))
            page = "\n".join([folded[i] for i in short]).encode("utf-8", "surrogateescape")
            starts = line_starts(page)  # one scan of the short lines (no bare word holds a \n)
            candidates.update(short[bisect_right(starts, a) - 1] for a, _ in spans(self.bare_words, page))
        verdicts: list[str | None] = [None] * len(doc)
        for i in candidates:
            if not removed[i]:
                verdicts[i] = self._line(doc.folded[i])
        return verdicts

    def _line(self, text: str) -> str | None:
        """The phrase that covers a line unit (its folded text); none for an empty line or one
        too long for any phrase to cover."""
        return self._verdict(text, (text,)) if 0 < len(text) <= self.max_len else None

    def _blocks(self, doc: Document, removed: bytearray) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of each block a phrase covers; a block's text is built only when
        it is short enough to be covered enough."""
        folded, most = doc.folded, self.max_len
        found = []
        if not (self.keywords and doc.scan(self.keywords)) and self.bare_words is None:
            return found  # no block holds a keyword
        for a, b in doc.blocks:
            if sum(len(folded[i]) + 1 for i in range(a, b)) - 1 <= most and not all(removed[a:b]):
                hit = self._verdict(" ".join(folded[a:b]), folded[a:b])
                if hit is not None:
                    found.append((a, b, hit))
        return found

    def _verdict(self, text: str, lines: Sequence[str]) -> str | None:
        """The phrase that covers a unit (its text, its folded lines)."""
        return self._judge(text, _unit_words(lines))

    def _judge(self, text: str, words: frozenset[str]) -> str | None:
        """The phrase that covers the unit `text` (its words `words`), if it is a candidate at
        all (a keyword of some phrase, or short and holding a word of a bare phrase)."""
        if words.isdisjoint(self.vocabulary) and not self._bare(text):
            return None
        return self._match(text, words)

    def _bare(self, text: str) -> bool:
        """Short enough, and holding a word of a phrase that has no content word."""
        if self.bare_words is None or len(text) > self.bare_len:
            return False
        return self.bare_words.search(text.encode("utf-8", "surrogateescape")) is not None

    def _match(self, text: str, words: frozenset[str]) -> str | None:
        """The best phrase if the phrases cover enough of text, else None. `words`: its words."""
        if len(text) > self.max_len:
            return None
        shared: Counter[int] = Counter()
        for w in words & self.vocabulary:  # the few words some phrase holds
            shared.update(self.index[w])
        candidates = [k for k, c in shared.items() if c >= self.need[k]]
        if self._bare(text):
            candidates += self.bare
        covered = bytearray(len(text))
        best, best_score = None, 0.0
        cutoff = self.params["score"]
        for k in sorted(candidates):
            phrase = self.phrases[k]
            if len(phrase) >= len(text):
                score = fuzz.ratio(phrase, text, score_cutoff=cutoff)
                span = (0, len(text))
            else:
                al = fuzz.partial_ratio_alignment(phrase, text, score_cutoff=cutoff)
                score, span = (al.score, (al.dest_start, al.dest_end)) if al else (0.0, (0, 0))
            if score:
                covered[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
                if score > best_score:
                    best, best_score = phrase, score
        if best is None:
            return None
        letters = sum(1 for c in text if not c.isspace())
        hit = sum(1 for c, on in zip(text, covered) if on and not c.isspace())
        return best if letters and hit / letters >= self.params["coverage"] else None
