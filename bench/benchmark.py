"""Batch throughput on pages never seen before: pages per CPU-second, wall time, memory.

    python bench/benchmark.py [CORPUS ...] [--impl NAME=SRC ...] [--jobs 1 2] [--repeat 3]
                              [--same-site N [--articles DIR]] [--growth] [--valgrind K]
                              [--startup] [--json FILE] [--dir DIR]

What is measured. Each run is a fresh child process of the stable command line,
`python -m clean_articles batch IN OUT -j N --force`, with PYTHONPATH set to an implementation's
`src` folder (--impl; default: this repository's), so that an old and a new version are measured
the same way, start-up included. The child is started with Popen and reaped with os.wait4, whose
resource usage covers the child and every descendant it reaped: the batch's pool workers are
joined by it, so their CPU is included (a -j 2 run shows more CPU than wall time) and the peak
RSS is the largest of the process tree. The main figure is pages per CPU-second, since the
machine is shared and its speed drifts; pages/s and MB/s of wall time are printed too.

Why these pages. Memos of per-line and per-page work (in the baseline memo.py and the later-rounds
memo of pipeline.py) make a line or a page seen before nearly free, so a corpus of copies
measures the memos, not the tool.
The corpus here is the CORPUS folders (*.txt, recursively; default samples/raw) copied flat into
one "unique" corpus: real pages, each seen once (a page whose bytes were met already, as when
corpora overlap, is left out and counted). --same-site N adds a second corpus, reported apart:
N distinct articles set into the chrome of the five seed pages of samples/raw (a site's sidebar,
menus and footer recur, its articles do not), with a counter line that changes from page to page.
When N exceeds the number of articles, an article comes back with the sentences of each paragraph
rotated and two inner words swapped, so that its lines are new; the share of article lines that
are distinct is printed.

Noise. The runs are interleaved: for each --repeat, for each corpus, for each implementation, for
each --jobs value, so that every version sees the same spells of the machine; the summary gives
the median and the best of each, the ratio of each implementation to the first, and the -j 2 / -j 1
wall-clock speed-up. Load averages before and after, the CPU count and each run's CPU/wall (how
many cores it really had: a -j 2 run near 1.0 had one) tell whether the cores were free.
--valgrind K gives a count that does not depend on the machine's load: instructions per page =
(instructions of a batch of the first K pages - of a batch of 1 page) / (K - 1), start-up
cancelled out.

Cross-page share. Each repeat also runs -j 1 with `--disable recurring`: pass 1 is skipped and the
recurring rule does nothing, so 1 - cpu(without) / cpu(with) is the whole cost of the cross-page
feature (counting in pass 1 and the rule in pass 2). --growth prints how the memory held while counting (tracemalloc: the counts, and whatever else
counting keeps) grows with the number of pages, and how many keys are on two pages or more, using
the first implementation's library.

The corpora and outputs live in a RAM-backed folder (/dev/shm when present; --dir) so that the
disk's cost of creating files stays out of the figures; it is removed afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAM = Path("/dev/shm")
SENTENCE_END = re.compile(r"(?<=[.!?…\"”’])\s+(?=\S)")


def read(path: Path) -> str:
    """A page's text as the tool reads it: UTF-8, undecodable bytes kept as surrogates."""
    return path.read_text(encoding="utf-8", errors="surrogateescape")


def build_unique(corpora: list[Path], dest: Path) -> tuple[list[Path], int]:
    """Copy every *.txt of the corpora flat into dest, with unique names, leaving out a page whose
    bytes were copied already (corpora overlap); return the copies in order and how many were left out."""
    dest.mkdir(parents=True)
    out, seen, dropped = [], set(), 0
    for n, corpus in enumerate(corpora):
        for path in sorted(corpus.rglob("*.txt")):
            digest = hashlib.sha256(path.read_bytes()).digest()
            if digest in seen:
                dropped += 1
                continue
            seen.add(digest)
            out.append(dest / (f"{n:02}-" + "__".join(path.relative_to(corpus).parts)))
            shutil.copyfile(path, out[-1])
    return out, dropped


