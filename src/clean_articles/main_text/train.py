"""Learning a main-text model from pages and their clean text (``clean-articles train``).

Data: folders holding ``raw/<id>.txt`` (a page as it was scraped) and ``clean/<id>.txt`` or
``gold/<id>.txt`` (the article alone, the before/after files a test suite keeps). A
``pages.jsonl`` beside them (``{"id": ..., "site": ...}`` a line) says which site each page is
from; without one, each page counts as a site of its own.

Labels: the words (``\\w+``) of a page and of its clean text are aligned in order (difflib's
longest matching blocks, so a line printed twice is matched once); a raw line is article text
when at least half its words are aligned. The features are those the rules before the main
text leave (each page is cleaned by the other rules first, as in use).

Model: stage 1 is an L2-regularised logistic regression over the features, each line weighted
by the square root of its words plus a half, every page weighing the same; stage 2 is another
over the features and what stage 1's scores say around each line (trained on out-of-fold stage-1
scores, so that it learns how stage 1 errs on pages it has not seen). Standardisation is folded
into the weights. Then `boost` grows oblivious trees on stage 2's rows, each fitted to what
the log-loss still asks of the scores (gradient boosting from stage 2's scores, Newton steps
on the leaves). The decoder's costs are given (decode.py). A model averages the scores of
`bags` such members, each trained without the sites of one bag (bagging by site): which sites a
model learns from moves its held-out score more than any setting of it, and the mean of
several is steadier.

Each page also teaches the model with its clean version (its article lines alone, all of them
article, at 20% of a page's weight): the pipeline's later rounds show the model the article it
kept, which it must keep whole, so that cleaning clean text changes nothing.

Cross-validation is by site: the sites are split into folds by a hash of their name (salted by
`split`, `train --split`, to deal them otherwise), each fold is cleaned by the whole pipeline
with a model trained on the others, and the held-out pages are scored with the shingle metric of
the article-extraction benchmark (`score`). It needs numpy (``pip install
clean-articles[train]``); cleaning does not.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clean_articles.cleaner import Cleaner
from clean_articles.document import Document
from clean_articles.encoding import decode
from clean_articles.main_text.features import Features, page_features
from clean_articles.main_text.model import Member, Model, Stage, Trees, stage2_features
from clean_articles.packs import Pack, RuleSet
from clean_articles.pipeline import Pipeline

DECODER = {"start": 2.0, "gap_open": 2.0, "gap_close": 2.0, "end": 0.0, "reenter": 5.0, "bias": 1.0}
_WORD = re.compile(r"\w+")


class TrainError(Exception):
    """Training data or a dependency that is missing; the CLI shows it as one line."""


@dataclass
class Page:
    """One training page: where it is from, its lines, the clean text, and what training reads."""

    set: str
    id: str
    site: str
    doc: Document
    clean: str
    feats: Features | None = None
    labels: list[float] = field(default_factory=list)  # one per live line: 1.0 article, 0.0 not
    weights: list[float] = field(default_factory=list)  # one per live line


def read_pages(folders: Iterable[str | Path]) -> list[Page]:
    """The pages of each folder (raw/ with clean/ or gold/), in order."""
    pages = []
    for folder in map(Path, folders):
        raw = folder / "raw"
        clean = next((folder / d for d in ("clean", "gold") if (folder / d).is_dir()), None)
        if not raw.is_dir() or clean is None:
            raise TrainError(f"{folder}: needs raw/ and clean/ (or gold/) folders of pages with the same names")
        sites = {}
        if (folder / "pages.jsonl").is_file():
            for line in (folder / "pages.jsonl").read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    sites[entry["id"]] = entry.get("site", entry["id"])
        for path in sorted(raw.glob("*.txt")):
            target = clean / path.name
            if not target.is_file():
                continue
            text, _ = decode(path.read_bytes(), allow_binary=True)
            gold, _ = decode(target.read_bytes(), allow_binary=True)
            pages.append(Page(folder.name, path.stem, sites.get(path.stem, path.stem), Document.from_text(text), gold))
    if not pages:
        raise TrainError("no page has both a raw and a clean version")
    return pages


def labels(lines: Sequence[str], clean: str) -> list[int]:
    """1 for each raw line that is article text (see the module docstring), else 0."""
    owner, words = [], []
    for i, line in enumerate(lines):
        for w in _WORD.findall(line):
            words.append(w)
            owner.append(i)
    matched, count = [0] * len(lines), [0] * len(lines)
    for i in owner:
        count[i] += 1
    for a, _, size in difflib.SequenceMatcher(None, words, _WORD.findall(clean), autojunk=False).get_matching_blocks():
        for k in range(a, a + size):
            matched[owner[k]] += 1
    return [1 if count[i] and 2 * matched[i] >= count[i] else 0 for i in range(len(lines))]


def prepare(pages: list[Page], rules: RuleSet) -> None:
    """Each page's features (after the rules other than the main text's), labels and weights."""
    packs = [Pack(p.name, p.path, p.why, p.site, p.when, [r for r in p.rules if r.kind != "main"]) for p in rules.packs]
    others = Pipeline(RuleSet(packs, rules.fingerprint, rules.favor))
    for page in pages:
        _, removed, _ = others.mark(page.doc)
        page.feats = page_features(page.doc, list(map(bool, removed)))
        line_labels = labels(page.doc.lines, page.clean)
        page.labels = [float(line_labels[i]) for i in page.feats.live]
        page.weights = _weights(page, 100.0)


def _weights(page: Page, total: float) -> list[float]:
    """Each live line's weight: the square root of its words plus a half, `total` in all."""
    raw = [len(_WORD.findall(page.doc.lines[i])) ** 0.5 + 0.5 for i in page.feats.live]
    whole = sum(raw) or 1.0
    return [total * w / whole for w in raw]


