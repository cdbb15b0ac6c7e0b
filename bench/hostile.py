"""Hostile-size inputs: a 100 MB page and a single 20 MB line, through the CLI.

    python bench/hostile.py [--mb 100] [--line-mb 20] [--keep DIR]

Generates the inputs (the 100 MB page repeats the raw sample pages with a counter on every
line, so no two lines are exactly alike; the 20 MB line is prose words without a line break),
runs ``clean-articles`` on each in a child process, and prints wall time and the child's peak
RSS. The figures in README.md ("Limits") come from this script.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "the minister said on wednesday that talks with the delegation would go on for two more "
    "days because both sides wanted an agreement before the summit in moscow next month"
).split()


def big_page(path: Path, megabytes: int) -> None:
    """Sample pages over and over, each line tagged so that exact repeats do not collapse."""
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples" / "raw").glob("*.txt"))]
    target, size, n = megabytes * 1_000_000, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while size < target:
            for line in pages[n % len(pages)].splitlines():
                text = f"{line} {n}\n" if line.strip() else "\n"
                out.write(text)
                size += len(text.encode())
            n += 1


def long_line(path: Path, megabytes: int) -> None:
    rng = random.Random(5)
    target, parts, size = megabytes * 1_000_000, [], 0
    while size < target:
        word = rng.choice(WORDS)
        parts.append(word)
        size += len(word) + 1
    path.write_text("A headline\n\n" + " ".join(parts) + ".\n", encoding="utf-8")


def run(path: Path, *args: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit status of one CLI run (output discarded)."""
    code = (
        "import resource, sys; from clean_articles.cli import main\n"
        "try:\n    main()\nfinally:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - start
    last = proc.stderr.strip().splitlines()[-1]
    return wall, int(last) / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=100, help="size of the big page")
    ap.add_argument("--line-mb", type=int, default=20, help="size of the single line")
    ap.add_argument("--keep", type=Path, help="write the inputs here instead of a temporary folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases = [
            (folder / f"page-{args.mb}mb.txt", big_page, args.mb),
            (folder / f"line-{args.line_mb}mb.txt", long_line, args.line_mb),
        ]
        for path, make, mb in cases:
            if not path.exists():
                make(path, mb)
            wall, rss, status = run(path, "--max-page-mb", str(mb + 1))  # past the default limit on purpose
            print(f"{path.name:<18} {wall:7.1f} s  peak RSS {rss:7.0f} MB  exit {status}", flush=True)


if __name__ == "__main__":
    main()
