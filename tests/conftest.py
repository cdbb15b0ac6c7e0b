"""Shared fixtures: the shipped rules compiled once, a CliRunner, paths to samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clean_articles import load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def shipped():
    return load_rules(strict=True)


@pytest.fixture
def runner():
    return CliRunner()


SKIP_PACK = """\
[pack]
why = "Test pack."

[[rule]]
id = "skip"
kind = "line"
why = "Skip links."
pattern = '(?i)^skip to content$'
"""


def write_pack(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
