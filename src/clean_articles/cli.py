"""The command line: a thin click layer over the library. No cleaning logic lives here.

Exit status: 0 done; 1 an error (bad rule file, unreadable or binary input, a failed file in a
batch, `--check` found changes); 2 a usage error.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import shutil
import signal
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import click

from clean_articles import __version__, config
from clean_articles.batch import JSONL, BatchError, Options, run
from clean_articles.cleaner import Cleaner
from clean_articles.corpus import SITES, BadRecord, Fields, clean_record
from clean_articles.encoding import BinaryInputError, decode, encode
from clean_articles.files import GZIP, MAX_PAGE_MB, PageTooBig, gunzip
from clean_articles.packs import FAVORS, RuleError, RuleSet, load_rules, suggest
from clean_articles.render import colour_diff, dumps, paint
from clean_articles.render import shown as render_name


class DefaultGroup(click.Group):
    """A group whose default action is `clean`: `clean-articles FILE` = `clean-articles clean FILE`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = _configure(ctx, args)
        if ctx.resilient_parsing and not args:  # shell completion of the first word: the commands
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if args and not args[0].startswith("-") and not os.path.exists(args[0]):
                _no_such_command(ctx, args[0], self.commands)
            args = ["clean", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        clean_cmd = self.commands["clean"]
        with formatter.section("Cleaning options (the default command; see clean-articles clean --help)"):
            formatter.write_dl(
                [
                    p.get_help_record(ctx)
                    for p in clean_cmd.get_params(ctx)
                    if p.get_help_record(ctx) and p.name != "help"
                ]
            )


def _no_such_command(ctx: click.Context, word: str, commands) -> None:
    """A first word that is no file and looks like a command name misspelt: say so (exit 2),
    instead of failing to read a file of that name."""
    if word in ("help", "h", "?"):
        raise click.UsageError(f"no file '{word}'. Did you mean 'clean-articles --help'?", ctx)
    hint = suggest(word, [c for c in commands if c != "clean"])
    if hint:
        raise click.UsageError(f"no command and no file named '{word}'. {hint}", ctx)


def _configure(ctx: click.Context, args: list[str]) -> list[str]:
    """Take --config FILE and --no-config out of the arguments (they may come anywhere before
    `--`), load the configuration file and make its settings the defaults of every command."""
    path, search, rest = None, True, []
    items = iter(args)
    for arg in items:
        if arg == "--":
            rest.append(arg)
            rest.extend(items)
        elif arg == "--no-config":
            search = False
        elif arg == "--config" or arg.startswith("--config="):
            value = arg.partition("=")[2] if "=" in arg else next(items, None)
            if not value:
                raise click.UsageError("--config needs a FILE", ctx)
            path = Path(value)
        else:
            rest.append(arg)
    try:
        ctx.meta["config"] = settings = config.load(path, search=search)
    except config.ConfigError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(1)
    ctx.default_map = settings.default_map()
    return rest


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clean-articles")
def main() -> None:
    """Turn raw scraped article text into the article alone.

    \b
      clean-articles < raw.txt > clean.txt          stdin to stdout
      clean-articles page.txt                       a file to stdout ("-" is stdin)
      clean-articles --explain page.txt             what was removed, and by which rule
      clean-articles --diff page.txt                a unified diff of input against output
      clean-articles --rules my-site.toml page.txt  add your own rule pack (file or folder)
      clean-articles --disable sputnik.tags page.txt   switch one rule (or a whole pack) off

    Only whole lines are removed; kept lines come out verbatim (trailing whitespace stripped,
    blank-line runs collapsed). Every removal names the rule that made it.

    Settings may come from .clean-articles.toml or [tool.clean-articles] in pyproject.toml (the
    nearest up from here), or --config FILE; --no-config reads none; the command line wins.
    `clean-articles config` shows them.
    """
    for stream in (sys.stdout, sys.stderr):  # pages are UTF-8 whatever the locale says
        if getattr(stream, "encoding", "utf-8").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="surrogateescape")


