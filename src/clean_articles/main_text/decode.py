"""From line scores to the article: the best path through four states, in linear time.

Each live line of a page is *before* the article, *in* it, in a *gap* inside it (a line dropped
from the article: a caption, an advert), or *after* it. A line in the article earns its score
(the model's log-odds that it is article text), the others earn nothing; entering the article,
opening and closing a gap, leaving it and coming back after leaving cost what the model's
decoder table says. The path with the highest total (Viterbi) is the article: mostly one run of
lines with short interruptions. At least one line is kept.

>>> costs = {"start": 2.0, "gap_open": 2.0, "gap_close": 2.0, "end": 0.0, "reenter": 5.0}
>>> decode([-3.0, 6.0, -5.0, 5.0, -4.0, -4.0], costs)
['before', 'in', 'gap', 'in', 'after', 'after']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clean_articles.main_text._features import decode as _decode

STATES = ("before", "in", "gap", "after")


def path(scores: Sequence[float], shift: float, costs: Mapping[str, float]) -> bytes:
    """The best path for `scores` (each plus `shift`), as one byte per line: the index of its
    state in STATES. The loop is C's (_features.decode)."""
    return _decode(scores, shift, costs["start"], costs["gap_open"], costs["gap_close"], costs["end"], costs["reenter"])


def decode(scores: Sequence[float], costs: Mapping[str, float]) -> list[str]:
    """The state of each line (`STATES`) on the best path for `scores`."""
    return [STATES[s] for s in path(scores, 0.0, costs)]
