"""The examples in the package's docstrings are true: each module's doctests run here."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import clean_articles

PACKAGE = Path(clean_articles.__file__).parent
MODULES = sorted(  # the modules with examples (importing __main__ would run the CLI)
    ".".join(("clean_articles", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
    if p.name != "__main__.py" and ">>> " in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted and not result.failed
