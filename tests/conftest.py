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


@pytest.fixture
def poisoned(monkeypatch):
    """Cleaner.clean kills the process it runs in on a page starting with POISON, as the
    kernel's out-of-memory killer would."""
    import os
    import signal

    from clean_articles import Cleaner

    real = Cleaner.clean

    def clean(self, text, counts=None, site=""):
        if text.startswith("POISON"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, text, counts, site)

    monkeypatch.setattr(Cleaner, "clean", clean)


SLOW_MODULES = {"test_dask.py", "test_pytest_plugin.py"}  # every test of these is marked slow


def pytest_ignore_collect(collection_path, config):
    """A quick run (`-m "not slow"`) does not even import the modules whose every test is slow
    (importing Dask and pandas alone takes two seconds)."""
    if collection_path.name in SLOW_MODULES and "not slow" in (config.getoption("markexpr") or ""):
        return True
    return None
