"""Batch pass 1: fingerprints of lines across the pages of a batch -> how many pages hold each.

Site chrome (sidebars, footers, newsletter prompts, "Most read" lists whose items rotate) recurs
from page to page with only numbers, dates and counters changed. Each candidate line is folded
(case, digits, month and weekday names, time units, bullets and punctuation) and hashed to a 64-bit
key; a line of seven words or more also gets a *near* key from its first and last three folded
words, so a line whose middle changes (an author, a title in a teaser) still meets its kin. The
cost is linear in the number of lines: one hash per key, no comparison between pages, and only
keys (never texts) are kept.

A key is counted once per page. Lines alone in their block and lines inside a larger block are
keyed apart, so an article's headline (alone on its own page) is not confused with the same title
as an item of other pages' "Most read" lists.

Protected lines are never keyed, so recurrence can never remove them (see `protected`): the
page's sentences inside its body, and the few lines right before the body (headline, byline).
The same agency story syndicated on several pages of a batch keeps its text that way.

A site's pages share most of their chrome, so the work is memoised (pure functions of the text,
see memo.py): a line's keys per line text; in pass 1, what a page's keys need of each stretch of
raw text between empty lines (`_Block`: its lines' keys, where its prose and sentences are), so a
stretch seen before costs one lookup, not a Document and a step per line (`text_keys`; a batch
looks its pages' stretches up by their bytes, undecoded, `data_keys`); in pass 2, what goes of a
block per block lines and protected lines (`free_blocks`).

>>> counts = count_texts(["Menu\\n\\nStory one.\\n", "Menu\\n\\nStory two.\\n", "Menu\\n\\nOther.\\n"])
>>> counts.pages, counts.get(line_keys(["Menu"])[0][0][0])
(3, 3)
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter

import regex

from clean_articles.document import Document, ends_sentence, is_prose, strip_line
from clean_articles.encoding import BOM
from clean_articles.memo import LineMemo, per_line

# Every pattern works on a whole page of stripped lines at once (one call per page, not per line),
# so none of them may match or swallow a line break.
_LEAD = regex.compile(r"^(?:[•·▪◦□■●○▸►‣∙*>\-–—|]|\d{1,3}[.)]?)[^\S\n]+", regex.MULTILINE)
_DIGITS = regex.compile(r"\d+")
_TOKEN = regex.compile(r"[^\W_]+|\n")
DATE_WORDS = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september "
    "oct october nov november dec december mon monday tue tues tuesday wed wednesday thu thur thurs "
    "thursday fri friday sat saturday sun sunday am pm second seconds minute minutes hour hours day "
    "days week weeks month months year years".split()
)
NEAR_WORDS = 7  # lines with this many folded words also get a near key
SENTENCE_WORDS = 5  # a protected sentence has at least this many words
TITLE_LINES = 4  # the blocks right before the body, up to this many lines, are protected


def normalise(stripped: str) -> str:
    """Fold a line so that chrome which differs only in counters and dates compares equal.

    >>> normalise("• 12 comments · Updated March 3, 2024 10:41 am")
    '0 comments updated D 0 0 0 0 D'
    """
    return fold(stripped.strip())[0]


def fold(joined: str) -> list[str]:
    """normalise() for each line of stripped lines joined by \\n, in one pass over the page."""
    # concurrent=False on the calls with many matches: ~40% fewer instructions (see phrase._words)
    text = _DIGITS.sub("0", _LEAD.sub("", joined).casefold(), concurrent=False)
    out: list[str] = []
    words: list[str] = []
    for token in _TOKEN.findall(text, concurrent=False):  # one scan beats a regex per line
        if token == "\n":
            out.append(" ".join(words))
            words = []
        else:
            words.append("D" if token in DATE_WORDS else token)
    out.append(" ".join(words))
    return out


def _hash(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@per_line
def is_sentence(stripped: str) -> bool:
    """A line that reads like a sentence: five words or more and sentence punctuation at the end."""
    return ends_sentence(stripped) and len(stripped.split()) >= SENTENCE_WORDS


def protected(doc: Document) -> bytes:
    """1 for each line recurrence must never remove, 0 for the others: the body's sentences (every
    sentence when the page has no body) and the small blocks right before the body, or before the
    first sentence (headline, byline, dateline), up to TITLE_LINES lines; a longer block there (a
    list) ends the stretch."""
    guard = bytearray(len(doc))
    lo, hi = doc.body or (0, len(doc))
    guard[lo:hi] = bytes(is_sentence.many(doc.stripped[lo:hi]))
    first = guard.find(1)
    if first < 0:
        return bytes(guard)
    lo = first if doc.body is None else lo  # a line with text, so inside a block
    own = bisect_right(doc.blocks, lo, key=itemgetter(0)) - 1
    taken = lo - doc.blocks[own][0]
    guard[lo - taken : lo] = b"\1" * taken
    for start, end in reversed(doc.blocks[:own]):
        if taken + end - start > TITLE_LINES:
            break
        guard[start:end] = b"\1" * (end - start)
        taken += end - start
    return bytes(guard)


def free_blocks(doc: Document, excluded: bytes) -> Iterator[tuple[int, int, tuple]]:
    """The blocks with a line that `excluded` (1 per line) leaves, as (start, end, key). The key
    is what per-block memos are keyed by: the block's stripped lines when none is excluded, else
    the block's mask (b"\\0" kept, b"\\1" excluded) and then its lines. A mask is bytes and a
    line is str, so the two forms cannot meet. The lines are the memoised objects of
    `Document.stripped`, so a key is hashed and compared without copying or joining text."""
    stripped = doc.stripped
    for start, end in doc.blocks:
        if excluded.find(1, start, end) < 0:
            yield start, end, tuple(stripped[start:end])
        elif excluded.find(0, start, end) >= 0:
            yield start, end, (bytes(excluded[start:end]), *stripped[start:end])


def line_keys(block: list[str]) -> list[tuple[tuple[int, ...], int]]:
    """For each line of a block (its stripped lines): its keys, and the length of its folded text."""
    entries = _entries(block)
    return list(zip(map(_in(block), entries), map(itemgetter(2), entries)))


def block_keys(block: list[str]) -> list[tuple[int, ...]]:
    """For each line of a block (its stripped lines): its keys."""
    return list(map(_in(block), _entries(block)))


def _in(block: list[str]) -> itemgetter:
    """Which keys of an entry (see _entries) a line of `block` has: alone in it, or inside it."""
    return itemgetter(0 if len(block) == 1 else 1)


_KEYS = LineMemo()


def _entries(texts: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...], int]]:
    """Each text's keys alone in its block, its keys inside a larger block, and its folded
    length; memoised per text, the texts not seen yet folded together in one pass."""
    out = list(map(_KEYS.get, texts))
    if None in out:
        missing = [k for k, entry in enumerate(out) if entry is None]
        for k, norm in zip(missing, fold("\n".join(texts[k] for k in missing))):
            out[k] = _KEYS.put(texts[k], (_keys(b"A\0", norm), _keys(b"L\0", norm), len(norm)))
    return out


def _keys(ctx: bytes, norm: str) -> tuple[int, ...]:
    """A folded line's key in a block context (`ctx`), and its near key if it is long enough."""
    if not norm:
        return ()
    keys = (_hash(ctx + norm.encode("utf-8", "surrogatepass")),)
    words = norm.split()
    if len(words) >= NEAR_WORDS:
        ends = " ".join(words[:3] + ["~"] + words[-3:]).encode("utf-8", "surrogatepass")
        keys += (_hash(ctx + b"~" + ends),)
    return keys


