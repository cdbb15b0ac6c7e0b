"""Bytes in, bytes out: decoding that loses nothing.

Input is decoded as UTF-8 with ``surrogateescape``, so bytes that are not valid UTF-8 survive the
round trip and a kept line comes out byte for byte as it came in. A UTF-8 byte-order mark is set
aside on the way in and put back on the way out. Input with NUL bytes is taken for a binary file
and refused unless the caller allows it.

>>> text, bom = decode(b"\\xef\\xbb\\xbfcaf\\xe9\\n")
>>> bom, encode(text, bom)
(True, b'\\xef\\xbb\\xbfcaf\\xe9\\n')
"""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


class BinaryInputError(ValueError):
    """The input holds NUL bytes: it is most likely not text."""


def decode(data: bytes, *, allow_binary: bool = False) -> tuple[str, bool]:
    """Return (text, had_bom). Raise BinaryInputError on NUL bytes unless allowed."""
    if not allow_binary and b"\x00" in data:
        raise BinaryInputError("input holds NUL bytes: it looks binary, not text (--allow-binary cleans it anyway)")
    bom = data.startswith(BOM)
    if bom:
        data = data[len(BOM) :]
    return data.decode("utf-8", "surrogateescape"), bom


def encode(text: str, bom: bool = False) -> bytes:
    """Inverse of decode(): the same bytes for every line that came in."""
    data = text.encode("utf-8", "surrogateescape")
    return BOM + data if bom and data else data
