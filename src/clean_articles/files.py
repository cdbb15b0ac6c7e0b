"""The files of a batch: finding the pages, reading them, writing outputs without loss, and the
manifest that makes a batch resumable.

Nothing is lost: each output goes to a temporary file in its target folder, then is renamed into
place (`write`), never wider readable than its input; IN is never written to (`check_dirs`), nor
anything through a link in OUT (`linked_folder`); a link in IN to a file outside it is not read
unless asked, and a page named like the batch's own files is refused (`refusals`). The manifest in OUT (`MANIFEST`) records,
per page, the hash of its input and of its output, with the rule set's fingerprint and the
counts' digest (the counts themselves are kept beside it, `COUNTS`, for the next run to compare); `sweep` removes the temporary files a killed run left behind.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import itertools
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

MANIFEST = ".clean-articles-manifest.json"
COUNTS = ".clean-articles-counts"  # the cross-page counts the outputs were made with
JSONL = "clean-articles.jsonl"
TMP_PREFIX = ".clean-articles-"
TMP_SUFFIX = ".tmp"
READ_SIZE = 1 << 16  # bytes asked for at a time: most pages come in one read
MAX_PAGE_MB = 64  # a page past this is no article (and /dev/zero never ends): refused, unless raised


GZIP = b"\x1f\x8b"  # what a gzipped page starts with


def gunzip(data: bytes, limit: int) -> bytes:
    """A gzipped page's bytes (every member), PageTooBig past `limit` bytes (a small file may
    unpack to gigabytes), ValueError for one that is cut short or corrupt."""
    import zlib

    parts, size = [], 0
    while data:
        unpack = zlib.decompressobj(wbits=31)
        try:
            part = unpack.decompress(data, limit + 1 - size)
        except zlib.error as e:
            raise ValueError(f"a gzip file that cannot be read ({e})") from None
        size += len(part)
        if size > limit:
            raise PageTooBig(limit)
        if not unpack.eof:
            raise ValueError("a gzip file cut short")
        parts.append(part)
        data = unpack.unused_data.lstrip(b"\0")
    return b"".join(parts)


def gzipped(data: bytes) -> bytes:
    """data gzipped with no name or time in its header: the same page, the same bytes."""
    import gzip

    return gzip.compress(data, mtime=0)


class PageTooBig(ValueError):
    def __init__(self, limit: int):
        super().__init__(f"over {limit >> 20} MB: no article is that big (--max-page-mb raises the limit)")


class BatchError(Exception):
    """A batch that cannot start (bad folders); the CLI shows it as one line."""


def key(rel: str) -> str:
    """A page's key in the manifest: its path's bytes read as UTF-8 (undecodable bytes escaped),
    the same whatever the locale says file names are encoded in."""
    return os.fsencode(rel).decode("utf-8", "surrogateescape")


def sha(data: bytes) -> str:
    """The hash the manifest keeps of a page's input or output."""
    return hashlib.sha256(data).hexdigest()[:32]


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


def walk(src: Path, glob: str | tuple[str, ...], skipped: list[tuple[str, str]] | None = None) -> list[str]:
    """Relative paths (posix) of the files under src matching glob (or any of several), sorted:
    what `src.rglob(glob)` finds that is a file. What matches but is no file (a FIFO, a device,
    a broken link, a link that loops) is added to `skipped`, if given, with why."""
    globs = (glob,) if isinstance(glob, str) else glob
    if any("/" in g or "**" in g for g in globs):  # a pattern over folders: pathlib's own matcher
        found = set()
        for g in globs:
            for p in src.rglob(g):
                if p.is_file():
                    found.add(p.relative_to(src).as_posix())
                elif skipped is not None and not p.is_dir():
                    skipped.append((p.relative_to(src).as_posix(), _not_a_file(str(p))))
        return sorted(found)
    return sorted(_named(src, globs, skipped))


