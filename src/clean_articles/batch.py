"""Clean a folder of pages into another: the job, in two passes, by a pool of workers.

Pass 1 (only when a rule of kind `recurring` is enabled) counts line fingerprints over the whole
batch (`repeats.py`); pass 2 cleans every page with those counts. Both passes hand out files in
chunks to a pool of worker processes that compile the rules once each (pool initializer); the
counts are summed, and the results come back in sorted path order, so the output is the same
whatever the number of workers and whatever order the files were found in. A worker that dies
costs only the page it was on (`_Runner`).

What touches the disk (walking IN, reading pages, writing outputs atomically, the manifest that
makes a batch resumable) is files.py's. A later run skips a page whose input, rules and counts
are unchanged and whose output is still the one written. The manifest is rewritten every few
seconds (less often as it grows: saving it takes at most `SAVE_SHARE` of a run) and at the end
(also on Ctrl-C), so an interrupted run loses little and the next one finishes the job.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clean_articles.cleaner import Cleaner
from clean_articles.document import Document
from clean_articles.encoding import BinaryInputError, decode, encode
from clean_articles.files import (
    JSONL,
    MANIFEST,
    MAX_PAGE_MB,
    BatchError,
    JsonLines,
    PageTooBig,
    check_dirs,
    create_beside,
    key,
    linked_folder,
    load_manifest,
    output_hash,
    read,
    read_page,
    refusals,
    save_manifest,
    sha,
    sweep,
    walk,
    write,
)
from clean_articles.packs import RuleError, RuleSet, load_rules
from clean_articles.render import diff as unified_diff
from clean_articles.render import dumps, shown
from clean_articles.repeats import Counts, page_keys

__all__ = ["JSONL", "BatchError", "Options", "Outcome", "Summary", "run"]

CHUNK = 32
COUNT_CHUNK = 64  # pages a pass-1 task counts: the same chunks whatever the workers (repeats.Counts)
SAVE_EVERY = 5.0  # seconds between manifest saves, at least ...
SAVE_SHARE = 0.05  # ... and saving takes at most this share of a run (a save grows with the batch)


@dataclass
class Options:
    """What to do with each page; rule options are the keyword arguments of load_rules()."""

    rules: dict = field(default_factory=dict)
    glob: str = "*.txt"
    jobs: int = 1
    force: bool = False
    check: bool = False
    diff: bool = False
    explain: bool = False
    jsonl: bool = False
    follow_links: bool = False
    max_page_mb: int = MAX_PAGE_MB


@dataclass
class Outcome:
    """What happened to one page. status: done | skipped | same | changed | failed."""

    path: str
    status: str
    bytes_in: int = 0
    bytes_out: int = 0
    in_hash: str = ""
    out_hash: str = ""
    report: str = ""  # diff / explanation for stdout, or the failure message
    json: str = ""  # one JSON line (jsonl)
    full: str = ""  # OUT cannot take more (full, read-only): why; the batch stops


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    failed: int = 0
    changed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    count_seconds: float = 0.0
    seconds: float = 0.0
    stale: bool = False  # the rule files changed while the batch ran: no page of it is recorded as done

    def line(self, check: bool = False) -> str:
        removed = 1 - self.bytes_out / self.bytes_in if self.bytes_in else 0.0
        would = f", {self.changed} would change" if check else ""
        return (
            f"{self.files} files, {self.skipped} skipped, {self.failed} failed{would}, "
            f"{_size(self.bytes_in)} in, {_size(self.bytes_out)} out, {removed:.1%} removed, "
            f"{self.seconds:.1f}s"
        )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


# ---------------------------------------------------------------------------------------------
# Worker side: state set once per process by the pool initializer


_STATE: dict = {}
_PARENT: int | None = None  # the driver's process id, as its forked workers inherit it


def _init(options: Options, src: Path, dst: Path, counts: Counts | None, manifest: dict,
          cleaner: Cleaner | bool) -> None:  # fmt: skip
    """Set the worker's state with `cleaner`: True to compile the rules here (a pool worker),
    False for none (counting needs none), or the Cleaner itself (in the driver's own process)."""
    if cleaner is True:
        cleaner = Cleaner(load_rules(**options.rules))
    _STATE.update(options=options, src=src, dst=dst, counts=counts, manifest=manifest, cleaner=cleaner or None,
                  real_folders=set())  # fmt: skip


def _init_worker(*args) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them; a worker stopped mid-write
    leaves at most a temporary file, swept by the next run. A worker dies with its parent
    (killed with -9, say), instead of waiting forever for work."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if _PARENT is not None and os.getppid() != _PARENT:  # the parent died before that took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stop in (signal.SIGTERM, signal.SIGHUP):  # the parent's handlers (cli.py) are not theirs
        signal.signal(stop, signal.SIG_DFL)
    _init(*args)


def _count_chunk(paths: list[str]) -> Counts:
    """Pass 1 on some pages: the keys each holds (a page that cannot be read or is binary is
    reported by pass 2)."""
    counts = Counts()
    for rel in paths:
        try:
            text, _ = decode(read_page(os.path.join(_STATE["src"], rel), _STATE["options"].max_page_mb << 20)[0])
            counts.add_page(page_keys(Document.from_text(text)))
        except (OSError, BinaryInputError, PageTooBig, MemoryError):
            continue
    return counts


def process(rel: str) -> Outcome:
    """Clean one page (in a worker): skip it if up to date, write it, or compare it (--check)."""
    opt: Options = _STATE["options"]
    dst = os.path.join(_STATE["dst"], rel)
    try:
        data, mode = read_page(os.path.join(_STATE["src"], rel), opt.max_page_mb << 20)
        text, bom = decode(data)
    except (BinaryInputError, PageTooBig) as e:
        return Outcome(rel, "failed", report=f"{shown(rel)}: {e}")
    except OSError as e:
        return Outcome(rel, "failed", report=f"{shown(rel)}: cannot read: {e.strerror or e}")
    in_hash = sha(data)
    old = _STATE["manifest"].get(key(rel))
    quiet = not (opt.check or opt.diff or opt.explain or opt.jsonl)
    if quiet and not opt.force and old and old[0] == in_hash and output_hash(dst) == old[1]:
        return Outcome(rel, "skipped", len(data), os.stat(dst).st_size, in_hash, old[1])
    try:
        result = _STATE["cleaner"].clean(text, _STATE["counts"])
        out = encode(result.text, bom)
    except MemoryError:
        return Outcome(rel, "failed", report=f"{shown(rel)}: out of memory while cleaning it (split the page)")
    outcome = Outcome(rel, "done", len(data), len(out), in_hash, sha(out))
    if opt.check:
        try:
            before = read(dst)
        except OSError:
            before = None
        outcome.status = "same" if before == out else "changed"
        if before != out:
            outcome.report = unified_diff(decode(before or b"", allow_binary=True)[0], result.text, rel)
        return outcome
    linked = linked_folder(_STATE["dst"], rel, _STATE["real_folders"])
    if linked is not None:
        return Outcome(
            rel, "failed", report=f"{shown(rel)}: not written: {linked} is a link (a batch never writes through one)"
        )
    try:
        write(dst, out, mode)
    except OSError as e:
        full = e.strerror or str(e) if e.errno in _OUT_FULL else ""
        return Outcome(rel, "failed", report=f"{shown(rel)}: cannot write {dst}: {e.strerror or e}", full=full)
    if opt.diff:
        outcome.report = result.diff(rel)
    elif opt.explain:
        outcome.report = result.explain(rel)
    if opt.jsonl:
        outcome.json = dumps(result.to_json(rel))
    return outcome


# ---------------------------------------------------------------------------------------------
# Driver


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[k : k + size] for k in range(0, len(items), size)]