class _Block:
    """What a page's keys need of one block (its stripped lines): where its prose lines are
    (`first` to `last`, -1 when none), which lines are sentences, and its lines' keys."""

    __slots__ = ("size", "first", "last", "sentences", "keys", "every", "loose")

    def __init__(self, lines: list[str]):
        self.size = len(lines)
        prose = is_prose.many(lines)
        self.first = prose.index(True) if True in prose else -1
        self.last = len(prose) - prose[::-1].index(True) if True in prose else -1  # past the last
        self.sentences = bytes(is_sentence.many(lines))
        self.keys = block_keys(lines)
        self.every = frozenset(chain.from_iterable(self.keys))  # the keys of all its lines
        self.loose = self.free(self.sentences) if 1 in self.sentences else self.every  # not sentences

    def free(self, guard: bytes) -> frozenset[int]:
        """The keys of the lines `guard` (1 per line) leaves."""
        return frozenset(chain.from_iterable(compress(self.keys, guard.translate(_FLIP))))


_FLIP = bytes([1, 0]) + bytes(range(2, 256))  # bytes.translate(): 0 <-> 1


def _blocks(raw: str) -> tuple[_Block, ...]:
    """The blocks of a stretch of raw lines with no empty line between them: one, unless a line
    of spaces alone parts it (or it starts or ends with such lines, which belong to no block)."""
    out, run = [], []
    for line in strip_line.many(raw.split("\n")):
        if line:
            run.append(line)
        elif run:
            out.append(_Block(run))
            run = []
    if run:
        out.append(_Block(run))
    return tuple(out)


_stretch = per_line(_blocks)


@per_line
def _raw_stretch(raw: bytes) -> tuple[_Block, ...]:
    """_stretch() of a stretch of a page's bytes (UTF-8, undecodable bytes kept as surrogates,
    as `encoding.decode` reads them): a stretch seen before is not even decoded."""
    return _blocks(raw.decode("utf-8", "surrogateescape"))


