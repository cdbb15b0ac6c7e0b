"""The learned main text: its model file (checked field by field), its decoder, its features
(content, never layout), its reasons, and `train` end to end on a small set it makes itself."""

from __future__ import annotations

import json
import random
import re
from array import array
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import ROOT, write_pack
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import Cleaner, RuleError, load_rules
from clean_articles.cli import main
from clean_articles.document import Document
from clean_articles.main_text import Model, ModelError, _edges, classify, dump, load
from clean_articles.main_text import train as learning
from clean_articles.main_text.decode import STATES, decode
from clean_articles.main_text.features import DESCRIPTIONS, Rows, names, page_features
from clean_articles.main_text.model import STAGE2_NAMES, Member, Trees
from clean_articles.main_text.train import boost, fold_of, train_model
from clean_articles.packs import builtin_rules_dir

SHIPPED = builtin_rules_dir() / "models" / "main-text.toml"
COSTS = {"start": 2.0, "gap_open": 2.0, "gap_close": 2.0, "end": 0.0, "reenter": 5.0}
ARTICLE = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, after engineers warned that its frame had weakened.",
    "The decision follows two years of debate in which residents, shop owners and commuters argued over whether the bridge could be repaired.",
    "According to the report, repairs would cost about a third of a new bridge but would only keep the structure safe for fifteen years.",
    "Buses and bicycles will still be allowed to use the bridge, and the council said it would add more ferry trips in the morning.",
]
CHROME = [
    "Home",
    "World",
    "Sport",
    "Sign in",
    "Subscribe to our newsletter",
    "Share on Facebook",
    "© 2024 Example Media",
]


# ---------------------------------------------------------------------------------------------
# The model file


def test_the_shipped_model_loads_and_names_its_training():
    model = load(SHIPPED)
    assert len(model.members) == 4
    for member in model.members:
        assert len(member.stage1.weights) == len(names()) and member.stage2 is not None and member.trees is not None
    assert model.trained["command"].startswith("clean-articles train ") and model.trained["pages"] > 200


def test_a_model_survives_a_round_trip_through_its_file(tmp_path):
    model = load(SHIPPED)
    path = tmp_path / "m.toml"
    path.write_text(dump(model), encoding="utf-8")
    again = load(path)
    assert again.decoder == model.decoder and again.trained == model.trained
    assert len(again.members) == len(model.members)
    for one, two in zip(again.members, model.members):
        assert one.stage1.weights == pytest.approx(two.stage1.weights, abs=1e-6)
        assert one.stage2.means == pytest.approx(two.stage2.means, abs=1e-6)
        assert one.trees.splits == two.trees.splits and one.trees.above == two.trees.above  # thresholds exact
        assert sum(one.trees.values, []) == pytest.approx(sum(two.trees.values, []), abs=1e-6)
    # the trees' comment is written once, above the first member that has trees
    model.members[0].trees = None
    assert dump(model).count("# Trees whose leaf values") == 1


def test_a_model_scores_a_line_by_its_members_mean():
    model = load(SHIPPED)
    feats = page_features(page_of(CHROME + ARTICLE), [False] * (len(CHROME) + len(ARTICLE)))
    alone = [Model("", [member], model.decoder).scores(feats) for member in model.members]
    assert len({tuple(z) for z in alone}) == len(alone)  # the members differ
    assert model.scores(feats) == pytest.approx([sum(z) / len(alone) for z in zip(*alone)], abs=1e-12)


def test_a_model_without_trees_scores_by_stage_2_alone(tmp_path):
    model = load(SHIPPED)
    model.members[1:] = []
    model.members[0].trees = None
    path = tmp_path / "m.toml"
    path.write_text(dump(model), encoding="utf-8")
    plain = load(path)
    feats = page_features(page_of(CHROME + ARTICLE), [False] * (len(CHROME) + len(ARTICLE)))
    [(stage, rows)], z = plain.scored(feats)
    assert plain.members[0].trees is None and list(z) == list(stage.scores(rows))


