"""What a batch's pages are cleaned with: the line keys that recur on enough pages of their site,
as a sorted table (`Table`), and how a batch of any size builds it in bounded memory (`Spill`).

A table holds each key (salted by its site, `repeats.salt`) with the pages that hold it, and
each site's pages under the site's marker (`marker`: the salt itself, the salted key 0; line keys
are never 0). Keys and pages are two sorted arrays (12 bytes a key), in memory or in a file mapped
into memory, so that worker processes share one copy that the system may page out; a key is
found by bisection.

A batch's pass 1 sums its counts with `Spill`: in memory up to `BUDGET` keys; past it, in files
by the key's top byte, summed a file at a time, in key order, into the table's file (a file of
more rows than the budget is split again by the next byte). So the memory of the counts is
bounded by the budget whatever the number of pages or sites, and the counts are exact.

>>> t = Table.of_rows([(5, 3), (marker("a.com"), 4)])
>>> t.get(5), t.get(6), t.pages("a.com"), t.pages("b.com")
(3, 0, 4, 0)
"""

from __future__ import annotations

import hashlib
import mmap
import os
import shutil
import tempfile
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from clean_articles.repeats import SiteCounts, salt

BUDGET = 1 << 18  # keys Spill sums in memory (~25 MB)


def marker(site: str) -> int:
    """The key a table holds a site's pages under."""
    return salt(site)


def rows(pages: Iterable[tuple[Iterable[int], str]]) -> Counter:
    """The rows {key: pages} of some pages given as (their keys, salted: `repeats.page_keys`;
    their site): the pages holding each key, and each site's pages under its marker."""
    counted: Counter = Counter()
    for keys, site in pages:
        counted.update(keys)
        counted[marker(site)] += 1
    return counted


class Table:
    """Keys (salted by site) and the pages of their site that hold them, sorted; see the module.

    Build one with `of_rows`, `from_bytes` or `open` (a file); it pickles as its bytes, or as its
    path when it is a file, so pool workers and Dask tasks map the file rather than copy it."""

    def __init__(self, keys, pages, data: bytes | memoryview, path: str | None = None):
        self._keys, self._pages, self.path = keys, pages, path
        self.data = data  # the table's bytes (see to_bytes)
        self._digest = ""

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[int, int]], floor: int = 1) -> Table:
        """A table of the (key, pages) rows on at least `floor` pages, in any order (one row per key)."""
        ordered = sorted((k, n) for k, n in rows if n >= floor)
        return cls.from_bytes(
            array("Q", [k for k, _ in ordered]).tobytes() + array("I", [n for _, n in ordered]).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> Table:
        """The table whose bytes are `data` (`to_bytes`: the keys in order, then their pages);
        ValueError for bytes of the wrong length (a table's digest tells whether it is the one
        wanted)."""
        view = memoryview(data)
        if len(view) % 12:
            raise ValueError("not a table of counts")
        n = len(view) // 12
        return cls(view[: 8 * n].cast("Q"), view[8 * n :].cast("I"), data)

    @classmethod
    def open(cls, path: str | os.PathLike) -> Table:
        """The table in file `path`, mapped into memory (OSError, ValueError)."""
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ) if size else b""
        table = cls.from_bytes(data)
        table.path = os.fspath(path)
        return table

    def __reduce__(self):
        return (Table.open, (self.path,)) if self.path else (Table.from_bytes, (self.to_bytes(),))

    def get(self, key: int, default: int = 0) -> int:
        """The pages holding `key` (a salted key), `default` when it is not in the table."""
        keys = self._keys
        i = bisect_left(keys, key)
        return self._pages[i] if i < len(keys) and keys[i] == key else default

    def pages(self, site: str = "") -> int:
        """The pages of `site` (0: too few for any of its keys to be in the table)."""
        return self.get(marker(site))

    def of(self, site: str) -> SiteCounts:
        """What the pages of one site are cleaned with."""
        return SiteCounts(self.pages(site), self, salt(site), site)

    def items(self) -> Iterable[tuple[int, int]]:
        """(key, pages) of every row, site markers included, in key order."""
        return zip(self._keys, self._pages)

    def __len__(self) -> int:
        return len(self._keys)

    def to_bytes(self) -> bytes:
        return bytes(self.data)

    def digest(self) -> str:
        """A fingerprint of the table, for deciding whether an earlier output is up to date."""
        if not self._digest:
            self._digest = hashlib.sha256(self.data).hexdigest()[:16]
        return self._digest

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and self.digest() == other.digest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __repr__(self) -> str:
        return f"Table(keys={len(self)}, digest={self.digest()})"