_RULE_OPTIONS = ("rule_paths", "no_builtin_rules", "disable", "favor", "model")


def rule_options(f):
    """Options every command that loads rules shares; the command gets them as one dict,
    `rule_opts` (what `get_rules` takes)."""
    f = click.option(
        "--model",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A main-text model (from `clean-articles train`) instead of the shipped one.",
    )(f)
    f = click.option(
        "--favor",
        type=click.Choice(FAVORS),
        default="balanced",
        show_default=True,
        help="Generic cleaning: lose a line rather than keep junk (precision), or the reverse (recall).",
    )(f)
    f = click.option(
        "--disable",
        "disable",
        multiple=True,
        metavar="ID",
        help="Switch off a rule (pack.id) or a whole pack. Repeatable.",
    )(f)
    f = click.option("--no-builtin-rules", is_flag=True, help="Use only the packs given with --rules.")(f)
    f = click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        metavar="PATH",
        type=click.Path(exists=True, dir_okay=True, path_type=Path),
        help="A rule pack (.toml) or a folder of packs to add. Repeatable.",
    )(f)

    @functools.wraps(f)
    def gathered(**kwargs):
        return f(rule_opts={k: kwargs.pop(k) for k in _RULE_OPTIONS}, **kwargs)

    return gathered


def corpus_options(f):
    """Options of commands that read corpora of JSON Lines; the command gets them as one
    `fields` (corpus.Fields)."""
    f = click.option("--with-removals", is_flag=True,
                     help='Add to each record what was removed, and why, under "clean_articles".')(f)  # fmt: skip
    f = click.option("--output-field", metavar="NAME", default=None,
                     help="Write the clean text to this field, keeping the raw text [default: replace the text field].")(f)  # fmt: skip
    f = click.option("--url-field", metavar="NAME", default="url", show_default=True,
                     help="The field of a record's URL, whose host is its site.")(f)  # fmt: skip
    f = click.option("--id-field", metavar="NAME", default="id", show_default=True,
                     help="The field that names a record in messages.")(f)  # fmt: skip
    f = click.option("--text-field", metavar="NAME", default="text", show_default=True,
                     help="The field of a record that holds the page's text.")(f)  # fmt: skip

    @functools.wraps(f)
    def gathered(**kwargs):
        fields = Fields(kwargs.pop("text_field"), kwargs.pop("id_field"), kwargs.pop("url_field"),
                        kwargs.pop("output_field"), kwargs.pop("with_removals"))  # fmt: skip
        return f(fields=fields, **kwargs)

    return gathered


def output_options(f):
    """--color and -v, which clean and batch share."""
    f = click.option(
        "-v", "--verbose", is_flag=True, help="Say on stderr which configuration and rule packs are used."
    )(f)
    f = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                     help="Colour --diff and --explain: auto = when stdout is a terminal and NO_COLOR is unset.")(f)  # fmt: skip
    return f


def styled(color: str) -> tuple[Callable | None, int]:
    """How --explain and --diff look for a --color setting: the painter (None: plain) and the
    width --explain fits (that of the terminal, 0 when stdout is none)."""
    tty = sys.stdout.isatty()
    on = color == "always" or (color == "auto" and tty and not os.environ.get("NO_COLOR"))
    return (paint if on else None), (shutil.get_terminal_size().columns if tty else 0)


def tell_loaded(ruleset: RuleSet) -> None:
    """-v: the configuration file and the packs in use, on stderr."""
    settings = click.get_current_context().find_root().meta.get("config")
    where = settings.path if settings is not None and settings.path else "none"
    click.echo(f"clean-articles: configuration: {where}", err=True)
    for pack in ruleset.packs:
        click.echo(f"clean-articles: pack {pack.name}: {pack.path} ({len(pack.rules)} rules)", err=True)


def load_options(rule_opts: dict) -> dict:
    """The keyword arguments of load_rules() for the rule options of a command."""
    return dict(paths=rule_opts["rule_paths"], builtin=not rule_opts["no_builtin_rules"],
                disable=rule_opts["disable"], favor=rule_opts["favor"], model=rule_opts["model"])  # fmt: skip