@pytest.mark.parametrize(
    ("edit", "field", "fault"),
    [
        (lambda t: t.replace("version = 2", "version = 1"), "version", "must be 2"),
        (lambda t: t.replace('"lnw", ', "", 1), "features", "trained on other features (missing: lnw"),
        (
            lambda t: t.replace("[members.stage1.weights]\n", "[members.stage1.weights]\nfancy = 1.0\n"),
            "members.0.stage1.weights.fancy",
            "not a feature",
        ),
        (
            lambda t: _set(t, "members.stage1.weights", "lnw", '"high"'),
            "members.0.stage1.weights.lnw",
            "must be a number",
        ),
        (lambda t: t[: t.index("[[members]]")], "members", "missing"),
        (lambda t: _set(t, "decoder", "start", "nan"), "decoder.start", "must be a number"),
        (lambda t: t.replace("reenter = ", "re_enter = "), "decoder.reenter", "missing"),
        (
            lambda t: t.replace('[[members.trees]]\nsplit = ["', '[[members.trees]]\nsplit = ["fancy', 1),
            "members.0.trees.0.split",
            "not a feature",
        ),
        (
            lambda t: _second(t, "[[members.trees]]\nsplit = [", '[[members.trees]]\nsplit = ["lnw", '),
            "members.0.trees.1.split",
            "as many",
        ),
        (
            lambda t: t.replace("[[members.trees]]\nsplit = [", "[[members.trees]]\nsplit = [[1], ", 1),
            "members.0.trees.0.split",
            "[1] is not a feature",
        ),
        (
            lambda t: t.replace("\nabove = [", '\nabove = ["x", ', 1),
            "members.0.trees.0.above",
            "a number for each split",
        ),
        (lambda t: t.replace("\nvalue = [", "\nvalue = [1.0, ", 1), "members.0.trees.0.value", "one per leaf"),
        (
            lambda t: re.sub(r"\nvalue = \[[^,]+", "\nvalue = [nan", t, count=1),
            "members.0.trees.0.value.0",
            "must be a number",
        ),
    ],
)
def test_a_broken_model_is_refused_naming_its_file_and_field(tmp_path, edit, field, fault):
    path = tmp_path / "broken.toml"
    path.write_text(edit(SHIPPED.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}: field '{field}': ") and fault in str(err.value)


def test_trees_without_a_stage_2_to_correct_are_refused(tmp_path):
    model = load(SHIPPED)
    model.members[1].stage2 = None
    path = tmp_path / "m.toml"
    path.write_text(dump(model), encoding="utf-8")
    with pytest.raises(ModelError, match="field 'members.1.trees': trees correct stage 2's scores"):
        load(path)


def _second(text: str, old: str, new: str) -> str:
    """`text` with the second `old` made `new`."""
    at = text.index(old, text.index(old) + 1)
    return text[:at] + new + text[at + len(old) :]


def _set(text: str, table: str, key: str, value: str) -> str:
    head = text.index(f"[{table}]")
    at = text.index(f"\n{key} = ", head) + 1
    return text[:at] + f"{key} = {value}" + text[text.index("\n", at) :]


def test_a_model_file_past_toml_bounds_is_refused_in_one_line(tmp_path):
    nested = tmp_path / "nested.toml"
    nested.write_text("v = " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(ModelError, match="nested too deeply"):
        load(nested)
    with pytest.raises(ModelError, match="over 1 MB"):
        load("/dev/zero")


def test_a_rule_whose_model_is_broken_or_missing_is_a_rule_file_problem(tmp_path):
    (tmp_path / "bad.toml").write_text("version = 2\n", encoding="utf-8")
    for model, says in (("bad.toml", "field 'features': missing"), ("none.toml", "no file")):
        pack = write_pack(
            tmp_path, f'[pack]\nwhy = "x"\n[[rule]]\nid = "m"\nkind = "main"\nwhy = "x"\nmodel = "{model}"\n'
        )
        with pytest.raises(RuleError) as err:
            load_rules([pack], builtin=False)
        assert str(err.value).startswith(f"{pack}:7: rule 'm': ") and says in str(err.value)


def test_train_needs_no_model_of_the_features_it_learns(tmp_path):
    """After a cue list changes, the shipped model is of other features: cleaning refuses it,
    and `train`, which makes the model that replaces it, must still run."""
    pytest.importorskip("numpy")
    shipped = (builtin_rules_dir() / "models" / "main-text.toml").read_text(encoding="utf-8")
    (tmp_path / "stale.toml").write_text(shipped.replace('"cue_i", ', '"cue_i", "cue_gone", ', 1), encoding="utf-8")
    pack = write_pack(
        tmp_path, '[pack]\nwhy = "x"\n[[rule]]\nid = "m"\nkind = "main"\nwhy = "x"\nmodel = "stale.toml"\n'
    )
    with pytest.raises(RuleError, match="trained on other features"):
        load_rules([pack], builtin=False)
    assert [r.matcher.model for r in load_rules([pack], builtin=False, untrained=True).rules] == [None]
    data, model = tiny_set(tmp_path / "data"), tmp_path / "model.toml"
    args = ["train", str(data), "-o", str(model), "--no-cv", "--no-builtin-rules", "--rules", str(pack)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert load(model).trained["pages"] == 12


def test_the_cli_takes_a_model_and_says_when_it_is_broken(tmp_path):
    broken = tmp_path / "m.toml"
    broken.write_text("not toml [", encoding="utf-8")
    result = CliRunner().invoke(main, ["--model", str(broken)], input="Hello.\n")
    assert result.exit_code == 1 and f"{broken}: not a TOML file" in result.output


# ---------------------------------------------------------------------------------------------
# Trees


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.data())
def test_trees_add_in_c_what_each_tree_says_in_python(depth, data):
    values = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0])  # thresholds that rows hit exactly: "above" is strict
    many = data.draw(st.integers(0, 5))
    trees = Trees(
        depth,
        [[data.draw(st.integers(0, 4)) for _ in range(depth)] for _ in range(many)],
        [[data.draw(values) for _ in range(depth)] for _ in range(many)],
        [[data.draw(st.floats(-3, 3)) for _ in range(2**depth)] for _ in range(many)],
    )
    rows = data.draw(st.lists(st.lists(values, min_size=5, max_size=5), max_size=6))
    z = array("d", [data.draw(st.floats(-9, 9)) for _ in rows])
    as_c_reads = Rows(array("d", [x for r in rows for x in r[:3]]), 3, array("d", [x for r in rows for x in r[3:]]), 2)
    assert list(trees.add(z, as_c_reads)) == [zk + trees.score(r) for zk, r in zip(z, rows)]


