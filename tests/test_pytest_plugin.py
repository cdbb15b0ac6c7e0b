"""The pytest plugin: clean_golden compares with golden files, explains a difference, and
--clean-articles-update writes them."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # inner pytest sessions take seconds: in the full run, not in `-m "not slow"`

PAGE = (
    "Skip to main content\n"
    "The council met on Monday and decided to reopen the harbour next spring, it said.\n"
    "Share this article\n"
)
TEST = """
def test_page(clean_golden):
    clean_golden("raw.txt", "golden/raw.txt")
"""


def test_a_missing_golden_fails_then_update_writes_it_then_it_passes(pytester):
    pytester.makepyfile(TEST)
    (pytester.path / "raw.txt").write_text(PAGE)
    missing = pytester.runpytest()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*golden/raw.txt: no golden file yet: `pytest --clean-articles-update` writes it*"])
    pytester.runpytest("--clean-articles-update").assert_outcomes(passed=1)
    assert (pytester.path / "golden" / "raw.txt").read_text() == PAGE.splitlines(keepends=True)[1]
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_difference_fails_with_the_diff_and_the_removals_behind_it(pytester):
    pytester.makepyfile(TEST)
    (pytester.path / "raw.txt").write_text(PAGE)
    (pytester.path / "golden").mkdir()
    (pytester.path / "golden" / "raw.txt").write_text(PAGE.split("\n", 1)[1])  # the golden kept the share line
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*golden/raw.txt: the cleaned page differs from its golden file (--clean-articles-update rewrites it)*",
            "-Share this article",
            "removals of the lines the golden file has:",
            "golden/raw.txt:3  share.buttons  Share this article",
        ]
    )


def test_options_of_the_cleaning_go_to_the_fixture(pytester):
    pytester.makepyfile(
        """
def test_page(clean_golden):
    result = clean_golden("raw.txt", "golden.txt", disable=["share"])
    assert [r.rule for r in result.removals] == ["navigation.skip-links"]
"""
    )
    (pytester.path / "raw.txt").write_text(PAGE)
    (pytester.path / "golden.txt").write_text(PAGE.split("\n", 1)[1])
    pytester.runpytest().assert_outcomes(passed=1)
