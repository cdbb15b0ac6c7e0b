"""Rule packs: find them, read the TOML, validate every rule, compile once.

A pack is one TOML file (its stem is the pack name); a rule's full id is ``<pack>.<id>``. The
format is documented in docs/rule-format.md. Loading reports *every* problem in every file at once,
each as one line ``path:line[:col]: rule 'id': fault. hint``, by raising RuleError; the CLI turns
that into exit status 1. Parsed TOML keeps no positions, so lines are found by re-scanning the
file's text for the rule's ``[[rule]]`` header and the offending key.
"""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from clean_articles.matchers import MATCHERS, Matcher, Param
from clean_articles.patterns import Pattern
from clean_articles.prefilter import Prefilter

RULE_KEYS = {"id", "kind", "why", "where", "example", "favor"}
WHERES = ("anywhere", "head", "tail", "edges")
FAVORS = ("precision", "balanced", "recall")
_ID = regex.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOML_POS = regex.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Problem:
    """One fault in one rule file."""

    path: str
    line: int | None
    message: str
    rule: str | None = None
    col: int | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}" + (f":{self.col}" if self.col else "")
        who = f" rule '{self.rule}':" if self.rule else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}:{who} {self.message.rstrip('.')}.{hint}"


class RuleError(Exception):
    """Rule files with problems; str() gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Example:
    raw: str
    clean: str | None  # None: the example must come out unchanged
    line: int | None
    pages: tuple[str, ...] = ()  # the other pages of a small batch (for kind `recurring`)

    @property
    def keep(self) -> bool:
        return self.clean is None


@dataclass
class Rule:
    pack: str
    id: str
    kind: str
    why: str
    where: str
    params: dict[str, Any]
    examples: list[Example]
    path: str
    line: int | None
    matcher: Matcher

    @property
    def full_id(self) -> str:
        return f"{self.pack}.{self.id}"


@dataclass
class Pack:
    name: str
    path: str
    why: str
    site: str | None
    when: Pattern | None
    rules: list[Rule] = field(default_factory=list)


@dataclass
class RuleSet:
    """Compiled packs in order; `rules` is the pipeline order (stage, then pack order)."""

    packs: list[Pack]
    fingerprint: str
    favor: str = "balanced"
    #: a gated pack's RE2 set by pack name, built when first needed (`gated`)
    _gated: dict[str, Prefilter] = field(default_factory=dict, init=False, repr=False, compare=False)
    #: what the pipeline memoises for these rules, by name (pipeline.py)
    memos: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def rules(self) -> list[Rule]:
        ordered = [r for p in self.packs for r in p.rules]
        return sorted(ordered, key=lambda r: r.matcher.STAGE)

    @cached_property
    def prefilter(self) -> Prefilter:
        """The gates and the patterns of ungated packs, for one linear-time pass per page."""
        found = [p.when for p in self.packs if p.when is not None]
        ungated = [pack for pack in self.packs if pack.when is None]
        for pack in ungated:
            found.extend(_patterns(pack))
        return Prefilter(found, [s for pack in ungated for s in _screens(pack)])

    def gated(self, pack: Pack) -> Prefilter:
        """A gated pack's patterns, scanned only on pages its gate lets in; built on the first
        such page (a site's pack costs nothing on the pages of other sites)."""
        found = self._gated.get(pack.name)
        if found is None:
            found = self._gated[pack.name] = Prefilter(_patterns(pack), _screens(pack))
        return found

    @cached_property
    def plan(self) -> list[tuple[Rule, Pack, Pattern | None]]:
        """What the pipeline walks on every page: `rules`, each with its pack and the pattern it
        requires (`Matcher.required`), worked out once, like `prefilter`."""
        return [(rule, self.pack_of(rule), rule.matcher.required) for rule in self.rules]

    @cached_property
    def replan(self) -> list[tuple[Rule, Pack, Pattern | None]]:
        """What the pipeline walks again on the lines a round kept: `plan` without the rules
        that judge each line by its own text alone, anywhere in the page (`Matcher.local`).
        Such a rule took every line it matches in the first round, so it would find none."""
        return [step for step in self.plan if not (step[0].matcher.local and step[0].where == "anywhere")]

    def pack_of(self, rule: Rule) -> Pack:
        return self._packs[rule.pack]

    @cached_property
    def _packs(self) -> dict[str, Pack]:
        """Each pack by name (the first, should two share one)."""
        return {p.name: p for p in reversed(self.packs)}

    def only(self, full_id: str) -> RuleSet:
        """A RuleSet with just one rule, its pack gate removed (to run its examples)."""
        for p in self.packs:
            for r in p.rules:
                if r.full_id == full_id:
                    alone = Pack(p.name, p.path, p.why, p.site, None, [r])
                    return RuleSet([alone], f"{self.fingerprint}:{full_id}", self.favor)
        raise KeyError(full_id)


def _patterns(pack: Pack) -> list[Pattern]:
    return [v for rule in pack.rules for v in vars(rule.matcher).values() if isinstance(v, Pattern)]


def _screens(pack: Pack) -> list[Matcher]:
    """The pack's matchers that screen lines for the prefilter (they are their own `required`)."""
    return [rule.matcher for rule in pack.rules if rule.matcher.required is rule.matcher]


# ---------------------------------------------------------------------------------------------
# Finding packs


def builtin_rules_dir() -> Path:
    """The shipped rules/: inside the installed package, or the source tree's (editable install)."""
    here = Path(__file__).resolve().parent
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
) -> RuleSet:
    """Load, validate and compile rule packs: the shipped ones (unless builtin=False), then paths.

    `disable` takes full rule ids or pack names. `strict` also requires every rule to carry
    must-remove and must-keep examples (what `rules check` demands). Raises RuleError.
    """
    if favor not in FAVORS:
        raise ValueError(f"favor must be one of {list(FAVORS)}")
    files = pack_files(paths)
    if builtin:
        root = builtin_rules_dir()
        shipped = set(pack_files([root / "sites", root / "generic"]))
        files = sorted(shipped, key=lambda p: (p.parent.name != "sites", str(p))) + files
    problems: list[Problem] = []
    packs: list[Pack] = []
    digest = hashlib.sha256(f"favor={favor}\n".encode())
    first_seen: dict[str, str] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as e:
            problems.append(Problem(str(path), None, f"cannot read rule file: {e.strerror or e}"))
            continue
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        # Shipped packs are compiled lazily (the test suite checks their regexes); others now.
        check = strict or not builtin or path not in shipped
        pack = _load_pack(path, data, favor, check, strict, problems, first_seen)
        if pack is not None:
            packs.append(pack)
    disabled = set(disable)
    known = {p.name for p in packs} | {r.full_id for p in packs for r in p.rules}
    for name in sorted(disabled - known):
        problems.append(Problem("--disable", None, f"no rule or pack named '{name}'", hint=_suggest(name, known)))
    if problems:
        raise RuleError(problems)
    if disabled:
        digest.update(("disable=" + ",".join(sorted(disabled))).encode())
        for p in packs:
            p.rules = [r for r in p.rules if p.name not in disabled and r.full_id not in disabled]
    return RuleSet(packs, digest.hexdigest()[:16], favor)