def get_rules(
    rule_opts: dict, strict: bool = False, prefix: str = "Error: ", reserved: bool = False, untrained: bool = False
) -> RuleSet:
    """Load rules or exit 1 with one line per problem (on stderr)."""
    try:
        return load_rules(**load_options(rule_opts), strict=strict, reserved=reserved, untrained=untrained)
    except RuleError as e:
        for problem in e.problems:
            click.echo(f"{prefix}{problem}", err=True)
        sys.exit(1)


def read_input(name: str, allow_binary: bool, max_page_mb: int = MAX_PAGE_MB) -> tuple[str, bool]:
    """Read a file (or stdin for '-') and decode it; exit 1 with one line on failure."""
    try:
        limit = max_page_mb << 20
        if name != "-":
            with open(name, "rb") as f:
                data = f.read(limit + 1)  # no further: /dev/zero never ends
        elif sys.stdin is None:
            raise click.ClickException("-: there is no standard input (it is closed)")
        else:
            data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise PageTooBig(limit)
        if data.startswith(GZIP):
            data = gunzip(data, limit)
        return decode(data, allow_binary=allow_binary)
    except (BinaryInputError, ValueError) as e:  # PageTooBig, a broken gzip file
        raise click.ClickException(f"{name}: {e}") from None
    except OSError as e:
        raise click.ClickException(f"{name}: cannot read: {e.strerror or e}") from None


@main.command()
@click.argument("files", nargs=-1, metavar="[FILE]...")
@rule_options
@click.option(
    "--explain", is_flag=True, help="Print every removal (path:lines  rule-id (signal)  text) instead of the text."
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Print a unified diff of input against output instead of the text."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per page with the text, the removals and counts.",
)
@click.option("--allow-binary", is_flag=True, help="Clean input with NUL bytes instead of refusing it.")
@click.option("--max-page-mb", type=click.IntRange(1), default=MAX_PAGE_MB, show_default=True,
              help="Refuse a page bigger than this (no article is that big; /dev/zero never ends).")  # fmt: skip
@click.option("--jsonl", is_flag=True,
              help="The input is JSON Lines, a page per record: write each record with its text cleaned.")  # fmt: skip
@corpus_options
@output_options
def clean(files, rule_opts, explain, show_diff, fmt, allow_binary, max_page_mb, jsonl, fields, color, verbose) -> None:
    """Clean FILEs (default: stdin) and write the article text to stdout.

    With --jsonl, each line of input is a record (a JSON object) whose text field is a page:
    records come out in order, every field kept, the text cleaned; a bad line is reported
    (file:line) and left out, and the exit status is 1.
    """
    ruleset = get_rules(rule_opts)
    if verbose:
        tell_loaded(ruleset)
    cleaner = Cleaner(ruleset)
    style, width = styled(color)
    out = sys.stdout.buffer
    if jsonl:
        if explain or show_diff or fmt != "text":
            raise click.UsageError("--jsonl writes records: --with-removals adds what was removed to each")
        if not _clean_records(cleaner, files or ("-",), fields, max_page_mb << 20, out):
            sys.exit(1)
        return
    try:
        for name in files or ("-",):
            text, bom = read_input(name, allow_binary, max_page_mb)
            result = cleaner.clean(text)
            label = "-" if name == "-" else name
            if fmt == "json":
                out.write((dumps(result.to_json(label, metadata=True)) + "\n").encode())
            elif explain:
                out.write(encode(result.explain(label, width, style)))
            elif show_diff:
                out.write(encode(colour_diff(result.diff(label)) if style else result.diff(label)))
            else:
                out.write(encode(result.text, bom))
        out.flush()
    except OSError as e:
        _write_failed(e)