CLEAN_WEIGHT = 20.0  # what the clean version of a page weighs against the page's 100


def cleaned(page: Page) -> Page | None:
    """The page as its clean text would read (its article lines), every line article: what the
    pipeline's later rounds show the model, which must keep a clean article whole (and so
    cleaning clean text changes nothing)."""
    article = {i for i, y in zip(page.feats.live, page.labels) if y}
    if not article:
        return None
    doc = page.doc.subset(page.doc.kept(bytes(0 if i in article else 1 for i in range(len(page.doc)))))
    twin = Page(page.set, page.id, page.site, doc, page.clean, page_features(doc, [False] * len(doc)))
    twin.labels = [1.0] * len(twin.feats.live)
    twin.weights = _weights(twin, CLEAN_WEIGHT)
    return twin


# ---------------------------------------------------------------------------------------------
# Fitting


def _numpy():
    try:
        import numpy
    except ImportError:
        raise TrainError("training needs numpy: pip install 'clean-articles[train]'") from None
    return numpy


def fit(rows: list[list[float]], y: list[float], w: list[float], c: float = 1.0) -> Stage:
    """An L2-regularised logistic regression (Newton's method) on standardised features, with
    the standardisation folded into the weights: minimises c * sum(w * log-loss) + |coef|^2 / 2."""
    np = _numpy()
    X, Y, W = np.asarray(rows, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    mu, sd = X.mean(0), X.std(0) + 1e-6
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    d = Z.shape[1]
    reg = np.ones(d)
    reg[-1] = 0.0  # the intercept is not penalised
    beta = np.zeros(d)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ beta, -30, 30)))
        grad = c * (Z.T @ (W * (p - Y))) + reg * beta
        hess = c * (Z.T * (W * p * (1 - p))) @ Z + np.diag(reg) + 1e-9 * np.eye(d)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    coef = beta[:-1] / sd
    return Stage(coef.tolist(), mu.tolist(), float(beta[-1] - (beta[:-1] * mu / sd).sum()))


