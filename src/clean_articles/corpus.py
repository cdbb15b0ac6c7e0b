"""Pages as bytes in and out, and corpora of JSON Lines: what a batch, a worker pool and Dask
all do to one page or one record, so that they cannot disagree.

A corpus file (`.jsonl`, or `.jsonl.gz`) holds one JSON object per line, a page each. A record
keeps every field it had (re-serialised, in its order); its text field (`Fields.text`) gets the
clean text, or another field does (`Fields.into`), and `--with-removals` adds what was removed
under `clean_articles`. A line that is no JSON object, lacks the text field or holds no string
there is a `BadRecord`: reported with its file and line, never written, and the rest go on.

A record's site, for cross-page counts, is the host of its URL field (see `repeats.site_of`).

>>> from clean_articles import Cleaner
>>> line = b'{"id": 7, "text": "Skip to main content\\\\nA headline\\\\n", "lang": "en"}'
>>> clean_record(Cleaner(), line, Fields())[1]
b'{"id": 7, "text": "A headline\\\\n", "lang": "en"}\\n'
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from clean_articles.cleaner import Cleaner
from clean_articles.document import Document
from clean_articles.encoding import decode, encode
from clean_articles.files import GZIP, MAX_PAGE_MB, gunzip, gzipped
from clean_articles.render import Result, dumps
from clean_articles.repeats import page_keys, site_of
from clean_articles.table import Table

SUFFIXES = (".jsonl", ".jsonl.gz")
SITES = ("url", "folder", "none")  # where a page's site comes from (see `page_site`)


def is_corpus(name: str) -> bool:
    """Whether a file name is that of a corpus of JSON Lines (`.jsonl` or `.jsonl.gz`)."""
    return name.endswith(SUFFIXES)


@dataclass(frozen=True)
class Fields:
    """The fields of a corpus's records that cleaning reads and writes."""

    text: str = "text"  #: the raw page
    id: str = "id"  #: what names a record in messages
    url: str = "url"  #: where its site comes from
    into: str | None = None  #: the field the clean text goes to (default: `text`'s)
    removals: bool = False  #: also write what was removed, under "clean_articles"


class BadRecord(ValueError):
    """A line of a corpus that is not a record with a text to clean."""


def parse(line: bytes, fields: Fields) -> tuple[dict, str]:
    """A record and its text; BadRecord saying why it is none."""
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        raise BadRecord("not UTF-8") from None
    except ValueError as e:
        raise BadRecord(f"not JSON ({e})") from None
    except RecursionError:
        raise BadRecord("not JSON (nested too deep)") from None
    if not isinstance(record, dict):
        raise BadRecord(f"a JSON {type(record).__name__}, not an object")
    if fields.text not in record:
        raise BadRecord(f'a record{name_of(record, fields)} with no "{fields.text}" field (--text-field names another)')
    text = record[fields.text]
    if not isinstance(text, str):
        raise BadRecord(f'"{fields.text}" of the record{name_of(record, fields)} is a {_json_type(text)}, not a string')
    return record, text


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}.get(type(value), "null")


def name_of(record: dict, fields: Fields) -> str:
    """How messages name a record: its id, when it has one."""
    value = record.get(fields.id)
    return f" (id {json.dumps(value, ensure_ascii=False)})" if isinstance(value, str | int) else ""


def page_site(sites: str, folder: str) -> str | None:
    """The site of the pages of a file at `folder` (relative to IN) under the `--sites` mode:
    None when each record's URL says (url), the top folder (folder), or one group ("")."""
    if sites == "folder":
        return folder.split("/", 1)[0] if folder else ""
    return None if sites == "url" else ""