def _clean_records(cleaner: Cleaner, names, fields: Fields, limit: int, out) -> bool:
    """Pipe mode's --jsonl: every record of each file to `out`; False if any was bad."""
    from clean_articles.corpus import lines_of, open_lines, present

    good = True
    try:
        for name in names:
            if name == "-" and sys.stdin is None:
                raise click.ClickException("-: there is no standard input (it is closed)")
            lines = lines_of(sys.stdin.buffer, limit) if name == "-" else open_lines(name, limit)
            for n, line in enumerate(lines, 1):
                try:
                    if present(line, limit).strip():
                        out.write(clean_record(cleaner, line, fields)[1])
                except BadRecord as e:
                    good = False
                    click.echo(f"clean-articles: {render_name(name)}:{n}: skipped: {e}", err=True)
        out.flush()
    except OSError as e:
        if e.errno == errno.EPIPE or getattr(e, "filename", None) is None:
            _write_failed(e)
        raise click.ClickException(f"{e.filename}: cannot read: {e.strerror or e}") from None
    except EOFError:
        raise click.ClickException(f"{name}: cannot read it to its end: a compressed stream cut short") from None
    return good


def _write_failed(e: OSError) -> None:
    """Standard output cannot take more: a reader that stopped (`| head`) ends the run quietly
    (exit 1, as click does), anything else (a full disk) is one line."""
    try:  # what is still buffered goes nowhere, at exit too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if e.errno == errno.EPIPE:
        sys.exit(1)
    raise click.ClickException(f"cannot write the output: {e.strerror or e}")


@main.command()
@click.argument("src", metavar="IN")
@click.argument("dst", metavar="OUT")
@rule_options
@corpus_options
@click.option(
    "--glob", default="*.txt", show_default=True, help="Which files under IN to clean as pages (recursively)."
)
@click.option(
    "--sites",
    type=click.Choice(SITES),
    default="url",
    show_default=True,
    help="What a page's site is, for lines that recur across a site's pages: its record's URL's host "
    "(pages without one: one group), its top folder under IN, or none (the whole batch is one site).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: the number of CPUs]."
)
@click.option("--force", is_flag=True, help="Redo every page, even those whose output is up to date.")
@click.option(
    "--follow-links", is_flag=True, help="Also clean links to files outside IN [default: skip and name each]."
)
@click.option("--max-page-mb", type=click.IntRange(1), default=MAX_PAGE_MB, show_default=True,
              help="Refuse (as a failed page) a page bigger than this.")  # fmt: skip
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a diff for each output that would change, name each missing or stale one "
    "(its input gone); exit 1 if any. For golden files: OUT holds the expected outputs.",
)
@click.option("--update", is_flag=True,
              help="Golden files: write every output anew, keep no manifest in OUT, remove outputs whose input is gone.")  # fmt: skip
@click.option("--prune", is_flag=True, help="Remove outputs whose input is gone [default: name each].")
@click.option("--allow-binary", is_flag=True, help="Clean pages with NUL bytes instead of refusing them.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print a unified diff of each page against its output.")
@click.option("--explain", is_flag=True, help="Also print every removal (path:lines  rule-id (signal)  text).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help=f"jsonl: also write OUT/{JSONL}, one JSON object per page, in path order.",
)
@output_options
@click.option("-q", "--quiet", is_flag=True, help="No summary line at the end.")
@click.option("--dask", "address", metavar="ADDRESS",
              help="Run on a Dask cluster: its scheduler (tcp://host:8786), or local:N for N worker processes "
              "started here. IN and OUT may then be any URL fsspec reads (s3://bucket/crawl/). "
              "Needs pip install 'clean-articles[dask]'.")  # fmt: skip