class _Runner:
    """Runs a function over items in this process (jobs=1) or in a pool of worker processes,
    results in item order. Pool workers compile the rules themselves; this process uses `cleaner`
    as it is. A worker that dies (killed, out of memory) costs only the item it was on: the pool
    is made anew, the items that were in flight are run again one at a time, and one that kills
    a worker on its own gets `lost(item)` as its result."""

    def __init__(self, jobs: int, initargs: tuple, cleaner: Cleaner | None, lost: Callable):
        self.jobs, self.initargs, self.lost = jobs, initargs + (cleaner is not None,), lost
        self.pool = self._pool() if jobs > 1 else None
        if self.pool is None:
            _init(*initargs, cleaner or False)

    def _pool(self):
        from concurrent.futures import ProcessPoolExecutor  # here: importing it costs pipe mode ~10 ms

        global _PARENT
        _PARENT = os.getpid()
        return ProcessPoolExecutor(self.jobs, initializer=_init_worker, initargs=self.initargs)

    def map(self, fn: Callable, items: list, chunksize: int) -> Iterator:
        if self.pool is None:
            yield from map(fn, items)
            return
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        while done < len(items):
            try:
                for result in self.pool.map(fn, items[done:], chunksize=chunksize):
                    yield result
                    done += 1
            except BrokenProcessPool:
                self._renew()
                for item in items[done : done + (self.jobs + 1) * chunksize]:  # what was in flight
                    try:
                        result = self.pool.submit(fn, item).result()
                    except BrokenProcessPool:
                        self._renew()
                        result = self.lost(item)
                    yield result
                    done += 1

    def _renew(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._pool()

    def close(self, ok: bool) -> None:
        if self.pool is not None:
            if not ok:  # stopped (Ctrl-C, SIGTERM): the workers stop now, not after their chunk
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)


