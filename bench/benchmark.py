"""Batch throughput: pages/s and MB/s for one worker and for -j 2, peak memory, cross-page share.

    python bench/benchmark.py [--files 20000] [--kb KB] [--jobs 1 2] [--repeat 3] [--dir DIR] [--keep DIR] [--overhead]

Builds a corpus in a temporary folder from samples/raw and, when present, the raw pages of
/work/shared/eval/dev/raw, replicated with small variations (a counter and a date on each copy,
lines of the "Most read" kind shuffled) to --files pages in folders of 1000. Each source page is
copied in turn; with --kb, larger pages are copied more often (every one still is), so that the
copies average that many kB. Each run is a fresh
child process that cleans the corpus with the shipped packs (`batch.run`, --force) and reports
its wall time, the time of the cross-page pass, the CPU time and the peak RSS of itself and its
workers (pages per CPU-second is the fairer figure on a machine that is busy with other work).
The machine's speed drifts by tens of percent from minute to minute, so the runs go round
--repeat times (-j 1, -j 2, -j 1, -j 2, ...: both see the same spells) and the summary gives the
best and the median of each, and the speed-up of the bests. The figures in README.md
("Benchmark") come from this script. The corpus repeats its source pages, so
the per-line memos (memo.py) find most lines already seen, and most pages replay the later rounds
of an earlier copy (pipeline.py); the next line printed gives the cost of a page never seen, in
library mode, for comparison. The last one gives what one pipe-mode call
(`python -m clean_articles < page`) takes, and how a start splits into imports, loading the
shipped packs, building their RE2 prefilter and the first page.

The corpus and the outputs go to a RAM-backed folder (/dev/shm) when there is one, so the figures
measure the tool rather than the disk: on the development machine's disk the kernel spends ~1 ms
of CPU creating each file, which alone caps any batch near 900 pages/s per core. The script
measures that cost on the default temporary folder's disk and prints it (--dir picks the folder).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path("/work/shared/eval/dev/raw")
RAM = Path("/dev/shm")

CHILD = """
import json, resource, sys
from pathlib import Path
from clean_articles.batch import Options, run
src, dst, jobs, rules = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
s = run(src, dst, Options(rules=rules, jobs=jobs, force=True), echo=lambda m: None, warn=lambda m: None)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps(dict(files=s.files, failed=s.failed, bytes=s.bytes_in, seconds=s.seconds,
                      count=s.count_seconds, peak_mb=max(me.ru_maxrss, kids.ru_maxrss) / 1024,
                      cpu=me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime)))
"""


def sources() -> list[str]:
    paths = sorted((ROOT / "samples" / "raw").glob("*.txt"))
    if EVAL.is_dir():
        paths += sorted(EVAL.glob("*.txt"))
    return [p.read_text(encoding="utf-8", errors="surrogateescape") for p in paths]


def copies(sizes: list[int], files: int, kb: float | None, rng: random.Random) -> list[int]:
    """The source page (its index) each of `files` copies is made from: each in turn, or, with
    `kb`, page i about files * w_i / sum(w) times (largest remainders first) in a shuffled order,
    where w_i = size_i ** a and a is found by bisection so that the copies average `kb` kB."""
    if kb is None:
        return [k % len(sizes) for k in range(files)]

    def weights(a: float) -> list[float]:
        return [(s / max(sizes)) ** a for s in sizes]

    def mean(a: float) -> float:
        w = weights(a)
        return sum(x * s for x, s in zip(w, sizes)) / sum(w)

    lo, hi = -8.0, 8.0
    for _ in range(60):
        lo, hi = ((lo + hi) / 2, hi) if mean((lo + hi) / 2) < kb * 1000 else (lo, (lo + hi) / 2)
    w = weights(lo)
    exact = [files * x / sum(w) for x in w]
    n = [int(x) for x in exact]
    for i in sorted(range(len(n)), key=lambda i: n[i] - exact[i])[:files - sum(n)]:
        n[i] += 1
    order = [i for i, c in enumerate(n) for _ in range(c)]
    rng.shuffle(order)
    return order


def build(folder: Path, files: int, kb: float | None = None, seed: int = 1) -> int:
    """Write `files` varied copies of the source pages; return the total size in bytes."""
    rng, pages, total = random.Random(seed), sources(), 0
    order = copies([len(p.encode("utf-8", "surrogateescape")) for p in pages], files, kb, rng)
    for k in range(files):
        lines = pages[order[k]].split("\n")
        short = [i for i, line in enumerate(lines) if 0 < len(line.split()) < 8]
        if len(short) > 3:  # rotate a few short lines, as a sidebar's items would
            picked = rng.sample(short, 3)
            texts = [lines[i] for i in picked]
            rng.shuffle(texts)
            for i, text in zip(picked, texts):
                lines[i] = text
        lines.insert(1, f"Updated {rng.randint(1, 28)} March {rng.randint(2015, 2025)} · {rng.randint(0, 999)} comments")
        path = folder / f"{k // 1000:03}" / f"page-{k:06}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = "\n".join(lines).encode("utf-8", "surrogateescape")
        path.write_bytes(data)
        total += len(data)
    return total


UNSEEN = """
import json, sys, time
from pathlib import Path
from clean_articles import clean_text, load_rules, memo
texts = [Path(p).read_text(encoding="utf-8", errors="surrogateescape") for p in json.loads(sys.argv[1])]
rules = load_rules()
clean_text(texts[0], rules)
best = {}
for label, cold in (("unseen", True), ("seen", False)):
    for _ in range(3):
        spent = 0.0
        for t in texts:
            if cold:
                memo.clear()
            start = time.process_time()
            clean_text(t, rules)
            spent += time.process_time() - start
        best[label] = min(best.get(label, spent), spent)
