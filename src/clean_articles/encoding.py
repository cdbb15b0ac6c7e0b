"""Bytes in, bytes out: decoding that loses nothing.

Input is decoded as UTF-8 with ``surrogateescape``, so bytes that are not valid UTF-8 survive the
round trip and a kept line comes out byte for byte as it came in. A byte-order mark is set aside
on the way in and put back on the way out: UTF-8's, or UTF-16's or UTF-32's, whose text is then
decoded (and encoded again) in that form. Other input with NUL bytes is taken for a binary file
and refused unless the caller allows it.

>>> text, form = decode(b"\\xef\\xbb\\xbfcaf\\xe9\\n")
>>> form, encode(text, form)
(b'\\xef\\xbb\\xbf', b'\\xef\\xbb\\xbfcaf\\xe9\\n')
>>> decode("Caf\\xe9\\n".encode("utf-16"))
('Caf\\xe9\\n', b'\\xff\\xfe')
"""

from __future__ import annotations

import codecs

BOM = codecs.BOM_UTF8
#: byte-order marks, longest first where one starts another, and the codec of the text after them
FORMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (BOM, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class BinaryInputError(ValueError):
    """The input holds NUL bytes: it is most likely not text."""


def decode(data: bytes, *, allow_binary: bool = False) -> tuple[str, bytes]:
    """Return (text, form): form is the byte-order mark the input started with (b"" for none),
    which encode() takes back. Raise BinaryInputError on NUL bytes unless allowed (a UTF-16 or
    UTF-32 text, which has them, is known by its mark; bytes after such a mark that are no such
    text are read as any other bytes)."""
    for mark, codec in FORMS:
        if data.startswith(mark):
            if codec == "utf-8":
                break
            try:
                return data[len(mark) :].decode(codec), mark
            except UnicodeDecodeError:  # no such text after all: bytes, read as below
                break
    if not allow_binary and b"\x00" in data:
        raise BinaryInputError("input holds NUL bytes: it looks binary, not text (--allow-binary cleans it anyway)")
    form = BOM if data.startswith(BOM) else b""
    return data[len(form) :].decode("utf-8", "surrogateescape"), form


def encode(text: str, form: bytes = b"") -> bytes:
    """Inverse of decode(): the same bytes for every line that came in (an empty text: no mark)."""
    if not text:
        return b""
    codec = dict(FORMS)[form] if form else "utf-8"
    if codec == "utf-8":
        return form + text.encode("utf-8", "surrogateescape")
    return form + text.encode(codec)
