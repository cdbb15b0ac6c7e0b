"""Settings from a configuration file, under the command line.

The file is `.clean-articles.toml` (its top level holds the settings) or the
`[tool.clean-articles]` table of a `pyproject.toml`, found by walking up from the working
directory, as black, ruff and sqlfluff do (in each folder `.clean-articles.toml` first; a
pyproject.toml without the table is passed over); `--config FILE` names one, `--no-config` reads
none. Options given on the command line win. Paths in the file are read from the file's folder.

>>> SETTINGS["favor"].commands
('clean', 'batch', 'train', 'list')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clean_articles import tomlfile
from clean_articles.corpus import SITES
from clean_articles.packs import FAVORS, suggest

NAME = ".clean-articles.toml"
_RULES = ("clean", "batch", "train", "list")  # the commands that load rules (`rules list` is "list")


@dataclass(frozen=True)
class Setting:
    """A setting: the option it stands for (click's parameter name), its kind and the commands
    that take it."""

    param: str
    kind: str  # bool | int | str | path | strs | paths | a choice: "a|b|c"
    commands: tuple[str, ...]
    help: str


SETTINGS = {
    "rules": Setting("rule_paths", "paths", _RULES, "rule packs (files or folders) to add"),
    "no-builtin-rules": Setting("no_builtin_rules", "bool", _RULES, "use only the packs of `rules`"),
    "disable": Setting("disable", "strs", _RULES, "rules (pack.id) or packs to switch off"),
    "favor": Setting("favor", "|".join(FAVORS), _RULES, "balanced | precision | recall"),
    "model": Setting("model", "path", _RULES, "a main-text model of your own"),
    "glob": Setting("glob", "str", ("batch", "learn"), "which files of a folder are pages"),
    "jobs": Setting("jobs", "int", ("batch",), "worker processes"),
    "sites": Setting("sites", "|".join(SITES), ("batch",), "what a page's site is: url | folder | none"),
    "follow-links": Setting("follow_links", "bool", ("batch",), "clean links to files outside IN"),
    "max-page-mb": Setting("max_page_mb", "int", ("clean", "batch"), "the biggest page taken"),
    "text-field": Setting("text_field", "str", ("clean", "batch"), "the field of a record's text"),
    "id-field": Setting("id_field", "str", ("clean", "batch"), "the field that names a record"),
    "url-field": Setting("url_field", "str", ("clean", "batch"), "the field of a record's URL"),
    "output-field": Setting("output_field", "str", ("clean", "batch"), "where the clean text goes"),
    "with-removals": Setting("with_removals", "bool", ("clean", "batch"), "add removals to records"),
    "color": Setting("color", "auto|always|never", ("clean", "batch"), "colour diffs and explanations"),
}


class ConfigError(ValueError):
    """A configuration file that cannot be used: one line, with file and line."""


@dataclass
class Config:
    """The settings of a configuration file (none: `path` is None), each with the line it is on."""

    path: Path | None = None
    values: dict[str, Any] | None = None
    lines: dict[str, int] | None = None

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's default_map: for each command, its options' values from the file."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in (self.values or {}).items():
            for command in SETTINGS[key].commands:
                out.setdefault(command, {})[SETTINGS[key].param] = value
        if "list" in out:  # `rules list`
            out["rules"] = {"list": out.pop("list")}
        return out

    def where(self, key: str) -> str:
        """Where a setting comes from: file:line, or the default."""
        if self.values and key in self.values:
            return f"{self.path}:{self.lines.get(key, 1)}"
        return "default"


def find(start: Path) -> Path | None:
    """The configuration file that governs `start`: the nearest up the tree."""
    for folder in (start, *start.parents):
        if (folder / NAME).is_file():
            return folder / NAME
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        return (
            re.search(rb"(?m)^\s*\[tool\.(clean-articles|\"clean-articles\")\]", tomlfile.read(pyproject)) is not None
        )
    except (OSError, tomlfile.TomlError):
        return False


def load(path: Path | None = None, *, search: bool = True, start: Path | None = None) -> Config:
    """The settings of `path`, or of the file found from `start` (the working directory) when
    `search`; ConfigError for a file that is not TOML, an unknown setting or a wrong value."""
    if path is None:
        path = find((start or Path.cwd()).resolve()) if search else None
        if path is None:
            return Config()
    try:
        text = tomlfile.read(path).decode("utf-8")
        doc = tomlfile.loads(text)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomlfile.TomlError as e:
        raise ConfigError(f"{path}:{e.line or 1}: {e.message}") from None
    except ValueError as e:  # tomllib.TOMLDecodeError
        line = re.search(r"line (\d+)", str(e))
        raise ConfigError(f"{path}:{line.group(1) if line else 1}: invalid TOML: {str(e).split(' (at')[0]}") from None
    table, header = doc, 0
    if path.name == "pyproject.toml":
        table = doc.get("tool", {}).get("clean-articles", {})
        found = re.search(r"(?m)^\s*\[tool\.(clean-articles|\"clean-articles\")\]", text)
        header = text.count("\n", 0, found.start()) + 1 if found else 0
    lines = {key: _line(text, key, header) for key in table}
    values = {}
    for key, value in table.items():
        where = f"{path}:{lines[key]}"
        if key not in SETTINGS:
            hint = suggest(key, SETTINGS) or f"Settings: {', '.join(SETTINGS)}."
            raise ConfigError(f"{where}: unknown setting '{key}'. {hint}")
        values[key] = _checked(SETTINGS[key], value, where, path.parent)
    return Config(path, values, lines)


def _line(text: str, key: str, after: int) -> int:
    """The line of `key = ...` at or after line `after` (1 if it cannot be told)."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.split("\n"), 1):
        if number > after and pattern.match(line):
            return number
    return max(after, 1)


def _checked(setting: Setting, value: Any, where: str, folder: Path) -> Any:
    kind = setting.kind
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "path" and isinstance(value, str):
        return folder / value
    if kind in ("strs", "paths") and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [folder / v for v in value] if kind == "paths" else list(value)
    if "|" in kind and value in kind.split("|"):
        return value
    wanted = {"bool": "true or false", "int": "a whole number of at least 1", "str": "a string",
              "path": "a path (a string)", "strs": "a list of strings", "paths": "a list of paths (strings)"}  # fmt: skip
    raise ConfigError(f"{where}: '{_name(setting)}' must be {wanted.get(kind, 'one of ' + kind.replace('|', ', '))}")


def _name(setting: Setting) -> str:
    return next(k for k, s in SETTINGS.items() if s is setting)


def show(config: Config) -> str:
    """Every setting, its value and where it comes from, as TOML a file could hold."""
    import json

    out = [f"# {config.path or 'no configuration file'}"]
    for key in SETTINGS:
        if config.values and key in config.values:
            value = config.values[key]
            value = (
                [str(v) for v in value] if isinstance(value, list) else str(value) if isinstance(value, Path) else value
            )
            out.append(f"{key} = {json.dumps(value)}  # {config.where(key)}")
        else:
            out.append(f"# {key}: {SETTINGS[key].help} (default)")
    return "\n".join(out) + "\n"
