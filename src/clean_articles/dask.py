"""Clean corpora on a Dask cluster: the two passes of `batch`, with Dask doing the counting.

Needs the extra: ``pip install 'clean-articles[dask]'``.

- Pass 1 turns each part of the input into rows (key, pages, part): each line key of its pages
  (salted by site) and each site's marker, with the part's pages that hold it (`table.rows`).
  Dask brings each key's rows together (a shuffle on the key), sums them, keeps the keys on
  enough pages of their site to matter, and sends each part the rows of its own keys (a shuffle
  on the part). No table of the whole batch is held anywhere, so memory is bounded by the parts,
  whatever the number of pages and sites.
- Pass 2 cleans each part with its table, with the same functions a local batch uses
  (`corpus.clean_page`, `corpus.clean_record`), so the output is byte for byte the local one,
  whatever the number of parts and workers.

Three ways in: `clean_bag` (a dask.bag of texts or of record dicts), `clean_dataframe` (a
column of a dask DataFrame), and `run` (what `clean-articles batch IN OUT --dask ADDRESS` does:
folders of pages and corpus files, local paths or any fsspec URL, s3://... included).
"""

from __future__ import annotations

import contextlib
import dataclasses
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import dask
import dask.bag as db
import dask.dataframe as dd
import fsspec
import pandas as pd

from clean_articles.batch import Options, Summary
from clean_articles.cleaner import Cleaner
from clean_articles.corpus import SUFFIXES as CORPUS_SUFFIXES
from clean_articles.corpus import (
    BadRecord,
    Fields,
    clean_page,
    clean_record,
    is_corpus,
    lines_of,
    page_site,
    page_text,
    present,
    record_page,
    record_site,
)
from clean_articles.document import Document
from clean_articles.files import TMP_PREFIX, TMP_SUFFIX, PageTooBig
from clean_articles.render import shown
from clean_articles.repeats import page_keys, site_of
from clean_articles.table import Table, rows

PIECE_MB = 64  #: a plain corpus file is cleaned in parts of about this size (a .gz file: whole)
PAGES_PER_PIECE = 64  #: .txt pages per part
_META = pd.DataFrame(
    {"key": pd.Series([], dtype="uint64"), "pages": pd.Series([], dtype="int64"), "part": pd.Series([], dtype="int64")}
)


@contextlib.contextmanager
def client(address: str) -> Iterator:
    """A distributed Client: of a new LocalCluster of N worker processes for "local:N", or of the
    scheduler at `address` (tcp://host:8786, say)."""
    from distributed import Client, LocalCluster

    if address.startswith("local:"):
        try:
            n = int(address.removeprefix("local:"))
        except ValueError:
            raise ValueError(f"--dask {address}: local:N, N a number of worker processes") from None
        # the workers' sampling profiler (every 10 ms) costs a cleaning task ~20% of its time
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
                with Client(cluster) as c:
                    yield c
    else:
        with Client(address) as c:
            yield c


# ---------------------------------------------------------------------------------------------
# Pass 1: counts, by Dask


def _frame(pages: Iterable[tuple[str, str]], part: int) -> pd.DataFrame:
    """The rows of a part's pages, given as (text, site): each key of the part (salted by its
    site) and each site's marker, with the part's pages that hold it (`table.rows`)."""
    counted = rows((page_keys(Document.from_text(text), site), site) for text, site in pages)
    return pd.DataFrame({"key": pd.Series(list(counted), dtype="uint64"),
                         "pages": pd.Series(list(counted.values()), dtype="int64"),
                         "part": pd.Series([part] * len(counted), dtype="int64")})  # fmt: skip


def _recurring(rows: pd.DataFrame, floor: int) -> pd.DataFrame:
    """Rows of whole keys (a shuffle brought each key's rows together): those of the keys on at
    least `floor` pages in all, with that number."""
    pages = rows.groupby("key")["pages"].transform("sum")
    kept = pages >= floor
    return rows[kept].assign(pages=pages[kept])