def boost(rows: list[list[float]], y: list[float], w: list[float], start: list[float], rounds: int = 100,
          depth: int = 4, rate: float = 0.1, bins: int = 32, l2: float = 1.0) -> Trees:  # fmt: skip
    """Oblivious trees that lower the weighted log-loss of the scores `start` (gradient boosting).
    Each feature's candidate thresholds are its quantiles (at most `bins` - 1); each level of a
    tree takes the (feature, threshold) that gains most over all its nodes; a leaf's value is
    the Newton step (- gradient / (hessian + l2)) times `rate`."""
    np = _numpy()
    X, Y, W = np.asarray(rows, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    n, width = X.shape
    edges = [np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1])) for x in X.T]
    edges = [e[e < x.max()] for e, x in zip(edges, X.T)]  # a row is above a threshold on both sides
    binned = np.stack([np.searchsorted(e, X[:, j], side="left") for j, e in enumerate(edges)])  # x > e[b] iff bin > b
    usable = np.arange(bins - 1)[None, :] < np.array([len(e) for e in edges])[:, None]
    offset = (np.arange(width) * bins)[:, None]
    z = np.asarray(start, dtype=float).copy()
    trees = Trees(depth, [], [], [])
    for _ in range(rounds if usable.any() else 0):  # no feature varies: no question to ask
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g, h = W * (p - Y), W * p * (1 - p)
        leaf = np.zeros(n, dtype=np.int64)
        splits, above = [], []
        for level in range(depth):
            size = (1 << level) * width * bins
            at = (leaf[None, :] * width * bins + offset + binned).ravel()
            G = np.bincount(at, np.tile(g, width), size).reshape(-1, width, bins)
            H = np.bincount(at, np.tile(h, width), size).reshape(-1, width, bins)
            gl, hl = G.cumsum(2)[:, :, :-1], H.cumsum(2)[:, :, :-1]
            gt, ht = G.sum(2, keepdims=True), H.sum(2, keepdims=True)
            gain = (gl**2 / (hl + l2) + (gt - gl) ** 2 / (ht - hl + l2)).sum(0)
            gain[~usable] = -np.inf
            j, b = np.unravel_index(int(np.argmax(gain)), gain.shape)
            splits.append(int(j))
            above.append(float(edges[j][b]))
            leaf = 2 * leaf + (binned[j] > b)
        G, H = np.bincount(leaf, g, 1 << depth), np.bincount(leaf, h, 1 << depth)
        values = -rate * G / (H + l2)
        z += values[leaf]
        trees.splits.append(splits)
        trees.above.append(above)
        trees.values.append(values.tolist())
    return trees


def fold_of(site: str, folds: int, split: str = "") -> int:
    """The fold a site's pages fall in. Another `split` (a salt for the hash) deals the sites
    into folds otherwise: a figure that holds on several splits owes little to one of them."""
    return int(hashlib.md5((site + split).encode()).hexdigest(), 16) % folds


def _stack(pages: list[Page], rows_of: Callable[[Page], list[list[float]]]) -> tuple[list, list, list]:
    rows, y, w = [], [], []
    for p in pages:
        rows += rows_of(p)
        y += p.labels
        w += p.weights
    return rows, y, w


BAGS = 4  # members of a model, each trained without a share of the sites


def train_model(pages: list[Page], folds: int = 5, c: float = 1.0, split: str = "", bags: int = BAGS) -> Model:
    """A model of `bags` members, each trained on `pages` (prepared) but those of a share of the
    sites (bagging by site: member k leaves out the sites that fall in bag k), whose scores are
    averaged. One bag: one member trained on every page."""
    if bags == 1:
        return Model("", [_member(pages, folds, c, split)], dict(DECODER))
    by_bag = [fold_of(p.site, bags, split + "bag") for p in pages]
    subsets = [[p for p, b in zip(pages, by_bag) if b != k] for k in range(bags)]
    return Model("", [_member(subset, folds, c, split) for subset in subsets if subset], dict(DECODER))


def _member(pages: list[Page], folds: int, c: float, split: str) -> Member:
    """Two stages and their trees, trained on `pages` and their clean versions (`cleaned`)."""
    pages = pages + [twin for twin in map(cleaned, pages) if twin is not None]
    stage1 = fit(*_stack(pages, lambda p: p.feats.rows), c=c)
    z1: dict[int, list[float]] = {}  # out-of-fold stage-1 scores, for stage 2
    of = [fold_of(p.site, folds, split) for p in pages]
    for f in sorted(set(of)):
        train = [p for p, g in zip(pages, of) if g != f]
        held = [k for k, g in enumerate(of) if g == f]
        model = fit(*_stack(train, lambda p: p.feats.rows), c=c) if train else stage1
        for k in held:
            z1[k] = [model.score(row) for row in pages[k].feats.rows]
    second = {
        id(p): [r + s for r, s in zip(p.feats.rows, stage2_features(z1[k], p.feats))] for k, p in enumerate(pages)
    }
    rows, y, w = _stack(pages, lambda p: second[id(p)])
    stage2 = fit(rows, y, w, c=c)
    trees = boost(rows, y, w, [stage2.score(r) for r in rows])
    return Member(stage1, stage2, trees)


