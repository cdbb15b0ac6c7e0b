"""Reading rule packs: find the files, parse the TOML, validate every rule, compile it once.

Loading reports *every* problem in every file at once (problems.py) by raising RuleError; the
CLI turns that into exit status 1. Parsed TOML keeps no positions, so lines are found by
re-scanning the file's text for the rule's ``[[rule]]`` header and the offending key
(`_Positions`). The format is documented in docs/rule-format.md.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import regex

from clean_articles import tomlfile
from clean_articles.main_text.model import ModelError
from clean_articles.matchers import MATCHERS, Matcher, Param
from clean_articles.packs.model import Example, Pack, Rule, RuleSet
from clean_articles.packs.problems import QUOTE_HINT, Problem, RuleError, suggest
from clean_articles.patterns import Pattern

RULE_KEYS = {"id", "kind", "why", "where", "example", "favor"}
EXAMPLE_KEYS = ["raw", "clean", "keep", "pages"]
WHERES = ("anywhere", "head", "tail", "edges")
FAVORS = ("precision", "balanced", "recall")
_ID = regex.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOML_POS = regex.compile(r"\(at line (\d+), column (\d+)\)")
_TYPES = {"str": str, "int": int, "bool": bool, "regex": str, "path": str}


def builtin_rules_dir() -> Path:
    """The shipped rules/: inside the installed package, or the source tree's (editable install)."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "rules", here.parents[1] / "rules"):
        if candidate.is_dir():
            return candidate
    raise RuleError(
        [
            Problem(
                str(here / "rules"),
                None,
                "the shipped rules folder is missing",
                hint="Reinstall clean-articles, or pass --no-builtin-rules.",
            )
        ]
    )


def pack_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, *.toml, sorted) into pack files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.toml")))
        else:
            out.append(p)
    return out


def load_rules(
    paths: Iterable[str | Path] = (),
    *,
    builtin: bool = True,
    disable: Iterable[str] = (),
    favor: str = "balanced",
    strict: bool = False,
    model: str | Path | None = None,
    reserved: bool = False,
    untrained: bool = False,
) -> RuleSet:
    """Load, validate and compile rule packs: the shipped ones (unless builtin=False), then paths.

    `disable` takes full rule ids or pack names. `strict` also requires every rule to carry
    must-remove and must-keep examples (what `rules check` demands). `model` is a main-text model
    file that replaces the one each rule of kind `main` names. Two packs of one name (a pack is
    named after its file) are a problem, and with `reserved` so is a pack named like a shipped
    one even when those are not loaded (`rules check` and `rules test` of packs meant to go
    beside them). `untrained`: rules of kind `main` get no model at all, for `train`, which gives
    them the ones it learns (the shipped model may be of other features after a cue list changed).
    Raises RuleError.
    """
    if favor not in FAVORS:
        raise ValueError(f"favor must be one of {list(FAVORS)}")
    chosen: dict[str, str | None] = {}  # the model file each rule of kind main gets instead of its own
    if untrained:
        chosen["model"] = None
    elif model is not None:
        chosen["model"] = str(Path(model).resolve())
    return Loader(favor, strict, chosen).load(pack_files(paths), builtin, set(disable), reserved)