def clean_page(cleaner: Cleaner, data: bytes, counts: Table | None = None, site: str = "", *,
               allow_binary: bool = False, limit: int = MAX_PAGE_MB << 20) -> tuple[Result, bytes]:  # fmt: skip
    """Clean a page given as bytes: its Result and the bytes of its clean text, in the page's
    own encoding form, gzipped when the page is (BinaryInputError for a binary page, ValueError
    for a broken gzip file, PageTooBig for one that unpacks past `limit`)."""
    text, form = page_text(data, allow_binary=allow_binary, limit=limit)
    result = cleaner.clean(text, counts, site)
    out = encode(result.text, form)
    return result, gzipped(out) if data.startswith(GZIP) else out


def page_text(data: bytes, *, allow_binary: bool = False, limit: int = MAX_PAGE_MB << 20) -> tuple[str, bytes]:
    """A page's text and its encoding form (encoding.decode), gunzipped first when gzipped."""
    return decode(gunzip(data, limit) if data.startswith(GZIP) else data, allow_binary=allow_binary)


def clean_record(
    cleaner: Cleaner, line: bytes, fields: Fields, counts: Table | None = None, site: str | None = None
) -> tuple[Result, bytes]:
    """Clean a record given as a line of JSON: its Result and the line of the cleaned record.
    `site`: the record's site, or None to take it from its URL. BadRecord if it is none."""
    record, text = parse(line, fields)
    result = cleaner.clean(text, counts, record_site(record, fields) if site is None else site)
    record[fields.into or fields.text] = result.text
    if fields.removals:
        found = result.to_json()
        record["clean_articles"] = {"removals": found["removals"], "counts": found["counts"]}
    return result, (dumps(record) + "\n").encode("utf-8")


def record_site(record: dict, fields: Fields) -> str:
    return site_of(record.get(fields.url))


def record_page(line: bytes | None, fields: Fields, site: str | None = None) -> tuple[str, str] | None:
    """A record's text and site (`site`, or its URL's when None), or None if the line (None: one
    too long) is no record: what pass 1 counts, the bad ones being pass 2's to report."""
    if line is None:
        return None
    try:
        record, text = parse(line, fields)
    except BadRecord:
        return None
    return text, record_site(record, fields) if site is None else site


def record_keys(line: bytes | None, fields: Fields, site: str | None = None) -> tuple[set[int], str] | None:
    """What a record adds to a batch's counts: its keys and its site (None if it is no record)."""
    page = record_page(line, fields, site)
    return None if page is None else (page_keys(Document.from_text(page[0]), page[1]), page[1])


def present(line: bytes | None, limit: int) -> bytes:
    """The line `lines_of` gave, BadRecord for one over `limit` bytes (it gave None)."""
    if line is None:
        raise BadRecord(f"a line over {limit >> 20} MB (--max-page-mb raises the limit)")
    return line


def open_lines(path: str, limit: int) -> Iterator[bytes | None]:
    """The lines of a corpus file (gunzipped if its name says .gz): see `lines_of`."""
    with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") if path.endswith(".gz") else raw as f:
        yield from lines_of(f, limit)


def lines_of(f: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of a binary stream, each with its line feed, or None for a line over `limit`
    bytes (passed over: the next line goes on)."""
    while line := f.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


class Writer:
    """A JSON Lines file (a corpus, a batch's clean-articles.jsonl) written beside its place and
    renamed into it when done (or removed, when not): gzipped, with no name or time in its
    header, when its name ends with .gz, so the same records give the same bytes."""

    def __init__(self, path: str, create):
        self.path = path
        fd, self.tmp = create(path)
        self.raw = os.fdopen(fd, "wb")
        self.f = gzip.GzipFile(filename="", fileobj=self.raw, mode="wb", mtime=0) if path.endswith(".gz") else self.raw

    def write(self, data: bytes) -> None:
        self.f.write(data)

    def close(self, ok: bool) -> None:
        try:
            if self.f is not self.raw:
                self.f.close()
            self.raw.close()
            if ok:
                os.replace(self.tmp, self.path)
        finally:
            if not ok or os.path.exists(self.tmp):
                try:
                    os.unlink(self.tmp)
                except FileNotFoundError:
                    pass