def run(
    src: Path,
    dst: Path,
    options: Options,
    *,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
    progress: Callable[[Iterable, int], Iterable] | None = None,
    files: list[str] | None = None,
    rules: RuleSet | None = None,
) -> Summary:
    """Clean every page under src into dst. `echo` gets diffs, explanations; `warn` one line per
    failed page; `progress(iterable, length)` may wrap the results for a progress bar; `rules`
    is the RuleSet of options.rules when the caller compiled it already (pool workers compile
    their own from options.rules)."""
    start = time.monotonic()
    src, dst = check_dirs(src, dst)
    skipped: list[tuple[str, str]] = []
    files = walk(src, options.glob, skipped) if files is None else sorted(files)
    for rel, why in skipped:
        warn(f"{shown(rel)}: skipped: {why}")
    refused = refusals(src, files, options.follow_links)
    files = [f for f in files if f not in refused]
    rules = rules or load_rules(**options.rules)
    cleaner = Cleaner(rules)
    summary = Summary(files=len(files) + len(refused), failed=len(refused))
    for rel, why in refused.items():
        warn(f"{shown(rel)}: {why}")
    counts = None
    if any(r.kind == "recurring" for r in rules.rules):  # pass 1
        lost = []  # chunks whose worker died: their pages are not counted (pass 2 reports the page)
        counter = _Runner(
            options.jobs, (options, src, dst, None, {}), None, lambda chunk: lost.append(chunk) or Counts()
        )
        tally, ok = Counts(), False
        try:
            for part in counter.map(_count_chunk, _chunks(files, COUNT_CHUNK), 1):
                tally += part
            ok = True
        finally:
            counter.close(ok)
        for chunk in lost:
            warn(
                f"a worker died counting {chunk[0]} ... {chunk[-1]}: the lines of these pages are not counted across pages"
            )
        counts = cleaner.hot(tally)
        summary.count_seconds = time.monotonic() - start
    digest = counts.digest() if counts is not None else ""
    old, unusable = load_manifest(dst)
    if unusable:
        warn(f"{dst / MANIFEST}: {unusable}: every page is redone")
    same_rules = old.get("rules") == rules.fingerprint and old.get("counts") == digest
    previous = {k: tuple(v) for k, v in old.get("files", {}).items()} if same_rules else {}
    wanted = set(map(key, files))
    done: dict = {} if options.check else {k: v for k, v in previous.items() if k in wanted}
    if not options.check:
        dst.mkdir(parents=True, exist_ok=True)
        sweep(dst)
        _writable(dst)
    jsonl = JsonLines(dst / JSONL) if options.jsonl and not options.check else None
    runner = _Runner(options.jobs, (options, src, dst, counts, previous), cleaner, _died)
    results = runner.map(process, files, max(1, min(CHUNK, len(files) // (4 * options.jobs) or 1)))
    if progress is not None:
        results = progress(results, len(files))
    ok, saved, cost = False, time.monotonic(), 0.0
    try:
        for outcome in results:
            if outcome.full:  # every page after it would fail the same way
                raise BatchError(
                    f"{dst}: {outcome.full}: the batch stops ({len(done)} pages done, saved if OUT lets it)"
                )
            _tally(summary, outcome, done, echo, warn, jsonl)
            if not options.check and time.monotonic() - saved > max(SAVE_EVERY, cost / SAVE_SHARE):
                begun = time.monotonic()
                save_manifest(dst, rules.fingerprint, digest, done)
                saved = time.monotonic()
                cost = saved - begun
        if not options.check and _fingerprint(options) != rules.fingerprint:
            done.clear()  # what this run wrote may come from either version of the rules
            summary.stale = True
            warn("the rule files changed while the batch ran: no page of this run is recorded as done; run it again")
        ok = True
    finally:
        runner.close(ok)
        if not options.check:
            if not ok:
                sweep(dst)  # what workers stopped mid-write left (they are all gone now)
            try:
                save_manifest(dst, rules.fingerprint, digest, done)
            except OSError as e:
                if ok:
                    raise BatchError(f"{dst}: cannot save the manifest: {e.strerror or e}") from None
        if jsonl is not None:
            jsonl.close(ok)
    summary.seconds = time.monotonic() - start
    return summary


_OUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _writable(dst: Path) -> None:
    """BatchError, naming OUT, when a file cannot be made in it (read-only, full, not ours)."""
    try:
        fd, tmp = create_beside(dst / MANIFEST)
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise BatchError(f"{dst}: cannot write there: {e.strerror or e}") from None


def _died(rel: str) -> Outcome:
    return Outcome(
        rel, "failed", report=f"{shown(rel)}: the worker cleaning it died (out of memory, or killed); the rest go on"
    )


def _fingerprint(options: Options) -> str | None:
    """The fingerprint of the rule files as they are now (None if they no longer load)."""
    try:
        return load_rules(**options.rules).fingerprint
    except (RuleError, OSError):
        return None


def _tally(summary: Summary, o: Outcome, done: dict, echo, warn, jsonl) -> None:
    if o.status == "failed":
        summary.failed += 1
        done.pop(key(o.path), None)
        warn(o.report)
        return
    summary.skipped += o.status == "skipped"
    summary.changed += o.status == "changed"
    summary.bytes_in += o.bytes_in
    summary.bytes_out += o.bytes_out
    if o.status in ("done", "skipped"):
        done[key(o.path)] = (o.in_hash, o.out_hash)
    if o.report:
        echo(o.report)
    if jsonl is not None and o.json:
        jsonl.write(o.json)