def batch(src, dst, rule_opts, fields, glob, sites, jobs, force, follow_links, max_page_mb, check, update, prune,
          allow_binary, show_diff, explain, fmt, color, verbose, quiet, address) -> None:  # fmt: skip
    """Clean every page under IN into the same relative path under OUT: its .txt files (--glob)
    page by page, its corpus files (.jsonl, .jsonl.gz: one JSON object per line) record by
    record. IN may also be one corpus file, and OUT then a corpus file of the same kind.

    \b
      clean-articles batch pages/ clean/
      clean-articles batch crawl.jsonl.gz clean.jsonl.gz --text-field body

    Blocks that recur across many pages of a site (its chrome) are removed too: a first pass
    counts them (in memory up to 2^18 line keys, then in files under TMPDIR). A record keeps
    every field; its text field gets the clean text. A bad record (no JSON, no text) is reported
    with file:line and left out; the rest go on. A second run skips files whose output is up to
    date; Ctrl-C loses nothing. Exit 1 if any page or record failed (or, with --check, would
    change).
    """
    if check and update:
        raise click.UsageError("--check compares with OUT, --update rewrites it: one or the other")
    if address is not None:
        return _batch_on_dask(src, dst, address, check or update or prune or show_diff or explain or fmt != "text" or force, rule_opts, quiet,
                              Options(rules=load_options(rule_opts), glob=glob, max_page_mb=max_page_mb, fields=fields,
                                      sites=sites, allow_binary=allow_binary))  # fmt: skip
    src, dst = Path(src), Path(dst)
    if not src.exists():
        raise click.BadParameter(f"Path '{src}' does not exist.", param_hint="'IN'")
    if fmt == "jsonl" and src.is_file():
        raise click.UsageError("--format jsonl needs an OUT folder; with a corpus file, --with-removals adds "
                               "the removals to each record")  # fmt: skip
    ruleset = get_rules(rule_opts)
    if verbose:
        tell_loaded(ruleset)
    style, width = styled(color)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if jobs is not None and jobs > cpus:
        click.echo(f"clean-articles: -j {jobs} is more than the {cpus} CPUs this process may use: -j {cpus}", err=True)
        jobs = cpus
    options = Options(
        rules=load_options(rule_opts),
        glob=glob,
        jobs=jobs or cpus,
        force=force or update,
        check=check,
        update=update,
        prune=prune,
        allow_binary=allow_binary,
        diff=show_diff,
        explain=explain,
        jsonl=fmt == "jsonl",
        follow_links=follow_links,
        max_page_mb=max_page_mb,
        fields=fields,
        sites=sites,
        color=style is not None,
        width=width,
    )
    tty = sys.stderr.isatty()

    def stop(signum, frame):  # SIGTERM, SIGHUP: stop as Ctrl-C does, the progress saved
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)

    def progress(results, length):
        with click.progressbar(results, length=length, file=sys.stderr, label="cleaning") as bar:
            yield from bar

    try:
        summary = run(
            src,
            dst,
            options,
            rules=ruleset,
            echo=lambda s: click.echo(s, nl=False),
            warn=lambda s: click.echo(f"clean-articles: {s}", err=True),
            progress=progress if tty else None,
        )
    except BatchError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:  # OUT cannot be made or written, a folder vanished mid-walk ...
        if e.errno == errno.EPIPE:
            _write_failed(e)  # stdout's reader stopped (batch --diff | head)
        raise click.ClickException(f"{e.filename or dst}: {e.strerror or e}") from None
    if not quiet:
        click.echo(summary.line(check), err=True)
    if not summary.files:
        click.echo(f"clean-articles: no file under {src} matches --glob {glob!r} (nor is a corpus file)", err=True)
    if summary.failed or summary.stale or (check and summary.changed):
        sys.exit(1)


