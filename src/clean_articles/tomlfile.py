"""TOML from files a user hands over (rule packs, models), read within bounds.

tomllib takes time and memory quadratic in the parts of a dotted key (a key of 30,000 parts:
15 s and 3.4 GB) and recurses once per level of nested arrays or inline tables (a few thousand
levels: a RecursionError). No rule or model file needs either, nor a megabyte, so a file over
MAX_BYTES, a key of more than MAX_PARTS parts or nesting deeper than the interpreter allows is
refused with a TomlError naming the line, before or instead of being parsed.

>>> loads("[pack]\\nname = 'x'")
{'pack': {'name': 'x'}}
>>> loads("a" + ".a" * 40 + " = 1")
Traceback (most recent call last):
...
clean_articles.tomlfile.TomlError: line 1: a key of 41 parts (at most 32)
"""

from __future__ import annotations

import copy
import functools
import re
import tomllib
from pathlib import Path

MAX_BYTES = 1 << 20
MAX_PARTS = 32

_QUOTED = re.compile(r""""[^"\n]*"|'[^'\n]*'""")


class TomlError(ValueError):
    def __init__(self, line: int | None, message: str):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line, self.message = line, message


def read(path: str | Path) -> bytes:
    """A file's bytes, refused past MAX_BYTES (without reading further: /dev/zero is a file too)."""
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TomlError(None, f"over {MAX_BYTES >> 20} MB: no rule or model file is that big")
    return data


def loads(text: str) -> dict:
    """tomllib.loads(text) within bounds (TOMLDecodeError for what is not TOML). A text read
    before is not parsed again (a process that loads the same rules for each Cleaner, as tests
    and servers do, parses each file once): it is a copy of what the text gave then."""
    return copy.deepcopy(_parsed(text))


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> dict:
    if len(text) > MAX_BYTES:
        raise TomlError(None, f"over {MAX_BYTES >> 20} MB: no rule or model file is that big")
    for number, line in enumerate(text.split("\n"), 1):
        head = line.split("=", 1)[0] if "=" in line else line if line.lstrip().startswith("[") else ""
        parts = _QUOTED.sub("", head).count(".") + 1
        if parts > MAX_PARTS:
            raise TomlError(number, f"a key of {parts} parts (at most {MAX_PARTS})")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise TomlError(None, "nested too deeply (arrays or tables inside one another)") from None
