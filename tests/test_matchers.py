"""Each matcher kind on small pages, through a one-rule pack, so its documented semantics hold."""

from __future__ import annotations

import time

from conftest import write_pack
from hypothesis import given, settings
from hypothesis import strategies as st

from clean_articles import clean_text, load_rules
from clean_articles.document import Document

PROSE = "The minister opened the talks in Moscow on Wednesday with a long and careful speech."


def one_rule(tmp_path, body: str):
    pack = write_pack(tmp_path, '[pack]\nwhy = "Test."\n\n[[rule]]\nid = "r"\nwhy = "Test rule."\n' + body)
    return load_rules([pack], builtin=False)


def clean(tmp_path, body, text):
    return clean_text(text, one_rule(tmp_path, body)).text


def test_line_patterns_see_no_break_spaces_as_spaces(tmp_path):
    page = f"{PROSE}\nbanned in\u00a0Russia\n"
    assert clean(tmp_path, "kind = \"line\"\npattern = '^banned in Russia$'\n", page) == PROSE + "\n"


def test_section_list_takes_the_list_and_stops_at_prose(tmp_path):
    page = f"{PROSE}\n\nMost read\n\n  • One story\n  • Two story\n\n{PROSE}\n"
    rule = 'kind = "section"\nanchor = \'^Most read$\'\nreach = "list"\n'
    assert clean(tmp_path, rule, page) == f"{PROSE}\n\n{PROSE}\n"


def test_section_list_takes_indented_continuations(tmp_path):
    page = f"{PROSE}\n\nPopular Now\n\n  • 1\n    A headline here\n\n    ASIA\n\n  • 2\n    Another one\n\n{PROSE}\n"
    rule = 'kind = "section"\nanchor = \'^Popular Now$\'\nreach = "list"\n'
    assert clean(tmp_path, rule, page) == f"{PROSE}\n\n{PROSE}\n"


def test_section_until_removes_nothing_without_an_end(tmp_path):
    rule = "kind = \"section\"\nanchor = '^Begin$'\nreach = \"until\"\nuntil = '^End$'\n"
    assert clean(tmp_path, rule, f"Begin\n{PROSE}\n") == f"Begin\n{PROSE}\n"
    assert clean(tmp_path, rule, f"Begin\nx\nEnd\n{PROSE}\n") == f"{PROSE}\n"


def test_section_end_and_keep_anchor(tmp_path):
    rule = 'kind = "section"\nanchor = \'^Legal Disclaimer:$\'\nreach = "end"\nkeep_anchor = true\n'
    assert clean(tmp_path, rule, f"{PROSE}\nLegal Disclaimer:\nAs is.\n") == f"{PROSE}\nLegal Disclaimer:\n"


def test_phrase_removes_a_reworded_banner_but_keeps_a_paragraph_quoting_it(tmp_path):
    rule = 'kind = "phrase"\nphrases = ["we use cookies to improve your experience on our website"]\n'
    banner = "We use cokies to improve you experience on our web site. Accept"
    quoting = (
        "Regulators said banners such as 'we use cookies to improve your experience on our website' "
        "mislead readers, and that sites must ask before tracking anyone, the report found."
    )
    assert clean(tmp_path, rule, f"{banner}\n{quoting}\n") == quoting + "\n"


def test_repeated_list_goes_in_every_copy_title_keeps_one(tmp_path):
    items = "  • North Korea opens its trade fair again\n  • Bitcoin climbs past a new record high\n"
    page = (
        f"Big Title Of The Day Is Here\nBig Title Of The Day Is Here\n\n{PROSE}\n\nWeekly\n{items}\nMust-Reads\n{items}"
    )
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert got == f"Big Title Of The Day Is Here\n\n{PROSE}\n\nWeekly\n\nMust-Reads\n"


def test_repeated_keeps_the_copy_set_among_prose(tmp_path):
    sentence = "Prices rose by four percent in October, the statistics office said on Monday."
    later = "Officials expect the rise to slow next year as energy prices fall back again."
    page = f"Highlights\n{sentence}\n\n{PROSE}\n\n{sentence}\n\n{later}\n"
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert got == f"Highlights\n\n{PROSE}\n\n{sentence}\n\n{later}\n"