class Loader:
    """Loads packs for one `favor`, gathering every problem of every file before it raises."""

    def __init__(self, favor: str = "balanced", strict: bool = False, paths: dict[str, str | None] | None = None):
        self.favor = favor
        self.strict = strict
        self.paths = paths or {}  # a path parameter -> the file to use wherever a rule has it (--model), or None
        self.read: set[str] = set()  # the files path parameters name (their bytes are in the fingerprint)
        self.problems: list[Problem] = []
        self.first_seen: dict[str, str] = {}  # full rule id -> where it was first defined
        self.names: dict[str, str] = {}  # pack name -> the file it was loaded from

    def load(self, files: list[Path], builtin: bool, disabled: set[str], reserved: bool = False) -> RuleSet:
        shipped: set[Path] = set()
        if builtin:
            root = builtin_rules_dir()
            shipped = set(pack_files([root / "sites", root / "generic"]))
            files = sorted(shipped, key=lambda p: (p.parent.name != "sites", str(p))) + files
        elif reserved:  # a pack meant to go beside the shipped ones may not take one's name
            root = builtin_rules_dir()
            self.names = {p.stem: f"{p} (shipped)" for p in pack_files([root / "sites", root / "generic"])}
        packs: list[Pack] = []
        digest = hashlib.sha256(f"favor={self.favor}\n".encode())
        for path in files:
            try:
                data = tomlfile.read(path)
            except OSError as e:
                self.problems.append(Problem(str(path), None, f"cannot read rule file: {e.strerror or e}"))
                continue
            except tomlfile.TomlError as e:
                self.problems.append(Problem(str(path), None, e.message))
                continue
            digest.update(path.name.encode() + b"\0" + data + b"\0")
            # Shipped packs compile their regexes on first use (the test suite checks them); others now.
            pack = self.pack(path, data, check=self.strict or path not in shipped)
            if pack is not None:
                packs.append(pack)
        known = {p.name for p in packs} | {r.full_id for p in packs for r in p.rules}
        for name in sorted(disabled - known):
            self.problems.append(
                Problem("--disable", None, f"no rule or pack named '{name}'", hint=suggest(name, known))
            )
        if self.problems:
            raise RuleError(self.problems)
        for used in sorted(self.read):
            digest.update(Path(used).name.encode() + b"\0" + Path(used).read_bytes() + b"\0")
        if disabled:
            digest.update(("disable=" + ",".join(sorted(disabled))).encode())
            for p in packs:
                p.rules = [r for r in p.rules if p.name not in disabled and r.full_id not in disabled]
        return RuleSet(packs, digest.hexdigest()[:16], self.favor)

    def pack(self, path: Path, data: bytes, check: bool = True) -> Pack | None:
        """One pack file, or None when it has problems (added to `problems`)."""
        where = str(path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            self.problems.append(
                Problem(where, line, f"not UTF-8: byte 0x{data[e.start]:02x} (a rule file is UTF-8 text)")
            )
            return None
        pos = _Positions(text)
        try:
            doc = tomlfile.loads(text)
        except tomlfile.TomlError as e:
            self.problems.append(Problem(where, e.line, e.message))
            return None
        except tomllib.TOMLDecodeError as e:
            m = _TOML_POS.search(str(e))
            line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
            msg = _TOML_POS.sub("", str(e)).strip()
            bad = pos.text(line)
            hint = QUOTE_HINT if "\\" in bad and '"' in bad else ""
            self.problems.append(Problem(where, line, f"invalid TOML: {msg}", col=col, hint=hint))
            return None
        before = len(self.problems)
        for key in doc:
            if key not in ("pack", "rule"):
                hint = suggest(key, ["pack", "rule"]) or "Expected [pack] and [[rule]] tables."
                self.problems.append(Problem(where, pos.pack_key(key), f"unknown top-level key '{key}'", hint=hint))
        head = doc.get("pack", {})
        if not isinstance(head, dict):
            self.problems.append(Problem(where, pos.pack_key("pack"), "'pack' must be a table ([pack])"))
            head = {}
        for key in head:
            if key not in ("why", "site", "when"):
                hint = suggest(key, ["why", "site", "when"])
                self.problems.append(Problem(where, pos.pack_key(key), f"unknown pack key '{key}'", hint=hint))
        why = head.get("why")
        if not isinstance(why, str) or not why.strip():
            self.problems.append(Problem(where, pos.pack_key("why") or 1, "the pack needs a one-line 'why' in [pack]"))
        when = None
        if "when" in head:
            when = self.pattern(head["when"], path.stem, where, pos.pack_key("when"), pos, None, check)
        pack = Pack(path.stem, where, why if isinstance(why, str) else "", head.get("site"), when)
        if pack.name in self.names:
            self.problems.append(Problem(where, pos.pack_key("pack") or 1,
                                         f"a pack named '{pack.name}' comes from {self.names[pack.name]} already",
                                         hint=f"A pack is named after its file: rename this one (my-{path.name}, say)."))  # fmt: skip
            return None
        self.names[pack.name] = where
        rules = doc.get("rule", [])
        if not isinstance(rules, list):
            self.problems.append(Problem(where, pos.pack_key("rule"), "rules must be an array of tables ([[rule]])"))
            rules = []
        for k, table in enumerate(rules):
            rule = _RuleReader(self, pack, k, pos, check).read(table)
            if rule is not None:
                pack.rules.append(rule)
        return pack if len(self.problems) == before else None

    def pattern(
        self, source: Any, rule_id: str, where: str, line: int | None, pos: _Positions, rule: str | None, check: bool
    ) -> Pattern | None:
        """A rule regex, compiled now when `check`; a problem when it is not a string or does not compile."""
        if not isinstance(source, str):
            self.problems.append(Problem(where, line, "a regex must be a string", rule=rule))
            return None
        pattern = Pattern(source, rule_id)
        try:
            if check:
                pattern.rx  # noqa: B018 (compiling is the check)
        except regex.error as e:
            hint = QUOTE_HINT if '"' in pos.text(line) else ""
            self.problems.append(Problem(where, line, f"regex does not compile: {e}", rule=rule, hint=hint))
            return None
        return pattern


class _RuleReader:
    """Reads rule k of a pack: its keys, its parameters against its kind's schema, its examples."""

    def __init__(self, loader: Loader, pack: Pack, k: int, pos: _Positions, check: bool):
        self.loader, self.pack, self.k, self.pos, self.check = loader, pack, k, pos, check
        self.where = pack.path
        self.label = f"#{k + 1}"

    def fault(self, key: str | None, message: str, hint: str = "", line: int | None = None) -> None:
        if line is None:
            line = self.pos.key(self.k, key) if key else self.pos.rule(self.k)
        self.loader.problems.append(Problem(self.where, line, message, rule=self.label, hint=hint))

    def read(self, table: Any) -> Rule | None:
        problems, k = self.loader.problems, self.k
        if not isinstance(table, dict):
            problems.append(Problem(self.where, self.pos.rule(k), "each rule must be a table ([[rule]])"))
            return None
        rid = table.get("id")
        self.label = rid if isinstance(rid, str) else f"#{k + 1}"
        start = len(problems)
        if not isinstance(rid, str):
            self.fault(None, "missing 'id' (a short name like 'read-more')")
        elif not _ID.match(rid):
            self.fault("id", f"id '{rid}' must be lower-case letters, digits, '-' or '_'")
        else:
            full = f"{self.pack.name}.{rid}"
            if full in self.loader.first_seen:
                self.fault("id", f"duplicate id '{full}'", f"The first one is at {self.loader.first_seen[full]}.")
            else:
                self.loader.first_seen[full] = f"{self.where}:{self.pos.key(k, 'id')}"
        kind = table.get("kind")
        cls = MATCHERS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            self.fault(
                "kind", f"unknown kind {kind!r}: 'kind' must be one of {sorted(MATCHERS)}", suggest(str(kind), MATCHERS)
            )
        why = table.get("why")
        if not isinstance(why, str) or not why.strip() or "\n" in why.strip():
            self.fault("why" if "why" in table else None, "needs a one-line 'why' saying what it removes")
        where_to = table.get("where", "anywhere")
        if where_to not in WHERES:
            self.fault("where", f"'where' must be one of {list(WHERES)}", suggest(str(where_to), WHERES))
        examples = self.examples(table.get("example", []))
        if cls is None:
            return None
        params = self.params(cls, table)
        favors = table.get("favor", {})
        if favors and kind != "main":
            self.fault("favor", "only rules of kind 'main' take [rule.favor] tables")
        elif not isinstance(favors, dict) or not all(isinstance(v, dict) for v in favors.values()):
            self.fault("favor", "'favor' must hold tables like [rule.favor.precision]")
        else:
            for mode, over in favors.items():
                if mode not in ("precision", "recall"):
                    self.fault("favor", f"unknown favor '{mode}'", suggest(mode, ["precision", "recall"]))
                if mode == self.loader.favor:
                    params.update(self.params(cls, over, partial=True))
        if len(problems) > start:
            return None
        full_id = f"{self.pack.name}.{rid}"
        try:
            matcher = cls(full_id, params, why.strip())
        except regex.error as e:
            self.fault(None, f"regex does not compile: {e}", QUOTE_HINT)
            return None
        except ModelError as e:
            self.fault("model", str(e), "Train a model with `clean-articles train`, or pass one with --model.")
            return None
        return Rule(
            self.pack.name, rid, kind, why.strip(), where_to, params, examples, self.where, self.pos.rule(k), matcher
        )

    def params(self, cls: type[Matcher], table: dict, partial: bool = False) -> dict[str, Any]:
        """The kind's parameters from `table` (defaults filled in), each checked against its
        schema; `partial`: a favor table, which overrides some of them."""
        params: dict[str, Any] = {}
        schema: dict[str, Param] = cls.PARAMS
        suggested: set[str] = set()
        for key, value in table.items():
            if key in RULE_KEYS and not partial:
                continue
            line = self.pos.key(self.k, key)
            spec = schema.get(key)
            if spec is None:
                choices = list(schema) + ([] if partial else sorted(RULE_KEYS))
                hint = suggest(key, choices)
                suggested.add(hint.partition("'")[2].rpartition("'")[0])
                self.fault(None, f"unknown key '{key}' for kind '{_kind_name(cls)}'",
                           hint or f"Valid keys: {', '.join(choices)}.", line=line)  # fmt: skip
                continue
            fault = _type_fault(spec, value)
            if fault is None and spec.type == "regex":
                compiled = self.loader.pattern(value, self.label, self.where, line, self.pos, self.label, self.check)
                if compiled is None:
                    continue
            if fault is None and spec.check is not None:
                fault = spec.check(value)
            if fault:
                self.fault(None, f"'{key}' {fault}", line=line)
                continue
            if spec.type == "path":  # relative to the rule file, or the --model given
                value = str(Path(self.where).parent / value) if key not in self.loader.paths else self.loader.paths[key]
                if value is None:  # none wanted (`untrained`)
                    params[key] = None
                    continue
                if not Path(value).is_file():
                    self.fault(None, f"'{key}': no file {value}", line=line)
                    continue
                self.loader.read.add(value)
            params[key] = float(value) if spec.type == "float" else value
        if not partial:
            for key, spec in schema.items():
                if key in params or key in table or key in suggested:
                    continue
                if spec.required:
                    self.fault(None, f"missing required key '{key}'")
                else:
                    params[key] = spec.default
        return params

    def examples(self, items: Any) -> list[Example]:
        out: list[Example] = []
        if not isinstance(items, list):
            self.fault("example", "'example' must be [[rule.example]] tables")
            return out
        for e, item in enumerate(items):
            line = self.pos.example(self.k, e)
            if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
                self.fault(None, f"example {e + 1} needs a 'raw' string", line=line)
                continue
            extra = set(item) - set(EXAMPLE_KEYS)
            if extra:
                bad = sorted(extra)[0]
                hint = suggest(bad, EXAMPLE_KEYS) or "Use raw with clean, or raw with keep = true."
                self.fault(None, f"example {e + 1}: unknown key '{bad}'", hint, line=line)
                continue
            pages = item.get("pages", [])
            if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
                self.fault(None, f"example {e + 1}: 'pages' must be a list of strings "
                           f"(the other pages of a small batch)", line=line)  # fmt: skip
                continue
            keep, clean = item.get("keep", False), item.get("clean")
            if (keep is True) == isinstance(clean, str):
                self.fault(None, f"example {e + 1} needs either 'clean' (the expected output) "
                           f"or 'keep = true' (must come out unchanged)", line=line)  # fmt: skip
                continue
            out.append(Example(item["raw"], clean if isinstance(clean, str) else None, line, tuple(pages)))
        if self.loader.strict and not (any(x.keep for x in out) and any(not x.keep for x in out)):
            self.fault(None, "needs at least one must-remove example (raw + clean) "
                       "and one must-keep example (raw + keep = true)")  # fmt: skip
        return out


def _kind_name(cls: type[Matcher]) -> str:
    return next((k for k, v in MATCHERS.items() if v is cls), cls.__name__)


def _type_fault(spec: Param, value: Any) -> str | None:
    if spec.type == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if spec.type == "strings":
        ok = isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
        return None if ok else "must be a non-empty list of strings"
    want = _TYPES[spec.type]
    if isinstance(value, bool) != (want is bool) or not isinstance(value, want):
        article = "an " if want is int else "a "
        return f"must be {article}{spec.type if spec.type != 'regex' else 'regex string'}"
    return None


class _Positions:
    """Positions in a rule file's text: `[[rule]]` headers and `key =` lines inside them."""

    _RULE = regex.compile(r"^\s*\[\[\s*rule\s*\]\]")
    _EXAMPLE = regex.compile(r"^\s*\[\[\s*rule\s*\.\s*example\s*\]\]")
    _KEY = regex.compile(r"^\s*([^\s=]+)\s*=")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.rules = [i + 1 for i, s in enumerate(self.lines) if self._RULE.match(s)]
        self._keys: dict[int, dict[str, int]] = {}  # rule -> its keys' first lines

    def rule(self, k: int) -> int | None:
        return self.rules[k] if k < len(self.rules) else None

    def _span(self, k: int) -> range:
        start = self.rule(k)
        if start is None:
            return range(0)
        end = self.rules[k + 1] if k + 1 < len(self.rules) else len(self.lines) + 1
        return range(start, end)

    def key(self, k: int, key: str) -> int | None:
        """Line of `key = ...` inside rule k (its header line when not found)."""
        keys = self._keys.get(k)
        if keys is None:  # each rule's lines are read once, for all its keys
            keys = self._keys[k] = {}
            for n in self._span(k):
                m = self._KEY.match(self.lines[n - 1])
                if m:
                    keys.setdefault(m.group(1), n)
        return keys.get(key, self.rule(k))

    def example(self, k: int, e: int) -> int | None:
        hits = [n for n in self._span(k) if self._EXAMPLE.match(self.lines[n - 1])]
        return hits[e] if e < len(hits) else self.rule(k)

    def text(self, n: int | None) -> str:
        return self.lines[n - 1] if n and n <= len(self.lines) else ""

    def pack_key(self, key: str) -> int | None:
        rx = regex.compile(rf"^\s*{regex.escape(key)}\s*=")
        end = self.rules[0] if self.rules else len(self.lines) + 1
        return next((n for n in range(1, end) if rx.match(self.lines[n - 1])), None)
