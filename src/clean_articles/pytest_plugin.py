"""A pytest plugin (registered as `pytest11` on install): pin cleaned outputs as golden files.

    def test_my_site(clean_golden):
        clean_golden("pages/raw/story.txt", "pages/clean/story.txt")

The fixture cleans the raw file and compares the result with the golden file; a difference
fails the test with a unified diff and the explanation of what was removed from the lines that
differ. `pytest --clean-articles-update` writes the golden files instead (missing ones too), as
syrupy's and pytest-regressions' update flags do. A missing golden file fails, and says how to
make it. Options of the cleaning go to the fixture: `clean_golden(raw, golden, rules=["my.toml"],
favor="precision")` (compiled once a session), or a Cleaner of your own: `clean_golden(raw, golden, cleaner=cleaner)`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clean_articles.cleaner import Cleaner
from clean_articles.encoding import decode, encode
from clean_articles.files import write
from clean_articles.render import Result, diff

UPDATE = "--clean-articles-update"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("clean-articles").addoption(
        UPDATE, action="store_true", help="clean-articles: write the golden files of clean_golden instead of comparing"
    )


@pytest.fixture
def clean_golden(request: pytest.FixtureRequest):
    """clean_golden(raw, golden, cleaner=None, **options): the cleaned `raw` file must equal
    the `golden` file (or, with --clean-articles-update, becomes it). Returns the Result."""
    update = request.config.getoption(UPDATE)

    def check(raw: str | Path, golden: str | Path, cleaner: Cleaner | None = None, **options) -> Result:
        text, form = decode(Path(raw).read_bytes())
        result = (cleaner or Cleaner.shared(**options)).clean(text)
        golden = Path(golden)
        if update:
            if not golden.exists() or golden.read_bytes() != encode(result.text, form):
                write(golden, encode(result.text, form))
            return result
        if not golden.exists():
            pytest.fail(f"{golden}: no golden file yet: `pytest {UPDATE}` writes it from {raw}", pytrace=False)
        expected = decode(golden.read_bytes(), allow_binary=True)[0]
        if expected != result.text:
            pytest.fail(_report(result, expected, str(golden)), pytrace=False)
        return result

    return check


def _report(result: Result, expected: str, golden: str) -> str:
    """The diff of the golden file against this run, and why the lines it no longer has went."""
    changes = diff(expected, result.text, golden)
    lost = {line.strip() for line in expected.splitlines()} - {line.strip() for line in result.text.splitlines()}
    lines = result.doc.stripped
    why = [
        line
        for r, line in zip(result.removals, result.explain(golden).splitlines())
        if any(lines[i] in lost for i in range(r.first - 1, r.last))
    ]
    told = "\n".join(why) if why else "(no removal explains it: lines were kept that the golden file has not)"
    return (
        f"{golden}: the cleaned page differs from its golden file ({UPDATE} rewrites it)\n"
        f"{changes}\nremovals of the lines the golden file has:\n{told}"
    )