class Spill:
    """The counts of a batch, summed in memory up to `budget` keys, then on disk: `add` the rows
    {key: pages} of each chunk of pages (site markers included), then `table` keeps the rows on
    at least `floor` pages. Past the budget, the rows go to files by their key's top byte (in
    `folder`, default: the system's temporary folder), summed a file at a time at the end; a file
    of more rows than the budget is split by the next byte first. `close` removes the files."""

    def __init__(self, budget: int | None = None, folder: str | None = None):
        self.budget, self.folder = budget or BUDGET, folder
        self.spilled = 0  # times the rows went to disk
        self._total: dict[int, int] = {}
        self._dir: str | None = None

    def add(self, counted: dict[int, int]) -> None:
        total = self._total
        get = total.get
        for k, n in counted.items():
            total[k] = get(k, 0) + n
        if len(total) > self.budget:
            self._spill()

    def _spill(self) -> None:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="clean-articles-counts-", dir=self.folder)
        parts = _by_byte(self._total.items(), 56)
        self._total.clear()
        for top, part in parts.items():
            with open(os.path.join(self._dir, f"{top:02x}"), "ab") as f:
                part.tofile(f)
        self.spilled += 1

    def table(self, floor: int) -> Table:
        """The table of the rows on at least `floor` pages (in a file when the rows were spilled)."""
        if self._dir is None:
            return Table.of_rows(self._total.items(), floor)
        self._spill()
        path = os.path.join(self._dir, "table")
        with open(path, "wb") as keys, open(f"{path}.pages", "wb") as pages:
            for top in range(256):
                name = os.path.join(self._dir, f"{top:02x}")
                if os.path.exists(name):
                    self._sum(name, 48, floor, keys, pages)
            pages.close()
            with open(f"{path}.pages", "rb") as f:
                shutil.copyfileobj(f, keys)
        os.unlink(f"{path}.pages")
        return Table.open(path)

    def _sum(self, name: str, shift: int, floor: int, keys, pages) -> None:
        """Sum the rows of one file into the table, in key order (its keys share their bytes above
        `shift`); a file of more rows than the budget is split by the next byte first."""
        if os.path.getsize(name) > 16 * self.budget and shift >= 0:
            with open(name, "rb") as f:
                while block := f.read(1 << 20):
                    rows = array("Q", block)
                    for byte, part in _by_byte(zip(rows[0::2], rows[1::2]), shift).items():
                        with open(f"{name}.{byte:02x}", "ab") as out:
                            part.tofile(out)
            os.unlink(name)
            for byte in range(256):
                if os.path.exists(sub := f"{name}.{byte:02x}"):
                    self._sum(sub, shift - 8, floor, keys, pages)
            return
        rows = array("Q")
        with open(name, "rb") as f:
            rows.frombytes(f.read())
        os.unlink(name)
        total: dict[int, int] = {}
        get = total.get
        for k, n in zip(rows[0::2], rows[1::2]):
            total[k] = get(k, 0) + n
        del rows
        kept = sorted(k for k, n in total.items() if n >= floor)
        array("Q", kept).tofile(keys)
        array("I", [min(total[k], 0xFFFFFFFF) for k in kept]).tofile(pages)

    def close(self) -> None:
        """Remove the spilled files (and the table's, which must no longer be in use)."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self._total.clear()


def _by_byte(rows: Iterable[tuple[int, int]], shift: int) -> dict[int, array]:
    """(key, pages) rows parted by the byte of the key at `shift`, each part an array of
    key, pages, key, pages... (as the spilled files hold them)."""
    parts: dict[int, array] = {}
    for k, n in rows:
        part = parts.get((k >> shift) & 255)
        if part is None:
            part = parts[(k >> shift) & 255] = array("Q")
        part.append(k)
        part.append(n)
    return parts
