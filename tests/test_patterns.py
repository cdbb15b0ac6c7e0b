"""Rule regexes run with a time bound: a catastrophic pattern is reported once and matches nothing."""

from __future__ import annotations

import pytest
from conftest import write_pack

from clean_articles import clean_text, load_rules
from clean_articles.cli import main
from clean_articles.document import Document
from clean_articles.matchers.section import SectionMatcher
from clean_articles.patterns import STRIKES, PageClock, Pattern, matching_lines
from clean_articles.pipeline import Context

EVIL = "a" * 30 + "b"  # (a|a)+$ needs 2**30 steps to fail on it
# In a rule, (a|a)+(?=c)b$ is as slow on EVIL, and the RE2 prefilter (which drops the
# look-ahead, leaving (a|a)+b$) passes EVIL on to regex, so the time bound is what stops it.
# In PACK the look-ahead keeps the pattern out of the RE2 prefilter (prefilter.py), which would
# otherwise rule the line out in linear time and never let the backtracking engine near it.
PACK = """\
[pack]
why = "A pack with one catastrophic rule."

[[rule]]
id = "evil"
kind = "line"
why = "Backtracks exponentially."
pattern = '(a|a)+(?=c)b$'

[[rule]]
id = "skip"
kind = "line"
why = "Skip links."
pattern = '(?i)^skip to content$'
"""
PAGE = f"Skip to content\n{EVIL}\nThe talks opened in Moscow on Wednesday with a speech.\n"


def test_catastrophic_search_gives_up_and_is_reported_once(capsys):
    p = Pattern("(a|a)+$", "demo.evil", timeout=0.01)
    assert p.search(EVIL) is False and not p.dead
    assert p.search("aaa") is True  # one blow-up does not switch the rule off ...
    for _ in range(STRIKES - 1):
        assert p.search(EVIL) is False
    assert p.dead and p.search("aaa") is False  # ... a few do
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rule 'demo.evil'" in err and "(a|a)+$" in err


@pytest.mark.slow
def test_the_budget_covers_the_whole_page_not_each_line(capsys):
    # Each line fails in a few milliseconds, well inside the per-page allowance on its own;
    # a per-match (or per-line) timeout would never fire. The page as a whole runs out.
    p = Pattern("(a|a)+$", "demo.slow", timeout=0.02)
    doc = Document.from_text(("a" * 14 + "b\n") * 400)
    assert matching_lines(p, doc.stripped, doc.size) == [] and p.strikes == 1
    assert capsys.readouterr().err.count("rule 'demo.slow'") == 1


def test_a_spent_budget_stops_the_confirmations():
    p = Pattern("a", "demo.cheap")
    budget = p.budget(0)
    budget.deadline = 0  # spent
    assert p.search("a", budget) is False and p.strikes == 1
    assert p.search("a", budget) is False and p.strikes == 1  # one strike per page
    assert p.search("a") is True


def test_until_searches_each_line_at_most_once(monkeypatch):
    calls = []
    real = Pattern.search

    def search(self, text, budget=None):
        if self.source == "^Close$":
            calls.append(text)
        return real(self, text, budget)

    monkeypatch.setattr(Pattern, "search", search)
    matcher = SectionMatcher(
        "t.s",
        {
            "anchor": "^Anchor",
            "reach": "until",
            "until": "^Close$",
            "keep_anchor": False,
            "max_lines": 400,
            "max_words": 16,
        },
    )
    doc = Document.from_text("Anchor\nx\n" * 300)  # 300 anchors, no closing line
    assert list(matcher.mark(doc, Context(doc, bytearray(len(doc))))) == []
    assert len([t for t in calls if t == "x"]) <= 300


@pytest.mark.slow
def test_library_run_goes_on_after_a_catastrophic_rule(tmp_path, capsys):
    rules = load_rules([write_pack(tmp_path, PACK)], builtin=False)
    result = clean_text(PAGE, rules)
    assert result.text == f"{EVIL}\nThe talks opened in Moscow on Wednesday with a speech.\n"
    assert [r.rule for r in result.removals] == ["mine.skip"]
    assert clean_text(PAGE, rules).text == result.text  # second page: no second warning
    assert capsys.readouterr().err.count("rule 'mine.evil'") == 1


@pytest.mark.slow
def test_cli_warns_once_and_still_cleans(runner, tmp_path):
    pack = write_pack(tmp_path, PACK)
    result = runner.invoke(main, ["--no-builtin-rules", "--rules", str(pack)], input=PAGE * 3)
    assert result.exit_code == 0
    assert "Skip to content" not in result.stdout and result.stdout.count(EVIL) == 3
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "rule 'mine.evil'" in warnings[0]


@pytest.mark.slow
def test_pack_gate_goes_through_the_time_bound(tmp_path, capsys):
    gated = PACK.replace(
        'why = "A pack with one catastrophic rule."',
        "why = \"Gated by a catastrophic pattern.\"\nwhen = '(a|a)+(?=c)b$'",
    )
    gated = gated.replace("pattern = '(a|a)+(?=c)b$'", "pattern = '^never$'")
    rules = load_rules([write_pack(tmp_path, gated)], builtin=False)
    assert clean_text(PAGE, rules).text == PAGE  # the gate matches nothing: the pack does not apply
    assert capsys.readouterr().err.count("rule 'mine'") == 1


def test_the_page_clock_bounds_all_rules_together_and_blames_none_after_it(capsys):
    patterns = [Pattern("(a|a)+$", f"demo.slow{k}", timeout=0.1) for k in range(20)]
    doc = Document.from_text(f"{EVIL}\n")
    clock = PageClock(doc.size)
    clock.deadline = clock.deadline - clock.seconds + 0.25  # a quarter of a second for the page
    assert all(matching_lines(p, doc.stripped, doc.size, clock=clock) == [] for p in patterns)
    assert clock.over() and sum(p.strikes for p in patterns) <= 3  # each ~0.1-0.2 s, then the clock
    err = capsys.readouterr().err
    assert err.count("the rules' time for a page") == 1


def test_no_shipped_pattern_gives_up_on_long_runs_of_ornaments_or_spaces(capsys):
    # Dumps open lines with runs of stars, bullets, rules and dots, and pad table cells with
    # spaces. A pattern whose leading `[•·*]*` is followed by a look-ahead over the rest of the
    # line tries it at every length of the run (20,000 stars took forms.signup over 2 s, past its
    # time bound); `\s*` next to `\s+` or `[\s|]*` splits a run of spaces every way. Each removed
    # line of every shipped rule's examples, behind such a run and with one in its middle:
    slow = []
    for rule in load_rules().rules:
        lines = {
            line.strip()
            for example in rule.examples
            if not example.keep
            for line in example.raw.splitlines()
            if line.strip() and line not in example.clean.splitlines()
        }
        for shipped in rule.matcher.patterns():
            probe = Pattern(shipped.source, shipped.rule)  # fresh strikes, the default time bound
            for line in sorted(lines)[:4]:
                for ornament in "*•·|-=#~_>":
                    probe.search(ornament * 20_000 + line + " word" * 60)
                half = len(line) // 2
                probe.search(line[:half] + " " * 20_000 + line[half:])
            if probe.strikes:
                slow.append(rule.full_id)
    assert not slow and not capsys.readouterr().err, slow