def test_boosting_learns_what_two_features_say_together():
    pytest.importorskip("numpy")
    rnd = random.Random(1)
    rows = [[rnd.random(), rnd.random()] for _ in range(400)]
    y = [float((a > 0.5) != (b > 0.5)) for a, b in rows]  # a sum of weights does no better than chance
    trees = boost(rows, y, [1.0] * len(rows), [0.0] * len(rows), rounds=40, depth=2, rate=0.5)
    right = sum((trees.score(r) > 0) == bool(t) for r, t in zip(rows, y))
    assert right >= 0.95 * len(rows)


# ---------------------------------------------------------------------------------------------
# Decoding


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-20, 20), max_size=40))
def test_decoding_keeps_a_line_and_follows_the_states_order(scores):
    states = decode(scores, COSTS)
    assert len(states) == len(scores) and set(states) <= set(STATES)
    if scores:
        assert "in" in states and states[0] in ("before", "in") and states[-1] != "before"
        order = {"before": 0, "in": 1, "gap": 1, "after": 2}
        ranks = [order[s] for s in states]
        assert ranks == sorted(ranks) or "after" in states  # re-entering after the end costs, but may happen


def test_decoding_bridges_a_short_dip_and_leaves_a_long_one():
    assert decode([5, -1, 5], COSTS) == ["in", "in", "in"]
    assert (
        decode([5, -3, -3, -3, -3, 5], COSTS)[1:5] == ["gap"] * 4
        or decode([5, -3, -3, -3, -3, 5], COSTS)[-1] == "after"
    )


