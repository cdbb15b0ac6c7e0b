"""The features of a page's lines: what each says on its own, and what the lines around it say.

`page_features(doc, removed)` reads the live lines of a page (not blank, not removed by an
earlier rule, with a word character) and gives each a row of numbers named by `NAMES`:

- the line's shape: its length in words and characters, its share of the page language's
  function words, of capitalised words, digits and date words, how it ends (a sentence, a comma,
  a colon, a question, a clipped "…"), separators, an address, a byline's first word, a bullet or
  a number, whether the page prints it twice, and the cue groups it holds (lexicon/cues.toml);
- its context: lines earlier rules removed next to it, its block (size, prose, place), its place
  on the page and the share of the page's prose before and after it, the end markers above and
  below ("Related", "Comments", forms), its words shared with the page's prose, numbered
  sequences, lists announced by a colon, runs of short lines, shapes that repeat (teaser feeds,
  comment threads), and the density of questions, comment cues, dates and clipped lines nearby;
- windows: the means of a few of these over the lines above and below.

Nothing reads indentation or columns, so two text browsers' renderings of a page get the same
features. What a line says on its own is read once per page (`Document.notes`); every pass is
linear in the number of lines.
"""

from __future__ import annotations

import heapq
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from clean_articles.document import UNREAD, Document
from clean_articles.text import LEXICON, stopwords

_WORD = re.compile(r"\w+")
_BULLET_START = frozenset("•·▪◦□■☆★○●◆◇►▶▸‣⁃∙-–—*+>(0123456789")
_BULLET = re.compile(r"(?:[•·▪◦□■☆★○●◆◇►▶▸‣⁃∙\-–—*+>]|\(?\d{1,3}[.)])(?:\s+|$)")
_NUMBER = re.compile(r"\(?(\d{1,3})[.)]")
_QA = re.compile(
    r"(?i)^(?:q|a|q\d+|question|answer|frage|antwort|pregunta|respuesta|domanda|risposta|pergunta|resposta)"
    r"\s*[:.)-]\s"
)
_SENT_CHARS = frozenset(".!?…。！？;~")
_CLOSERS = "\"'”’»」』)]"
_QUOTE_START = frozenset("\"“‘'«„")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_DATE_WORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december mon tue wed thu fri sat sun monday tuesday wednesday "
    "thursday friday saturday sunday am pm utc gmt est edt pst pdt ago min mins minute minutes hour "
    "hours day days week weeks month months year years updated published posted on at read comments "
    "comment views shares likes replies reply".split()
)
_BYLINE_FIRST = frozenset(
    "by von par por di door av przez от oleh written posted publicado publié pubblicato geschrieben autor "
    "author auteur autore photo photos image images foto fotos bild credit credits source sources quelle "
    "fonte fuente".split()
)


@dataclass(frozen=True)
class _Cues:
    """The cue groups (lexicon/cues.toml), compiled for lookups by word."""

    names: list[str]
    words: dict[str, tuple[int, bool, list | None]]  # word -> (its groups' bits, a date word, phrases it starts)
    written: list[tuple[str, list[tuple[str, int]]]]  # (a character, the cues with punctuation holding it)

    def bit(self, name: str) -> int:
        return 1 << self.names.index(name)


@cache
def cues() -> _Cues:
    groups = tomllib.loads((LEXICON / "cues.toml").read_text(encoding="utf-8"))
    single: dict[str, int] = {}
    phrases: dict[str, list] = {}
    written: list[tuple[str, int]] = []
    for g, entries in enumerate(groups.values()):
        for cue in entries:
            words = _WORD.findall(cue)
            if not words or cue != " ".join(words):
                written.append((cue, 1 << g))
            elif len(words) == 1:
                single[words[0]] = single.get(words[0], 0) | 1 << g
            else:
                phrases.setdefault(words[0], []).append((tuple(words[1:]), 1 << g))
    info = {w: (single.get(w, 0), w in _DATE_WORDS, phrases.get(w)) for w in set(single) | set(phrases) | _DATE_WORDS}
    by_char = [(c, [(s, b) for s, b in written if c in s]) for c in (":", "©", "%", ".")]
    assert sum(len(lst) for _, lst in by_char) == len(written), "every written cue holds one of : © % ."
    return _Cues(list(groups), info, [(c, lst) for c, lst in by_char if lst])