def counted() -> None:
    """Pass 1 is over: let go of the memoised stretches, which only counting reads (pass 2 may
    run in the same process)."""
    _stretch.memo.clear()
    _raw_stretch.memo.clear()


def text_keys(text: str) -> set[int]:
    """Every key of a page's unprotected lines, once: `protected` worked out a block at a time
    from the memoised `_Block` of each stretch of the raw text, without building a Document."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _keys_of([b for stretch in _stretch.many(text.split("\n\n")) for b in stretch])


def data_keys(data: bytes) -> set[int]:
    """text_keys() of a page's bytes as `encoding.decode` reads them (a UTF-8 byte-order mark
    set aside), worked out from the bytes: a line break is one byte in UTF-8 and never part of
    another character, so the stretches between empty lines are the same, and one seen before
    costs a lookup of its bytes, with no decoding."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return _keys_of([b for stretch in _raw_stretch.many(data.split(b"\n\n")) for b in stretch])


def _keys_of(blocks: list[_Block]) -> set[int]:
    """The keys of a page's unprotected lines, from its blocks in order."""
    prose = [b.first >= 0 for b in blocks]
    if True in prose:  # the body: from the first prose line to the last
        start, end = prose.index(True), len(prose) - prose[::-1].index(True)
        f, z = blocks[start], blocks[end - 1]
        if start == end - 1:
            body = [f.sentences[f.first : f.last]]
            guards = [b"\1" * f.first + body[0] + bytes(f.size - f.last)]
        else:
            body = [f.sentences[f.first :], *(b.sentences for b in blocks[start + 1 : end - 1]), z.sentences[: z.last]]
            guards = [b"\1" * f.first + body[0], *body[1:-1], body[-1] + bytes(z.size - z.last)]
        taken = f.first  # the lines of the body's first block before the body
    else:  # no body: every sentence, from the first
        sentences = [b"\1" in b.sentences for b in blocks]
        if True not in sentences:
            return set().union(*(b.every for b in blocks))
        start, end = sentences.index(True), len(blocks)
        taken = blocks[start].sentences.find(1)
        body = [b.sentences for b in blocks[start:]]
        guards = [b"\1" * taken + body[0][taken:], *body[1:]]
    if not any(b"\1" in part for part in body):  # not a sentence in it: nothing is protected
        return set().union(*(b.every for b in blocks))
    title = start  # the small blocks right before, up to TITLE_LINES lines with `taken`
    while title > 0 and taken + blocks[title - 1].size <= TITLE_LINES:
        title -= 1
        taken += blocks[title].size
    found = set().union(*(b.every for b in blocks[:title]), *(b.every for b in blocks[end:]))
    for b, guard in zip(blocks[start:end], guards):
        found.update(b.loose if guard is b.sentences else b.free(guard))
    return found


@dataclass
class Counts:
    """How many pages of a batch hold each key. Merging is a sum, so the result depends neither
    on the order of the pages nor on how they were split among workers."""

    pages: int = 0
    counts: dict[int, int] = field(default_factory=dict)

    def add_page(self, keys: Iterable[int]) -> None:
        self.pages += 1
        c = self.counts
        for k in keys:
            c[k] = c.get(k, 0) + 1

    def merge(self, other: Counts) -> None:
        self.pages += other.pages
        c = self.counts
        for k, n in other.counts.items():
            c[k] = c.get(k, 0) + n

    def prune(self) -> Counts:
        """Drop keys seen on one page only: they can never pass a threshold of two pages or more."""
        self.counts = {k: n for k, n in self.counts.items() if n > 1}
        return self

    def get(self, key: int) -> int:
        return self.counts.get(key, 0)

    def digest(self) -> str:
        """A fingerprint of the counts, for deciding whether an earlier output is up to date."""
        h = hashlib.sha256(f"pages={self.pages}\n".encode())
        for k in sorted(self.counts):
            h.update(k.to_bytes(8, "big") + self.counts[k].to_bytes(4, "big"))
        return h.hexdigest()[:16]


class CountsMemo:
    """A LineMemo of work that depends on a batch's counts, emptied when they change (another
    Counts, or pages or keys added to the same one). `of(counts)` is the memo for `counts`."""

    def __init__(self):
        self._counts: Counts | None = None
        self._stamp: tuple[int, int] | None = None
        self._memo = LineMemo()

    def of(self, counts: Counts | None) -> LineMemo:
        stamp = (counts.pages, len(counts.counts)) if counts is not None else None
        if counts is not self._counts or stamp != self._stamp:
            self._counts, self._stamp, self._memo = counts, stamp, LineMemo()
        return self._memo


def count_texts(texts: Iterable[str]) -> Counts:
    """Counts for a few pages in memory (rule examples, tests, learn on small folders)."""
    counts = Counts()
    for text in texts:
        counts.add_page(text_keys(text))
    return counts.prune()
