"""Corpora of JSON Lines, cleaned locally and on Dask: pages/s, CPU, peak memory, Dask's overhead,
and the memory of the cross-page counts against the size of the sites.

    python bench/corpus_benchmark.py PAGES [--records 20000] [--shards 8] [--repeat 1] [--seed 1]
                                     [--dir DIR] [--json FILE] [--no-runs] [--no-memory]
                                     [--budget KEYS] [--part RECORDS]

The corpus. PAGES is a folder of raw pages (*.txt; e.g. ../shared/bench/unique-pages/raw).
Page i becomes the site site{i}.example, copied into --records records spread over the sites
(lognormal sizes drawn with --seed, at least 2 pages a site, shuffled together). Copy k of a page
starts each line longer than 80 characters with a word of its own (letters: digits fold away),
so those lines, exact and near keys both, are new on every copy; the shorter ones (menus,
footers, an article's short lines: ~80% of the lines) are the same on every page of the site, its
chrome. So the tool's memo of lines makes these pages cheaper than unique pages: compare the
configurations with each other, not with bench/benchmark.py. A record is {"id", "url":
"https://www.site{i}.example/{k}", "text"}. The records go into --shards files of a folder, as
crawls come.

The runs: fresh child processes of `python -m clean_articles batch IN OUT` with `-j N --force`
(local pool) or `--dask local:N` (a LocalCluster of N worker processes started and stopped by the
command), interleaved over --repeat rounds; medians printed. os.wait4 gives the CPU and peak RSS
of the child and of the descendants it reaped; Dask's workers are spawned by nannies and could
escape that, so the process tree is also sampled with psutil every 0.2 s (each process's own CPU
and RSS; a sample misses at most a process's last 0.2 s). CPU is the larger of the two sums, the
peak RSS that of the largest process (each process's peak is printed). The outputs' SHA-256 must
agree. Counting share = 1 - CPU(-j 1 --disable recurring) / CPU(-j 1). Dask overhead =
wall(Dask local:N) / wall(local -j N): issue 19 asks at most 1.25. Start-up, measured apart: the
wall time of `python -c` entering and leaving `clean_articles.dask.client("local:N")` (importing
Dask and pandas included) less that of importing clean_articles.cli; "excl." subtracts it.

Memory of the counts, in this process: pass 1 of a local batch (the rows of each chunk of 64
records summed by `table.Spill`, here with a budget of --budget keys, a quarter of the batch's,
so that the corpus overflows it) under tracemalloc; "MB" is what is held after the table is
made (peak in brackets), "keys" the distinct keys of the corpus, "disk MB" what was spilled,
"table" the keys kept (each site's chrome, and each site's marker). "largest part table" is what a
Dask part of --part records is cleaned with (its own keys that are in the table): Dask holds no
other counts. (a) the largest site fixed, more and more small sites; (b) one site growing.
"""

from __future__ import annotations

import argparse
import gc
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
import tracemalloc
from pathlib import Path

try:
    import psutil
except ImportError:  # wait4 alone then
    psutil = None

RAM = Path("/dev/shm")
LONG = 80  # lines longer than this vary from copy to copy
CONFIGS = {  # label: arguments after IN OUT
    "local -j 1": ["-j", "1", "--force"],
    "local -j 2": ["-j", "2", "--force"],
    "dask local:1": ["--dask", "local:1"],
    "dask local:2": ["--dask", "local:2"],
    "local -j 1 no recurring": ["-j", "1", "--force", "--disable", "recurring"],
}
CLUSTER = "import sys\nfrom clean_articles.dask import client\nwith client(sys.argv[1]):\n    pass\n"