print(json.dumps({k: v / len(texts) * 1000 for k, v in best.items()}))
"""


def unseen() -> dict:
    """CPU ms per page in library mode over the distinct source pages: with every per-line memo
    emptied before each page (a page of a site never seen), and with memos warm (the copies)."""
    paths = sorted((ROOT / "samples" / "raw").glob("*.txt"))
    if EVAL.is_dir():
        paths += sorted(EVAL.glob("*.txt"))
    out = subprocess.run([sys.executable, "-c", UNSEEN, json.dumps([str(p) for p in paths])],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


START = """
import json, sys, time
start = time.perf_counter()
from clean_articles import clean_text, load_rules
imported = time.perf_counter()
rules = load_rules()
loaded = time.perf_counter()
rules.prefilter
built = time.perf_counter()
clean_text(sys.stdin.read(), rules)
done = time.perf_counter()
print(json.dumps(dict(imports=imported - start, rules=loaded - imported, prefilter=built - loaded, page=done - built)))
"""


def startup(page: Path, runs: int = 5) -> dict:
    """Seconds one pipe-mode call takes (`python -m clean_articles < page`, the best of `runs`),
    and the best of each part of a start in a child process: imports, loading the shipped packs,
    building the RE2 prefilter, cleaning the first page (regexes compile on first use)."""
    data = page.read_bytes()
    best: dict = {}
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-m", "clean_articles"], input=data, check=True, capture_output=True)
        best["call"] = min(best.get("call", 1e9), time.perf_counter() - begin)
        out = subprocess.run([sys.executable, "-c", START], input=data, check=True, capture_output=True)
        for part, seconds in json.loads(out.stdout).items():
            best[part] = min(best.get(part, 1e9), seconds)
    return best


def create_cost(folder: Path, n: int = 300) -> float:
    """CPU ms the kernel spends creating one small file in folder (each output is a new file)."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        start = time.process_time()
        for k in range(n):
            os.close(os.open(os.path.join(tmp, f"f{k}"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        return (time.process_time() - start) / n * 1000


def measure(src: Path, dst: Path, jobs: int, rules: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(src), str(dst), str(jobs), json.dumps(rules)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--kb", type=float, help="copy larger pages more often, so that pages average this many kB")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each --jobs value, taken in turn")
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    ap.add_argument("--dir", type=Path, default=RAM if RAM.is_dir() else None,
                    help=f"build the corpus in a temporary folder here (default: {RAM} when present)")
    ap.add_argument("--overhead", action="store_true",
                    help="clean with the recurring pack alone: the batch's own cost (I/O, hashing, pool, "
                         "manifest, cross-page pass) without the per-page engine")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = args.keep or Path(tmp)
        src = base / "in"
        size = build(src, args.files, args.kb)
        print(f"corpus: {args.files} pages, {size / 1e6:.1f} MB ({size / args.files / 1e3:.1f} kB a page), "
              f"from {len(sources())} source pages, in {base}")
        rates: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        rules = {"paths": [str(ROOT / "rules" / "generic" / "recurring.toml")], "builtin": False} if args.overhead else {}
        for _ in range(args.repeat):
            for jobs in args.jobs:
                out = base / f"out-{jobs}"
                r = measure(src, out, jobs, rules)
                shutil.rmtree(out, ignore_errors=True)  # each run writes a fresh tree, as the first did
                rates[jobs].append(r["files"] / r["seconds"])
                print(f"-j {jobs}: {r['files'] / r['seconds']:.0f} pages/s, {r['bytes'] / 1e6 / r['seconds']:.2f} MB/s, "
                      f"{r['seconds']:.1f}s ({r['count'] / r['seconds']:.0%} in the cross-page pass), "
                      f"{r['files'] / r['cpu']:.0f} pages per CPU-second, "
                      f"peak RSS {r['peak_mb']:.0f} MB, {r['failed']} failed", flush=True)
        best, median = max(rates[args.jobs[0]]), statistics.median(rates[args.jobs[0]])
        for jobs, got in rates.items():
            print(f"-j {jobs} over {len(got)} runs: best {max(got):.0f} pages/s ({max(got) / jobs:.0f} a core), "
                  f"median {statistics.median(got):.0f} ({statistics.median(got) / jobs:.0f} a core); speed-up "
                  f"{max(got) / best:.2f}x of the bests, {statistics.median(got) / median:.2f}x of the medians")
    here, disk = base.parent, Path(tempfile.gettempdir())
    if here != disk:
        print(f"creating a file costs {create_cost(here):.2f} ms of CPU in {here}, {create_cost(disk):.2f} ms "
              f"in {disk}: a batch writing to the latter pays that much more per page")
    if not args.overhead:
        u = unseen()
        print(f"library mode, CPU per page: {u['unseen']:.1f} ms on a page whose lines were never seen "
              f"({1000 / u['unseen']:.0f} pages/s per core), {u['seen']:.1f} ms once its lines are memoised "
              f"(the corpus above repeats its {len(sources())} source pages, so batch runs mostly warm)")
        page = sorted((ROOT / "samples" / "raw").glob("*.txt"))[0]
        t = startup(page)
        print(f"pipe mode, one page ({page.name}): {t['call'] * 1000:.0f} ms a call; of a start: imports "
              f"{t['imports'] * 1000:.0f} ms, shipped packs {t['rules'] * 1000:.0f} ms, RE2 prefilter "
              f"{t['prefilter'] * 1000:.0f} ms, the page {t['page'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
