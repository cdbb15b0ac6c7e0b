"""Shortcuts: the work the pipeline skips or reuses, in one place, with one switch.

A shortcut changes what is computed, never what comes out. There are two, both taken by the
pipeline (pipeline.py, the only module that asks this one):

- **the prefilter** (prefilter.py): RE2 passes over the whole page say which lines a rule
  pattern may match, so the backtracking `regex` engine confirms those lines only, not every
  line (tests: the candidates are a superset of what each pattern matches);
- **notes carried over**: what a matcher read of each line in a round (`Document.notes` and
  `Document.each`: a phrase rule's verdicts, the folds `repeated` compares) is carried to the
  later rounds, which read some of the same lines again (`Document.subset`).

Measured gains are in bench/RESULTS.md. `off()` turns them all off (so does
`CLEAN_ARTICLES_SHORTCUTS=0` in the environment, for a whole process); a property test cleans
pages both ways and compares.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

#: Whether the pipeline takes its shortcuts; `off()` sets it to False for a while.
enabled = os.environ.get("CLEAN_ARTICLES_SHORTCUTS", "1") != "0"


@contextmanager
def off() -> Iterator[None]:
    """Every shortcut off inside the block."""
    global enabled
    before, enabled = enabled, False
    try:
        yield
    finally:
        enabled = before