def templates() -> list[tuple[list[str], list[str]]]:
    """(chrome before, chrome after) the article of each seed page of samples/raw (000_... to
    004_...): the raw lines before the one equal to the first non-blank line of its expected
    output in samples/clean, and after the one equal to its last non-blank line."""
    out = []
    for raw in sorted((ROOT / "samples" / "raw").glob("[0-9]*.txt")):
        lines = read(raw).split("\n")
        stripped = [line.rstrip() for line in lines]
        kept = [line.rstrip() for line in read(ROOT / "samples" / "clean" / raw.name).split("\n") if line.strip()]
        first = stripped.index(kept[0])
        last = len(stripped) - 1 - stripped[::-1].index(kept[-1])
        out.append((lines[:first], lines[last + 1:]))
    return out


def varied(article: str, turn: int) -> str:
    """The article as it comes back for the `turn`-th time (0: as it is): in each paragraph the
    sentences rotated by `turn` and two neighbouring inner words swapped, so that its lines are new
    lines of the same kind (same words, same ends)."""
    if not turn:
        return article
    out = []
    for line in article.split("\n"):
        parts = SENTENCE_END.split(line.strip())
        words = " ".join(parts[turn % len(parts):] + parts[:turn % len(parts)]).split()
        if len(words) >= 4:
            i = 1 + (turn - 1) % (len(words) - 3)
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return "\n".join(out)