def test_repeated_reads_a_huge_block_once(tmp_path):
    """60,000 copies of two lines in one block: seconds (judging the block once per copy took
    minutes), and every copy but none of the prose goes."""
    block = "\n".join(["Most read: the same teaser line again", "Another teaser line, printed again"] * 30_000)
    page = f"{PROSE}\n\n{block}\n"
    start = time.perf_counter()
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert time.perf_counter() - start < 60.0
    assert got == PROSE + "\n"


NEAR_COPIES = [
    "Most read: the minister opens the talks in Moscow",
    "Most read: the minister opened the talks in Moscow",
    "Most read: the ministers open the talks in Moscow",
    "Weather: rain over the north coast tonight",
    "Weather: rain over the north coasts tonight",
    "• Weather: rain over the north coast tonight",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NEAR_COPIES + [PROSE, "", "Home"]), max_size=30), st.randoms(use_true_random=False))
def test_repeated_settled_marks_nothing_on_what_it_left(tmp_path_factory, lines, rnd):
    """A settled `repeated` rule would find nothing on the lines it left, or on some of them:
    what lets the pipeline skip it in its next rounds."""
    rules = one_rule(tmp_path_factory.mktemp("p"), 'kind = "repeated"\n')
    matcher = rules.rules[0].matcher
    doc = Document.from_text("\n".join(lines))
    removed = bytearray(len(doc))
    for m in matcher.mark(doc, removed):
        removed[m.start : m.end] = b"\1" * (m.end - m.start)
    assert matcher in doc.settled  # no bucket is full on pages this small
    left = [i for i in range(len(doc)) if not removed[i]]
    for keep in (left, sorted(rnd.sample(left, len(left) // 2))):
        sub = Document.from_text("\n".join(doc.lines[i] for i in keep))
        assert list(matcher.mark(sub, bytearray(len(sub)))) == []


def test_repeated_with_a_full_bucket_is_asked_again(tmp_path):
    """Lines past a full bucket were not compared with each other: a later round must look."""
    rules = one_rule(tmp_path, 'kind = "repeated"\n')
    matcher = rules.rules[0].matcher
    doc = Document.from_text("\n".join(f"Read more: story number {k} of the day, in full" for k in range(100)))
    list(matcher.mark(doc, bytearray(len(doc))))
    assert matcher not in doc.settled


def test_a_settled_rule_is_not_asked_again_unless_its_marks_were_clipped(tmp_path):
    page = f"Share on Facebook and X today\nShare on Facebook and X today\nMenu\n\n{PROSE}\n\nShare on Facebook and X today\n"
    for where, rounds in (("anywhere", 1), ("head", 2)):
        rules = one_rule(tmp_path, f'kind = "repeated"\nwhere = "{where}"\nmin_chars = 10\n')
        asked = record_asked(rules)
        clean_text(page, rules)
        assert len(asked) == rounds, where


def test_where_head_limits_a_rule_to_lines_before_the_body(tmp_path):
    rule = 'kind = "line"\nwhere = "head"\npattern = \'^Share$\'\n'
    assert clean(tmp_path, rule, f"Share\n{PROSE}\nShare\n") == f"{PROSE}\nShare\n"


def test_site_pack_gate(tmp_path):
    pack = write_pack(
        tmp_path,
        '[pack]\nwhy = "Site."\nwhen = \'^MENAFN\\d+ID\\d+$\'\n\n[[rule]]\nid = "r"\n'
        'kind = "line"\nwhy = "Test."\npattern = \'^Asia Times$\'\n',
        "site.toml",
    )
    rules = load_rules([pack], builtin=False)
    assert clean_text(f"{PROSE}\nAsia Times\n", rules).text == f"{PROSE}\nAsia Times\n"
    assert clean_text(f"{PROSE}\nMENAFN1804ID11\nAsia Times\n", rules).text == f"{PROSE}\nMENAFN1804ID11\n"


def test_marks_are_a_fixed_point_so_cleaning_is_idempotent(tmp_path):
    # the skip line reads like prose, so the body starts there and "Menu" is not in the head;
    # once the skip rule removes it, "Menu" is in the head: the pipeline must see that now
    pack = write_pack(
        tmp_path,
        """[pack]
why = "Test."
[[rule]]
id = "skip"
kind = "line"
why = "Skip links."
pattern = '^Skip to the main content of this page and read the story below now\\.$'
[[rule]]
id = "menu"
kind = "line"
where = "head"
why = "Menu label."
pattern = '^Menu$'
""",
    )
    rules = load_rules([pack], builtin=False)
    page = f"Skip to the main content of this page and read the story below now.\nMenu\n{PROSE}\n"
    result = clean_text(page, rules)
    assert result.text == PROSE + "\n"
    assert [(r.first, r.rule) for r in result.removals] == [(1, "mine.skip"), (2, "mine.menu")]
    assert clean_text(result.text, rules).text == result.text


def record_asked(rules) -> list[str]:
    """The ids of the rules the pipeline asks from now on, in order, one per mark() call."""
    asked: list[str] = []
    for rule in rules.rules:
        rule.matcher.mark = lambda doc, removed, _mark=rule.matcher.mark, _id=rule.id: (
            asked.append(_id) or _mark(doc, removed)
        )
    return asked


def test_rules_whose_pattern_the_prefilter_rules_out_are_not_asked(tmp_path):
    pack = write_pack(
        tmp_path,
        """[pack]
why = "Site."
when = '^SITE$'
[[rule]]
id = "verbose"
kind = "line"
why = "A pattern RE2 cannot hold is not prefiltered: it runs on every page."
pattern = '(?x) ^ Verbose $'
[[rule]]
id = "section"
kind = "section"
why = "A gated pack's anchors are prefiltered once the gate lets the page in."
anchor = '^Most read$'
reach = "end"
""",
        "site.toml",
    )
    rules = load_rules([pack], builtin=False)
    asked = record_asked(rules)
    assert clean_text(f"SITE\nVerbose\n{PROSE}\nMost read\nOne\n", rules).text == f"SITE\n{PROSE}\n"
    assert asked.count("section") == 1  # the second round's page has no anchor line
    asked.clear()
    assert clean_text(f"SITE\n{PROSE}\n", rules).text == f"SITE\n{PROSE}\n"
    assert set(asked) == {"verbose"}  # no gate, no section; the verbose rule in every round


def test_a_phrase_rule_is_asked_only_on_pages_with_a_line_its_screen_lets_through(tmp_path):
    pack = write_pack(
        tmp_path,
        """[pack]
why = "Site."
when = '^SITE$'
[[rule]]
id = "prompt"
kind = "phrase"
why = "A gated pack's phrase rules are screened in its own prefilter."
phrases = ["sign up for our newsletter"]
""",
        "site.toml",
    )
    rules = load_rules([pack], builtin=False)
    asked = record_asked(rules)
    result = clean_text(f"SITE\nSign up for our  Newsletter!\n{PROSE}\n", rules)
    assert result.text == f"SITE\n{PROSE}\n"
    assert [(r.first, r.rule) for r in result.removals] == [(2, "site.prompt")]
    assert asked == ["prompt"]
    asked.clear()
    assert clean_text(f"SITE\nSign in\n{PROSE}\n", rules).text == f"SITE\nSign in\n{PROSE}\n"
    assert asked == []  # no line passes the screen: the rule is not asked


def test_rules_that_judge_a_line_alone_run_in_the_first_round_only(tmp_path):
    pack = write_pack(
        tmp_path,
        """[pack]
why = "Test."
[[rule]]
id = "line"
kind = "line"
why = "Judged by its own text, anywhere: nothing new to find on the lines it kept."
pattern = '(?x) ^ Share $'
[[rule]]
id = "head"
kind = "line"
where = "head"
why = "The head moves as lines go: asked again."
pattern = '^Menu$'
[[rule]]
id = "lines"
kind = "phrase"
why = "A line unit is judged alone."
phrases = ["sign up for our newsletter"]
[[rule]]
id = "blocks"
kind = "phrase"
unit = "block"
why = "A block's text changes as its lines go: asked again."
phrases = ["follow us on twitter"]
""",
    )
    rules = load_rules([pack], builtin=False)
    asked = record_asked(rules)
    # (RE2 cannot hold the verbose pattern, so no prefilter keeps the line rule from being asked)
    page = f"Share\nSign up for our newsletter\n\nFollow us on Twitter\n\n{PROSE}\nMenu\n"
    assert clean_text(page, rules).text == f"{PROSE}\nMenu\n"
    assert sorted(asked) == ["blocks", "blocks", "head", "head", "line", "lines"]
    # a page the first round finds nothing on is left as it is: no second round
    asked.clear()
    assert clean_text(f"{PROSE}\nMenu\n", rules).text == f"{PROSE}\nMenu\n"
    # (no line passes the phrase rule's screen in the prefilter: it is not asked at all)
    assert sorted(asked) == ["blocks", "head", "line"]


LATER = """[pack]
why = "Test."
[[rule]]
id = "cookies"
kind = "line"
why = "A banner that reads like prose: the body starts with it in the first round."
pattern = '^We use cookies'
[[rule]]
id = "share"
kind = "line"
why = "A button."
pattern = '^Share$'
[[rule]]
id = "menu"
kind = "line"
where = "head"
why = "Before the article; the head moves as lines go."
pattern = '^(?:Menu|Home)$'
"""
BANNER = "We use cookies to give you the best experience on our website, as you know."


def test_a_page_whose_first_round_leaves_an_earlier_pages_lines_replays_its_later_rounds(tmp_path):
    """The rounds after the first see only the lines the first round left: a page that leaves
    the same lines as an earlier one (the same article, other chrome) gets the marks they found,
    lifted onto its own lines, without asking the rules again; and exactly the marks it gets
    on its own."""
    from clean_articles import memo

    rules = load_rules([write_pack(tmp_path, LATER)], builtin=False)
    asked = record_asked(rules)
    first = clean_text(f"{BANNER}\nMenu\nHome\n{PROSE}\n", rules)
    assert first.text == f"{PROSE}\n" and asked.count("menu") == 2  # Menu and Home went in round 2
    page = f"Share\n{BANNER}\nMenu\nShare\nHome\n{PROSE}\nShare\n"
    asked.clear()
    replayed = clean_text(page, rules)
    assert asked.count("menu") == 1  # round 2 was replayed, not asked
    memo.clear()
    asked.clear()
    alone = clean_text(page, rules)
    assert asked.count("menu") == 2
    assert replayed.text == alone.text == f"{PROSE}\n"
    assert replayed.removals == alone.removals
    assert [(r.first, r.last, r.rule) for r in alone.removals if r.rule.endswith("menu")] == [
        (3, 3, "mine.menu"),
        (5, 5, "mine.menu"),
    ]  # lifted onto this page's lines, around a Share


def test_a_page_too_big_to_keep_a_digest_of_is_always_worked_on(tmp_path, monkeypatch):
    from clean_articles import pipeline

    rules = load_rules([write_pack(tmp_path, LATER)], builtin=False)
    asked = record_asked(rules)
    page = f"{BANNER}\nMenu\nHome\n{PROSE}\n"
    monkeypatch.setattr(pipeline, "LATER_CHARS", len(page) - 10)
    assert [clean_text(page, rules).text for _ in range(2)] == [f"{PROSE}\n"] * 2
    assert asked.count("menu") == 4  # rounds 1 and 2, twice: nothing replayed
    assert not pipeline._later(rules, None)


def test_later_rounds_are_not_replayed_under_other_counts():
    """What a batch's counts made of a page's later rounds holds for those counts only."""
    from clean_articles.pipeline import _later
    from clean_articles.repeats import Counts

    rules = load_rules()
    counts = Counts()
    assert _later(rules, counts) is _later(rules, counts) is not _later(rules, None)
    held = _later(rules, counts)
    counts.add_page([1, 2])
    assert _later(rules, counts) is not held
    assert _later(rules, Counts(counts.pages, dict(counts.counts))) is not _later(rules, counts)


def test_a_page_cleaned_twice_as_one_document_gives_the_same_marks(tmp_path):
    """What a matcher settled holds for one run of the pipeline, not for the next run on the
    same Document."""
    from clean_articles.pipeline import mark

    rules = one_rule(tmp_path, 'kind = "repeated"\nmin_chars = 10\n')
    doc = Document.from_text(f"Share on Facebook and X today\n{PROSE}\nShare on Facebook and X today\n")
    first = mark(doc, rules)
    assert first[0] and mark(doc, rules)[0] == first[0]