def test_the_edges_take_a_closing_sentence_and_drop_a_headline():
    lines = [
        "Minister launches reading campaign",
        "The minister urged parents to read more with children.",
        "She spoke in Leeds on Monday morning.",
        "Work starts in the spring.",
    ]
    _in, after, before = 1, 3, 0
    got = _edges(bytes([_in, _in, _in, after]), [1.0, 6.0, 6.0, -0.8], 0.0, lines)
    assert list(got) == [before, _in, _in, _in]
    # a closing line that scored too low, or is no sentence, stays out; a punctuated first line stays in
    assert _edges(bytes([_in, _in, after]), [6.0, 6.0, -1.5], 0.0, lines[1:]) == bytes([_in, _in, after])
    assert _edges(bytes([_in, _in, after]), [6.0, 6.0, 0.5], 0.0, lines[1:3] + ["Share"]) == bytes([_in, _in, after])
    assert _edges(bytes([_in, after]), [6.0, -0.5], 0.0, lines[1:3])[1] == _in
    assert _edges(bytes([after, after]), [-9.0, -9.0], 0.0, lines[:2]) == bytes([after, after])


# ---------------------------------------------------------------------------------------------
# Features and classification


def page_of(lines: list[str]) -> Document:
    return Document(lines, ["\n"] * len(lines))


def test_features_read_content_not_layout():
    lines = CHROME[:3] + [""] + ARTICLE + [""] + CHROME[3:]
    flat = page_features(page_of(lines), [False] * len(lines))
    indented = page_features(
        page_of([("    " if k % 2 else "") + s for k, s in enumerate(lines)]), [False] * len(lines)
    )
    assert flat.rows == indented.rows and flat.live == indented.live


def test_a_page_keeps_its_article_and_explains_each_removal():
    lines = CHROME[:3] + [""] + ARTICLE + [""] + CHROME[3:]
    result = Cleaner().clean("\n".join(lines) + "\n")
    assert result.text == "\n".join(ARTICLE) + "\n"
    reasons = {r.first: r.reason for r in result.removals if r.rule == "main-text.blocks"}
    assert reasons and all(
        r.startswith(("before the article", "after the article", "left out")) for r in reasons.values()
    )
    assert any(": " in r for r in reasons.values())  # the strongest features are named


def test_a_clean_article_stays_whole():
    text = "\n\n".join(ARTICLE) + "\n"
    assert Cleaner().clean(text).text == text


def test_favor_moves_the_threshold():
    lines = CHROME[:3] + [""] + ARTICLE + ["", "Read the full report here."] + CHROME[3:]
    text = "\n".join(lines)
    kept = {favor: len(Cleaner(favor=favor).clean(text).text) for favor in ("precision", "balanced", "recall")}
    assert kept["precision"] <= kept["balanced"] <= kept["recall"]


def test_no_line_at_all_is_no_removal():
    assert classify(page_of([]), [], load(SHIPPED)) == []
    assert classify(page_of(["", "   "]), [False, False], load(SHIPPED)) == []


# ---------------------------------------------------------------------------------------------
# Training end to end


def tiny_set(folder: Path, pages: int = 12) -> Path:
    """Pages of a few made-up sites: chrome around an article, and the article alone."""
    rnd = random.Random(5)
    (folder / "raw").mkdir(parents=True)
    (folder / "clean").mkdir()
    with open(folder / "pages.jsonl", "w", encoding="utf-8") as listing:
        for k in range(pages):
            body = rnd.sample(ARTICLE, 3)
            chrome = rnd.sample(CHROME, 5)
            raw = chrome[:3] + [""] + body + [""] + chrome[3:]
            (folder / "raw" / f"p{k}.txt").write_text("\n".join(raw) + "\n", encoding="utf-8")
            (folder / "clean" / f"p{k}.txt").write_text("\n".join(body) + "\n", encoding="utf-8")
            listing.write(json.dumps({"id": f"p{k}", "site": f"site{k % 4}"}) + "\n")
    return folder


