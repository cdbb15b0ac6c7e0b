"""The learned model: members, each two logistic regressions over a page's line features and trees
that correct the second, whose scores are averaged; as a reviewable file.

Stage 1 scores each line from its features (features.py); stage 2 scores it again from the same
features and from what stage 1 said around it (`stage2_features`: smoothed scores, the best-scoring
span, the line's rank, the article mass before and after it, words shared with the confident
core). Boosted trees then correct stage 2's score where features act together, which a sum of
weights cannot say (a line of a listicle's item is a short unpunctuated line, and article text,
when a long article goes on around it). Each member is trained without a share of the sites
(bagging by site, train.py); a line's score is the members' mean, the log-odds that the line is
article text. decode.py turns the scores into the article. The scores, the trees and stage 2's
features are computed in C (`_features.c`), with the sums Python's code makes.

A model is a TOML file (rules/models/main-text.toml ships one): its format version, the feature
names it was trained on, where it came from (the command, the pages' fingerprint, the
cross-validated score), the decoder's costs and bias, then each member's weight and training mean
of each feature in both stages and its trees. `load` checks every field and says which is wrong:
``model.toml: field 'members.0.stage1.weights.lnw': must be a number``.
"""

from __future__ import annotations

import math
import tomllib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from operator import add, mul
from pathlib import Path
from typing import Any

from clean_articles import tomlfile
from clean_articles.main_text import _features
from clean_articles.main_text.features import Features, Rows, names

VERSION = 2
STAGE2_NAMES = [
    "z", "zm1", "zm2", "zm5", "zm10", "zup3", "zdn3", "zmaxup", "zmaxdn", "inspan", "span_d_lo",
    "span_d_hi", "span_rel", "after_span", "before_span", "zrank", "z_minus_spanmean", "pz_before", "pz_after",
    "pz_min", "page_pos_share", "z_minus_top", "coh_core", "coh_core2",
]  # fmt: skip
DECODER_KEYS = ("start", "gap_open", "gap_close", "end", "reenter", "bias")
MAX_DEPTH = 8  # splits of a tree


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

    def scores(self, rows: Rows) -> array:
        """`score` of every row, in C (the same sums, in the same order)."""
        return _features.scores(self.weights, self.bias, rows.flat, rows.width, rows.flat2, rows.width2)


@dataclass
class Trees:
    """Oblivious regression trees of one depth, whose values add to a score: each tree asks, at
    each of its `depth` levels, whether the row's feature `splits[d]` is above `above[d]` (every
    node of a level asks the same question); the answers, read as bits from the first, number
    the leaf, whose value the row earns."""

    depth: int
    splits: list[list[int]]  # per tree, the feature each level asks about (an index in a row)
    above: list[list[float]]  # per tree, each level's threshold
    values: list[list[float]]  # per tree, 2 ** depth leaf values

    def score(self, row: Sequence[float]) -> float:
        """What the trees add to the score of `row` (summed in the trees' order, as C does)."""
        total = 0.0
        for splits, above, values in zip(self.splits, self.above, self.values):
            leaf = 0
            for f, t in zip(splits, above):
                leaf = 2 * leaf + (row[f] > t)
            total += values[leaf]
        return total

    def add(self, z: array, rows: Rows) -> array:
        """`z` plus what the trees add to each row's score, in C (_features.trees)."""
        return _features.trees(z, self.depth, *self._flat, rows.flat, rows.width, rows.flat2, rows.width2)

    @cached_property
    def _flat(self) -> tuple[array, array, array]:
        """The splits, thresholds and values one tree after another, as the C reads them."""
        return tuple(array("d", chain.from_iterable(x)) for x in (self.splits, self.above, self.values))  # type: ignore[return-value]


