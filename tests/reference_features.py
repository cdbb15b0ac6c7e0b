"""The pure-Python definitions of the main-text features, as they were before _features.c
replaced them: what tests/test_features_core.py holds the compiled module to.

`page_features(doc, removed)` and `stage2_features(z, feats)` are the code of
main_text/features.py and main_text/model.py at the commit that introduced the learned model
(7d905c3), unchanged but for `_reads` (which read every line through `Document.notes`, a cache).
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Sequence

from clean_articles.document import Document
from clean_articles.main_text.features import _BYLINE_FIRST, Features, cues
from clean_articles.text import stopwords

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


def _prefix(values: Sequence[float]) -> list[float]:
    out = [0.0]
    acc = 0.0
    for x in values:
        acc += x
        out.append(acc)
    return out


def _reads(doc: Document) -> list:
    """`read` of every line of the page (the shipped code noted these on the page: a cache only)."""
    return [read(raw) for raw in doc.lines]


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


def _kadane(z: Sequence[float]) -> tuple[int, int]:
    best, lo, hi = -1e18, 0, -1
    cur, start = 0.0, 0
    for k, v in enumerate(z):
        if cur <= 0:
            cur, start = v, k
        else:
            cur += v
        if cur > best:
            best, lo, hi = cur, start, k
    return lo, hi


def stage2_features(z: list[float], feats: Features) -> list[list[float]]:
    """What stage 1's scores `z` say around each line (`STAGE2_NAMES`)."""
    n, nw, content = len(z), feats.words, feats.content
    pz = [0.0]
    acc = 0.0
    for v in z:
        acc += v
        pz.append(acc)
    lo, hi = _kadane([v * min(1.0, w / 10 + 0.2) for v, w in zip(z, nw)])
    spanlen = max(1, hi - lo + 1)
    smean = (pz[hi + 1] - pz[lo]) / spanlen if hi >= lo else 0.0
    # rank and the top tenth's score from a histogram of z (linear time): bins of 0.25 over [-15, 15]
    bins = [int((min(15.0, max(-15.0, v)) + 15.0) * 4) for v in z]
    hist = [0] * 121
    for b in bins:
        hist[b] += 1
    above = [0] * 121
    acc = 0
    for b in range(120, -1, -1):
        above[b] = acc
        acc += hist[b]
    rank = [above[b] / max(1, n - 1) for b in bins]
    want = max(0, min(n - 1, n // 10)) + 1
    acc, top_bin = 0, 0
    for b in range(120, -1, -1):
        acc += hist[b]
        if acc >= want:
            top_bin = b
            break
    top = top_bin / 4.0 - 15.0
    pr = [1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, v)))) for v in z]
    cwm = [0.0]
    acc = 0.0
    for p, w in zip(pr, nw):
        acc += p * w
        cwm.append(acc)
    tot = acc or 1.0
    pos_share = sum(1 for v in z if v > 0) / max(1, n)
    mass: dict[str, float] = {}  # a word -> the probability mass of the confident lines holding it
    for k in range(n):
        if pr[k] > 0.5:
            for w in content[k]:
                mass[w] = mass.get(w, 0.0) + pr[k]
    rows = []
    for k in range(n):
        a1, b1 = max(0, k - 1), min(n, k + 2)
        a2, b2 = max(0, k - 2), min(n, k + 3)
        a5, b5 = max(0, k - 5), min(n, k + 6)
        a10, b10 = max(0, k - 10), min(n, k + 11)
        au, bd = max(0, k - 3), min(n, k + 4)
        up, dn = z[au:k], z[k + 1 : bd]
        inside = lo <= k <= hi
        row = [z[k], (pz[b1] - pz[a1]) / (b1 - a1), (pz[b2] - pz[a2]) / (b2 - a2), (pz[b5] - pz[a5]) / (b5 - a5),
               (pz[b10] - pz[a10]) / (b10 - a10), (pz[k] - pz[au]) / (k - au) if k > au else 0.0,
               (pz[bd] - pz[k + 1]) / (bd - k - 1) if bd > k + 1 else 0.0,
               max(up) if up else -5.0, max(dn) if dn else -5.0, 1.0 if inside else 0.0,
               min(abs(k - lo), 30) / 30, min(abs(k - hi), 30) / 30, (k - lo) / spanlen if inside else 0.0,
               1.0 if k > hi else 0.0, 1.0 if k < lo else 0.0, rank[k], z[k] - smean, cwm[k] / tot,
               (tot - cwm[k + 1]) / tot, min(cwm[k], tot - cwm[k + 1]) / tot, pos_share, z[k] - top]  # fmt: skip
        ws = content[k]
        if ws:
            own = pr[k] if pr[k] > 0.5 else 0.0
            s3 = c1 = 0.0
            for w in ws:
                v = mass.get(w, 0.0) - own
                s3 += v if v < 3.0 else 3.0
                if v >= 1.0:
                    c1 += 1
            row += [s3 / (3.0 * len(ws)), c1 / len(ws)]
        else:
            row += [0.0, 0.0]
        rows.append(row)
    return rows