@pytest.mark.slow
def test_train_learns_a_model_that_cleans_its_pages_and_scores_it_by_site(tmp_path):
    pytest.importorskip("numpy")
    data, model = tiny_set(tmp_path / "data"), tmp_path / "model.toml"
    result = CliRunner().invoke(main, ["train", str(data), "-o", str(model), "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "12 pages of 4 sites" in result.output and "cross-validated by site: all" in result.output
    learned = load(model)
    assert learned.trained["pages"] == 12 and learned.trained["sites"] == 4 and len(learned.members) == 4
    raw = (data / "raw" / "p0.txt").read_text(encoding="utf-8")
    out = CliRunner().invoke(main, ["--model", str(model)], input=raw)
    assert out.output == (data / "clean" / "p0.txt").read_text(encoding="utf-8")


def test_another_split_deals_the_sites_into_other_folds():
    sites = [f"site{k}.example" for k in range(40)]
    default = [fold_of(s, 5) for s in sites]
    assert default == [fold_of(s, 5, "") for s in sites]
    other = [fold_of(s, 5, "c") for s in sites]
    assert other != default and sorted(set(other)) == [0, 1, 2, 3, 4]


def test_each_member_is_trained_without_the_sites_of_one_bag(monkeypatch):
    seen = []
    monkeypatch.setattr(learning, "_member", lambda pages, *_: seen.append({p.site for p in pages}) or Member(None))
    pages = [SimpleNamespace(site=f"site{k}.example") for k in range(40) for _ in range(2)]
    assert len(train_model(pages, bags=4).members) == 4
    every = {p.site for p in pages}
    assert all(sum(site not in sites for sites in seen) == 1 for site in every)  # each left out once
    assert all(len(sites) >= len(every) // 2 for sites in seen)
    seen.clear()
    assert len(train_model(pages, bags=1).members) == 1 and seen == [every]


@pytest.mark.slow
def test_train_takes_another_split(tmp_path):
    pytest.importorskip("numpy")
    data, model = tiny_set(tmp_path / "data"), tmp_path / "model.toml"
    result = CliRunner().invoke(main, ["train", str(data), "-o", str(model), "--folds", "2", "--split", "b"])
    assert result.exit_code == 0, result.output
    assert "cross-validated by site: all" in result.output and load(model).trained["pages"] == 12


def test_train_refuses_a_model_it_would_not_read(tmp_path):
    shipped = builtin_rules_dir() / "models" / "main-text.toml"
    result = CliRunner().invoke(main, ["train", str(tmp_path), "-o", str(tmp_path / "m.toml"), "--model", str(shipped)])
    assert result.exit_code == 2 and "--model: train learns a model and reads none" in result.output
    assert not (tmp_path / "m.toml").exists()


def test_train_says_what_its_data_lacks(tmp_path):
    (tmp_path / "raw").mkdir()
    result = CliRunner().invoke(main, ["train", str(tmp_path), "-o", str(tmp_path / "m.toml")])
    assert result.exit_code == 1 and "needs raw/ and clean/ (or gold/)" in result.output


def test_the_docs_list_every_feature_as_explain_says_it():
    doc = (ROOT / "docs" / "main-text.md").read_text(encoding="utf-8")
    table = doc.split("## Every feature", 1)[1]
    for name, (low, high) in zip(names(), DESCRIPTIONS):
        assert f"| `{name}` |" in table, name
        assert f"{low or '-'} / {high} |" in table or name == "bias", name
    for name in STAGE2_NAMES:
        assert f"| `{name}` |" in table, name