@dataclass
class Member:
    """One of the models whose scores a Model averages: stage 1, stage 2 (which reads stage 1's
    scores around each line) and the trees that correct stage 2."""

    stage1: Stage
    stage2: Stage | None = None
    trees: Trees | None = None

    def scored(self, feats: Features, rows: Rows) -> tuple[Stage, Rows, array]:
        """The stage that scores the live lines last, the rows it reads (`rows`, the features,
        then for stage 2 `stage2_features`) and its scores (stage 2's corrected by the trees)."""
        z1 = self.stage1.scores(rows)
        if self.stage2 is None:
            return self.stage1, rows, z1
        rows = Rows(rows.flat, rows.width, _features.stage2(z1, feats.words, feats.content), len(STAGE2_NAMES))
        z2 = self.stage2.scores(rows)
        return self.stage2, rows, (self.trees.add(z2, rows) if self.trees else z2)


@dataclass
class Model:
    """Members trained on different shares of the sites (bagging), whose scores are averaged:
    which sites a model learns from moves its held-out score more than anything else about it."""

    path: str
    members: list[Member]
    decoder: dict[str, float]
    trained: dict[str, Any] = field(default_factory=dict)

    def scores(self, feats: Features) -> list[float]:
        """Each live line's log-odds of being article text (the members' mean)."""
        return self.scored(feats)[1].tolist()

    def scored(self, feats: Features) -> tuple[list[tuple[Stage, Rows]], array]:
        """What each member's last stage read (the stage and its rows, which explain a removal)
        and the members' mean score of each live line."""
        rows = _rows(feats)
        parts, total = [], None
        for member in self.members:
            stage, read, z = member.scored(feats, rows)
            parts.append((stage, read))
            total = z if total is None else array("d", map(add, total, z))
        if len(self.members) > 1:
            total = array("d", [t / len(self.members) for t in total])
        return parts, total


def _rows(feats: Features) -> Rows:
    """The rows of `feats` as the C reads them (made from a list of lists if need be)."""
    if isinstance(feats.rows, Rows) and feats.rows.flat2 is None:
        return feats.rows
    return Rows(array("d", chain.from_iterable(feats.rows)), len(names()))


def stage2_features(z: Sequence[float], feats: Features) -> list[list[float]]:
    """What stage 1's scores `z` say around each line (`STAGE2_NAMES`): smoothed scores, the
    best-scoring span (Kadane's, over scores weighted by the line's length), the line's rank (a
    histogram of the scores), the article mass before and after it, words shared with the
    confident core. Computed in C (`_features.stage2`)."""
    return list(Rows(_features.stage2(z, feats.words, feats.content), len(STAGE2_NAMES)))


# ---------------------------------------------------------------------------------------------
# The file