# What a line says on its own (`read`), in this order.
_R_WORDS, _R_NW, _R_BULLET, _R_NUMBER, _R_CUES, _R_LOWERED = 0, 1, 2, 4, 22, 23


def read(raw: str) -> tuple | None:
    """What one line says on its own: None for a blank line, () for one without a word
    character, else (words, length in words, bullet, numbered, its number or -1, capitalised
    share, digit share, date share, sentence end, comma end, colon end, question, clipped,
    separators, address, byline, opening quote, lowercase start, commas, sentences inside,
    "says:", Q/A prefix, cue bits, lowered words joined, length in characters)."""
    text = raw.strip()
    if not text:
        return None
    bullet = numbered = False
    number = -1
    if text[0] in _BULLET_START:
        m = _BULLET.match(text)
        if m:
            rest = text[m.end() :]
            if rest and _WORD.search(rest):
                bullet = True
                if text[0].isdigit() or text[0] == "(":
                    numbered = True
                    n = _NUMBER.match(text)
                    if n:
                        number = int(n.group(1))
                text = rest
    low = text.lower()
    words = _WORD.findall(low)
    if not words:
        return ()
    nw = len(words)
    if not text.isascii():
        cjk = len(_CJK.findall(text))
        if cjk:
            nw = nw + cjk / 2.0  # a run of CJK characters counts as a word per two characters
    toks = text.split()
    title = len([1 for t in toks if t[0].isupper()]) / len(toks)
    digits = hits = bits = 0
    c = cues()
    for i, w in enumerate(words):
        if w[0].isdigit():
            digits += 1
            hits += 1
            continue
        known = c.words.get(w)
        if known is not None:
            cue_bits, is_date, phrases = known
            hits += is_date
            bits |= cue_bits
            if phrases:
                for rest, phrase_bits in phrases:
                    if tuple(words[i + 1 : i + 1 + len(rest)]) == rest:
                        bits |= phrase_bits
    for char, written in c.written:
        if char in low:
            for cue, cue_bits in written:
                if cue in low:
                    bits |= cue_bits
    end = text.rstrip(_CLOSERS)
    last = end[-1:]
    return (
        words,
        nw,
        bullet,
        numbered,
        number,
        title,
        digits / len(words),
        hits / len(words),
        last in _SENT_CHARS,
        last in ",、，",
        last == ":",
        last == "?",
        end.endswith(("...", "…", "[…]", "[...]")) or text.endswith(("…]", "...]")),
        text.count("|") + text.count(" · ") + text.count(" / ") + text.count(" • "),
        "://" in low or "www." in low or "@" in low or ".com" in low,
        len(words) < 12 and words[0] in _BYLINE_FIRST,
        text[0] in _QUOTE_START,
        text[0].islower(),
        text.count(","),
        low.count(". ") + low.count("? ") + low.count("! "),
        low.endswith(("says:", "said:", "says", "wrote:")),
        len(words) <= 60 and _QA.match(text) is not None,
        bits,
        " ".join(words),
        len(text),
    )


def language(reads: list[tuple]) -> frozenset[str]:
    """The stopwords of the page's language, from its longest lines (empty if none fits)."""
    masks, sets = stopwords()
    counts = [0] * len(sets)
    total = 0
    for r in heapq.nlargest(64, reads, key=lambda r: r[_R_NW]):
        for w in r[_R_WORDS]:
            m = masks.get(w)
            b = 0
            while m:
                if m & 1:
                    counts[b] += 1
                m >>= 1
                b += 1
        total += len(r[_R_WORDS])
        if total >= 600:
            break
    if not total:
        return frozenset()
    best = max(range(len(counts)), key=counts.__getitem__)
    return sets[best] if counts[best] >= 0.08 * total else frozenset()