def _named(src: Path, globs: tuple[str, ...], skipped: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """The files under src whose name matches one of globs (relative posix paths), found in one
    os.scandir() walk, ~20 times as fast as rglob for a large tree: like rglob, it goes into
    hidden folders but not into links to folders, and skips folders it cannot read."""
    match = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs)).fullmatch
    todo = [("", str(src))]
    while todo:
        rel, folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except PermissionError:
            if skipped is not None:
                skipped.append((rel or ".", "a folder that cannot be read"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((f"{rel}{entry.name}/", entry.path))
            elif match(entry.name):
                if _is_file(entry):
                    yield rel + entry.name
                elif skipped is not None:
                    skipped.append((rel + entry.name, _not_a_file(entry.path)))


def _not_a_file(path: str) -> str:
    """What a path that matched the glob is, since it is no file to clean."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken link"
    except OSError as e:
        return "a link that loops" if e.errno == errno.ELOOP else f"cannot be looked at ({e.strerror})"
    if stat.S_ISDIR(mode):
        return "a link to a folder (not followed)"
    if stat.S_ISFIFO(mode):
        return "a FIFO, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    return "not a regular file"


def _is_file(entry: os.DirEntry) -> bool:
    """A file or a link to one. A link that loops is not; one whose target may not be looked at
    is taken, and reading it will say why it failed."""
    try:
        return entry.is_file()
    except OSError as e:
        return e.errno != errno.ELOOP


def refusals(src: Path, rels: list[str], follow_links: bool) -> dict[str, str]:
    """The pages under src (resolved) a batch does not clean, each with why: a name the batch
    keeps for its own files in OUT (the manifest, the JSONL file, a temporary file), or, unless
    `follow_links`, a link to a file outside src (or a file under a folder that is one)."""
    root, out, inside = str(src), {}, {}
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        if rel in (MANIFEST, JSONL, COUNTS) or (name.startswith(TMP_PREFIX) and name.endswith(TMP_SUFFIX)):
            out[rel] = "not cleaned: the batch keeps this name for a file of its own in OUT (rename the page)"
            continue
        if follow_links:
            continue
        path = os.path.join(root, rel)
        folder = os.path.dirname(path)
        if folder not in inside:
            inside[folder] = _within(root, os.path.realpath(folder))
        if not inside[folder] or (os.path.islink(path) and not _within(root, os.path.realpath(path))):
            out[rel] = "not cleaned: a link to a file outside IN (--follow-links cleans it)"
    return out


def _within(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def linked_folder(root: str, rel: str, checked: set[str]) -> str | None:
    """The first folder from OUT (`root`) down to the folder of `rel` that is a symbolic link
    (or no folder), or None: a batch never writes through one, wherever it points. A folder
    found real is remembered in `checked`; one still missing will be made, as a real folder."""
    folder = os.path.dirname(rel)
    if not folder or folder in checked:
        return None
    path = root
    for part in folder.split("/"):
        path = os.path.join(path, part)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return path
        except FileNotFoundError:
            return None
    checked.add(folder)
    return None


def read(path: str) -> bytes:
    """A file's bytes (`read_page`)."""
    return read_page(path)[0]


def read_page(path: str, limit: int = MAX_PAGE_MB << 20) -> tuple[bytes, int]:
    """A file's bytes and its permission bits, by plain os-level calls (a batch reads every file
    twice, and pathlib's read_bytes() takes twice as long: a file object adds a stat and
    buffering); PageTooBig past `limit` bytes, without reading further."""
    fd = os.open(path, os.O_RDONLY)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        return read_bounded(fd, limit), mode
    finally:
        os.close(fd)


def read_bounded(fd: int, limit: int) -> bytes:
    """What a file descriptor gives until its end; PageTooBig past `limit` bytes."""
    parts, size = [], 0
    while part := os.read(fd, READ_SIZE):
        parts.append(part)
        size += len(part)
        if size > limit:
            raise PageTooBig(limit)
    return parts[0] if len(parts) == 1 else b"".join(parts)


_TMP_NAMES = itertools.count()


def create_beside(path: str | Path) -> tuple[int, str]:
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


def write(path: str | Path, data: bytes, limit: int = 0o777) -> None:
    """Write data to a temporary file beside path, then rename it into place; its permissions
    are those any new file gets, less what `limit` (its input's) does not allow. Plain os-level
    calls: a file object and pathlib would triple the cost of writing a page."""
    fd, tmp = create_beside(path)
    try:
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if mode & ~limit:
                os.fchmod(fd, mode & limit)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_hash(path: str) -> str | None:
    """The hash of an output file as it is now (None when there is none), read in pieces: a
    corpus file's output may be gigabytes."""
    try:
        return hash_file(path)[0]
    except OSError:
        return None


def hash_file(path: str) -> tuple[str, int]:
    """A file's hash (`sha` of its bytes, read in pieces) and how many line feeds it holds."""
    h, lines = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while piece := f.read(1 << 20):
            h.update(piece)
            lines += piece.count(b"\n")
    return h.hexdigest()[:32], lines


def load_manifest(path: Path) -> tuple[dict, str]:
    """A batch's manifest ({} when there is none) and, when there is one that cannot be used (not
    JSON, other version, wrong types: hand-edited, say), why: it then counts as absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):  # no manifest yet (or no OUT: said later)
        return {}, ""
    except (OSError, ValueError) as e:
        return {}, f"cannot read it ({e})"
    if not isinstance(data, dict) or data.get("version") != 1:
        return {}, "not a manifest of version 1"
    pages = data.get("files")
    if not (
        isinstance(data.get("rules"), str)
        and isinstance(data.get("counts"), str)
        and isinstance(pages, dict)
        and all(isinstance(v, list) and len(v) in (2, 3) and all(isinstance(h, str) for h in v) for v in pages.values())
    ):
        return {}, "a field has the wrong type"
    return data, ""


def save_manifest(path: Path, rules: str, counts: str, files: dict) -> None:
    body = {"version": 1, "rules": rules, "counts": counts, "files": dict(sorted(files.items()))}
    # compact: json's C encoder (an indented dump is written in Python, at twice the cost)
    write(path, (json.dumps(body, separators=(",", ":")) + "\n").encode())


def save_counts(path: Path, counts) -> None:
    """The counts a batch's outputs were made with (none: the file goes)."""
    if counts is None:
        path.unlink(missing_ok=True)
    else:
        write(path, counts.data)


def load_counts(path: Path, digest: str):
    """The counts (`table.Table`) saved at `path` if they are those of `digest` (the
    manifest's), else None."""
    from clean_articles.table import Table

    try:
        counts = Table.open(path)
    except (OSError, ValueError):
        return None
    return counts if counts.digest() == digest else None


def sweep(dst: Path) -> None:
    """Remove temporary files a killed run left behind."""
    if dst.is_dir():
        for tmp in list(_named(dst, (f"{TMP_PREFIX}*{TMP_SUFFIX}",))):
            (dst / tmp).unlink(missing_ok=True)