def load(path: str | Path) -> Model:
    """A model file, checked field by field; ModelError names the first fault."""
    where = str(path)
    try:
        data = tomlfile.loads(tomlfile.read(path).decode("utf-8"))
    except OSError as e:
        raise ModelError(where, None, f"cannot read the model: {e.strerror or e}") from None
    except tomlfile.TomlError as e:
        raise ModelError(where, None, str(e)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ModelError(where, None, f"not a TOML file: {e}") from None
    check = _Checker(where, data)
    if check.get("version", int) != VERSION:
        raise ModelError(
            where,
            "version",
            f"must be {VERSION} (this clean-articles reads models of version {VERSION}): train it again",
        )
    feature_names = check.get("features", list)
    if feature_names != names():
        missing = [n for n in names() if n not in feature_names]
        extra = [n for n in feature_names if n not in names()]
        raise ModelError(where, "features", "the model was trained on other features "
                         f"(missing: {', '.join(missing[:5]) or 'none'}; unknown: {', '.join(extra[:5]) or 'none'}): "
                         "train it again with this version")  # fmt: skip
    members = check.get("members", list)
    if not members:
        raise ModelError(where, "members", "must hold at least one member ([[members]])")
    decoder = {k: check.number(f"decoder.{k}") for k in DECODER_KEYS}
    trained = check.get("trained", dict) if "trained" in data else {}
    return Model(where, [check.member(f"members.{k}") for k in range(len(members))], decoder, trained)


class _Checker:
    def __init__(self, path: str, data: dict):
        self.path, self.data = path, data

    def get(self, dotted: str, kind: type) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
                continue
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

    def member(self, at: str) -> Member:
        """A [[members]] table: its stage1, maybe a stage2, and maybe trees correcting stage 2."""
        table = self.get(at, dict)
        stage2 = self.stage(f"{at}.stage2", names() + STAGE2_NAMES) if "stage2" in table else None
        trees = self.trees(f"{at}.trees", names() + STAGE2_NAMES) if "trees" in table else None
        if trees and stage2 is None:
            raise ModelError(self.path, f"{at}.trees", "trees correct stage 2's scores: the member needs a stage2")
        return Member(self.stage(f"{at}.stage1", names()), stage2, trees)

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

    def trees(self, at: str, feature_names: list[str]) -> Trees | None:
        """The trees at `at` ([[members.trees]]): each a tree's `split` (feature names), `above`
        (a threshold per split) and `value` (2 ** splits leaf values); all trees of one depth, at
        most MAX_DEPTH."""
        given = self.get(at, list)
        if not all(isinstance(t, dict) for t in given):
            raise ModelError(self.path, at, "must be an array of tables ([[members.trees]])")
        if not given:
            return None
        index = {n: k for k, n in enumerate(feature_names)}
        out = Trees(0, [], [], [])
        for k in range(len(given)):
            where = f"{at}.{k}"
            split = self.get(f"{where}.split", list)
            if not 1 <= len(split) <= MAX_DEPTH or (k and len(split) != out.depth):
                raise ModelError(
                    self.path, f"{where}.split", f"must name 1 to {MAX_DEPTH} features, as many as each tree"
                )
            unknown = [n for n in split if not isinstance(n, str) or n not in index]
            if unknown:
                raise ModelError(self.path, f"{where}.split", f"{unknown[0]!r} is not a feature of this version")
            if len(self.get(f"{where}.above", list)) != len(split):
                raise ModelError(self.path, f"{where}.above", "must hold a number for each split")
            above = [self.number(f"{where}.above.{q}") for q in range(len(split))]
            value = self.get(f"{where}.value", list)
            if len(value) != 2 ** len(split):
                raise ModelError(self.path, f"{where}.value", f"must hold 2 ** {len(split)} numbers, one per leaf")
            out.depth = len(split)
            out.splits.append([index[n] for n in split])
            out.above.append(above)
            out.values.append([self.number(f"{where}.value.{q}") for q in range(len(value))])
        return out


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

    out = ["# A learned main-text model for clean-articles (see docs/main-text.md): the decoder's costs,",
           "# then members whose scores are averaged, each the weights of two logistic regressions over",
           "# the line features of main_text/features.py and trees that correct the second's scores.",
           f"version = {VERSION}",
           "features = [" + ", ".join(f'"{n}"' for n in names()) + "]", "", "[trained]"]  # fmt: skip
    out += [f"{k} = {value(v)}" for k, v in model.trained.items()]
    out += ["", "[decoder]  # costs of entering, interrupting, leaving and re-entering the article; a score bias"]
    out += [f"{k} = {num(model.decoder[k])}" for k in DECODER_KEYS]
    every = names() + STAGE2_NAMES
    said_trees = False
    for k, member in enumerate(model.members, 1):
        out += ["", f"# Member {k} of {len(model.members)}: the model's score is the members' mean.", "[[members]]"]
        out += table("members.stage1", member.stage1, names())
        if member.stage2 is not None:
            out += table("members.stage2", member.stage2, every)
        if member.trees is not None:
            if not said_trees:  # once, above the first member's trees
                said_trees = True
                out += ["", "# Trees whose leaf values add to stage 2's score: a row's leaf is numbered by the answers,",
                        "# as bits from the first, to 'is the feature `split` above `above`' (thresholds in full:",
                        "# a feature often takes the threshold's very value)."]  # fmt: skip
            for splits, above, values in zip(member.trees.splits, member.trees.above, member.trees.values):
                out += ["", "[[members.trees]]", "split = [" + ", ".join(f'"{every[f]}"' for f in splits) + "]",
                        "above = [" + ", ".join(map(repr, above)) + "]", "value = [" + ", ".join(map(num, values)) + "]"]  # fmt: skip
    return "\n".join(out) + "\n"
