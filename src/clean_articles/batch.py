"""Clean a folder of pages into another, or a corpus file into another: the job, in two passes,
by a pool of workers.

A batch's pages are its `.txt` files (`--glob`) and the records of its corpus files (`.jsonl`,
`.jsonl.gz`: corpus.py), in sorted path order. Pass 1 (only when a rule of kind `recurring` is
enabled) counts line fingerprints over the whole batch, per site (`repeats.py`), summed in
bounded memory, on disk past a budget, into the table of what recurs (`table.py`); pass 2 cleans
every page with that table. Both passes hand out pages in chunks to a pool of worker processes
that compile the rules once each (pool initializer), a few chunks ahead of what is done, so a
corpus of millions of records streams through in bounded memory, and the results come back in
order, so the output is the same whatever the number of workers. A worker
that dies costs only the page (or record) it was on (`_Runner`). A corpus file's output is
written as its records come back, and renamed into place after its last one.

What touches the disk (walking IN, reading pages, writing outputs atomically, the manifest that
makes a batch resumable) is files.py's. A later run skips a page whose input, rules and counts
are unchanged and whose output is still the one written. The manifest is rewritten every few
seconds (less often as it grows: saving it takes at most `SAVE_SHARE` of a run) and at the end
(also on Ctrl-C), so an interrupted run loses little and the next one finishes the job.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from clean_articles.cleaner import Cleaner
from clean_articles.corpus import SUFFIXES as CORPUS_SUFFIXES
from clean_articles.corpus import (
    BadRecord,
    Fields,
    Writer,
    clean_page,
    clean_record,
    is_corpus,
    open_lines,
    page_site,
    page_text,
    present,
    record_keys,
)
from clean_articles.document import Document
from clean_articles.files import (
    COUNTS,
    JSONL,
    MANIFEST,
    MAX_PAGE_MB,
    TMP_PREFIX,
    BatchError,
    PageTooBig,
    check_dirs,
    create_beside,
    hash_file,
    key,
    linked_folder,
    load_counts,
    load_manifest,
    output_hash,
    read,
    read_page,
    refusals,
    save_counts,
    save_manifest,
    sha,
    sweep,
    walk,
    write,
)
from clean_articles.packs import RuleError, RuleSet, load_rules
from clean_articles.render import colour_diff, dumps, paint, shown
from clean_articles.render import diff as unified_diff
from clean_articles.repeats import page_keys
from clean_articles.table import Spill, Table, rows

__all__ = ["JSONL", "BatchError", "Options", "Outcome", "Summary", "run"]

CHUNK = 32
COUNT_CHUNK = 64  # pages a pass-1 task counts
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
    allow_binary: bool = False  #: clean pages with NUL bytes instead of refusing them
    update: bool = False  #: golden files: write every output anew, no manifest, remove stale ones
    prune: bool = False  #: remove outputs whose input is gone
    color: bool = False  #: colour --diff, --explain and --check's diffs (ANSI)
    width: int = 0  #: the columns --explain fits (0: none said)
    fields: Fields = field(default_factory=Fields)  #: the fields of corpus records
    sites: str = "url"  #: where a page's site comes from: url | folder | none (corpus.page_site)


@dataclass
class Outcome:
    """What happened to one page, or one record of a corpus file (`line` > 0), or to a corpus
    file (`line` = 0). status: done | skipped | same | changed | failed | end (a corpus file's
    records are all back)."""

    path: str
    status: str
    bytes_in: int = 0
    bytes_out: int = 0
    in_hash: str = ""
    out_hash: str = ""
    report: str = ""  # diff / explanation for stdout, or the failure message
    json: str = ""  # one JSON line (jsonl)
    full: str = ""  # OUT cannot take more (full, read-only): why; the batch stops
    line: int = 0  # a record's line in its corpus file
    record: bytes = b""  # the cleaned record


@dataclass
class Summary:
    files: int = 0
    records: int = 0
    skipped: int = 0
    failed: int = 0
    changed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    seconds: float = 0.0
    stale: bool = False  # the rule files changed while the batch ran: no page of it is recorded as done

    def line(self, check: bool = False) -> str:
        removed = 1 - self.bytes_out / self.bytes_in if self.bytes_in else 0.0
        would = f", {self.changed} would change" if check else ""
        records = f" ({self.records} records)" if self.records else ""
        return (
            f"{self.files} files{records}, {self.skipped} skipped, {self.failed} failed{would}, "
            f"{_size(self.bytes_in)} in, {_size(self.bytes_out)} out, {removed:.1%} removed, "
            f"{self.seconds:.1f}s"
        )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


# ---------------------------------------------------------------------------------------------
# Worker side: state set once per process by the pool initializer


_STATE: dict = {}
_PARENT: int | None = None  # the driver's process id, as its forked workers inherit it


def _init(options: Options, src: Path, dst: Path, counts: Table | None, manifest: dict,
          earlier: tuple[bool, Table | None], cleaner: Cleaner | bool) -> None:  # fmt: skip
    """Set the worker's state with `cleaner`: True to compile the rules here (a pool worker),
    False for none (counting needs none), or the Cleaner itself (in the driver's own process).
    `earlier`: whether the outputs in the manifest were made with these counts, and if not, the
    counts they were made with (None: not known)."""
    if cleaner is True:
        cleaner = Cleaner(load_rules(**options.rules))
    _STATE.update(options=options, src=src, dst=dst, counts=counts, manifest=manifest, earlier=earlier,
                  cleaner=cleaner or None, real_folders=set())  # fmt: skip


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


def _site(rel: str) -> str | None:
    """The site of the pages of file `rel` (None: each record's URL says)."""
    return page_site(_STATE["options"].sites, os.path.dirname(rel))


def _count_chunk(units: list) -> Counter:
    """Pass 1 on some pages and records: their rows (`table.rows`; a page that cannot be read
    or is binary, a bad record: none, reported by pass 2)."""
    return rows(filter(None, map(_keys_of, units)))


def _keys_of(unit) -> tuple[set[int], str] | None:
    """A page's or a record's keys and site (None: it has none)."""
    opt: Options = _STATE["options"]
    try:
        if isinstance(unit, str):
            data = read_page(os.path.join(_STATE["src"], unit), opt.max_page_mb << 20)[0]
            text, _ = page_text(data, allow_binary=opt.allow_binary, limit=opt.max_page_mb << 20)
            site = _site(unit) or ""
            return page_keys(Document.from_text(text), site), site
        return record_keys(unit[2], opt.fields, _site(unit[0]))
    except (OSError, ValueError, MemoryError):  # BinaryInputError, PageTooBig, a broken .gz
        pass
    return None


def process_chunk(units: list) -> list[Outcome]:
    """Pass 2 on some pages and records (in a worker)."""
    return [process(u) if isinstance(u, str) else _record(*u) for u in units]


def _record(rel: str, line: int, data) -> Outcome:
    """Clean one record of a corpus file (line 0: none, the file's end, and data says why it
    could not be read to it, if so)."""
    if not line:
        return Outcome(rel, "end", report=data or "")
    opt: Options = _STATE["options"]
    where = f"{shown(rel)}:{line}"
    try:
        result, out = clean_record(
            _STATE["cleaner"], present(data, opt.max_page_mb << 20), opt.fields, _STATE["counts"], _site(rel)
        )
    except BadRecord as e:
        return Outcome(rel, "failed", len(data or b""), report=f"{where}: skipped: {e}", line=line)
    except MemoryError:
        return Outcome(rel, "failed", len(data), report=f"{where}: out of memory while cleaning it", line=line)
    return _told(Outcome(rel, "done", len(data), len(out), line=line, record=out), result, where, opt)


def _coloured(diff: str, opt: Options) -> str:
    return colour_diff(diff) if opt.color else diff


def _told(outcome: Outcome, result, where: str, opt: Options) -> Outcome:
    """The outcome with what the options ask to print or write of the page's cleaning."""
    if opt.diff:
        outcome.report = _coloured(result.diff(where), opt)
    elif opt.explain:
        outcome.report = result.explain(where, opt.width, paint if opt.color else None)
    if opt.jsonl:
        outcome.json = dumps(result.to_json(where, metadata=True))
    return outcome


def _unchanged(data: bytes, rel: str) -> bool:
    """Whether the batch's counts give a page the output they gave it in the last run: the same
    counts, or the same verdict (recurs enough on the page's site, or not) on each of its line
    keys under both. So adding a page to a batch redoes only the pages whose output it changes."""
    same, then = _STATE["earlier"]
    now = _STATE["counts"]
    if same:
        return True
    if now is None or then is None:
        return False
    opt: Options = _STATE["options"]
    try:
        text = page_text(data, allow_binary=opt.allow_binary, limit=opt.max_page_mb << 20)[0]
    except ValueError:
        return False
    site = _site(rel) or ""
    need_now = _STATE["cleaner"].threshold(now.pages(site))
    need_then = _STATE["cleaner"].threshold(then.pages(site))
    return all(
        (now.get(k) >= need_now) == (then.get(k) >= need_then) for k in page_keys(Document.from_text(text), site)
    )


def process(rel: str) -> Outcome:
    """Clean one page (in a worker): skip it if up to date, write it, or compare it (--check)."""
    opt: Options = _STATE["options"]
    dst = os.path.join(_STATE["dst"], rel)
    try:
        data, mode = read_page(os.path.join(_STATE["src"], rel), opt.max_page_mb << 20)
    except PageTooBig as e:
        return Outcome(rel, "failed", report=f"{shown(rel)}: {e}")
    except OSError as e:
        return Outcome(rel, "failed", report=f"{shown(rel)}: cannot read: {e.strerror or e}")
    in_hash = sha(data)
    old = _STATE["manifest"].get(key(rel))
    quiet = not (opt.check or opt.diff or opt.explain or opt.jsonl)
    if quiet and not opt.force and old and old[0] == in_hash and output_hash(dst) == old[1] and _unchanged(data, rel):
        return Outcome(rel, "skipped", len(data), os.stat(dst).st_size, in_hash, old[1])
    try:
        result, out = clean_page(_STATE["cleaner"], data, _STATE["counts"], _site(rel) or "",
                                 allow_binary=opt.allow_binary, limit=opt.max_page_mb << 20)  # fmt: skip
    except ValueError as e:  # BinaryInputError, PageTooBig, a broken .gz
        return Outcome(rel, "failed", report=f"{shown(rel)}: {e}")
    except MemoryError:
        return Outcome(rel, "failed", report=f"{shown(rel)}: out of memory while cleaning it (split the page)")
    outcome = Outcome(rel, "done", len(data), len(out), in_hash, sha(out))
    if opt.check:
        try:
            before = read(dst)
        except OSError:
            outcome.status, outcome.report = "changed", f"{shown(rel)}: no output (missing)\n"
            return outcome
        outcome.status = "same" if before == out else "changed"
        if before != out:
            try:
                old = page_text(before, allow_binary=True)[0]
            except ValueError:
                old = ""
            outcome.report = _coloured(unified_diff(old, result.text, rel), opt)
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
    return _told(outcome, result, rel, opt)


# ---------------------------------------------------------------------------------------------
# Driver


AHEAD = 4  # chunks handed out per worker ahead of the one whose results are awaited
STUCK = 3.0  # seconds a dead worker may go unnoticed by the pool before the pool is stopped


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


class _Runner:
    """Runs a function over chunks of items in this process (jobs=1) or in a pool of worker
    processes, results in chunk order, with at most AHEAD chunks per worker handed out (items
    may be a stream of millions). Pool workers compile the rules themselves; this process uses
    `cleaner` as it is. A worker that dies (killed, out of memory) costs only the item it was
    on: the pool is made anew, the items of the chunks that were in flight are run again one at
    a time, and one that kills a worker on its own gets `lost(item)` as its result."""

    def __init__(self, jobs: int, initargs: tuple, cleaner: Cleaner | None, lost: Callable):
        self.jobs, self.initargs, self.lost = jobs, initargs + (cleaner is not None,), lost
        if jobs > 1 and cleaner is not None:
            # compiled here, once: workers forked from this process find the RE2 sets in its cache
            cleaner.pipeline.prefilter  # noqa: B018
        self.pool = self._pool() if jobs > 1 else None
        if self.pool is None:
            _init(*initargs, cleaner or False)

    def _pool(self):
        from concurrent.futures import ProcessPoolExecutor  # here: importing it costs pipe mode ~10 ms

        global _PARENT
        _PARENT = os.getpid()
        return ProcessPoolExecutor(self.jobs, initializer=_init_worker, initargs=self.initargs)

    def map(self, fn: Callable, chunks: Iterable[list]) -> Iterator:
        """fn(chunk) for each chunk, or fn([item]) for each item of a chunk a worker died on."""
        if self.pool is None:
            yield from map(fn, chunks)
            return
        from concurrent.futures.process import BrokenProcessPool

        chunks = iter(chunks)
        flight: deque = deque()
        waiting = None  # a chunk taken from the stream, not yet handed out
        while True:
            try:
                while len(flight) < AHEAD * self.jobs:
                    waiting = next(chunks, None) if waiting is None else waiting
                    if waiting is None:
                        break
                    flight.append((waiting, self.pool.submit(fn, waiting)))  # a pool broken meanwhile raises
                    waiting = None
                if not flight:
                    return
                result = self._result(flight[0][1])
            except BrokenProcessPool:
                self._renew()
                for chunk, _ in list(flight):
                    for item in chunk:
                        try:
                            result = self._result(self.pool.submit(fn, [item]))
                        except BrokenProcessPool:
                            self._renew()
                            result = self.lost(item)
                        yield result
                flight.clear()
                continue
            flight.popleft()
            yield result

    def _result(self, future):
        """The future's result. A worker killed while it sent its results (out of memory) leaves
        them cut short, and the pool's thread waits for the rest, not for the dead: once a
        worker has been dead for STUCK seconds and the pool has not noticed, it is stopped, and
        the future raises BrokenProcessPool as for any dead worker."""
        dead_since = None
        while True:
            try:
                return future.result(timeout=1.0)
            except TimeoutError:
                pass
            if not any(p.exitcode is not None for p in self._workers()):
                dead_since = None
            elif dead_since is None:
                dead_since = time.monotonic()
            elif time.monotonic() - dead_since > STUCK:
                self._stop_workers()

    def _workers(self) -> list:
        """The pool's worker processes (None once it is shut down: then none)."""
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def _stop_workers(self) -> None:
        for process in self._workers():
            process.terminate()
        # A worker stopped while it sent its results leaves them cut short, and the pool's thread
        # would wait forever for the rest: with this process's own end of the results pipe
        # closed, it reads an end of file instead and winds the pool down.
        writer = getattr(getattr(self.pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()

    def _renew(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._pool()

    def close(self, ok: bool) -> None:
        if self.pool is not None:
            if not ok:  # stopped (Ctrl-C, SIGTERM, a reader gone): the workers stop now, not after their chunk
                self._stop_workers()
            self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Plan:
    """Where a batch reads and writes: IN and OUT folders, or (`single`) one corpus file into
    another, whose manifest sits beside it."""

    src: Path
    dst: Path
    files: list[str]
    single: str = ""  # OUT's file name, for one corpus file

    def out(self, rel: str) -> str:
        return str(self.dst / (self.single or rel))

    @property
    def manifest(self) -> Path:
        return self.dst / (f".{self.single}{MANIFEST}" if self.single else MANIFEST)

    @property
    def counts(self) -> Path:
        """Where the counts the outputs were made with are kept (for the next run to compare)."""
        return self.dst / (f".{self.single}{COUNTS}" if self.single else COUNTS)


def _plan(src: Path, dst: Path, glob: str, warn: Callable, files: list[str] | None) -> _Plan:
    if src.is_file() or not src.exists():
        if not is_corpus(src.name):
            raise BatchError(f"{src}: IN is a folder, or a corpus file ({' or '.join(CORPUS_SUFFIXES)})")
        gz = src.name.endswith(".gz")
        if dst.name.endswith(".gz") != gz or not is_corpus(dst.name):
            raise BatchError(f"{dst}: OUT must be a corpus file of IN's kind ({CORPUS_SUFFIXES[gz]}), or a folder")
        if dst.resolve() == src.resolve():
            raise BatchError(f"{dst}: OUT is IN: IN is never written to; pick another OUT")
        if dst.is_dir():
            raise BatchError(f"{dst}: a folder, where OUT must be a corpus file")
        return _Plan(src.resolve().parent, dst.resolve().parent, [src.name], dst.name)
    src, dst = check_dirs(src, dst)
    skipped: list[tuple[str, str]] = []
    found = walk(src, (glob, *(f"*{s}" for s in CORPUS_SUFFIXES)), skipped) if files is None else sorted(files)
    for rel, why in skipped:
        warn(f"{shown(rel)}: skipped: {why}")
    return _Plan(src, dst, found)


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
    """Clean every page under src into dst (or the records of corpus file src into corpus file
    dst). `echo` gets diffs, explanations; `warn` one line per failed page or bad record;
    `progress(iterable, length)` may wrap the results for a progress bar; `rules` is the RuleSet
    of options.rules when the caller compiled it already (pool workers compile their own from
    options.rules)."""
    start = time.monotonic()
    plan = _plan(src, dst, options.glob, warn, files)
    src, dst, files = plan.src, plan.dst, plan.files
    refused = refusals(src, files, options.follow_links) if not plan.single else {}
    files = [f for f in files if f not in refused]
    rules = rules or load_rules(**options.rules)
    cleaner = Cleaner(rules)
    summary = Summary(files=len(files) + len(refused), failed=len(refused))
    for rel, why in refused.items():
        warn(f"{shown(rel)}: {why}")
    counts, spill = None, Spill()
    try:
        if cleaner.counts_pages:
            counts = _count(src, files, options, cleaner, spill, warn)
        _clean(plan, files, options, cleaner, counts, rules, summary, echo, warn, progress)
    finally:
        spill.close()
    summary.seconds = time.monotonic() - start
    return summary


def _count(src: Path, files: list[str], options: Options, cleaner: Cleaner, spill: Spill, warn: Callable) -> Table:
    """Pass 1: the table of the keys that recur on enough pages of their site to matter."""
    lost = []  # items whose worker died: they are not counted (pass 2 reports the page)
    counter = _Runner(options.jobs, (options, src, None, None, {}, (False, None)), None,
                      lambda item: lost.append(item) or {})  # fmt: skip
    ok = False
    try:
        for part in counter.map(_count_chunk, _chunks(_units(src, files, options.max_page_mb << 20), COUNT_CHUNK)):
            spill.add(part)
        ok = True
    except OSError as e:
        raise _spill_failed(e) from None
    finally:
        counter.close(ok)
    for item in lost:
        where = shown(item) if isinstance(item, str) else f"{shown(item[0])}:{item[1]}"
        warn(f"a worker died counting {where}: its lines are not counted across pages")
    try:
        return spill.table(cleaner.floor)
    except OSError as e:
        raise _spill_failed(e) from None


def _spill_failed(e: OSError) -> BatchError:
    return BatchError(f"the cross-page counts cannot be written to the temporary folder ({e.filename or '?'}: "
                      f"{e.strerror or e}): set TMPDIR to a folder with room")  # fmt: skip


def _clean(plan: _Plan, files: list[str], options: Options, cleaner: Cleaner, counts: Table | None, rules: RuleSet,
           summary: Summary, echo: Callable, warn: Callable, progress: Callable | None) -> None:  # fmt: skip
    """Pass 2: every page and record cleaned with the counts, written, recorded."""
    src, dst = plan.src, plan.dst
    digest = counts.digest() if counts is not None else ""
    old, unusable = load_manifest(plan.manifest)
    if unusable:
        warn(f"{plan.manifest}: {unusable}: every page is redone")
    # a page is redone when its input, the rules or what its output takes from the counts changed
    previous = (
        {k: (*v, "")[:3] for k, v in old.get("files", {}).items()} if old.get("rules") == rules.fingerprint else {}
    )
    wanted = set(map(key, files))
    done: dict = {} if options.check else {k: v for k, v in previous.items() if k in wanted}
    if not options.check:
        dst.mkdir(parents=True, exist_ok=True)
        if not plan.single:
            sweep(dst)
        _writable(plan.manifest)
    if not plan.single:
        _stale(dst, options, files, summary, echo, warn)
    jsonl = Writer(str(dst / JSONL), create_beside) if options.jsonl and not options.check else None
    corpora = _Corpora(plan, options, previous, summary, done, digest)
    same = old.get("counts") == digest
    earlier = (same, None if same or not previous else load_counts(plan.counts, old.get("counts", "")))
    runner = _Runner(options.jobs, (options, src, dst, counts, previous, earlier), cleaner, lambda item: [_died(item)])
    pages = corpora.pages(files, warn)
    chunk = max(1, min(CHUNK, corpora.length // (4 * options.jobs) or 1))
    results = chain.from_iterable(runner.map(process_chunk, _chunks(pages, chunk)))
    if progress is not None:
        results = progress(results, corpora.length)
    ok, saved, cost = False, time.monotonic(), 0.0
    recorded = not (options.check or options.update)  # golden files (--update) get no manifest among them
    try:
        for outcome in results:
            if outcome.full:  # every page after it would fail the same way
                raise BatchError(
                    f"{dst}: {outcome.full}: the batch stops ({len(done)} pages done, saved if OUT lets it)"
                )
            if outcome.line or outcome.status == "end":
                corpora.take(outcome, echo, warn, jsonl)
                continue
            _tally(summary, outcome, done, echo, warn, jsonl)
            if recorded and time.monotonic() - saved > max(SAVE_EVERY, cost / SAVE_SHARE):
                begun = time.monotonic()
                save_manifest(plan.manifest, rules.fingerprint, digest, done)
                saved = time.monotonic()
                cost = saved - begun
        if not options.check and _fingerprint(options) != rules.fingerprint:
            done.clear()  # what this run wrote may come from either version of the rules
            summary.stale = True
            warn("the rule files changed while the batch ran: no page of this run is recorded as done; run it again")
        ok = True
    finally:
        runner.close(ok)
        corpora.close()
        if not options.check:
            if not ok and not plan.single:
                sweep(dst)  # what workers stopped mid-write left (they are all gone now)
        if recorded:
            try:
                save_counts(plan.counts, counts)
                save_manifest(plan.manifest, rules.fingerprint, digest, done)
            except OSError as e:
                if ok:
                    raise BatchError(f"{dst}: cannot save the manifest: {e.strerror or e}") from None
        if jsonl is not None:
            jsonl.close(ok)


def _stale(dst: Path, options: Options, files: list[str], summary: Summary, echo: Callable, warn: Callable) -> None:
    """Outputs in OUT whose input is gone: reported (--check: as changes), or removed (--prune,
    --update)."""
    if not dst.is_dir():
        return
    inputs = set(files)
    for rel in walk(dst, (options.glob, *(f"*{s}" for s in CORPUS_SUFFIXES))):
        if rel in inputs or rel in (MANIFEST, JSONL, COUNTS) or rel.rsplit("/", 1)[-1].startswith(TMP_PREFIX):
            continue
        if options.check:
            summary.changed += 1
            echo(f"{shown(rel)}: stale: its input is gone (--update or --prune removes it)\n")
        elif options.prune or options.update:
            (dst / rel).unlink(missing_ok=True)
            warn(f"{shown(rel)}: removed: its input is gone")
        else:
            warn(f"{shown(rel)}: its input is gone (--prune removes it)")


def _units(src: Path, files: list[str], limit: int, ends: bool = False) -> Iterator:
    """The pages of a batch in order: a .txt page's path, and for each record of a corpus file
    (path, line, its bytes or None when too long); with `ends`, each corpus file's records are
    followed by (path, 0, None), or (path, 0, why) when it could not be read to its end."""
    for rel in files:
        if not is_corpus(rel):
            yield rel
            continue
        why = None
        try:
            for n, line in enumerate(open_lines(str(src / rel), limit), 1):
                if line is None or line.strip():
                    yield (rel, n, line)
        except (OSError, EOFError) as e:  # gzip's BadGzipFile is an OSError; a cut .gz: EOFError
            why = f"cannot read it to its end: {_why(e)}"
        if ends:
            yield (rel, 0, why)


def _why(e: Exception) -> str:
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


class _Corpora:
    """The driver's side of a batch's corpus files: which are up to date (skipped), the stream of
    pass 2's items, and the outputs of the others, written (or, with --check, compared) as their
    records come back in order. A corpus file with a bad record is written, but not recorded as
    done: the next run reports the record again."""

    def __init__(self, plan: _Plan, options: Options, previous: dict, summary: Summary, done: dict, digest: str):
        self.plan, self.options, self.previous, self.summary, self.done = plan, options, previous, summary, done
        self.digest = digest  # a corpus file is redone when the counts changed at all
        self.length = 0  # pages and records to clean, for a progress bar
        self.hashes: dict[str, str] = {}
        self.open: dict[str, _Output] = {}
        self.refused: set[str] = set()  # corpus files whose output cannot be made

    def pages(self, files: list[str], warn: Callable) -> Iterator:
        """The items of pass 2, less the corpus files that are up to date (counted as skipped)."""
        opt, todo = self.options, []
        quiet = not (opt.check or opt.diff or opt.explain or opt.jsonl or opt.force)
        for rel in files:
            if is_corpus(rel):
                try:
                    in_hash, lines = hash_file(str(self.plan.src / rel))
                except OSError as e:
                    warn(f"{shown(rel)}: cannot read: {e.strerror or e}")
                    self.summary.failed += 1
                    continue
                self.hashes[rel] = in_hash
                old, out = self.previous.get(key(rel)), self.plan.out(rel)
                if quiet and old and old[0] == in_hash and old[2] == self.digest and output_hash(out) == old[1]:
                    self.summary.skipped += 1
                    self.done[key(rel)] = old
                    self.summary.bytes_in += os.stat(self.plan.src / rel).st_size
                    self.summary.bytes_out += os.stat(out).st_size
                    continue
                self.length += lines
            todo.append(rel)
            self.length += 1
        return _units(self.plan.src, todo, opt.max_page_mb << 20, ends=True)

    def take(self, o: Outcome, echo: Callable, warn: Callable, jsonl) -> None:
        """A record's outcome, or a corpus file's end."""
        if o.path in self.refused:  # its output cannot be written: said once, its records pass
            if o.status == "end":
                self.refused.discard(o.path)
            return
        output = self.open.get(o.path)
        if output is None:
            try:
                output = self.open[o.path] = _Output(self.plan, o.path, self.options)
            except OSError as e:
                self.summary.failed += 1
                warn(f"{shown(o.path)}: not written: {e.strerror or e}")
                if o.status != "end":
                    self.refused.add(o.path)
                return
        if o.status == "end":
            del self.open[o.path]
            self._end(output, o, echo, warn)
            return
        self.summary.records += 1
        self.summary.bytes_in += o.bytes_in
        if o.status == "failed":
            output.bad += 1
            self.summary.failed += 1
            warn(o.report)
            return
        self.summary.bytes_out += o.bytes_out
        output.add(o)
        if o.report:
            echo(o.report)
        if jsonl is not None and o.json:
            jsonl.write((o.json + "\n").encode())

    def _end(self, output: _Output, o: Outcome, echo: Callable, warn: Callable) -> None:
        rel = o.path
        if o.report:  # the file could not be read to its end: its output is not written
            output.close(False)
            self.summary.failed += 1
            warn(f"{shown(rel)}: {o.report}: its output is not written")
            return
        try:
            changed = output.close(True)
        except OSError as e:
            self.summary.failed += 1
            warn(f"{shown(rel)}: cannot write {output.path}: {e.strerror or e}")
            return
        if self.options.check:
            self.summary.changed += changed > 0
            if changed:
                echo(output.report())
        elif not output.bad:
            self.done[key(rel)] = (self.hashes[rel], output_hash(output.path), self.digest)

    def close(self) -> None:
        """Stop: what was being written is not put in place."""
        for output in self.open.values():
            output.close(False)
        self.open.clear()


class _Output:
    """One corpus file's output as its records come back: written beside its place (renamed into
    it at the end), or, with --check, compared with the records already there."""

    def __init__(self, plan: _Plan, rel: str, options: Options):
        self.path, self.rel, self.fields, self.bad = plan.out(rel), rel, options.fields, 0
        self.check, self.options = options.check, options
        self.changes: list[str] = []
        if self.check:
            self.missing = not os.path.exists(self.path)
            self.old = iter(()) if self.missing else open_lines(self.path, 1 << 62)
            self.writer = None
        else:
            linked = None if plan.single else linked_folder(str(plan.dst), rel, set())
            if linked is not None:
                raise OSError(errno.EPERM, f"{linked} is a link (a batch never writes through one)")
            self.writer = Writer(self.path, create_beside)

    def add(self, o: Outcome) -> None:
        if self.writer is not None:
            self.writer.write(o.record)
            return
        before = next(self.old, None)
        if before != o.record:
            self.changes.append(self._diff(before, o.record, f"{self.rel}:{o.line}"))

    def _diff(self, before: bytes | None, after: bytes, where: str) -> str:
        field = self.fields.into or self.fields.text

        def text(line: bytes | None) -> str:
            try:
                value = json.loads(line).get(field, "") if line else ""
            except (ValueError, AttributeError):
                value = ""
            return value if isinstance(value, str) else ""

        return unified_diff(text(before), text(after), where) or f"{where}: the record would change\n"

    def report(self) -> str:
        return _coloured("".join(self.changes), self.options)

    def close(self, ok: bool) -> int:
        """Put the output in place (ok) or drop it; with --check, how many records differ."""
        if self.writer is not None:
            self.writer.close(ok)
            return 0
        if self.missing:
            self.changes = [f"{shown(self.rel)}: no output (missing)\n"]
            return 1
        extra = sum(1 for _ in self.old)
        if extra:
            self.changes.append(f"{shown(self.rel)}: {extra} more records than this run makes\n")
        return len(self.changes)


_OUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _writable(manifest: Path) -> None:
    """BatchError, naming OUT, when a file cannot be made beside its manifest (read-only, full,
    not ours)."""
    try:
        fd, tmp = create_beside(manifest)
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise BatchError(f"{manifest.parent}: cannot write there: {e.strerror or e}") from None


def _died(item) -> Outcome:
    if not isinstance(item, str) and not item[1]:
        return Outcome(item[0], "end", report=item[2] or "")
    rel, where, line = (
        (item, shown(item), 0) if isinstance(item, str) else (item[0], f"{shown(item[0])}:{item[1]}", item[1])
    )
    return Outcome(
        rel,
        "failed",
        report=f"{where}: the worker cleaning it died (out of memory, or killed); the rest go on",
        line=line,
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
        jsonl.write((o.json + "\n").encode())