def tables(frames: dd.DataFrame, cleaner: Cleaner) -> list | None:
    """The counts of a batch from its rows (`_frame`, one partition per part, `part` its place):
    for each part, the table of its own keys that recur enough to matter (a delayed pandas
    DataFrame; `_table` makes it a Table). Dask sums each key's rows over the cluster (a shuffle
    on the key), keeps the keys on enough pages, and sends each part's rows to that part (a
    shuffle on the part): no table of the whole batch is ever held anywhere. None when no rule
    counts pages."""
    if not cleaner.counts_pages:
        return None
    parts = frames.npartitions
    # task-based shuffles: peer-to-peer ones fail when the parts come from delayed objects (bags)
    summed = frames.shuffle(on="key", npartitions=max(1, parts // 8), shuffle_method="tasks")
    summed = summed.map_partitions(_recurring, cleaner.floor)
    return summed.set_index("part", divisions=list(range(parts + 1)), shuffle_method="tasks").to_delayed()


def _table(rows: pd.DataFrame | None) -> Table | None:
    return None if rows is None else Table.of_rows(zip(rows["key"].tolist(), rows["pages"].tolist()))


# ---------------------------------------------------------------------------------------------
# Bags and DataFrames


def clean_bag(bag: db.Bag, cleaner: Cleaner | None = None, *, fields: Fields | None = None) -> db.Bag:
    """Clean a bag of page texts (str) into a bag of clean texts, or a bag of records (dicts)
    into a bag of records whose text field (`fields.text`) holds the clean text (or whose
    `fields.into` does). A record's site is its URL's host (`fields.url`); texts have none. A
    record without a text string is passed on as it is."""
    cleaner, fields = cleaner or Cleaner(), fields or Fields()
    parts = bag.to_delayed()
    frames = dd.from_delayed([dask.delayed(_bag_frame)(p, fields, k) for k, p in enumerate(parts)], meta=_META)
    found = tables(frames, cleaner) or [None] * len(parts)
    one = dask.delayed(cleaner)
    return db.from_delayed([dask.delayed(_clean_items)(p, one, t, fields) for p, t in zip(parts, found)])


def _bag_frame(items: list, fields: Fields, part: int) -> pd.DataFrame:
    pages = []
    for item in items:
        if isinstance(item, str):
            pages.append((item, ""))
        elif isinstance(item, dict) and isinstance(item.get(fields.text), str):
            pages.append((item[fields.text], record_site(item, fields)))
    return _frame(pages, part)


def _clean_items(items: list, cleaner: Cleaner, rows: pd.DataFrame | None, fields: Fields) -> list:
    counts, out = _table(rows), []
    for item in items:
        if isinstance(item, str):
            out.append(cleaner.clean(item, counts).text)
        elif isinstance(item, dict) and isinstance(item.get(fields.text), str):
            result = cleaner.clean(item[fields.text], counts, record_site(item, fields))
            out.append({**item, (fields.into or fields.text): result.text})
        else:
            out.append(item)
    return out


def clean_dataframe(
    df: dd.DataFrame, column: str = "text", cleaner: Cleaner | None = None, *, url: str | None = "url",
    into: str | None = None,
) -> dd.DataFrame:  # fmt: skip
    """A dask DataFrame whose `column` (or a new column `into`) holds the clean text of `column`;
    a row's site is the host of its `url` column (None: no sites)."""
    cleaner = cleaner or Cleaner()
    url = url if url in df.columns else None
    parts = df.to_delayed()
    frames = dd.from_delayed([dask.delayed(_df_frame)(p, column, url, k) for k, p in enumerate(parts)], meta=_META)
    found = tables(frames, cleaner) or [None] * len(parts)
    meta = df._meta.assign(**{into or column: pd.Series([], dtype=object)})
    one = dask.delayed(cleaner)
    cleaned = [dask.delayed(_clean_df)(p, column, url, into, one, t) for p, t in zip(parts, found)]
    return dd.from_delayed(cleaned, meta=meta, divisions=df.divisions)


def _df_frame(part: pd.DataFrame, column: str, url: str | None, k: int) -> pd.DataFrame:
    sites = part[url].map(site_of) if url else [""] * len(part)
    return _frame([(t, s) for t, s in zip(part[column], sites) if isinstance(t, str)], k)


def _clean_df(part: pd.DataFrame, column: str, url: str | None, into: str | None, cleaner: Cleaner,
              rows: pd.DataFrame | None) -> pd.DataFrame:  # fmt: skip
    counts = _table(rows)
    sites = part[url].map(site_of) if url else [""] * len(part)
    texts = [cleaner.clean(t, counts, s).text if isinstance(t, str) else t for t, s in zip(part[column], sites)]
    return part.assign(**{into or column: pd.Series(texts, index=part.index, dtype=object)})


# ---------------------------------------------------------------------------------------------
# Files: what `batch --dask` does


@dataclass(frozen=True)
class Piece:
    """A part of a batch's input: some .txt pages (`rels`), or the lines of a corpus file from
    byte `start` to `end` (-1: its end), the first of which is line `first`."""

    rels: tuple[str, ...] = ()
    corpus: str = ""
    start: int = 0
    end: int = -1
    first: int = 1
    index: int = 0  # its place among its file's parts


def _join(root: str, rel: str) -> str:
    return posixpath.join(root, rel) if rel else root


def plan(src: str, options: Options, piece_size: int = PIECE_MB << 20, pages_per_piece: int = PAGES_PER_PIECE) -> tuple:
    """The file system, the root, the files and the parts of the input at `src` (a folder, or a
    corpus file), and whether it is one corpus file."""
    fs, root = fsspec.core.url_to_fs(src)
    single = fs.isfile(root)
    if single:
        if not is_corpus(root):
            raise ValueError(f"{src}: IN is a folder, or a corpus file ({' or '.join(CORPUS_SUFFIXES)})")
        found, root = [posixpath.basename(root)], posixpath.dirname(root)
    else:
        import fnmatch

        globs = (options.glob, *(f"*{s}" for s in CORPUS_SUFFIXES))
        found = sorted(
            rel
            for path in fs.find(root)
            if any(fnmatch.fnmatchcase(posixpath.basename(rel := posixpath.relpath(path, root)), g) for g in globs)
        )
    pieces: list[Piece] = []
    pages = [rel for rel in found if not is_corpus(rel)]
    for k in range(0, len(pages), pages_per_piece):
        pieces.append(Piece(rels=tuple(pages[k : k + pages_per_piece])))
    for rel in found:
        if is_corpus(rel):
            pieces.extend(_split(fs, _join(root, rel), rel, piece_size))
    return fs, root, found, pieces, single


def _split(fs, path: str, rel: str, size: int) -> list[Piece]:
    """The parts of a corpus file: a .gz file whole; a plain one cut at line starts about every
    `size` bytes (reading only the line each cut falls in; `numbered` gives their first lines'
    numbers)."""
    total = fs.size(path)
    if path.endswith(".gz") or total <= size:
        return [Piece(corpus=rel)]
    pieces, start = [], 0
    with fs.open(path, "rb") as f:
        while True:
            f.seek(start + size)
            f.readline()  # to the end of the line the cut falls in
            end = f.tell()
            if end >= total or end == start:
                pieces.append(Piece(corpus=rel, start=start, first=0, index=len(pieces)))
                return pieces
            pieces.append(Piece(corpus=rel, start=start, end=end, first=0, index=len(pieces)))
            start = end


def _newlines(fs, path: str, start: int, end: int) -> int:
    """The line feeds of a file from byte `start` to `end`."""
    count, left = 0, end - start
    with fs.open(path, "rb") as f:
        f.seek(start)
        while left > 0 and (block := f.read(min(left, 1 << 20))):
            count += block.count(b"\n")
            left -= len(block)
    return count


def numbered(pieces: list[Piece], fs, root: str) -> list[Piece]:
    """The parts with their first lines' numbers, the line feeds before each counted on the
    cluster, a part at a time (not by reading whole files here)."""
    cut = [p for p in pieces if p.corpus and p.first == 0 and p.end >= 0]
    counts = dask.compute(*[dask.delayed(_newlines)(fs, _join(root, p.corpus), p.start, p.end) for p in cut])
    lines = {(p.corpus, p.index): n for p, n in zip(cut, counts)}
    out, first = [], {}
    for p in pieces:
        if p.corpus and p.first == 0:
            start = first.get(p.corpus, 1)
            first[p.corpus] = start + lines.get((p.corpus, p.index), 0)
            p = dataclasses.replace(p, first=start)
        out.append(p)
    return out


def _lines(fs, root: str, piece: Piece, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a corpus part, blank lines left out (numbered all the same)."""
    path = _join(root, piece.corpus)
    with fs.open(path, "rb", compression="gzip" if path.endswith(".gz") else None) as f:
        if piece.start:
            f.seek(piece.start)
        stream = f if piece.end < 0 else _Bounded(f, piece.end - piece.start)
        for n, line in enumerate(lines_of(stream, limit), piece.first):
            if line is None or line.strip():
                yield n, line


class _Bounded:
    """A binary stream read no further than `left` bytes."""

    def __init__(self, f, left: int):
        self.f, self.left = f, left

    def readline(self, limit: int = -1) -> bytes:
        want = self.left if limit < 0 else min(limit, self.left)
        line = self.f.readline(want) if want > 0 else b""
        self.left -= len(line)
        return line


def _piece_frame(part: int, piece: Piece, fs, root: str, options: Options) -> pd.DataFrame:
    """Pass 1 on a part: its rows (`_frame`; pages that cannot be read, bad records: none)."""
    limit = options.max_page_mb << 20
    pages = []
    for rel in piece.rels:
        try:
            with fs.open(_join(root, rel), "rb") as f:
                data = f.read(limit + 1)
            if len(data) <= limit:
                text = page_text(data, allow_binary=options.allow_binary, limit=limit)[0]
                pages.append((text, page_site(options.sites, posixpath.dirname(rel)) or ""))
        except (OSError, ValueError):  # BinaryInputError, a broken .gz, one too big unpacked
            continue
    if piece.corpus:
        fixed = page_site(options.sites, posixpath.dirname(piece.corpus))
        for _, line in _lines(fs, root, piece, limit):
            if (page := record_page(line, options.fields, fixed)) is not None:
                pages.append(page)
    return _frame(pages, part)


# ---------------------------------------------------------------------------------------------
# Pass 2 on files


def _tmp(path: str, tag: str) -> str:
    return posixpath.join(posixpath.dirname(path), f"{TMP_PREFIX}{posixpath.basename(path)}-{tag}{TMP_SUFFIX}")


def _clean_piece(piece: Piece, fs, root: str, out_fs, out_root: str, single: str, options: Options,
                 cleaner: Cleaner, rows: pd.DataFrame | None) -> dict:  # fmt: skip
    """Pass 2 on a part, with its table: pages written to their place, a corpus part's records
    to a part file; what happened, for the summary and the messages."""
    counts = _table(rows)
    limit = options.max_page_mb << 20
    got = {"files": 0, "records": 0, "failed": 0, "bytes_in": 0, "bytes_out": 0, "messages": []}
    for rel in piece.rels:
        got["files"] += 1
        try:
            with fs.open(_join(root, rel), "rb") as f:
                data = f.read(limit + 1)
            if len(data) > limit:
                raise PageTooBig(limit)
            site = page_site(options.sites, posixpath.dirname(rel)) or ""
            _, out = clean_page(cleaner, data, counts, site, allow_binary=options.allow_binary, limit=limit)
            _write(out_fs, _join(out_root, rel), out)
        except ValueError as e:  # BinaryInputError, PageTooBig, a broken .gz
            got["failed"] += 1
            got["messages"].append(f"{shown(rel)}: {e}")
            continue
        except OSError as e:
            got["failed"] += 1
            got["messages"].append(f"{shown(rel)}: {e.strerror or e}")
            continue
        got["bytes_in"] += len(data)
        got["bytes_out"] += len(out)
    if piece.corpus:
        fixed = page_site(options.sites, posixpath.dirname(piece.corpus))
        target = _join(out_root, single or piece.corpus)
        out_fs.makedirs(posixpath.dirname(target), exist_ok=True)
        with out_fs.open(_tmp(target, f"part-{piece.index:06}"), "wb") as part:
            try:
                for n, line in _lines(fs, root, piece, limit):
                    got["records"] += 1
                    got["bytes_in"] += len(line or b"")
                    try:
                        _, out = clean_record(cleaner, present(line, limit), options.fields, counts, fixed)
                    except BadRecord as e:
                        got["failed"] += 1
                        got["messages"].append(f"{shown(piece.corpus)}:{n}: skipped: {e}")
                        continue
                    part.write(out)
                    got["bytes_out"] += len(out)
            except (OSError, EOFError) as e:
                got["broken"] = f"cannot read it to its end: {getattr(e, 'strerror', None) or e}"
    return got


def _write(fs, path: str, data: bytes) -> None:
    """Write a file through a temporary one renamed into place."""
    parent = posixpath.dirname(path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    tmp = _tmp(path, "page")
    with fs.open(tmp, "wb") as f:
        f.write(data)
    fs.mv(tmp, path)


def _assemble(out_fs, target: str, parts: int, ok: bool) -> None:
    """A corpus file's output from its parts, in order (gzipped as one stream, as a local batch
    writes it, when its name ends with .gz), renamed into place; the parts removed."""
    import gzip

    names = [_tmp(target, f"part-{k:06}") for k in range(parts)]
    try:
        if ok:
            tmp = _tmp(target, "whole")
            with out_fs.open(tmp, "wb") as raw:
                sink = gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if target.endswith(".gz") else raw
                for name in names:
                    with out_fs.open(name, "rb") as f:
                        while block := f.read(1 << 20):
                            sink.write(block)
                if sink is not raw:
                    sink.close()
            out_fs.mv(tmp, target)
    finally:
        for name in names:
            if out_fs.exists(name):
                out_fs.rm(name)


def run(src: str, dst: str, options: Options, address: str, *, echo: Callable[[str], None] = print,
        warn: Callable[[str], None] = print, piece_size: int = PIECE_MB << 20,
        pages_per_piece: int = PAGES_PER_PIECE) -> Summary:  # fmt: skip
    """Clean every page and record under src (a folder or a corpus file; a path or a URL) into
    dst, on the Dask cluster at `address` (or "local:N"): the same output as a local batch,
    whatever the size of the parts (`piece_size` bytes of a plain corpus file, `pages_per_piece`
    .txt pages)."""
    start = time.monotonic()
    fs, root, found, pieces, one = plan(src, options, piece_size, pages_per_piece)
    out_fs, out_root = fsspec.core.url_to_fs(dst)
    single = ""
    if one:
        if out_fs.isdir(out_root) or found[0].endswith(".gz") != out_root.endswith(".gz") or not is_corpus(out_root):
            raise ValueError(
                f"{dst}: OUT must be a corpus file of IN's kind ({CORPUS_SUFFIXES[found[0].endswith('.gz')]})"
            )
        single, out_root = posixpath.basename(out_root), posixpath.dirname(out_root)
        if single == found[0] and out_root == root and out_fs.protocol == fs.protocol:
            raise ValueError(f"{dst}: OUT is IN: IN is never written to; pick another OUT")
    elif out_fs.protocol == fs.protocol and any(a == b or b.startswith(a.rstrip("/") + "/")
                                                for a, b in ((root, out_root), (out_root, root))):  # fmt: skip
        raise ValueError(f"OUT ({dst}) and IN ({src}) must not contain each other: IN is never written to")
    out_fs.makedirs(out_root, exist_ok=True)
    cleaner = Cleaner(**_cleaner_options(options))
    summary = Summary()
    with client(address):
        pieces = numbered(pieces, fs, root)
        per_part = [None] * len(pieces)
        if pieces and cleaner.counts_pages:
            frames = dd.from_map(_piece_frame, range(len(pieces)), pieces, args=(fs, root, options), meta=_META)
            per_part = tables(frames, cleaner)
        results = []
        corpora: dict[str, int] = {}  # corpus file -> its parts
        for piece in pieces:
            if piece.corpus:
                corpora[piece.corpus] = corpora.get(piece.corpus, 0) + 1
        try:
            if pieces:
                one = [dask.delayed(x) for x in (fs, out_fs, options, cleaner)]
                results = dask.compute(*[dask.delayed(_clean_piece)(piece, one[0], root, one[1], out_root, single, one[2],
                                                                    one[3], rows)
                                         for piece, rows in zip(pieces, per_part)])  # fmt: skip
        finally:
            broken = {p.corpus for p, got in zip(pieces, results) if "broken" in got}
            dask.compute(*[dask.delayed(_assemble)(out_fs, _join(out_root, single or rel), parts,
                                                   bool(results) and rel not in broken)
                           for rel, parts in corpora.items()])  # fmt: skip
    summary.files = len(found)
    for piece, got in zip(pieces, results):
        for message in got["messages"]:
            warn(message)
        if "broken" in got:
            warn(f"{shown(piece.corpus)}: {got['broken']}: its output is not written")
            summary.failed += 1
        for field in ("records", "failed", "bytes_in", "bytes_out"):
            setattr(summary, field, getattr(summary, field) + got[field])
    summary.seconds = time.monotonic() - start
    return summary


def _cleaner_options(options: Options) -> dict:
    opts = dict(options.rules)
    return {"rules": opts.pop("paths", ()), **{k: v for k, v in opts.items() if k != "strict"}}
