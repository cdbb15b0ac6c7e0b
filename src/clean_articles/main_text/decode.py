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

STATES = ("before", "in", "gap", "after")
_NEG = -1e18


def decode(scores: Sequence[float], costs: Mapping[str, float]) -> list[str]:
    """The state of each line (`STATES`) on the best path for `scores`."""
    n = len(scores)
    if n == 0:
        return []
    a, b, c, d, e = costs["start"], costs["gap_open"], costs["gap_close"], costs["end"], costs["reenter"]
    p0, p1, p2, p3 = 0.0, scores[0] - a, _NEG, _NEG
    back = []
    for k in range(1, n):
        best, came = p0 - a, 0  # into the article
        if p1 > best:
            best, came = p1, 1
        if p2 - c > best:
            best, came = p2 - c, 2
        if p3 - e > best:
            best, came = p3 - e, 3
        n1, b1 = best + scores[k], came
        n2, b2 = (p1 - b, 1) if p1 - b >= p2 else (p2, 2)  # into a gap
        best, came = p1 - d, 1  # after it
        if p2 - d > best:
            best, came = p2 - d, 2
        if p3 > best:
            best, came = p3, 3
        p1, p2, p3 = n1, n2, best
        back.append((b1, b2, came))
    s = 1  # the path ends in the article, a gap or after it: never before (no line kept)
    if p2 > p1:
        s = 2
    if p3 > max(p1, p2):
        s = 3
    path = [s]
    for b1, b2, b3 in reversed(back):
        s = 0 if s == 0 else (b1 if s == 1 else b2 if s == 2 else b3)
        path.append(s)
    path.reverse()
    return [STATES[s] for s in path]
