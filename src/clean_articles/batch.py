"""Clean a folder of pages into another: two passes, a worker pool, atomic writes, resume.

Pass 1 (only when a rule of kind `recurring` is enabled) counts line fingerprints over the whole
batch (`repeats.py`); pass 2 cleans every page with those counts. Both passes hand out files in
chunks to a pool of worker processes that compile the rules once each (pool initializer); the
counts are summed, and the results come back in sorted path order, so the output is the same
whatever the number of workers and whatever order the files were found in.

Nothing is lost: each output goes to a temporary file in its target folder, then is renamed into
place; IN is never written to. A manifest in OUT (`MANIFEST`) records, per page, the hash of its
input and of its output, with the rule set's fingerprint and the counts' digest; a later run skips
a page whose input, rules and counts are unchanged and whose output is still the one written.
The manifest is rewritten every few seconds (less often as it grows: saving it takes at most
`SAVE_SHARE` of a run) and at the end (also on Ctrl-C), so an interrupted run loses little and
the next one finishes the job.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import itertools
import json
import os
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clean_articles.api import clean_document
from clean_articles.document import Document
from clean_articles.encoding import BinaryInputError, decode, encode
from clean_articles.render import Result, dumps
from clean_articles.render import diff as unified_diff
from clean_articles.repeats import Counts, counted, data_keys
from clean_articles.rules import RuleSet, load_rules

MANIFEST = ".clean-articles-manifest.json"
JSONL = "clean-articles.jsonl"
TMP_PREFIX = ".clean-articles-"
TMP_SUFFIX = ".tmp"
CHUNK = 32
COUNT_CHUNKS = 8  # pass 1 gives each worker about this many chunks: a chunk's counts travel back
# to the driver whole, so a few large chunks cost it far less than many small
READ_SIZE = 1 << 16  # bytes asked for at a time: most pages come in one read
SAVE_EVERY = 5.0  # seconds between manifest saves, at least ...
SAVE_SHARE = 0.05  # ... and saving takes at most this share of a run (a save grows with the batch)


class BatchError(Exception):
    """A batch that cannot start (bad folders); the CLI shows it as one line."""


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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Folders


def check_dirs(src: Path, dst: Path) -> tuple[Path, Path]:
    """Resolve IN and OUT; refuse OUT inside IN, IN inside OUT, or the same folder."""
    src, dst = src.resolve(), dst.resolve()
    if not src.is_dir():
        raise BatchError(f"{src}: not a folder")
    if dst == src or src in dst.parents or dst in src.parents:
        raise BatchError(
            f"OUT ({dst}) and IN ({src}) must not contain each other: IN is never written to; pick an OUT outside IN"
        )
    return src, dst


def walk(src: Path, glob: str) -> list[str]:
    """Relative paths (posix) of the files under src matching glob, sorted: what
    `src.rglob(glob)` finds that is a file."""
    if "/" in glob or "**" in glob:  # a pattern over folders: pathlib's own matcher
        return sorted(p.relative_to(src).as_posix() for p in src.rglob(glob) if p.is_file())
    return sorted(_named(src, glob))


def _named(src: Path, glob: str) -> Iterator[str]:
    """The files under src whose name matches glob (relative posix paths), found in one
    os.scandir() walk, ~20 times as fast as rglob for a large tree: like rglob, it goes into
    hidden folders but not into links to folders, and skips folders it cannot read."""
    match = re.compile(fnmatch.translate(glob)).fullmatch
    todo = [("", str(src))]
    while todo:
        rel, folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except PermissionError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((f"{rel}{entry.name}/", entry.path))
            elif match(entry.name) and _is_file(entry):
                yield rel + entry.name


def _is_file(entry: os.DirEntry) -> bool:
    """A file or a link to one. A link that loops is not; one whose target may not be looked at
    is taken, and reading it will say why it failed."""
    try:
        return entry.is_file()
    except OSError as e:
        return e.errno != errno.ELOOP


# ---------------------------------------------------------------------------------------------
# Worker side: state set once per process by the pool initializer


_STATE: dict = {}


def _init(options: Options, src: Path, dst: Path, counts: Counts | None, manifest: dict, rules: RuleSet | bool) -> None:
    """Set the worker's state with `rules`: True to compile them here (a pool worker), False
    for none (counting needs none), or the RuleSet itself (in the driver's own process)."""
    _STATE.update(
        options=options,
        src=src,
        dst=dst,
        counts=counts,
        manifest=manifest,
        rules=load_rules(**options.rules) if rules is True else rules or None,
    )


def _init_worker(*args) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them; a worker stopped mid-write
    leaves at most a temporary file, swept by the next run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init(*args)


def _read(path: str) -> bytes:
    """A file's bytes, by plain os-level calls: a batch reads every file twice, and pathlib's
    read_bytes() takes twice as long (a file object adds a stat and buffering)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        parts = []
        while part := os.read(fd, READ_SIZE):
            parts.append(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)


def _count_chunk(paths: list[str]) -> Counts:
    counts = Counts()
    for rel in paths:
        try:
            data = _read(os.path.join(_STATE["src"], rel))
        except OSError:
            continue  # reported by pass 2
        if b"\0" not in data:  # else binary, reported by pass 2 (encoding.decode)
            counts.add_page(data_keys(data))
    return counts


_TMP_NAMES = itertools.count()


def _create_beside(path: str | Path) -> tuple[int, str]:
    """A new temporary file in path's folder (made if missing): its descriptor and its name. It
    gets the permissions any new file gets (the umask's), as a file the shell writes would."""
    folder = os.path.dirname(path)
    made = False
    while True:
        tmp = os.path.join(folder, f"{TMP_PREFIX}{os.getpid()}-{next(_TMP_NAMES)}{TMP_SUFFIX}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:  # left by an earlier process of the same id: take another name
            continue
        except FileNotFoundError:
            if made:
                raise
            os.makedirs(folder, exist_ok=True)
            made = True


def _write(path: str | Path, data: bytes) -> None:
    """Write data to a temporary file beside path, then rename it into place. Plain os-level
    calls: a file object and pathlib would triple the cost of writing a page."""
    fd, tmp = _create_beside(path)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def process(rel: str) -> Outcome:
    """Clean one page (in a worker): skip it if up to date, write it, or compare it (--check)."""
    opt: Options = _STATE["options"]
    dst = os.path.join(_STATE["dst"], rel)
    try:
        data = _read(os.path.join(_STATE["src"], rel))
        text, bom = decode(data)
    except BinaryInputError as e:
        return Outcome(rel, "failed", report=f"{rel}: {e}")
    except OSError as e:
        return Outcome(rel, "failed", report=f"{rel}: cannot read: {e.strerror or e}")
    in_hash = _sha(data)
    old = _STATE["manifest"].get(rel)
    quiet = not (opt.check or opt.diff or opt.explain or opt.jsonl)
    if quiet and not opt.force and old and old[0] == in_hash and _output_hash(dst) == old[1]:
        return Outcome(rel, "skipped", len(data), os.stat(dst).st_size, in_hash, old[1])
    result = clean_page(text, _STATE["rules"], _STATE["counts"])
    out = encode(result.text, bom)
    outcome = Outcome(rel, "done", len(data), len(out), in_hash, _sha(out))
    if opt.check:
        try:
            before = _read(dst)
        except OSError:
            before = None
        outcome.status = "same" if before == out else "changed"
        if before != out:
            outcome.report = unified_diff(decode(before or b"", allow_binary=True)[0], result.text, rel)
        return outcome
    try:
        _write(dst, out)
    except OSError as e:
        return Outcome(rel, "failed", report=f"{rel}: cannot write {dst}: {e.strerror or e}")
    if opt.diff:
        outcome.report = result.diff(rel)
    elif opt.explain:
        outcome.report = result.explain(rel)
    if opt.jsonl:
        outcome.json = dumps(result.to_json(rel))
    return outcome


def _output_hash(path: str) -> str | None:
    try:
        return _sha(_read(path))
    except OSError:
        return None


def clean_page(text: str, rules: RuleSet, counts: Counts | None) -> Result:
    """One page as the batch cleans it: pipe mode plus the batch's cross-page counts."""
    return clean_document(Document.from_text(text), rules, text, repeats=counts)


# ---------------------------------------------------------------------------------------------
# Driver


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[k : k + size] for k in range(0, len(items), size)]


class _Runner:
    """Runs a function over items in this process (jobs=1) or in a pool, results in item order.
    Pool workers compile the rules themselves; this process uses `rules` as they are."""

    def __init__(self, jobs: int, initargs: tuple, rules: RuleSet | None):
        from multiprocessing import Pool  # here: importing it costs every start ~10 ms, pipe mode too

        self.pool = Pool(jobs, _init_worker, initargs + (rules is not None,)) if jobs > 1 else None
        if self.pool is None:
            _init(*initargs, rules or False)

    def map(self, fn: Callable, items: list, chunksize: int) -> Iterator:
        if self.pool is None:
            return map(fn, items)
        return self.pool.imap(fn, items, chunksize=chunksize)

    def close(self, ok: bool) -> None:
        if self.pool is not None:
            (self.pool.close if ok else self.pool.terminate)()
            self.pool.join()


def load_manifest(dst: Path) -> dict:
    try:
        data = json.loads((dst / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("version") == 1 else {}
    except (OSError, ValueError):
        return {}


def save_manifest(dst: Path, rules: str, counts: str, files: dict) -> None:
    body = {"version": 1, "rules": rules, "counts": counts, "files": dict(sorted(files.items()))}
    # compact: json's C encoder (an indented dump is written in Python, at twice the cost)
    _write(dst / MANIFEST, (json.dumps(body, separators=(",", ":")) + "\n").encode())


def sweep(dst: Path) -> None:
    """Remove temporary files a killed run left behind."""
    if dst.is_dir():
        for tmp in list(_named(dst, f"{TMP_PREFIX}*{TMP_SUFFIX}")):
            (dst / tmp).unlink(missing_ok=True)


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
    files = walk(src, options.glob) if files is None else sorted(files)
    rules = rules or load_rules(**options.rules)
    summary = Summary(files=len(files))
    counts = None
    if any(r.kind == "recurring" for r in rules.rules):
        counter = _Runner(options.jobs, (options, src, dst, None, {}), None)
        counts, ok = Counts(), False
        try:
            size = max(CHUNK, -(-len(files) // (COUNT_CHUNKS * options.jobs)))
            for part in counter.map(_count_chunk, _chunks(files, size), 1):
                counts.merge(part)
            ok = True
        finally:
            counter.close(ok)
        counts.prune()
        counted()
        summary.count_seconds = time.monotonic() - start
    digest = counts.digest() if counts is not None else ""
    old = load_manifest(dst)
    same_rules = old.get("rules") == rules.fingerprint and old.get("counts") == digest
    previous = {k: tuple(v) for k, v in old.get("files", {}).items()} if same_rules else {}
    wanted = set(files)
    done: dict = {} if options.check else {k: v for k, v in previous.items() if k in wanted}
    if not options.check:
        dst.mkdir(parents=True, exist_ok=True)
        sweep(dst)
    jsonl = _JsonLines(dst / JSONL) if options.jsonl and not options.check else None
    runner = _Runner(options.jobs, (options, src, dst, counts, previous), rules)
    results = runner.map(process, files, max(1, min(CHUNK, len(files) // (4 * options.jobs) or 1)))
    if progress is not None:
        results = progress(results, len(files))
    ok, saved, cost = False, time.monotonic(), 0.0
    try:
        for outcome in results:
            _tally(summary, outcome, done, echo, warn, jsonl)
            if not options.check and time.monotonic() - saved > max(SAVE_EVERY, cost / SAVE_SHARE):
                begun = time.monotonic()
                save_manifest(dst, rules.fingerprint, digest, done)
                saved = time.monotonic()
                cost = saved - begun
        ok = True
    finally:
        runner.close(ok)
        if not options.check:
            save_manifest(dst, rules.fingerprint, digest, done)
        if jsonl is not None:
            jsonl.close(ok)
    summary.seconds = time.monotonic() - start
    return summary


def _tally(summary: Summary, o: Outcome, done: dict, echo, warn, jsonl) -> None:
    if o.status == "failed":
        summary.failed += 1
        done.pop(o.path, None)
        warn(o.report)
        return
    summary.skipped += o.status == "skipped"
    summary.changed += o.status == "changed"
    summary.bytes_in += o.bytes_in
    summary.bytes_out += o.bytes_out
    if o.status in ("done", "skipped"):
        done[o.path] = (o.in_hash, o.out_hash)
    if o.report:
        echo(o.report)
    if jsonl is not None and o.json:
        jsonl.write(o.json)


class _JsonLines:
    """OUT/clean-articles.jsonl, one page per line in path order, renamed into place at the end."""

    def __init__(self, path: Path):
        self.path = path
        fd, self.tmp = _create_beside(path)
        self.f = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, line: str) -> None:
        self.f.write(line + "\n")

    def close(self, ok: bool) -> None:
        self.f.close()
        if ok:
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)