# ---------------------------------------------------------------------------------------------
# Scoring


def shingles(text: str, n: int = 4) -> Counter:
    """The multiset of runs of n words (\\w+) of a text (the benchmark's unit)."""
    w = _WORD.findall(text)
    return (
        Counter(tuple(w[i : i + n]) for i in range(len(w) - n + 1)) if len(w) >= n else Counter([tuple(w)] if w else [])
    )


def score(output: str, gold: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page's output against its gold article, as the benchmark
    counts them: precision is None for an empty output, recall None for an empty gold (each is
    then left out of its mean)."""
    o, g = shingles(output), shingles(gold)
    tp = sum((o & g).values())
    fp, fn = sum(o.values()) - tp, sum(g.values()) - tp
    p, r = (
        (1.0, 1.0) if fp == 0 and fn == 0 else (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)
    )
    return (p if tp + fp else None), (r if tp + fn else None)


@dataclass
class Report:
    """Cross-validated figures of a set of pages: mean P and R, their F1, pages under F1 0.5."""

    name: str
    pages: int
    p: float
    r: float
    under_half: int

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def line(self) -> str:
        return (f"{self.name:<24} {self.pages:4} pages  P {self.p:.3f}  R {self.r:.3f}  F1 {self.f1:.3f}  "
                f"under 0.5: {self.under_half}")  # fmt: skip


def report(name: str, scored: list[tuple[float | None, float | None]]) -> Report:
    """The figures of a set from its pages' (precision, recall)."""
    ps, rs = [p for p, _ in scored if p is not None], [r for _, r in scored if r is not None]
    p, r = (sum(ps) / len(ps) if ps else 0.0), (sum(rs) / len(rs) if rs else 0.0)
    under = sum(1 for p_, r_ in scored if not p_ or not r_ or 2 * p_ * r_ / (p_ + r_) < 0.5)
    return Report(name, len(scored), p, r, under)


def cross_validate(
    pages: list[Page],
    rules: RuleSet,
    folds: int = 5,
    c: float = 1.0,
    held: Sequence[Page] = (),
    split: str = "",
    bags: int = BAGS,
) -> dict[str, list]:
    """Each page's (precision, recall) as cleaned by `rules` whose main-text model was trained
    on the other folds' sites, by the page's set (and 'all', of `pages`). The `held` pages (the
    same pages rendered otherwise, say) are only scored, in the fold of their site: a page whose
    id is a training page's takes that page's site."""
    by_set: dict[str, list] = {}
    sites = {p.id: p.site for p in pages}
    for p in held:
        p.site = sites.get(p.id, p.site)
    of = [fold_of(p.site, folds, split) for p in pages]
    held_of = [fold_of(p.site, folds, split) for p in held]
    mains = [r.matcher for r in rules.rules if r.kind == "main"]
    shipped = [m.model for m in mains]
    try:
        for f in sorted(set(of)):
            train = [p for p, g in zip(pages, of) if g != f]
            if not train:
                continue
            model = train_model(train, folds, c, split, bags)
            for m in mains:
                m.model = model
            cleaner = Cleaner(rules)
            for p, g in zip(pages, of):
                if g == f:
                    got = score(cleaner.clean(p.doc.text).text, p.clean)
                    by_set.setdefault(p.set, []).append(got)
                    by_set.setdefault("all", []).append(got)
            for p, g in zip(held, held_of):
                if g == f:
                    by_set.setdefault(p.set, []).append(score(cleaner.clean(p.doc.text).text, p.clean))
    finally:
        for m, model in zip(mains, shipped):
            m.model = model
    return by_set


def fingerprint(pages: list[Page]) -> str:
    """A digest of the training pages (raw and clean text, in order)."""
    h = hashlib.sha256()
    for p in pages:
        h.update(
            p.doc.text.encode("utf-8", "surrogateescape") + b"\0" + p.clean.encode("utf-8", "surrogateescape") + b"\0"
        )
    return h.hexdigest()[:16]
