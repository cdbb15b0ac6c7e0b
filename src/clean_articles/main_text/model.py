"""The learned model: two logistic regressions over a page's line features, as a reviewable file.

Stage 1 scores each line from its features (features.py); stage 2 scores it again from the same
features and from what stage 1 said around it (`stage2_features`: smoothed scores, the best-scoring
span, the line's rank, the article mass before and after it, words shared with the confident
core). A score is the log-odds that the line is article text; decode.py turns the scores into
the article.

A model is a TOML file (rules/models/main-text.toml ships one): its format version, the feature
names it was trained on, each feature's weight and training mean in both stages, the decoder's
costs and bias, and where it came from (the command, the pages' fingerprint, the
cross-validated score). `load` checks every field and says which is wrong:
``model.toml: field 'stage1.weights.lnw': must be a number``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path
from typing import Any

from clean_articles.main_text.features import Features, names

VERSION = 1
STAGE2_NAMES = [
    "z", "zm1", "zm2", "zm5", "zm10", "zup3", "zdn3", "zmaxup", "zmaxdn", "zblk", "inspan", "span_d_lo",
    "span_d_hi", "span_rel", "after_span", "before_span", "zrank", "z_minus_spanmean", "pz_before", "pz_after",
    "pz_min", "page_pos_share", "z_minus_top", "coh_core", "coh_core2",
]  # fmt: skip
DECODER_KEYS = ("start", "gap_open", "gap_close", "end", "reenter", "bias")


class ModelError(Exception):
    """A model file that cannot be used; str() is one line: path, field, fault."""

    def __init__(self, path: str, field_: str | None, message: str):
        self.path, self.field, self.message = path, field_, message
        where = f"{path}: field '{field_}'" if field_ else path
        super().__init__(f"{where}: {message}")


@dataclass
class Stage:
    """One logistic regression: a weight and a training mean per feature, and a bias. The means
    are what a line's features are compared with when a removal is explained."""

    weights: list[float]
    means: list[float]
    bias: float

    def score(self, row: Sequence[float]) -> float:
        return self.bias + sum(map(mul, self.weights, row))


@dataclass
class Model:
    path: str
    stage1: Stage
    stage2: Stage | None
    decoder: dict[str, float]
    trained: dict[str, Any] = field(default_factory=dict)

    def scores(self, feats: Features) -> list[float]:
        """Each live line's log-odds of being article text (stage 2 when the model has one)."""
        z1 = [self.stage1.score(row) for row in feats.rows]
        if self.stage2 is None:
            return z1
        return [self.stage2.score(row + s) for row, s in zip(feats.rows, stage2_features(z1, feats))]


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
               max(up) if up else -5.0, max(dn) if dn else -5.0, 0.0, 1.0 if inside else 0.0,
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


# ---------------------------------------------------------------------------------------------
# The file


def load(path: str | Path) -> Model:
    """A model file, checked field by field; ModelError names the first fault."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelError(where, None, f"cannot read the model: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ModelError(where, None, f"not a TOML file: {e}") from None
    check = _Checker(where, data)
    if check.get("version", int) != VERSION:
        raise ModelError(where, "version", f"must be {VERSION} (this clean-articles reads models of version {VERSION})")
    feature_names = check.get("features", list)
    if feature_names != names():
        missing = [n for n in names() if n not in feature_names]
        extra = [n for n in feature_names if n not in names()]
        raise ModelError(where, "features", "the model was trained on other features "
                         f"(missing: {', '.join(missing[:5]) or 'none'}; unknown: {', '.join(extra[:5]) or 'none'}): "
                         "train it again with this version")  # fmt: skip
    stage1 = check.stage("stage1", names())
    stage2 = check.stage("stage2", names() + STAGE2_NAMES) if "stage2" in data else None
    decoder = {k: check.number(f"decoder.{k}") for k in DECODER_KEYS}
    trained = check.get("trained", dict) if "trained" in data else {}
    return Model(where, stage1, stage2, decoder, trained)


class _Checker:
    def __init__(self, path: str, data: dict):
        self.path, self.data = path, data

    def get(self, dotted: str, kind: type) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                raise ModelError(self.path, dotted, "missing")
            value = value[part]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise ModelError(self.path, dotted, f"must be {'a table' if kind is dict else 'a ' + kind.__name__}")
        return value

    def number(self, dotted: str) -> float:
        value = self.get(dotted, object)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(self.path, dotted, "must be a number")
        return float(value)

    def stage(self, name: str, feature_names: list[str]) -> Stage:
        """A stage's bias, and a weight and a mean for every feature (and for no other)."""
        for table in ("weights", "means"):
            given = self.get(f"{name}.{table}", dict)
            unknown = sorted(set(given) - set(feature_names))
            if unknown:
                raise ModelError(self.path, f"{name}.{table}.{unknown[0]}", "not a feature of this version")
        weights = [self.number(f"{name}.weights.{n}") for n in feature_names]
        means = [self.number(f"{name}.means.{n}") for n in feature_names]
        return Stage(weights, means, self.number(f"{name}.bias"))


def dump(model: Model) -> str:
    """The TOML text of a model (what `load` reads back)."""

    def num(x: float) -> str:
        return repr(round(float(x), 6))

    def table(title: str, stage: Stage, feature_names: list[str]) -> list[str]:
        out = ["", f"[{title}]", f"bias = {num(stage.bias)}", "", f"[{title}.weights]"]
        out += [f"{n} = {num(w)}" for n, w in zip(feature_names, stage.weights)]
        out += ["", f"[{title}.means]"]
        out += [f"{n} = {num(m)}" for n, m in zip(feature_names, stage.means)]
        return out

    def value(v: Any) -> str:
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return num(v)
        if isinstance(v, int):
            return str(v)
        raise TypeError(v)

    out = ["# A learned main-text model for clean-articles (see docs/main-text.md): weights of two",
           "# logistic regressions over the line features of main_text/features.py, and the decoder's costs.",
           f"version = {VERSION}",
           "features = [" + ", ".join(f'"{n}"' for n in names()) + "]", "", "[trained]"]  # fmt: skip
    out += [f"{k} = {value(v)}" for k, v in model.trained.items()]
    out += ["", "[decoder]  # costs of entering, interrupting, leaving and re-entering the article; a score bias"]
    out += [f"{k} = {num(model.decoder[k])}" for k in DECODER_KEYS]
    out += table("stage1", model.stage1, names())
    if model.stage2 is not None:
        out += table("stage2", model.stage2, names() + STAGE2_NAMES)
    return "\n".join(out) + "\n"
