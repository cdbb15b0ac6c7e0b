"""Each matcher kind on small pages, through a one-rule pack, so its documented semantics hold."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from conftest import write_pack

from clean_articles import Cleaner, clean_text, load_rules
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


def test_section_list_takes_no_deeper_prose_unless_a_bullet_heads_it(tmp_path):
    """How deep a block is indented depends on the text browser: a deeper block of long lines
    joins the list only as the text of a bullet printed alone above it (w3m's way)."""
    long = f"{PROSE} {PROSE}"  # no list item: over max_words
    rule = 'kind = "section"\nanchor = \'^Read more$\'\nreach = "list"\n'
    article = f"{PROSE}\n\nRead more\n\n  Sign in\n\n      {long}\n\n      {long}\n"
    assert clean(tmp_path, rule, article) == f"{PROSE}\n\n      {long}\n\n      {long}\n"
    teasers = f"{PROSE}\n\nRead more\n\n  •\n\n      {long}\n\n  •\n\n      {long}\n\n{PROSE}\n"
    assert clean(tmp_path, rule, teasers) == f"{PROSE}\n\n{PROSE}\n"


def test_section_until_removes_nothing_without_an_end(tmp_path):
    rule = "kind = \"section\"\nanchor = '^Begin$'\nreach = \"until\"\nuntil = '^End$'\n"
    assert clean(tmp_path, rule, f"Begin\n{PROSE}\n") == f"Begin\n{PROSE}\n"
    assert clean(tmp_path, rule, f"Begin\nx\nEnd\n{PROSE}\n") == f"{PROSE}\n"


def test_section_end_and_keep_anchor(tmp_path):
    rule = 'kind = "section"\nanchor = \'^Legal Disclaimer:$\'\nreach = "end"\nkeep_anchor = true\n'
    assert clean(tmp_path, rule, f"{PROSE}\nLegal Disclaimer:\nAs is.\n") == f"{PROSE}\nLegal Disclaimer:\n"


def test_section_end_starts_only_below_the_first_prose_line(tmp_path):
    """A menu's "Community Guidelines" link above the article is not a comment policy that
    takes the rest of the page; the same heading below a prose line is."""
    rule = 'kind = "section"\nanchor = \'^Community Guidelines$\'\nreach = "end"\n'
    menu = f"Home\nCommunity Guidelines\nContact\n\n{PROSE}\n\n{PROSE}\n"
    assert clean(tmp_path, rule, menu) == menu
    assert clean(tmp_path, rule, "Community Guidelines\nBe kind.\n") == ""  # no prose to keep
    assert clean(tmp_path, rule, f"{PROSE}\n\nCommunity Guidelines\nBe kind.\n") == f"{PROSE}\n"


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


def test_repeated_numbered_headings_stay_and_their_table_of_contents_goes(tmp_path):
    """A numbered heading alone in its block is a heading, not a list item: the table of contents
    that lists it goes, the heading stays."""
    heads = ["1. Visual Studio Code, a free editor", "2. Sublime Text, a fast paid editor"]
    toc = "".join(f" {h}\n" for h in heads)
    one, two = "It runs on every system and has a plugin for everything.", "It opens huge files in a blink."
    page = f"{PROSE}\n\n{toc}\n{heads[0]}\n\n{one}\n\n{heads[1]}\n\n{two}\n"
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert got == f"{PROSE}\n\n{heads[0]}\n\n{one}\n\n{heads[1]}\n\n{two}\n"


def test_repeated_keeps_the_copy_set_among_prose(tmp_path):
    sentence = "Prices rose by four percent in October, the statistics office said on Monday."
    later = "Officials expect the rise to slow next year as energy prices fall back again."
    page = f"Highlights\n{sentence}\n\n{PROSE}\n\n{sentence}\n\n{later}\n"
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert got == f"Highlights\n\n{PROSE}\n\n{sentence}\n\n{later}\n"


def test_a_matcher_sees_what_earlier_rules_removed_never_its_own_marks(tmp_path, monkeypatch):
    """`ctx.removed` holds the lines earlier rules took while a matcher yields its marks: a rule
    that reads it as it goes judges its later lines as it judged its first."""
    from clean_articles.matchers.line import LineMatcher

    seen = []
    real = LineMatcher.mark

    def mark(self, doc, ctx):
        for m in real(self, doc, ctx):
            seen.append(bytes(ctx.removed))
            yield m

    monkeypatch.setattr(LineMatcher, "mark", mark)
    page = "Skip to content\nSkip to content now\n" + PROSE + "\n"
    assert clean(tmp_path, "kind = \"line\"\npattern = '^Skip to content'\n", page) == PROSE + "\n"
    assert seen and all(not any(state) for state in seen)


def test_repeated_reads_a_huge_block_once(tmp_path):
    """60,000 copies of two lines in one block: seconds (judging the block once per copy took
    minutes), and every copy but none of the prose goes."""
    block = "\n".join(["Most read: the same teaser line again", "Another teaser line, printed again"] * 30_000)
    page = f"{PROSE}\n\n{block}\n"
    start = time.perf_counter()
    got = clean(tmp_path, 'kind = "repeated"\n', page)
    assert time.perf_counter() - start < 60.0
    assert got == PROSE + "\n"


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


def test_a_page_whose_article_start_moves_over_many_rounds_still_reaches_a_fixed_point(monkeypatch):
    """The main text may take one more line atop the article each round (a service page: the
    items of its list go one by one). The rounds go on until none finds anything; capped at 4,
    they left pages like this one cleaner a second time."""
    import clean_articles.pipeline as pipeline

    page = (Path(__file__).parent / "pages" / "peeled.txt").read_text(encoding="utf-8")
    rounds = []
    spy = pipeline.Pipeline._round

    def counted(self, *args, **kwargs):
        rounds.append(1)
        return spy(self, *args, **kwargs)

    monkeypatch.setattr(pipeline.Pipeline, "_round", counted)
    once = Cleaner().clean(page).text
    assert len(rounds) > 5  # more than 4 rounds (and the batch stage's one)
    assert Cleaner().clean(once).text == once


def test_a_page_cleaned_twice_as_one_document_gives_the_same_marks(tmp_path):
    """What a run reads of a page (its notes) serves the next run on the same Document, and
    changes nothing."""
    from clean_articles.pipeline import Pipeline

    rules = one_rule(tmp_path, 'kind = "repeated"\nmin_chars = 10\n')
    pipeline = Pipeline(load_rules([write_pack(tmp_path, "[pack]\nwhy = 'x'\n", "empty.toml")]))  # main text
    doc = Document.from_text(f"Share on Facebook and X today\n{PROSE}\nShare on Facebook and X today\n")
    for run in (Pipeline(rules), pipeline):
        first = run.mark(doc)
        assert first[0] and run.mark(doc) == first


# ---------------------------------------------------------------------------------------------
# Linear in the page: steps counted, not time


def test_a_section_rule_reads_each_line_a_bounded_number_of_times(monkeypatch):
    from clean_articles.matchers import section

    calls = []
    real = section._is_item
    monkeypatch.setattr(section, "_is_item", lambda s, limit: calls.append(1) or real(s, limit))
    rules = load_rules().only("related.lists")  # reach = "list"

    def steps(n: int) -> int:  # an anchor every three lines of one block that is no list in the end
        calls.clear()
        page = "".join(f"Related\n  • Teaser {k}\n  • Teaser b {k}\n" for k in range(n))
        Cleaner(rules).clean(
            page + "A closing sentence with far more than sixteen words, so that the block is no list at all.\n"
        )
        return len(calls)

    assert steps(400) <= 3 * 1201  # each line once (it was once per anchor: 400 x 1200)
    assert steps(1600) <= 4.5 * steps(400)


@pytest.mark.slow
def test_repeated_and_phrase_rules_do_a_bounded_amount_of_work_a_line(monkeypatch):
    from clean_articles.matchers import phrase, repeated

    compared, judged = [], []

    class Counting:  # rapidfuzz's fuzz, counting the comparisons `repeated` asks for
        @staticmethod
        def ratio(a, b, score_cutoff=None):
            compared.append(1)
            return repeated.fuzz.__wrapped__.ratio(a, b, score_cutoff=score_cutoff)

    Counting.__wrapped__ = repeated.fuzz
    monkeypatch.setattr(repeated, "fuzz", Counting)
    real_match = phrase.PhraseMatcher._match
    monkeypatch.setattr(phrase.PhraseMatcher, "_match", lambda self, *a: judged.append(1) or real_match(self, *a))
    cleaner = Cleaner()

    def work(n: int) -> tuple[int, int]:  # lines that start alike, and lines full of a banner's words
        compared.clear(), judged.clear()
        words = random.Random(n).choices(["harbour", "council", "budget", "storm", "school", "bridge", "vote"], k=6 * n)
        lines = [f"Breaking news: {' '.join(words[6 * k : 6 * k + 6])} {k}" for k in range(n)]  # a shared start
        lines += [f"We use cookies {k} to improve your experience on our website" for k in range(n)]
        cleaner.clean("\n".join(lines) + "\n")
        return len(compared), len(judged)

    (c1, j1), (c4, j4) = work(500), work(2000)
    assert c4 <= 5 * c1 and j4 <= 5 * j1  # linear: four times the lines, about four times the work (not 16)
    assert c4 <= 2 * 64 * 4000 and j4 <= 2 * 4000  # at most two buckets of comparisons a line


@pytest.mark.slow
@pytest.mark.parametrize(
    "shape",
    [
        lambda k: f"Related\n  • Teaser {k}\n",  # anchors and list items
        lambda k: f"Breaking news: story number {k} of the day\n",  # lines that start alike
        lambda k: f"Subscribe to our newsletter {k} and accept cookies\n\n",  # banner words, one a block
        lambda k: f"{k}\n",  # numbers alone
        lambda k: "Share this article\n" if k % 2 else f"The council met again on day {k} to vote on the budget.\n",
    ],
)
def test_every_rule_kind_together_is_linear_on_adversarial_pages(shape):
    import sys

    cleaner = Cleaner()

    def steps(n: int) -> int:  # Python-level calls (each C call counts one) while cleaning n lines
        page = (
            "".join(shape(k) for k in range(n))
            + "A closing sentence with far more than sixteen words, so that no block is a list.\n"
        )
        count = [0]

        def profile(frame, event, arg):
            count[0] += event in ("call", "c_call")

        sys.setprofile(profile)
        try:
            cleaner.clean(page)
        finally:
            sys.setprofile(None)
        return count[0]

    steps(50)  # what is built on a first page
    small, large = steps(400), steps(1600)
    assert large <= 5 * small, (small, large)  # quadratic work would be ~16 times