def build_same_site(n: int, articles: Path, dest: Path) -> tuple[list[Path], float]:
    """n pages round-robin over the seed pages' chrome, in a folder per site, each with another
    article and a changing "N comments" line; return them in the order made and the share of
    article lines that are distinct."""
    sites, texts = templates(), [read(p).strip("\n") for p in sorted(articles.glob("*.txt"))]
    rng, out, seen, total = random.Random(1), [], set(), 0
    for k in range(n):
        head, tail = sites[k % len(sites)]
        article = varied(texts[k % len(texts)], k // len(texts))
        lines = [line for line in article.split("\n") if line.strip()]
        seen.update(lines)
        total += len(lines)
        page = head + article.split("\n") + ["", f"{rng.randint(0, 999)} comments", ""] + tail
        path = dest / f"site-{k % len(sites)}" / f"page-{k:05}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(page), encoding="utf-8", errors="surrogateescape")
        out.append(path)
    return out, len(seen) / max(total, 1)


def child_env(src: Path) -> dict:
    """The environment of a child process that imports clean_articles from `src`."""
    return dict(os.environ, PYTHONPATH=str(src))


def run_batch(src: Path, inp: Path, out: Path, jobs: int, extra: tuple = (), pages: int = 0) -> dict:
    """One batch in a fresh child process; its wall time, and CPU (user + sys) and peak RSS of it
    and its reaped workers, from os.wait4. A failure (exit status, or fewer files than `pages`)
    stops the benchmark with the command and the end of its output."""
    cmd = [sys.executable, "-m", "clean_articles", "batch", str(inp), str(out), "-j", str(jobs), "--force", *extra]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=child_env(src), stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    shutil.rmtree(out, ignore_errors=True)
    done = re.search(r"(\d+) files", text)
    if proc.returncode or (done and pages and int(done[1]) != pages):
        sys.exit(f"FAILED (exit {proc.returncode}, PYTHONPATH={src}): {' '.join(cmd)}\n{text[-2000:]}")
    return dict(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024,
                summary=text.strip().splitlines()[-1] if text.strip() else "")


def measure(corpora: dict, impls: list, jobs: list[int], repeat: int, work: Path) -> list[dict]:
    """The interleaved runs: for each repeat, corpus, implementation: each --jobs value, then -j 1
    with the cross-page rule off. Prints a line per run; returns every run."""
    runs = []
    for rep in range(1, repeat + 1):
        for corpus, (folder, pages, size) in corpora.items():
            for name, src in impls:
                for j, extra in [(j, ()) for j in jobs] + [(1, ("--disable", "recurring"))]:
                    r = run_batch(src, folder, work / "out", j, extra, pages)
                    r.update(corpus=corpus, impl=name, jobs=j, recurring=not extra, repeat=rep,
                             pages=pages, bytes=size, load=os.getloadavg()[0])
                    runs.append(r)
                    print(f"  {rep} {corpus:9} {name:8} -j {j}{' no recurring' if extra else '':13} "
                          f"{pages / r['cpu']:6.1f} pages/CPU-s {pages / r['wall']:6.1f} pages/s "
                          f"{r['cpu']:6.2f} s CPU {r['wall']:6.2f} s wall (CPU/wall {r['cpu'] / r['wall']:.2f}) "
                          f"RSS {r['rss_mb']:4.0f} MB load {r['load']:.2f}", flush=True)
    return runs


def summarise(runs: list[dict], impls: list, jobs: list[int]) -> dict:
    """Print, per corpus: median and best per (impl, jobs), the ratio to the first impl, the
    -j 2 / -j 1 wall speed-up and the cross-page share; return those figures."""
    figures: dict = {}
    for corpus in dict.fromkeys(r["corpus"] for r in runs):
        got = [r for r in runs if r["corpus"] == corpus]
        pages, size = got[0]["pages"], got[0]["bytes"]
        print(f"\n{corpus}: {pages} pages, {size / 1e6:.1f} MB ({size / pages / 1e3:.1f} kB a page)")
        print(f"  {'impl':8} {'-j':>2}  pages/CPU-s med (best)  pages/s med (best)  MB/s med  CPU/wall  peak RSS")
        for name, _ in impls:
            for j in jobs:
                sel = [r for r in got if r["impl"] == name and r["jobs"] == j and r["recurring"]]
                cpu, wall = [pages / r["cpu"] for r in sel], [pages / r["wall"] for r in sel]
                f = dict(cpu_median=statistics.median(cpu), cpu_best=max(cpu), wall_median=statistics.median(wall),
                         wall_best=max(wall), mb_s=statistics.median(wall) * size / pages / 1e6,
                         cores=statistics.median(r["cpu"] / r["wall"] for r in sel), rss_mb=max(r["rss_mb"] for r in sel))
                figures[corpus, name, j] = f
                print(f"  {name:8} {j:2}  {f['cpu_median']:8.1f} ({f['cpu_best']:6.1f})      "
                      f"{f['wall_median']:7.1f} ({f['wall_best']:6.1f})  {f['mb_s']:7.2f}  {f['cores']:7.2f}  {f['rss_mb']:5.0f} MB")
        first = impls[0][0]
        for name, _ in impls:
            ratios = [f"-j {j} {figures[corpus, name, j]['cpu_median'] / figures[corpus, first, j]['cpu_median']:.2f}"
                      for j in jobs]
            line = f"  {name}: pages/CPU-s vs {first}: {', '.join(ratios)}"
            if 1 in jobs and 2 in jobs:
                line += (f"; wall speed-up -j 2 / -j 1: {figures[corpus, name, 2]['wall_median'] / figures[corpus, name, 1]['wall_median']:.2f}x"
                         f" (bests {figures[corpus, name, 2]['wall_best'] / figures[corpus, name, 1]['wall_best']:.2f}x)")
            on = {r["repeat"]: r["cpu"] for r in got if r["impl"] == name and r["jobs"] == 1 and r["recurring"]}
            off = {r["repeat"]: r["cpu"] for r in got if r["impl"] == name and not r["recurring"]}
            shares = [1 - off[k] / on[k] for k in off if k in on]
            if shares:
                figures[corpus, name, "share"] = statistics.median(shares)
                line += f"; cross-page share {statistics.median(shares):.1%} (runs {', '.join(f'{s:.0%}' for s in shares)})"
            print(line)
    return figures


GROWTH = r"""
import gc, json, sys, tracemalloc
from pathlib import Path
try:  # now: a batch's rows summed by table.Spill (up to its budget in memory, then on disk)
    from clean_articles.document import Document
    from clean_articles.repeats import Counts, page_keys
    from clean_articles.table import Spill, rows as spill_rows
    keys = lambda text: page_keys(Document.from_text(text))
    Tally = Spill
except ImportError:
    Spill = None
    try:  # issue 16: a Tally of recurring keys and a window of keys seen once
        from clean_articles.document import Document
        from clean_articles.repeats import Counts, Tally, page_keys
        keys = lambda text: page_keys(Document.from_text(text))
    except ImportError:
        try:  # before the redesign: one Counts of every key, pruned at the end
            from clean_articles.repeats import Counts, text_keys as keys
            Tally = None
        except Exception as e:
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
            sys.exit()
def tag(k):  # a word of letters only (digits fold to 0): the page's own
    out = ""
    while True:
        out, k = chr(97 + k % 26) + out, k // 26
        if not k:
            return "q" + out

def series(texts, total):  # the pages, then copies whose every line starts with a word of their own
    for k in range(total):
        text = texts[k % len(texts)]
        yield text if k < len(texts) else "\n".join(f"{tag(k)} {line}" if line.strip() else line
                                                     for line in text.split("\n"))

out = {}
for corpus, listing in json.loads(sys.argv[1]).items():
    paths = Path(listing).read_text().splitlines()
    texts = [Path(p).read_text(encoding="utf-8", errors="surrogateescape") for p in paths]
    runs = [(corpus, texts, len(texts))]
    if corpus == "unique":
        runs.append((f"{corpus}, then pages sharing nothing", series(texts, 4096), 4096))
    for name, pages, total in runs:
        mark, rows = 100, []
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        held = Counts() if Tally is None else Tally()
        chunk = [] if Spill else Counts()
        for k, text in enumerate(pages, 1):
            if Spill:
                chunk.append((keys(text), ""))
            else:
                (held if Tally is None else chunk).add_page(keys(text))
            if Tally is not None and (k % 64 == 0 or k == total or k == mark):  # a batch's chunks
                held.add(spill_rows(chunk) if Spill else chunk)
                chunk = [] if Spill else Counts()
            if k == mark or k == total:
                gc.collect()
                size = tracemalloc.get_traced_memory()[0] - base
                if Spill:  # every key it holds in memory (it forgets none: past its budget it spills)
                    recur, held_keys = {k: n for k, n in held._total.items() if n > 1}, len(held._total)
                else:
                    recur = held.recur if Tally is not None else {k: n for k, n in held.counts.items() if n > 1}
                    held_keys = len(recur) + len(getattr(held, "once", held.counts))
                rows.append(dict(pages=k, keys=held_keys, bytes=size, pruned_keys=len(recur)))
                mark *= 2 if k == mark else 1
        tracemalloc.stop()
        if Spill:
            held.close()  # its spilled files
        out[name] = rows
print(json.dumps(out))
"""


def growth(name: str, src: Path, listings: dict, work: Path) -> dict:
    """Keys and bytes of the cross-page counts after 100, 200, 400, ... pages of each corpus (and
    all), before and after prune(), in a child process using `src`'s library."""
    files = {}
    for corpus, paths in listings.items():
        files[corpus] = work / f"{corpus}.list"
        files[corpus].write_text("\n".join(map(str, paths)))
    p = subprocess.run([sys.executable, "-c", GROWTH, json.dumps({c: str(f) for c, f in files.items()})],
                       env=child_env(src), capture_output=True, text=True)
    try:
        got = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        got = {"error": (p.stderr.strip().splitlines() or ["no output"])[-1]}
    if "error" in got:
        print(f"growth: not available for {name} ({got['error']})")
        return got
    for corpus, rows in got.items():
        print(f"growth of the cross-page counts, {corpus} ({name}):")
        for r in rows:
            print(f"  {r['pages']:5} pages: {r['keys']:7} keys, {r['bytes'] / 1024:8.0f} KiB held "
                  f"({r['bytes'] / 1024 / r['pages']:5.1f} KiB a page); {r['pruned_keys']:6} on two pages or more")
    return got


def instructions(src: Path, pages: list[Path], k: int, work: Path) -> float:
    """Instructions per page under callgrind: (batch of the first k pages - batch of 1) / (k - 1)."""
    collected = {}
    for n in (1, k):
        inp = work / f"valgrind-{n}"
        inp.mkdir()
        for p in pages[:n]:
            shutil.copyfile(p, inp / p.name)
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m",
               "clean_articles", "batch", str(inp), str(work / "out"), "-j", "1", "--force"]
        p = subprocess.run(cmd, env=dict(child_env(src), PYTHONHASHSEED="0"), capture_output=True, text=True)
        shutil.rmtree(inp)
        shutil.rmtree(work / "out", ignore_errors=True)
        found = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
        if p.returncode or not found:
            sys.exit(f"FAILED under valgrind (exit {p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
        collected[n] = int(found[1])
    return (collected[k] - collected[1]) / (k - 1)


def startup(src: Path, page: Path, calls: int = 5) -> float:
    """Median wall seconds of one pipe-mode call, `python -m clean_articles < page`."""
    times = []
    for _ in range(calls):
        with page.open("rb") as stdin:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "clean_articles"], stdin=stdin, env=child_env(src),
                           capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def parse_impl(text: str) -> tuple[str, Path]:
    """--impl NAME=SRC -> (NAME, absolute SRC), SRC a folder holding the clean_articles package."""
    name, _, src = text.partition("=")
    if not name or not (Path(src) / "clean_articles").is_dir():
        raise argparse.ArgumentTypeError(f"expected NAME=SRC, SRC a folder holding clean_articles: {text!r}")
    return name, Path(src).resolve()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="*", type=Path, help="folders of pages (*.txt, recursively) [default: samples/raw]")
    ap.add_argument("--impl", action="append", type=parse_impl, metavar="NAME=SRC",
                    help="an implementation: the src folder of a clean-articles checkout (repeatable) [default: this=src]")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values to run [default: 1 2]")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of interleaved runs (0: none, only the extras) [default: 3]")
    ap.add_argument("--same-site", type=int, default=0, metavar="N", help="also a same-site corpus of N pages")
    ap.add_argument("--articles", type=Path, default=ROOT / "samples" / "clean",
                    help="article bodies (*.txt) for --same-site [default: samples/clean]")
    ap.add_argument("--growth", action="store_true", help="memory of the cross-page counts against pages")
    ap.add_argument("--valgrind", type=int, default=0, metavar="K", help="instructions per page over K pages [default: off]")
    ap.add_argument("--startup", action="store_true", help="median wall time of one pipe-mode call")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write every measurement here")
    ap.add_argument("--dir", type=Path, default=RAM if RAM.is_dir() else None,
                    help="where the working folder goes [default: /dev/shm when present, else the temp dir]")
    args = ap.parse_args()
    impls = args.impl or [("this", ROOT / "src")]
    began, load_before = time.perf_counter(), os.getloadavg()
    print(f"CPUs: {os.cpu_count()} ({len(os.sched_getaffinity(0))} usable); load before: "
          + " ".join(f"{x:.2f}" for x in load_before))
    for name, src in impls:
        where = subprocess.run([sys.executable, "-c", "import clean_articles; print(clean_articles.__file__)"],
                               env=child_env(src), capture_output=True, text=True).stdout.strip()
        print(f"impl {name}: {where or 'clean_articles not importable!'}")
    result: dict = dict(cpus=os.cpu_count(), load_before=load_before, impls={n: str(s) for n, s in impls})
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="clean-articles-bench-") as tmp:
        work = Path(tmp)
        unique, dropped = build_unique(args.corpus or [ROOT / "samples" / "raw"], work / "unique")
        print(f"unique: {len(unique)} pages, {dropped} byte-identical copies left out")
        result["duplicates_left_out"] = dropped
        listings = {"unique": unique}
        if args.same_site:
            listings["same-site"], distinct = build_same_site(args.same_site, args.articles, work / "same-site")
            print(f"same-site: {args.same_site} pages over {len(templates())} sites, "
                  f"{distinct:.0%} of the article lines distinct")
            result["same_site_distinct_lines"] = distinct
        corpora = {c: (work / c, len(p), sum(f.stat().st_size for f in p)) for c, p in listings.items()}
        result["corpora"] = {c: dict(pages=n, bytes=b) for c, (_, n, b) in corpora.items()}
        if args.repeat:
            result["runs"] = measure(corpora, impls, args.jobs, args.repeat, work)
            figures = summarise(result["runs"], impls, args.jobs)
            result["figures"] = [dict(corpus=c, impl=i, jobs=j, value=v) for (c, i, j), v in figures.items()]
        if args.growth:
            result["growth"] = {name: growth(name, src, listings, work) for name, src in impls}
        if args.valgrind > 1 and not shutil.which("valgrind"):
            print("valgrind: not on PATH, instruction counts skipped")
        elif args.valgrind > 1:
            result["instructions"] = {}
            for name, src in impls:
                n = result["instructions"][name] = instructions(src, unique, args.valgrind, work)
                print(f"instructions per page, {name}: {n / 1e6:.2f} M (first {args.valgrind} pages of unique, callgrind)")
        if args.startup:
            result["startup"] = {name: startup(src, unique[0]) for name, src in impls}
            for name, s in result["startup"].items():
                print(f"pipe mode, one call ({unique[0].name}), {name}: {s * 1000:.0f} ms (median of 5)")
    result["load_after"], result["seconds"] = os.getloadavg(), time.perf_counter() - began
    print("load after: " + " ".join(f"{x:.2f}" for x in result["load_after"])
          + f"; this invocation took {result['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