# ---------------------------------------------------------------------------------------------
# Reading one pack


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else ""


class _Lines:
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


_QUOTE_HINT = "Write regexes in single-quoted TOML strings ('...') so backslashes survive."


def _load_pack(
    path: Path, data: bytes, favor: str, check: bool, strict: bool, problems: list[Problem], first_seen: dict[str, str]
) -> Pack | None:
    name = path.stem
    where = str(path)
    text = data.decode("utf-8", "replace")
    pos = _Lines(text)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_POS.search(str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _TOML_POS.sub("", str(e)).strip()
        bad = pos.text(line)
        hint = _QUOTE_HINT if "\\" in bad and '"' in bad else ""
        problems.append(Problem(where, line, f"invalid TOML: {msg}", col=col, hint=hint))
        return None
    before = len(problems)
    for key in doc:
        if key not in ("pack", "rule"):
            problems.append(
                Problem(
                    where,
                    pos.pack_key(key),
                    f"unknown top-level key '{key}'",
                    hint=_suggest(key, ["pack", "rule"]) or "Expected [pack] and [[rule]] tables.",
                )
            )
    head = doc.get("pack", {})
    if not isinstance(head, dict):
        problems.append(Problem(where, pos.pack_key("pack"), "'pack' must be a table ([pack])"))
        head = {}
    for key in head:
        if key not in ("why", "site", "when"):
            problems.append(
                Problem(
                    where, pos.pack_key(key), f"unknown pack key '{key}'", hint=_suggest(key, ["why", "site", "when"])
                )
            )
    why = head.get("why")
    if not isinstance(why, str) or not why.strip():
        problems.append(Problem(where, pos.pack_key("why") or 1, "the pack needs a one-line 'why' in [pack]"))
    when = None
    if "when" in head:
        when = _pattern(head["when"], f"{name}", where, pos.pack_key("when"), pos, problems, None, check)
    pack = Pack(name, where, why if isinstance(why, str) else "", head.get("site"), when)
    rules = doc.get("rule", [])
    if not isinstance(rules, list):
        problems.append(Problem(where, pos.pack_key("rule"), "rules must be an array of tables ([[rule]])"))
        rules = []
    for k, table in enumerate(rules):
        rule = _load_rule(pack, k, table, pos, favor, check, strict, problems, first_seen)
        if rule is not None:
            pack.rules.append(rule)
    return pack if len(problems) == before else None


def _pattern(
    source: Any,
    rule_id: str,
    where: str,
    line: int | None,
    pos: _Lines,
    problems: list[Problem],
    rule: str | None,
    check: bool = True,
) -> Pattern | None:
    if not isinstance(source, str):
        problems.append(Problem(where, line, "a regex must be a string", rule=rule))
        return None
    pattern = Pattern(source, rule_id)
    try:
        if check:
            pattern.rx  # noqa: B018 (compiling is the check)
    except regex.error as e:
        hint = _QUOTE_HINT if '"' in pos.text(line) else ""
        problems.append(Problem(where, line, f"regex does not compile: {e}", rule=rule, hint=hint))
        return None
    return pattern


def _load_rule(
    pack: Pack,
    k: int,
    table: Any,
    pos: _Lines,
    favor: str,
    check: bool,
    strict: bool,
    problems: list[Problem],
    first_seen: dict[str, str],
) -> Rule | None:
    where, line = pack.path, pos.rule(k)
    if not isinstance(table, dict):
        problems.append(Problem(where, line, "each rule must be a table ([[rule]])"))
        return None
    rid = table.get("id")
    label = rid if isinstance(rid, str) else f"#{k + 1}"
    start = len(problems)

    def fault(key: str | None, message: str, hint: str = "") -> None:
        problems.append(Problem(where, pos.key(k, key) if key else line, message, rule=label, hint=hint))

    if not isinstance(rid, str):
        fault(None, "missing 'id' (a short name like 'read-more')")
    elif not _ID.match(rid):
        fault("id", f"id '{rid}' must be lower-case letters, digits, '-' or '_'")
    else:
        full = f"{pack.name}.{rid}"
        if full in first_seen:
            fault("id", f"duplicate id '{full}'", f"The first one is at {first_seen[full]}.")
        else:
            first_seen[full] = f"{where}:{pos.key(k, 'id')}"
    kind = table.get("kind")
    cls = MATCHERS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        fault("kind", f"unknown kind {kind!r}: 'kind' must be one of {sorted(MATCHERS)}", _suggest(str(kind), MATCHERS))
    why = table.get("why")
    if not isinstance(why, str) or not why.strip() or "\n" in why.strip():
        fault("why" if "why" in table else None, "needs a one-line 'why' saying what it removes")
    where_to = table.get("where", "anywhere")
    if where_to not in WHERES:
        fault("where", f"'where' must be one of {list(WHERES)}", _suggest(str(where_to), WHERES))
    examples = _examples(table.get("example", []), k, label, where, pos, strict, problems)
    if cls is None:
        return None
    params = _params(cls, table, k, label, where, pos, problems, check=check)
    favors = table.get("favor", {})
    if favors and kind != "main":
        fault("favor", "only rules of kind 'main' take [rule.favor] tables")
    elif not isinstance(favors, dict) or not all(isinstance(v, dict) for v in favors.values()):
        fault("favor", "'favor' must hold tables like [rule.favor.precision]")
    else:
        for mode, over in favors.items():
            if mode not in ("precision", "recall"):
                fault("favor", f"unknown favor '{mode}'", _suggest(mode, ["precision", "recall"]))
            if mode == favor:
                params.update(_params(cls, over, k, label, where, pos, problems, partial=True, check=check))
    if len(problems) > start:
        return None
    full_id = f"{pack.name}.{rid}"
    try:
        matcher = cls(full_id, params)
        matcher.why = why.strip()
    except regex.error as e:
        fault(None, f"regex does not compile: {e}", _QUOTE_HINT)
        return None
    return Rule(pack.name, rid, kind, why.strip(), where_to, params, examples, where, line, matcher)


_TYPES = {"str": str, "int": int, "bool": bool, "regex": str}


def _params(
    cls: type[Matcher],
    table: dict,
    k: int,
    label: str,
    where: str,
    pos: _Lines,
    problems: list[Problem],
    partial: bool = False,
    check: bool = True,
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    schema: dict[str, Param] = cls.PARAMS
    suggested: set[str] = set()
    for key, value in table.items():
        if key in RULE_KEYS and not partial:
            continue
        line = pos.key(k, key)
        spec = schema.get(key)
        if spec is None:
            choices = list(schema) + ([] if partial else sorted(RULE_KEYS))
            hint = _suggest(key, choices)
            suggested.add(hint.partition("'")[2].rpartition("'")[0])
            problems.append(
                Problem(
                    where,
                    line,
                    f"unknown key '{key}' for kind '{_kind_name(cls)}'",
                    rule=label,
                    hint=hint or f"Valid keys: {', '.join(choices)}.",
                )
            )
            continue
        fault = _type_fault(spec, value)
        if fault is None and spec.type == "regex":
            if _pattern(value, label, where, line, pos, problems, label, check) is None:
                continue
        if fault is None and spec.check is not None:
            fault = spec.check(value)
        if fault:
            problems.append(Problem(where, line, f"'{key}' {fault}", rule=label))
            continue
        params[key] = float(value) if spec.type == "float" else value
    if not partial:
        for key, spec in schema.items():
            if key in params or key in table or key in suggested:
                continue
            if spec.required:
                problems.append(Problem(where, pos.rule(k), f"missing required key '{key}'", rule=label))
            else:
                params[key] = spec.default
    return params


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
        return f"must be {'a ' if want is not int else 'an '}{spec.type if spec.type != 'regex' else 'regex string'}"
    return None


def _examples(
    items: Any, k: int, label: str, where: str, pos: _Lines, strict: bool, problems: list[Problem]
) -> list[Example]:
    out: list[Example] = []
    if not isinstance(items, list):
        problems.append(Problem(where, pos.key(k, "example"), "'example' must be [[rule.example]] tables", rule=label))
        return out
    for e, item in enumerate(items):
        line = pos.example(k, e)
        if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
            problems.append(Problem(where, line, f"example {e + 1} needs a 'raw' string", rule=label))
            continue
        extra = set(item) - {"raw", "clean", "keep", "pages"}
        if extra:
            bad = sorted(extra)[0]
            problems.append(
                Problem(
                    where,
                    line,
                    f"example {e + 1}: unknown key '{bad}'",
                    rule=label,
                    hint=_suggest(bad, ["raw", "clean", "keep", "pages"])
                    or "Use raw with clean, or raw with keep = true.",
                )
            )
            continue
        pages = item.get("pages", [])
        if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
            problems.append(
                Problem(
                    where,
                    line,
                    f"example {e + 1}: 'pages' must be a list of strings (the other pages of a small batch)",
                    rule=label,
                )
            )
            continue
        keep, clean = item.get("keep", False), item.get("clean")
        if (keep is True) == isinstance(clean, str):
            problems.append(
                Problem(
                    where,
                    line,
                    f"example {e + 1} needs either 'clean' (the expected output) "
                    f"or 'keep = true' (must come out unchanged)",
                    rule=label,
                )
            )
            continue
        out.append(Example(item["raw"], clean if isinstance(clean, str) else None, line, tuple(pages)))
    if strict and not (any(x.keep for x in out) and any(not x.keep for x in out)):
        problems.append(
            Problem(
                where,
                pos.rule(k),
                "needs at least one must-remove example (raw + clean) and one must-keep example (raw + keep = true)",
                rule=label,
            )
        )
    return out