def tag(k: int) -> str:
    """A word of letters naming copy k < 26**5 (digits would fold away in the keys)."""
    return "q" + "".join(chr(97 + k // 26**i % 26) for i in range(5))


def copy_text(text: str, k: int) -> str:
    """Copy k of a page (0: itself): each line longer than LONG starts with a word of its own."""
    if not k:
        return text
    word = tag(k) + " "
    return "\n".join(
        line.replace(line.lstrip(), word + line.lstrip(), 1) if len(line.strip()) > LONG else line
        for line in text.split("\n")
    )


def site_sizes(records: int, sites: int, seed: int) -> list[int]:
    """Pages of each site, `records` in all: at least 2 each, the rest by lognormal weights."""
    sites = min(sites, records // 2)
    rng = random.Random(seed)
    w = [rng.lognormvariate(0, 1) for _ in range(sites)]
    sizes = [2 + int((records - 2 * sites) * x / sum(w)) for x in w]
    for i in rng.choices(range(sites), w, k=records - sum(sizes)):
        sizes[i] += 1
    return sizes


def records(texts: list[str], sizes: list[int], seed: int):
    """(site, id, url, text) of every copy, the sites' pages shuffled together."""
    order = [(i, k) for i, n in enumerate(sizes) for k in range(n)]
    random.Random(seed).shuffle(order)
    for i, k in order:
        yield f"site{i}.example", f"site{i}-{k}", f"https://www.site{i}.example/{k}", copy_text(texts[i], k)


def write_corpus(texts: list[str], sizes: list[int], seed: int, folder: Path, shards: int) -> int:
    """The records in `shards` files of consecutive records, folder/part-NN.jsonl; their bytes."""
    folder.mkdir()
    each = -(-sum(sizes) // shards)
    files = [(folder / f"part-{s:02}.jsonl").open("w", encoding="utf-8") for s in range(shards)]
    for n, (_, rid, url, text) in enumerate(records(texts, sizes, seed)):
        files[n // each].write(json.dumps({"id": rid, "url": url, "text": text}, ensure_ascii=False) + "\n")
    for f in files:
        f.close()
    return sum(p.stat().st_size for p in folder.iterdir())


def sample(root, seen: dict) -> None:
    """Record each process of the tree's own CPU time and peak RSS (psutil)."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for p in procs:
        try:
            with p.oneshot():
                rss, t, cmd = p.memory_info().rss, p.cpu_times(), " ".join(p.cmdline())
                s = seen.setdefault(
                    (p.pid, p.create_time()),
                    dict(
                        rss=0,
                        cpu=0.0,
                        role=("main" if p.pid == root.pid else "tracker" if "resource_tracker" in cmd else "worker"),
                    ),
                )
        except psutil.Error:
            continue
        s["rss"], s["cpu"] = max(s["rss"], rss), t.user + t.system


def run(inp: Path, out: Path, extra: list[str], expect: int) -> dict:
    """One batch in a fresh child process: wall, CPU and peak RSS (wait4 and sampled), output hash."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "clean_articles", "batch", str(inp), str(out), *extra]
    seen: dict = {}
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        root = psutil.Process(proc.pid) if psutil else None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if root:
                sample(root, seen)
            time.sleep(0.2)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    done = re.search(r"\((\d+) records\), \d+ skipped, (\d+) failed", text)
    if proc.returncode or not done or int(done[1]) != expect or int(done[2]):
        sys.exit(f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n{text[-2000:]}")
    h = hashlib.sha256()
    for path in sorted(out.rglob("*.jsonl")):
        h.update(path.name.encode() + path.read_bytes())
    digest = h.hexdigest()[:16]
    shutil.rmtree(out)
    waited, sampled = usage.ru_utime + usage.ru_stime, sum(s["cpu"] for s in seen.values())
    peaks = sorted(((s["rss"] / 2**20, s["role"]) for s in seen.values()), reverse=True)
    return dict(
        wall=wall,
        cpu=max(waited, sampled),
        cpu_wait4=waited,
        cpu_sampled=sampled,
        digest=digest,
        rss_mb=max([usage.ru_maxrss / 1024] + [mb for mb, _ in peaks]),
        rss_wait4_mb=usage.ru_maxrss / 1024,
        rss_each=[f"{role} {mb:.0f}" for mb, role in peaks],
        processes=len(seen),
    )


def timed(code: list[str], calls: int = 3) -> float:
    """Median wall seconds of `python ARGS`."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        subprocess.run([sys.executable, *code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def counts_memory(texts: list[str], sizes: list[int], seed: int, budget: int, part: int) -> dict:
    """Pass 1 of a local batch on a corpus, in this process under tracemalloc: rows of chunks of
    64 records summed by a `table.Spill` of `budget` keys into the table; what it held, spilled
    and kept; and the largest table a Dask part of `part` records gets (its own keys in the table)."""
    from clean_articles.cleaner import Cleaner
    from clean_articles.document import Document
    from clean_articles.repeats import page_keys
    from clean_articles.table import Spill, rows

    floor = Cleaner().floor
    pages = [(page_keys(Document.from_text(text), site), site) for site, _, _, text in records(texts, sizes, seed)]
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    spill = Spill(budget)
    for k in range(0, len(pages), 64):
        spill.add(rows(pages[k : k + 64]))
    disk = sum(f.stat().st_size for f in Path(spill._dir).iterdir()) if spill._dir else 0
    table = spill.table(floor)
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parts = [set().union(*(keys for keys, _ in pages[k : k + part])) for k in range(0, len(pages), part)]
    largest_part = max(sum(1 for key in keys if table.get(key)) for keys in parts)
    spill.close()
    return dict(pages=sum(sizes), sites=len(sizes), largest=max(sizes), keys=len(set().union(*(k for k, _ in pages))),
                spilled=spill.spilled, disk_mb=disk / 1e6, table=len(table), largest_part=largest_part,
                mb=(held - base) / 1e6, peak_mb=(peak - base) / 1e6)  # fmt: skip


def measure(inp: Path, out: Path, records: int, repeat: int) -> list[dict]:
    """The interleaved runs, and the cluster's start-up, for each repeat; a line printed per run."""
    runs = []
    for rep in range(1, repeat + 1):
        for label, extra in CONFIGS.items():
            r = run(inp, out, extra, records) | dict(config=label, repeat=rep, load=os.getloadavg()[0])
            runs.append(r)
            print(
                f"  {rep} {label:24} {r['wall']:6.1f} s wall {r['cpu']:6.1f} s CPU (wait4 {r['cpu_wait4']:.1f}, "
                f"sampled {r['cpu_sampled']:.1f}) RSS MB: {', '.join(r['rss_each']) or '-'} "
                f"(wait4 {r['rss_wait4_mb']:.0f}) load {r['load']:.2f}",
                flush=True,
            )
        for n in (1, 2):
            up = timed(["-c", CLUSTER, f"local:{n}"]) - timed(["-c", "import clean_articles.cli"])
            runs.append(dict(config=f"start-up local:{n}", repeat=rep, wall=up))
    return runs


def summarise(runs: list[dict], n: int, result: dict) -> None:
    """The medians of each configuration, the counting share and Dask's overhead, into result."""
    digests = {r["config"]: r["digest"] for r in runs if "digest" in r and "no recurring" not in r["config"]}
    result["identical"] = len(set(digests.values())) == 1
    by = {c: [r for r in runs if r["config"] == c] for c in dict.fromkeys(r["config"] for r in runs)}
    med = {c: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu") if k in rs[0]} for c, rs in by.items()}
    print(
        f"\nmedians of {len(by['local -j 1'])} run(s); outputs "
        f"{'identical' if result['identical'] else 'DIFFER: ' + str(digests)}"
    )
    print(
        f"  {'configuration':24} {'wall s':>7} {'pages/s':>8} {'pages/CPU-s':>12} {'CPU/wall':>9} {'peak RSS MB':>12}"
    )
    figures = result["figures"] = {}
    for c in CONFIGS:
        wall, cpu = med[c]["wall"], med[c]["cpu"]
        f = figures[c] = dict(
            wall=wall, cpu=cpu, pages_s=n / wall, pages_cpu_s=n / cpu, rss_mb=max(r["rss_mb"] for r in by[c])
        )
        print(
            f"  {c:24} {wall:7.1f} {f['pages_s']:8.1f} {f['pages_cpu_s']:12.1f} {cpu / wall:9.2f} {f['rss_mb']:12.0f}"
        )
    shares = [1 - b["cpu"] / a["cpu"] for a, b in zip(by["local -j 1"], by["local -j 1 no recurring"])]
    result["counting_share"] = statistics.median(shares)
    print(
        f"  counting share of CPU, local -j 1: {statistics.median(shares):.1%} (runs {', '.join(f'{s:.0%}' for s in shares)})"
    )
    print(
        f"\nDask overhead (target: at most 1.25)\n  {'N':>2} {'local s':>8} {'dask s':>7} {'ratio':>6} "
        f"{'start+stop s':>12} {'dask excl. s':>13} {'ratio excl.':>12}"
    )
    for k in (1, 2):
        local, dask, up = (
            med[f"local -j {k}"]["wall"],
            med[f"dask local:{k}"]["wall"],
            med[f"start-up local:{k}"]["wall"],
        )
        figures[f"overhead {k}"] = dict(ratio=dask / local, startup=up, ratio_excl=(dask - up) / local)
        print(
            f"  {k:2} {local:8.1f} {dask:7.1f} {dask / local:6.2f} {up:12.1f} {dask - up:13.1f} {(dask - up) / local:12.2f}"
        )


def memory(texts: list[str], n: int, seed: int, budget: int, part: int) -> dict:
    """The memory of the counts: (a) the largest site (n/20 pages) fixed and more small sites up
    to n pages in all, (b) one site of n/80 to n pages."""
    big = max(2, n // 20)
    rest = min(len(texts) - 1, max(1, (n - big) // 2))
    small = max(2, (n - big) // rest)
    series = {
        "(a) largest site fixed, more small sites": [[big] + [small] * m for m in (0, rest // 8, rest // 2, rest)],
        "(b) one site growing": [[s] for s in (max(2, n // 80), max(2, n // 20), max(2, n // 5), n)],
    }
    out = {}
    for name, corpora in series.items():
        print(
            f"\ncounts memory, {name} (budget {budget} keys; Dask parts of {part} records)\n"
            f"  {'pages':>6} {'sites':>5} {'largest':>7} {'keys':>9} {'spills':>6} {'disk MB':>7} "
            f"{'table':>7} {'largest part table':>18}  MB held (peak)"
        )
        out[name] = []
        for sizes in corpora:
            r = counts_memory(texts, sizes, seed, budget, part)
            out[name].append(r)
            print(
                f"  {r['pages']:6} {r['sites']:5} {r['largest']:7} {r['keys']:9} {r['spilled']:6} "
                f"{r['disk_mb']:7.1f} {r['table']:7} {r['largest_part']:18}  {r['mb']:5.1f} ({r['peak_mb']:.1f})",
                flush=True,
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", type=Path, help="a folder of raw pages (*.txt), one site each")
    ap.add_argument("--records", type=int, default=20000, help="records of the corpus [default: 20000]")
    ap.add_argument("--shards", type=int, default=8, help="corpus files the records are split into [default: 8]")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of interleaved runs [default: 1]")
    ap.add_argument("--seed", type=int, default=1, help="of the site sizes and the order [default: 1]")
    ap.add_argument("--no-runs", action="store_true", help="only the memory of the counts")
    ap.add_argument("--no-memory", action="store_true", help="only the runs")
    ap.add_argument("--budget", type=int, default=1 << 16, help="keys the counts hold in memory [default: 65536]")
    ap.add_argument("--part", type=int, default=3000, help="records of a Dask part [default: 3000, ~64 MB]")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write every figure here")
    ap.add_argument(
        "--dir",
        type=Path,
        default=RAM if RAM.is_dir() else None,
        help="where the working folder goes [default: /dev/shm when present, else the temp dir]",
    )
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(args.pages.glob("*.txt"))]
    if len(texts) < 2:
        sys.exit(f"{args.pages}: fewer than 2 pages (*.txt)")
    began, sizes = time.perf_counter(), site_sizes(args.records, len(texts), args.seed)
    result: dict = dict(
        cpus=os.cpu_count(),
        load_before=os.getloadavg(),
        records=args.records,
        sites=len(sizes),
        largest_site=max(sizes),
        cpu_method="wait4 and psutil samples" if psutil else "wait4 only",
    )
    print(f"CPUs: {os.cpu_count()}; load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"corpus: {args.records} records over {len(sizes)} sites (largest {max(sizes)}, median "
        f"{statistics.median(sizes):.0f}, smallest {min(sizes)}); CPU and RSS from {result['cpu_method']}"
    )
    if not args.no_runs and args.repeat > 0:
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="clean-articles-corpus-") as tmp:
            inp, out = Path(tmp) / "corpus", Path(tmp) / "clean"
            size = result["bytes"] = write_corpus(texts, sizes, args.seed, inp, args.shards)
            print(f"  {size / 1e6:.0f} MB in {args.shards} files, {size / args.records / 1e3:.1f} kB a record")
            result["runs"] = measure(inp, out, args.records, args.repeat)
        summarise(result["runs"], args.records, result)
    if not args.no_memory:
        result["memory"] = memory(texts, args.records, args.seed, args.budget, args.part)
    result["load_after"], result["seconds"] = os.getloadavg(), time.perf_counter() - began
    print(f"\nload after: {' '.join(f'{x:.2f}' for x in result['load_after'])}; took {result['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