def _line_names() -> list[str]:
    return [
        "bias", "lnw", "lnchars", "stop", "stop_len", "title", "digit", "datey", "sent", "clause", "colon",
        "question", "clipped", "pipes", "urlish", "byline", "quote", "lower_start", "commas", "inner", "says",
        "qa", "bullet", "numbered", "nw1", "nw2", "nw3", "nw4_6", "nw7_12", "nw13_25", "nw26", "prose", "near",
        "titleline", "dup", "dup_prose",
    ] + ["cue_" + name for name in cues().names]  # fmt: skip


CONTEXT_NAMES = [
    "gone_up", "gone_dn", "stuck_up", "stuck_dn",
    "blk_n", "blk_lnw", "blk_prose", "blk_first", "blk_last", "blk_alone", "blk_bullet",
    "pos", "tokpos", "pm_before", "pm_after", "pm_min", "loc_mass5", "loc_mass15",
    "mk_above", "mk_above1", "mk_above3", "mk_near_up", "mk_near_dn", "mk_below", "pm_since_mk",
    "mkc_above", "mkr_above", "mkf_above",
    "coh", "coh2", "coh_n",
    "seq", "announced", "run_len", "run_pos", "in_run", "periodic", "period_len",
    "qa_win", "q_win", "com_win", "says_win", "date_win", "clipped_win", "com_above",
    "dup_n", "dup_win", "dupdate_win",
]  # fmt: skip
_WIN_VARS = ["prose", "lnw", "bullet", "short", "sent"]
WINDOW_NAMES = (
    [f"up3_{v}" for v in _WIN_VARS]
    + [f"dn3_{v}" for v in _WIN_VARS]
    + ["sw2_prose", "sw2_lnw", "sw2_sent", "substantial"]
)


@cache
def names() -> list[str]:
    """The name of each feature, in the order of a row."""
    return _line_names() + CONTEXT_NAMES + WINDOW_NAMES


@dataclass
class Features:
    """A page's live lines (their indices), a row of features for each, their lengths in words
    and the content words of each (for the model's second stage)."""

    live: list[int]
    rows: list[list[float]]
    words: list[float]
    content: list[set[str]]


def _prefix(values: Sequence[float]) -> list[float]:
    out = [0.0]
    acc = 0.0
    for x in values:
        acc += x
        out.append(acc)
    return out


def _reads(doc: Document) -> list:
    """`read` of every line of the page, noted on it (the pipeline's later rounds read the same)."""
    notes = doc.notes(read)
    if notes and UNREAD in notes:
        for i, raw in enumerate(doc.lines):
            if notes[i] is UNREAD:
                notes[i] = read(raw)
    return notes


