"""Clean corpora on a Dask cluster: the two passes of `batch`, with Dask doing the counting.

Needs the extra: ``pip install 'clean-articles[dask]'``.

- Pass 1 turns each part of the input into a table of (site, key) rows, one row per line key of
  each page and one (site, 0) row per page, and Dask counts them: a groupby on (site, key),
  spread over the cluster (`split_out`). Only the keys on enough pages of their site to matter
  come back (a few per site: its chrome), as `repeats.Counts`, and go to every worker once.
- Pass 2 cleans each part with those counts, with the same functions a local batch uses
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
from collections.abc import Callable, Iterator
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
from clean_articles.files import TMP_PREFIX, TMP_SUFFIX, PageTooBig
from clean_articles.render import shown
from clean_articles.repeats import Counts, salt, site_of

PIECE_MB = 64  #: a plain corpus file is cleaned in parts of about this size (a .gz file: whole)
PAGES_PER_PIECE = 64  #: .txt pages per part
_META = pd.DataFrame(
    {"site": pd.Series([], dtype="uint64"), "key": pd.Series([], dtype="uint64"), "name": pd.Series([], dtype=object)}
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
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            with Client(cluster) as c:
                yield c
    else:
        with Client(address) as c:
            yield c


# ---------------------------------------------------------------------------------------------
# Pass 1: counts, by Dask


def _frame(pages: list[tuple[str, str]]) -> pd.DataFrame:
    """The (site, key) rows of some pages, given as (text, site): one per line key of each page
    (unsalted: the site is its own column, as its salt: two numbers a row are cheap to group),
    and (site, 0) once per page, which alone carries the site's name."""
    from clean_articles.document import Document
    from clean_articles.repeats import page_keys

    sites: list[int] = []
    keys: list[int] = []
    names: list[str | None] = []
    for text, site in pages:
        found = page_keys(Document.from_text(text))
        sites.extend([salt(site)] * (len(found) + 1))
        keys.append(0)
        keys.extend(found)
        names.append(site)
        names.extend([None] * len(found))
    return pd.DataFrame({"site": pd.Series(sites, dtype="uint64"), "key": pd.Series(keys, dtype="uint64"),
                         "name": pd.Series(names, dtype=object)})  # fmt: skip


def _hot(sizes: pd.Series, floor: int) -> pd.Series:
    """The rows of pages (key 0) and of keys on at least `floor` pages."""
    return sizes[(sizes >= floor) | (sizes.index.get_level_values(1) == 0)]


def count(frames: dd.DataFrame, cleaner: Cleaner) -> Counts:
    """The counts of a batch from its (site, key) rows (`_frame`): a groupby on (site, key) by
    Dask, of which only the pages of each site and the keys on enough of them come back."""
    if not cleaner.counts_pages:
        return Counts()
    floor = cleaner.threshold(1)  # no key on fewer pages can matter on any site
    sizes = frames[["site", "key"]].groupby(["site", "key"]).size(split_out=max(1, frames.npartitions // 8))
    hot = sizes.map_partitions(_hot, floor, meta=sizes._meta)
    names = frames[frames.key == 0][["site", "name"]].drop_duplicates()
    found, names = dask.compute(hot, names)
    name_of = dict(zip(names["site"].tolist(), names["name"].tolist()))
    counts = Counts()
    for (site, key), n in found.items():
        if key == 0:
            counts.sites[name_of[site]] = int(n)
        else:
            counts.recur[int(key) ^ int(site)] = int(n)
    return cleaner.hot(counts)


# ---------------------------------------------------------------------------------------------
# Bags and DataFrames


def clean_bag(bag: db.Bag, cleaner: Cleaner | None = None, *, fields: Fields | None = None) -> db.Bag:
    """Clean a bag of page texts (str) into a bag of clean texts, or a bag of records (dicts)
    into a bag of records whose text field (`fields.text`) holds the clean text (or whose
    `fields.into` does). A record's site is its URL's host (`fields.url`); texts have none. A
    record without a text string is passed on as it is."""
    cleaner, fields = cleaner or Cleaner(), fields or Fields()
    counts = count(
        dd.from_delayed([dask.delayed(_bag_frame)(p, fields) for p in bag.to_delayed()], meta=_META), cleaner
    )
    shared = dask.delayed(counts, traverse=False)
    return bag.map_partitions(_clean_items, cleaner, shared, fields)


def _bag_frame(items: list, fields: Fields) -> pd.DataFrame:
    pages = []
    for item in items:
        if isinstance(item, str):
            pages.append((item, ""))
        elif isinstance(item, dict) and isinstance(item.get(fields.text), str):
            pages.append((item[fields.text], record_site(item, fields)))
    return _frame(pages)


def _clean_items(items: list, cleaner: Cleaner, counts: Counts, fields: Fields) -> list:
    out = []
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
    counts = count(df.map_partitions(_df_frame, column, url, meta=_META), cleaner)
    shared = dask.delayed(counts, traverse=False)
    meta = df._meta.assign(**{into or column: pd.Series([], dtype=object)})
    return df.map_partitions(_clean_df, column, url, into, cleaner, shared, meta=meta)


def _df_frame(part: pd.DataFrame, column: str, url: str | None) -> pd.DataFrame:
    sites = part[url].map(site_of) if url else [""] * len(part)
    return _frame([(t, s) for t, s in zip(part[column], sites) if isinstance(t, str)])


def _clean_df(part: pd.DataFrame, column: str, url: str | None, into: str | None, cleaner: Cleaner,
              counts: Counts) -> pd.DataFrame:  # fmt: skip
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


def _piece_frame(piece: Piece, fs, root: str, options: Options) -> pd.DataFrame:
    """Pass 1 on a part: its (site, key) rows (pages that cannot be read, bad records: none)."""
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
    return _frame(pages)


# ---------------------------------------------------------------------------------------------
# Pass 2 on files


def _tmp(path: str, tag: str) -> str:
    return posixpath.join(posixpath.dirname(path), f"{TMP_PREFIX}{posixpath.basename(path)}-{tag}{TMP_SUFFIX}")


def _clean_piece(piece: Piece, fs, root: str, out_fs, out_root: str, single: str, options: Options,
                 cleaner: Cleaner, counts: Counts) -> dict:  # fmt: skip
    """Pass 2 on a part: pages written to their place, a corpus part's records to a part file;
    what happened, for the summary and the messages."""
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
        bag = db.from_sequence(pieces, partition_size=1) if pieces else None
        counts = Counts()
        if bag is not None and cleaner.counts_pages:
            frames = dd.from_map(_piece_frame, pieces, args=(fs, root, options), meta=_META)
            counts = count(frames, cleaner)
            summary.count_seconds = time.monotonic() - start
        results = []
        corpora: dict[str, int] = {}  # corpus file -> its parts
        for piece in pieces:
            if piece.corpus:
                corpora[piece.corpus] = corpora.get(piece.corpus, 0) + 1
        try:
            if bag is not None:
                shared = dask.delayed(counts, traverse=False)
                results = bag.map(_clean_piece, fs, root, out_fs, out_root, single, options, cleaner, shared).compute()
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