def _batch_on_dask(src: str, dst: str, address: str, reports: bool, rule_opts: dict, quiet: bool,
                   options: Options) -> None:  # fmt: skip
    """batch --dask: the same job on a Dask cluster; it writes every output anew."""
    if reports:
        raise click.UsageError("--dask writes the outputs only: --check, --update, --prune, --diff, --explain, --format "
                               "and --force are for a local batch")  # fmt: skip
    try:
        from clean_articles import dask as on_dask
    except ImportError as e:
        raise click.ClickException(f"--dask needs Dask: pip install 'clean-articles[dask]' ({e})") from None
    get_rules(rule_opts)  # a broken rule file: said here, once
    try:
        summary = on_dask.run(src, dst, options, address, warn=lambda s: click.echo(f"clean-articles: {s}", err=True))
    except (ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    if not quiet:
        click.echo(summary.line(), err=True)
    if summary.failed:
        sys.exit(1)


@main.command()
@click.argument("src", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--glob", default="*.txt", show_default=True, help="Which files under DIR to read (recursively).")
@click.option(
    "--min-pages",
    type=click.IntRange(2),
    default=3,
    show_default=True,
    help="Learn a block only if it is on this many pages.",
)
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.3,
    show_default=True,
    help="... and on this share of the pages.",
)
@click.option("--name", default=None, help="The site's name for the pack's [pack] table [default: DIR's name].")
def learn(src, glob, min_pages, min_share, name) -> None:
    """Write (to stdout) a rule pack of the blocks that recur across the pages of DIR.

    \b
      clean-articles learn pages/ > site.toml
      clean-articles rules test site.toml
      clean-articles --rules site.toml < page.txt
    """
    from clean_articles.learn import learn as learn_pack

    def warn(message: str) -> None:
        click.echo(f"clean-articles: {message}", err=True)

    pack = learn_pack(src, glob=glob, min_pages=min_pages, min_share=min_share, name=name, warn=warn)
    click.echo(pack, nl=False)


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the model (a TOML file).")  # fmt: skip
@click.option(
    "--folds", type=click.IntRange(2), default=5, show_default=True, help="Folds of sites for the cross-validation."
)
@click.option("--split", default="", metavar="TEXT",
              help="Deal the sites into folds otherwise (a salt for the hash of their names): run again with "
              "another split to see how much a figure owes to one.")  # fmt: skip
@click.option("--bags", type=click.IntRange(1), default=4, show_default=True,
              help="Members of the model, each trained without a share of the sites, whose scores are averaged: "
              "steadier on sites never seen; each costs a training and a little cleaning time.")  # fmt: skip
@click.option("--no-cv", is_flag=True, help="Train only: skip the cross-validated score.")
@click.option("--also-score", "also", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Pages to score in the cross-validation, never to train on (another rendering of the same pages, "
              "say: a page whose name is a training page's falls in its site's fold). Repeatable.")  # fmt: skip
@rule_options
def train(data, output, folds, split, bags, no_cv, also, rule_opts) -> None:
    """Learn a main-text model from pages and their clean text; print its score on held-out sites.

    Each DATA folder holds raw/ (pages as scraped) and clean/ or gold/ (the article alone, same
    file names), and maybe a pages.jsonl of {"id", "site"} lines (without one, each page is a site
    of its own). Pages are cleaned by the other rules first, as in use. Needs numpy.

    \b
      clean-articles train my-pages/ -o my-model.toml
      clean-articles --model my-model.toml < page.txt
    """
    from clean_articles.files import write
    from clean_articles.main_text import dump
    from clean_articles.main_text import train as learning

    if rule_opts["model"] is not None:
        raise click.UsageError("--model: train learns a model and reads none (pass it when cleaning)")
    try:
        pages, rules = learning.read_pages(data), get_rules(rule_opts, untrained=True)
        learning.prepare(pages, rules)
        click.echo(f"{len(pages)} pages of {len({p.site for p in pages})} sites", err=True)
        model = learning.train_model(pages, folds, split=split, bags=bags)
        model.trained = {"command": " ".join(["clean-articles train", *sys.argv[2:]]), "pages": len(pages),
                         "sites": len({p.site for p in pages}), "data": learning.fingerprint(pages)}  # fmt: skip
        if not no_cv:
            held = learning.read_pages(also) if also else []
            for name, scored in sorted(
                learning.cross_validate(pages, rules, folds, held=held, split=split, bags=bags).items()
            ):
                got = learning.report(name, scored)
                click.echo(f"cross-validated by site: {got.line()}")
                model.trained[f"cv_f1_{name}"] = round(got.f1, 4)
    except learning.TrainError as e:
        raise click.ClickException(str(e)) from None
    write(output, dump(model).encode())
    click.echo(f"wrote {output}", err=True)


@main.command("config")
@click.pass_context
def show_config(ctx: click.Context) -> None:
    """Print the settings of the configuration file in use, each with where it comes from.

    \b
      # .clean-articles.toml (or [tool.clean-articles] in pyproject.toml)
      rules = ["rules/"]          # packs of your own, from the file's folder
      disable = ["sputnik.tags"]
      favor = "precision"
      jobs = 4
    """
    click.echo(config.show(ctx.find_root().meta["config"]), nl=False)


@main.group()
def rules() -> None:
    """List, validate and test rule packs."""


@rules.command("list")
@rule_options
@click.option("--pack", "pack_name", metavar="NAME", help="Only the rules of this pack.")
def rules_list(rule_opts, pack_name) -> None:
    """Print each rule: full id, kind, pack, where it applies, and why."""
    ruleset = get_rules(rule_opts)
    names = [p.name for p in ruleset.packs]
    if pack_name and pack_name not in names:
        raise click.UsageError(f"no pack named '{pack_name}'. {suggest(pack_name, names)}".strip())
    rows = [
        (r.full_id, r.kind, p.name, r.where, r.why)
        for p in ruleset.packs
        if pack_name in (None, p.name)
        for r in p.rules
    ]
    width = max((len(r[0]) for r in rows), default=0)
    pack_width = max((len(r[2]) for r in rows), default=0)
    for rid, kind, pack, where, why in rows:
        click.echo(f"{rid:<{width}}  {kind:<9}  {pack:<{pack_width}}  {where:<8}  {why}")


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@rule_options
def rules_show(rule_id, rule_opts) -> None:
    """Print one rule whole: where it is defined, why, its parameters and examples."""
    ruleset = get_rules(rule_opts)
    found = {r.full_id: r for r in ruleset.rules}
    rule = found.get(rule_id)
    if rule is None:
        raise click.UsageError(f"no rule '{rule_id}'. {suggest(rule_id, found)}".strip())
    pack = next(p for p in ruleset.packs if p.name == rule.pack)
    click.echo(f"{rule.full_id}  ({rule.kind}, {rule.where})\n{rule.path}:{rule.line or 1}\n\n{rule.why}\n")
    if pack.when is not None:
        click.echo(f"pack gate: {pack.when.source}")
    for key, value in rule.params.items():
        literal = isinstance(value, str) and "'" not in value and "\n" not in value
        click.echo(f"{key} = " + (f"'{value}'" if literal else json.dumps(value, ensure_ascii=False, default=str)))
    for n, example in enumerate(rule.examples, 1):
        verdict = "keeps it" if example.keep else "removes lines"
        click.echo(
            f"\nexample {n} (line {example.line}), {verdict}:\n" + textwrap.indent(example.raw.rstrip("\n"), "  | ")
        )
        if not example.keep:
            click.echo("  ->\n" + textwrap.indent(example.clean.rstrip("\n") or "(nothing)", "  | "))


def _only(paths) -> dict:
    """The rule options for these packs alone (the shipped ones when none is given)."""
    return dict(rule_paths=paths, no_builtin_rules=bool(paths), disable=(), favor="balanced", model=None)


@rules.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def rules_check(paths) -> None:
    """Validate packs (default: the shipped ones): every problem, one line each; exit 1 on any."""
    ruleset = get_rules(_only(paths), strict=True, prefix="", reserved=bool(paths))
    count = sum(len(p.rules) for p in ruleset.packs)
    click.echo(f"{len(ruleset.packs)} packs, {count} rules: no problems")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def rules_test(paths) -> None:
    """Run every rule's examples with only that rule enabled; report each failure; exit 1 on any."""
    from clean_articles.examples import check

    ruleset = get_rules(_only(paths), reserved=bool(paths))
    failures = check(ruleset)
    for failure in failures:
        click.echo(str(failure))
    total = sum(len(r.examples) for r in ruleset.rules)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)