def page_features(doc: Document, removed: Sequence[bool]) -> Features:
    """The features of the live lines of `doc`, where `removed` flags the lines earlier rules took."""
    lines, everything = doc.lines, _reads(doc)
    c = cues()
    marker = c.bit("related") | c.bit("comment") | c.bit("form") | c.bit("subscribe") | c.bit("share") | c.bit("tags")
    nrem = len(removed)
    live, reads, gone_up, stuck_up, stuck_dn, block_of = [], [], [], [], [], []
    codes, code_pos = [], []  # coarse shapes of every non-blank line (periodicity)
    markers = []  # (live index of the next live line, cue bits) of short marker lines
    gone = block = 0
    after_blank = True
    for i, raw in enumerate(lines):
        r = everything[i]
        if i < nrem and removed[i]:
            if raw and not raw.isspace():
                gone += 1
                after_blank = False
                codes.append(6)
                if r and r[_R_NW] <= 6 and r[_R_CUES] & marker:
                    markers.append((len(live), r[_R_CUES]))
            else:
                block += not after_blank
                after_blank = True
            continue
        if r is None:
            block += not after_blank
            after_blank = True
            continue
        after_blank = False
        if r == ():
            codes.append(7)
            continue
        k = len(live)
        live.append(i)
        reads.append(r)
        gone_up.append(gone)
        gone = 0
        stuck_up.append(1.0 if i > 0 and i - 1 < nrem and removed[i - 1] and lines[i - 1].strip() else 0.0)
        stuck_dn.append(1.0 if i + 1 < nrem and removed[i + 1] and lines[i + 1].strip() else 0.0)
        block_of.append(block)
        nw = r[_R_NW]
        codes.append((0 if nw <= 3 else 2 if nw <= 12 else 4) + (1 if r[8] else 0))
        code_pos.append(len(codes) - 1)
        if nw <= 6 and r[_R_CUES] & marker:
            markers.append((k + 1, r[_R_CUES]))
    n = len(live)
    if not n:
        return Features([], [], [], [])
    gone_dn = gone_up[1:] + [gone]
    stop = language(reads)
    rows, prose, nwl, content, df = _line_rows(reads, stop)
    cols = _context(reads, prose, nwl, content, df, gone_up, gone_dn, stuck_up, stuck_dn, block_of, codes, code_pos,
                    markers, c)  # fmt: skip
    return Features(live, [a + list(b) for a, b in zip(rows, zip(*cols))], nwl, content)


def _line_rows(reads: list[tuple], stop: frozenset[str]) -> tuple:
    """The features of each line on its own, in the page's language; which lines are prose,
    their lengths in words, their content words and how many prose lines hold each word."""
    ncue = len(cues().names)
    zeros = [0.0] * ncue
    dup: dict[str, int] = {}
    for r in reads:
        dup[r[_R_LOWERED]] = dup.get(r[_R_LOWERED], 0) + 1
    n = len(reads)
    prose, nwl = [0.0] * n, [0.0] * n
    rows, content, df = [], [], {}
    for k, r in enumerate(reads):
        (words, nw, bullet, numbered, _, title, digit, datey, sent, clause, colon, question, clipped, pipes,
         urlish, byline, quote, lower_start, commas, inner, says, qa, bits, lowered, nchar) = r  # fmt: skip
        if stop:
            ns = na = 0
            cw = set()
            for w in words:
                if w in stop:
                    ns += 1
                    na += 1
                elif not w[0].isdigit():
                    na += 1
                    if len(w) >= 3:
                        cw.add(w)
            st = ns / na if na else 0.0
        else:
            st = 0.3
            cw = {w for w in words if len(w) >= 3 and not w[0].isdigit()}
        content.append(cw)
        is_prose = 1.0 if (nw >= 10 and st >= 0.2 and title <= 0.6 and (sent or nw >= 25)) else 0.0
        if is_prose:
            for w in cw:
                df[w] = df.get(w, 0) + 1
        near = 1.0 if (not is_prose and nw >= 5 and st >= 0.15 and (sent or clause)) else 0.0
        prose[k], nwl[k] = is_prose, nw
        twice = dup[lowered] > 1
        row = [1.0, math.log1p(nw), math.log1p(nchar), st, st * min(nw, 30) / 30, title, digit, datey,
               float(sent), float(clause), float(colon), float(question), float(clipped), min(pipes, 4) / 4,
               float(urlish), float(byline), float(quote), float(lower_start), min(commas, 6) / 6,
               min(inner, 5) / 5, float(says), float(qa), float(bullet), float(numbered),
               float(nw <= 1), float(1 < nw <= 2), float(2 < nw <= 3), float(3 < nw <= 6), float(6 < nw <= 12),
               float(12 < nw <= 25), float(nw > 25), is_prose, near,
               1.0 if (nw >= 3 and title > 0.6 and not sent) else 0.0, float(twice), float(twice and is_prose)]  # fmt: skip
        rows.append(row + ([float(bits >> g & 1) for g in range(ncue)] if bits else zeros))
    return rows, prose, nwl, content, df


