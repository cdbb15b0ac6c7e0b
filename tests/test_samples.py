"""Golden samples: every samples/raw/NAME.txt must clean to samples/clean/NAME.txt exactly.

On a mismatch the failure shows a unified diff of expected against actual output. Each sample is
also cleaned a second time (idempotence) and checked to be an ordered subset of its input.
"""

from __future__ import annotations

import difflib

import pytest
from conftest import SAMPLES

from clean_articles import clean_text, decode

NAMES = sorted(p.stem for p in (SAMPLES / "raw").glob("*.txt"))


def read(kind: str, name: str) -> str:
    return decode((SAMPLES / kind / f"{name}.txt").read_bytes())[0]


def test_every_sample_has_expected_output_and_readme_line():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert len(NAMES) >= 15
    for name in NAMES:
        assert (SAMPLES / "clean" / f"{name}.txt").is_file(), name
        assert f"`{name}`" in readme, f"samples/README.md says nothing of {name}"


@pytest.mark.parametrize("name", NAMES)
def test_sample(name):
    got, want = clean_text(read("raw", name)).text, read("clean", name)
    if got != want:
        delta = "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), f"expected/{name}", f"actual/{name}")
        )
        pytest.fail(f"{name} differs from its expected output:\n{delta}")


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_stable(name):
    once = clean_text(read("raw", name)).text
    assert clean_text(once).text == once


@pytest.mark.parametrize("name", NAMES)
def test_sample_output_is_ordered_subset_of_input(name):
    raw = [line.rstrip() for line in read("raw", name).splitlines()]
    pos = 0
    for line in clean_text(read("raw", name)).text.splitlines():
        if not line:
            continue
        pos = raw.index(line, pos) + 1  # ValueError: a line that was not in the input, or out of order
