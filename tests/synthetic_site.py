"""A small synthetic news site for the batch, recurring and learn tests.

Ten pages share a menu, a "Most read" list whose items rotate (with changing counters), a
newsletter prompt and a footer whose year changes; each has its own headline, byline and story.
"""

from __future__ import annotations

from pathlib import Path

TOPICS = ["harbour", "library", "bridge", "market", "school", "museum", "stadium", "airport", "park", "tram"]
POOL = [
    "Storm hits the coast",
    "Rates rise again",
    "Mayor resigns",
    "Zoo welcomes twins",
    "Fire at the old mill",
    "Team wins the cup",
]
CHROME = ["Home", "World", "Sport", "Most read", "Sign up for our newsletter"]


def page(k: int) -> str:
    """Page k of the site: chrome around a story of its own."""
    topic = TOPICS[k % len(TOPICS)]
    items = [POOL[(k + j) % len(POOL)] for j in range(3)]
    story = [
        f"The city council met on day {k} to decide the future of the {topic}, which has been closed for months.",
        f"Residents near the {topic} said they had waited far too long for an answer from the council.",
        f"A final vote on the {topic} is expected next month, after a public consultation, officials said.",
    ]
    return "\n".join(
        [
            "Home | World | Sport",
            "",
            "Most read",
            *[f"{j + 1}. {item} ({(k * 7 + j) % 50 + 1} comments)" for j, item in enumerate(items)],
            "",
            f"Council weighs the future of the {topic}",
            "",
            f"By Reporter {k}",
            "",
            *[p + "\n" for p in story],
            "Sign up for our newsletter",
            f"© {2015 + k} Example Media. All rights reserved.",
            "",
        ]
    )


def write_site(folder: Path, n: int = 10) -> list[Path]:
    """Write n pages as folder/<section>/page-<k>.txt; return their paths."""
    paths = []
    for k in range(n):
        path = folder / ("news" if k % 2 else "local") / f"page-{k:02}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(k), encoding="utf-8")
        paths.append(path)
    return paths