def _context(reads, prose, nwl, content, df, gone_up, gone_dn, stuck_up, stuck_dn, block_of, codes, code_pos,
             markers, c) -> list[list[float]]:  # fmt: skip
    """The context and window features, one column each, in the order of CONTEXT_NAMES and
    WINDOW_NAMES."""
    n = len(reads)
    R = range(n)
    bul = [1.0 if r[_R_BULLET] else 0.0 for r in reads]
    shortv = [1.0 if r[_R_NW] <= 4 else 0.0 for r in reads]
    sentv = [1.0 if r[8] else 0.0 for r in reads]
    lnwv = [math.log1p(x) for x in nwl]
    pref = [_prefix(v) for v in (prose, lnwv, bul, shortv, sentv)]
    pm = _prefix([p * w for p, w in zip(prose, nwl)])
    ptotal = pm[-1] or 1.0
    tokc = _prefix(nwl)
    ttotal = tokc[-1] or 1.0
    com = c.bit("comment")
    cpref = [
        _prefix([1.0 if r[_R_CUES] & com else 0.0 for r in reads]),
        _prefix([1.0 if r[20] else 0.0 for r in reads]),
        _prefix([1.0 if (r[7] >= 0.7 and r[_R_NW] <= 12) else 0.0 for r in reads]),
        _prefix([1.0 if r[12] else 0.0 for r in reads]),
        _prefix([1.0 if r[21] else 0.0 for r in reads]),
        _prefix([1.0 if r[11] else 0.0 for r in reads]),
    ]
    # blocks: [lines, words, prose lines, bullets, first, last]
    bstat: dict[int, list] = {}
    for k in R:
        s = bstat.get(block_of[k])
        if s is None:
            s = bstat[block_of[k]] = [0, 0.0, 0.0, 0.0, k, k]
        s[0] += 1
        s[1] += nwl[k]
        s[2] += prose[k]
        s[3] += bul[k]
        s[5] = k
    # end markers (live and removed short lines with related, comment, form... cues) above each line
    cr, cf = c.bit("related"), c.bit("form")
    mk_before, mkc, mkr, mkf, last_mk = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1), [0] * (n + 1), [-1] * (n + 1)
    e = cnt = c_c = c_r = c_f = 0
    last = -1
    for k in range(n + 1):
        while e < len(markers) and markers[e][0] <= k:
            bits = markers[e][1]
            cnt += 1
            c_c += 1 if bits & com else 0
            c_r += 1 if bits & cr else 0
            c_f += 1 if bits & cf else 0
            last = markers[e][0]
            e += 1
        mk_before[k], mkc[k], mkr[k], mkf[k], last_mk[k] = cnt, c_c, c_r, c_f, last
    mk_total = cnt
    # numbered sequences, lists announced by a colon, runs of lines that are not prose
    seq = [0.0] * n
    numbered: list[tuple[int, int]] = []
    for k, r in enumerate(reads):
        v = r[_R_NUMBER]
        if v >= 0:
            for k2, v2 in numbered[-3:]:
                if k - k2 <= 6 and v2 + 1 == v:
                    seq[k] = seq[k2] = 1.0
            numbered.append((k, v))
    announced, run_len, run_pos = [0.0] * n, [0.0] * n, [0.0] * n
    k = 0
    while k < n:
        if prose[k]:
            k += 1
            continue
        j = k
        while j < n and not prose[j]:
            j += 1
        ann = 1.0 if (k > 0 and reads[k - 1][10]) or (reads[k][10] and reads[k][_R_NW] >= 4) else 0.0
        for q in range(k, j):
            announced[q] = ann
            run_len[q] = min(j - k, 30) / 30
            run_pos[q] = (q - k) / (j - k)
        k = j
    # periodicity of coarse shapes (teaser feeds, comment threads, product grids)
    m_ = len(codes)
    eqp = {}
    for p_ in (1, 2, 3, 4, 5, 6):
        acc = 0
        pre = [0] * (m_ + 1)
        for q in range(m_):
            if q + p_ < m_ and codes[q] == codes[q + p_]:
                acc += 1
            pre[q + 1] = acc
        eqp[p_] = pre
    e1 = eqp[1]
    per, per_len = [], []
    for q in code_pos:
        best, bp = 0.0, 0
        for p_, w_ in ((2, 8), (3, 9), (4, 12), (5, 15), (6, 18)):
            lo_ = q - w_ if q > w_ else 0
            hi_ = q + w_ if q + w_ < m_ - p_ else m_ - p_
            if hi_ - lo_ < 2 * p_:
                continue
            ep = eqp[p_]
            score = (ep[hi_] - ep[lo_] - e1[hi_] + e1[lo_]) / (hi_ - lo_)
            if score > best:
                best, bp = score, p_
        per.append(best)
        per_len.append(bp / 6)
    # coherence: content words shared with the page's prose lines
    coh0, coh1, coh2 = [], [], []
    for k in R:
        ws = content[k]
        if ws:
            own = 1 if prose[k] else 0
            tot5 = two = 0
            for w in ws:
                v = df.get(w, 0) - own
                tot5 += v if v < 5 else 5
                if v >= 2:
                    two += 1
            coh0.append(tot5 / (5 * len(ws)))
            coh1.append(two / len(ws))
            coh2.append(len(ws) / 20 if len(ws) < 20 else 1.0)
        else:
            coh0.append(0.0)
            coh1.append(0.0)
            coh2.append(0.0)
    dup: dict[str, int] = {}
    for r in reads:
        dup[r[_R_LOWERED]] = dup.get(r[_R_LOWERED], 0) + 1
    dupc = [dup[r[_R_LOWERED]] for r in reads]
    dpref = _prefix([1.0 if x > 1 else 0.0 for x in dupc])
    ddpref = _prefix([1.0 if (x > 1 or (r[7] >= 0.7 and r[_R_NW] <= 12)) else 0.0 for x, r in zip(dupc, reads)])
    inv_p = 1.0 / ptotal
    pb = [pm[k] * inv_p for k in R]
    pa = [(ptotal - pm[k + 1]) * inv_p for k in R]
    bst = [bstat[b] for b in block_of]
    com_above = _prefix([1.0 if (r[_R_CUES] & com and r[_R_NW] <= 8) else 0.0 for r in reads])

    def wmean(pre: list[float], lo_off: int, hi_off: int) -> list[float]:
        """The mean over the live lines k+lo_off .. k+hi_off-1 (clipped to the page)."""
        out = []
        for k in R:
            lo, hi = max(0, k + lo_off), min(n, k + hi_off)
            out.append((pre[hi] - pre[lo]) / (hi - lo) if hi > lo else 0.0)
        return out

    cols = [
        [g / 5 if g < 5 else 1.0 for g in gone_up], [g / 5 if g < 5 else 1.0 for g in gone_dn], stuck_up, stuck_dn,
        [b[0] / 10 if b[0] < 10 else 1.0 for b in bst], [math.log1p(b[1] / b[0]) for b in bst],
        [b[2] / b[0] for b in bst], [1.0 if k == b[4] else 0.0 for k, b in zip(R, bst)],
        [1.0 if k == b[5] else 0.0 for k, b in zip(R, bst)], [1.0 if b[0] == 1 else 0.0 for b in bst],
        [b[3] / b[0] for b in bst],
        [k / max(1, n - 1) for k in R], [tokc[k] / ttotal for k in R], pb, pa, [min(a, b) for a, b in zip(pb, pa)],
        [(pm[min(n, k + 6)] - pm[max(0, k - 5)]) * inv_p for k in R],
        [(pm[min(n, k + 16)] - pm[max(0, k - 15)]) * inv_p for k in R],
        [mk_before[k] / 6 if mk_before[k] < 6 else 1.0 for k in R], [1.0 if mk_before[k] >= 1 else 0.0 for k in R],
        [1.0 if mk_before[k] >= 3 else 0.0 for k in R],
        [1.0 if mk_before[k] > mk_before[max(0, k - 3)] else 0.0 for k in R],
        [1.0 if mk_before[min(n, k + 4)] > mk_before[k + 1] else 0.0 for k in R],
        [min(mk_total - mk_before[k + 1], 6) / 6 for k in R],
        [(pm[k] - pm[last_mk[k]]) * inv_p if last_mk[k] >= 0 else pb[k] for k in R],
        [min(mkc[k], 3) / 3 for k in R], [min(mkr[k], 3) / 3 for k in R], [min(mkf[k], 3) / 3 for k in R],
        coh0, coh1, coh2,
        seq, announced, run_len, run_pos, [0.0 if x else 1.0 for x in prose], per, per_len,
        wmean(cpref[4], -6, 7), wmean(cpref[5], -6, 7),
        wmean(cpref[0], -5, 6), wmean(cpref[1], -5, 6), wmean(cpref[2], -5, 6), wmean(cpref[3], -5, 6),
        [x / 10 if x < 10 else 1.0 for x in com_above[:n]],
        [math.log(x) / 3 if x < 20 else 1.0 for x in dupc], wmean(dpref, -5, 6), wmean(ddpref, -5, 6),
    ]  # fmt: skip
    cols += [wmean(s, -3, 0) for s in pref] + [wmean(s, 1, 4) for s in pref]
    # windows over substantial lines only (skipping short lines a layout may interleave)
    subst = [1.0 if (r[_R_NW] >= 5 and not (r[_R_BULLET] and r[_R_NW] <= 6)) else 0.0 for r in reads]
    sidx = [k for k in R if subst[k]]
    own_v = (prose, lnwv, sentv)
    sp = [_prefix([v[k] for k in sidx]) for v in own_v]
    sw: tuple[list, list, list] = ([], [], [])
    seen = 0
    for k in R:
        own = subst[k]
        lo = max(0, seen - 2)
        hi = min(len(sidx), seen + (3 if own else 2))
        m = hi - lo - (1 if own else 0)
        for t in range(3):
            sw[t].append((sp[t][hi] - sp[t][lo] - (own_v[t][k] if own else 0.0)) / m if m > 0 else 0.0)
        seen += own > 0
    return cols + [sw[0], sw[1], sw[2], subst]


# How a removal's reason says a feature: (when the line's value is below the training mean,
# when above), for each feature of `names()`.
_SAID = {
    "bias": ("", ""),
    "lnw": ("few words", "many words"),
    "lnchars": ("short", "long"),
    "stop": ("few function words", "many function words"),
    "stop_len": ("few function words", "many function words"),
    "title": ("few capitals", "capitalised words"),
    "digit": ("few numbers", "numbers"),
    "datey": ("no date", "a date or counter"),
    "sent": ("no sentence end", "a sentence end"),
    "clause": ("no comma end", "a comma end"),
    "colon": ("no colon end", "a colon end"),
    "question": ("no question", "a question"),
    "clipped": ("not clipped", "clipped with …"),
    "pipes": ("no separators", "separators"),
    "urlish": ("no address", "an address"),
    "byline": ("no byline", "a byline or credit"),
    "quote": ("no opening quote", "an opening quote"),
    "lower_start": ("a capital start", "a lower-case start"),
    "commas": ("few commas", "commas"),
    "inner": ("one sentence", "several sentences"),
    "says": ("no 'says:'", "'says:'"),
    "qa": ("no Q/A", "a Q/A prefix"),
    "bullet": ("no bullet", "a bullet"),
    "numbered": ("not numbered", "numbered"),
    "nw1": ("more than a word", "one word"),
    "nw2": ("not two words", "two words"),
    "nw3": ("not three words", "three words"),
    "nw4_6": ("not 4-6 words", "4-6 words"),
    "nw7_12": ("not 7-12 words", "7-12 words"),
    "nw13_25": ("not 13-25 words", "13-25 words"),
    "nw26": ("under 26 words", "26 words or more"),
    "prose": ("not prose", "prose"),
    "near": ("not a short sentence", "a short sentence"),
    "titleline": ("not a title", "a title"),
    "dup": ("printed once", "printed twice"),
    "dup_prose": ("printed once", "prose printed twice"),
    "gone_up": ("nothing removed above", "removed lines above"),
    "gone_dn": ("nothing removed below", "removed lines below"),
    "stuck_up": ("", "beside removed chrome"),
    "stuck_dn": ("", "beside removed chrome"),
    "blk_n": ("a small block", "a big block"),
    "blk_lnw": ("short lines around", "long lines around"),
    "blk_prose": ("little prose in its block", "prose in its block"),
    "blk_first": ("", "first in its block"),
    "blk_last": ("", "last in its block"),
    "blk_alone": ("", "alone in its block"),
    "blk_bullet": ("few bullets around", "bullets around"),
    "pos": ("early on the page", "late on the page"),
    "tokpos": ("early on the page", "late on the page"),
    "pm_before": ("little prose before", "much prose before"),
    "pm_after": ("little prose after", "much prose after"),
    "pm_min": ("at an edge of the prose", "amid the prose"),
    "loc_mass5": ("little prose nearby", "prose nearby"),
    "loc_mass15": ("little prose nearby", "prose nearby"),
    "mk_above": ("no end marker above", "end markers above"),
    "mk_above1": ("no end marker above", "an end marker above"),
    "mk_above3": ("few end markers above", "end markers above"),
    "mk_near_up": ("no end marker just above", "an end marker just above"),
    "mk_near_dn": ("no end marker just below", "an end marker just below"),
    "mk_below": ("no end marker below", "end markers below"),
    "pm_since_mk": ("little prose since a marker", "prose since a marker"),
    "mkc_above": ("no comments heading above", "a comments heading above"),
    "mkr_above": ("no 'related' heading above", "a 'related' heading above"),
    "mkf_above": ("no form above", "a form above"),
    "coh": ("shares few words with the prose", "shares words with the prose"),
    "coh2": ("shares few words with the prose", "shares words with the prose"),
    "coh_n": ("few content words", "many content words"),
    "seq": ("not in a numbered list", "in a numbered list"),
    "announced": ("no list announced", "in a list announced by a colon"),
    "run_len": ("a short run of short lines", "a long run of short lines"),
    "run_pos": ("early in its run", "late in its run"),
    "in_run": ("in the prose", "in a run of short lines"),
    "periodic": ("no repeating shape", "a repeating shape (a feed)"),
    "period_len": ("a short period", "a long period"),
    "qa_win": ("no Q/A around", "Q/A around"),
    "q_win": ("no questions around", "questions around"),
    "com_win": ("no comment cues around", "comment cues around"),
    "says_win": ("no 'says:' around", "'says:' around"),
    "date_win": ("no dates around", "dates around"),
    "clipped_win": ("no clipped lines around", "clipped lines around"),
    "com_above": ("no comment cues above", "comment cues above"),
    "dup_n": ("printed once", "printed many times"),
    "dup_win": ("no repeats around", "repeats around"),
    "dupdate_win": ("no repeats or dates around", "repeats or dates around"),
    "substantial": ("a short or menu line", "a substantial line"),
}
for _v, _said in (("prose", "prose"), ("lnw", "long lines"), ("bullet", "bullets"), ("short", "short lines"),
                  ("sent", "sentences")):  # fmt: skip
    _SAID[f"up3_{_v}"] = (f"few {_said} above", f"{_said} above")
    _SAID[f"dn3_{_v}"] = (f"few {_said} below", f"{_said} below")
for _v, _said in (("prose", "prose"), ("lnw", "long lines"), ("sent", "sentences")):
    _SAID[f"sw2_{_v}"] = (f"few {_said} around", f"{_said} around")
for _g in cues().names:
    _SAID[f"cue_{_g}"] = (f"no {_g} cue", f"{_g} cue")

#: `_SAID` in the order of `names()`.
DESCRIPTIONS = [_SAID[n] for n in names()]
