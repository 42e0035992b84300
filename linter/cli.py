"""The ``paperlint`` command: the only module that prints, reads the environment or exits."""

from __future__ import annotations

import atexit
import gc
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from linter import __version__
from linter.config import Config, ConfigError, apply_options, find_config, load_config
from linter.findings import Severity
from linter.options import COMMAND_LINE, OPTION, OPTIONS, read_invocation
from linter.rules import RULES, resolve_rule

if TYPE_CHECKING:
    from linter.baseline import Baseline
    from linter.engine import Report
    from linter.net.results import Progress
    from linter.reading import Source

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

_F = TypeVar("_F", bound=Callable[..., Any])


class UserError(Exception):
    """Printed as one line, exit code 2."""


def _fail(message: str) -> NoReturn:
    raise UserError(message)


def default_cache_path() -> Path:
    override = os.environ.get("PAPERLINT_CACHE_DIR")
    if override:
        return Path(override) / "links.sqlite3"
    import platformdirs

    return Path(platformdirs.user_cache_dir("paperlint")) / "links.sqlite3"


def _use_color(no_color: bool, stream: IO[str]) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return stream is not None and stream.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperlint")
def cli() -> None:
    """Lint Markdown reading lists of research papers: dead links, duplicates, ID clashes, mojibake."""


def _parse_outputs(formats: Sequence[str], output: str | None) -> list[tuple[str, str | None]]:
    """``--format text --format sarif:out.sarif`` -> [("text", output), ("sarif", "out.sarif")]."""
    from linter.reporters import REPORTERS

    outputs: list[tuple[str, str | None]] = []
    for value in formats or ("text",):
        name, colon, target = value.partition(":")
        name = name.strip().lower()
        if name not in REPORTERS:
            _fail(f"unknown format '{name}' (choose from {', '.join(REPORTERS)})")
        if colon and not target.strip():
            _fail(f"--format {name}: needs a file name after ':' (or no ':' for stdout)")
        outputs.append((name, target or output))
    targets = [target or "-" for _, target in outputs]
    if len(targets) != len(set(targets)):
        _fail("two --format outputs would write to the same place; give each its own ':FILE'")
    return outputs


def _build_config(
    config_file: str | None, isolated: bool, overrides: dict[str, Any], verbose: bool
) -> Config:
    if isolated:
        config = Config()
    elif config_file:
        path = Path(config_file)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except (OSError, ValueError):
            _fail(f"{config_file}: configuration file not found")
        if is_dir:
            _fail(f"{config_file}: is a directory, not a configuration file")
        config = load_config(path)
    else:
        found = find_config(Path.cwd())
        config = load_config(found) if found else Config()
    if verbose:
        click.echo(f"paperlint: configuration: {config.source or 'defaults'}", err=True)
    return apply_options(config, overrides, origin=COMMAND_LINE, base_dir=Path.cwd())


class _ProgressBar:
    """One self-overwriting line on stderr while the network phase runs (TTY only): the links
    checked, then each registry's batches. Providers report from their own threads."""

    WIDTH = 30

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._last_draw = float("-inf")  # the first update always draws
        self._drawn = False
        self._latest: dict[str, Progress] = {}
        self._lock = threading.Lock()

    def __call__(self, progress: Progress) -> None:
        with self._lock:
            self._latest[progress.label] = progress
            now = time.monotonic()
            finished = all(item.checked >= item.total for item in self._latest.values())
            if not finished and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            self._draw()

    def _draw(self) -> None:
        parts: list[str] = []
        lead = self._latest.get("links") or next(iter(self._latest.values()))
        filled = int(self.WIDTH * lead.checked / max(lead.total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        for label, item in self._latest.items():
            if label == "links":
                parts.insert(
                    0, f"{item.checked}/{item.total} links checked, {item.failures} failing"
                )
            else:
                failing = f", {item.failures} failed" if item.failures else ""
                parts.append(f"{label} {item.checked}/{item.total} batches{failing}")
        self._stream.write(f"\r[{bar}] {'; '.join(parts)}")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def _click_options(*names: str) -> Callable[[_F], _F]:
    """The click options of the rows of the options table named (default: every row with flags)."""
    rows = [OPTION[name] for name in names] or [row for row in OPTIONS if row.flags]

    def decorate(function: _F) -> _F:
        for row in reversed(rows):  # click lists options in the order the decorators are written
            kind: Any = click.Choice(row.choices) if row.choices else row.number
            function = click.option(
                *row.flags,
                row.dest,
                # None for a key's flag: not given, the configuration file's value stays.
                default=row.default if row.cli_only else None,
                type=kind,
                is_flag=row.is_flag,
                multiple=row.multiple,
                metavar=row.metavar,
                help=row.cli_help,
            )(function)
        return function

    return decorate


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_click_options()
def check(paths: tuple[str, ...], **options: Any) -> None:
    """Check Markdown files and folders (folders: every *.md / *.markdown below them; '-': stdin)."""
    from linter.engine import lint
    from linter.reading import Source, collect_sources
    from linter.reporters import REPORTERS, RenderOptions

    run = read_invocation(options)
    if run.quiet and run.verbose:
        _fail("--quiet and --verbose cannot be used together")
    if run.fix_titles and not (run.fix or run.diff):
        _fail("--fix-titles only works with --fix or --diff")
    if run.diff and (run.format or run.output or run.write_baseline):
        _fail(
            "--diff prints a diff instead of a report; drop --format, --output and --write-baseline"
        )
    outputs = _parse_outputs(run.format, run.output)
    baseline = _read_baseline(run.baseline) if run.baseline and not run.diff else None
    config = _build_config(run.config, run.isolated, run.overrides, run.verbose)

    given = list(paths) or ["."]
    stdin_count = given.count("-")
    if stdin_count > 1:
        _fail("'-' (standard input) can be given only once")
    exclude_root = config.source.parent if config.source else Path.cwd()
    sources, problems = collect_sources(
        [path for path in given if path != "-"], config.exclude_path, exclude_root
    )
    if stdin_count:
        name = run.stdin_filename or "-"
        data = _read_stdin()
        if isinstance(data, bytes):
            sources.append(Source(name, None, data))
        else:
            problems.append(f"{name}: cannot read standard input: {data}")
    if run.verbose:
        click.echo(f"paperlint: {len(sources)} file(s) to check", err=True)

    progress_bar = _ProgressBar(sys.stderr) if not run.quiet and sys.stderr.isatty() else None
    started = time.monotonic()
    try:
        report = lint(
            sources,
            config,
            offline=run.offline,
            # platformdirs only when there is a cache to find (--no-cache: none).
            cache_path=(config.cache_path or default_cache_path()) if config.cache else None,
            github_token=os.environ.get("GITHUB_TOKEN") or None,
            progress=progress_bar,
        )
    finally:
        if progress_bar is not None:
            progress_bar.close()
    report = replace(report, problems=(*problems, *report.problems))
    if run.verbose:
        elapsed = time.monotonic() - started
        click.echo(
            f"paperlint: checked {report.summary.files} file(s), {report.urls_checked} unique URL(s)"
            f" in {elapsed:.2f}s",
            err=True,
        )
    if run.diff:
        sys.exit(_show_diff(report, run.fix_titles, run.quiet))
    if run.fix or run.write_baseline or baseline is not None:
        report = _settle(
            report,
            sources,
            config,
            run.fix,
            run.fix_titles,
            baseline,
            run.write_baseline,
            run.quiet,
        )

    for name, target in outputs:
        to_stdout = target in (None, "-")
        color = to_stdout and name == "text" and _use_color(run.no_color, sys.stdout)
        rendered = REPORTERS[name](report, RenderOptions(color=color, show_fixes=not run.quiet))
        if run.quiet and name == "text":
            rendered = "".join(rendered.splitlines(keepends=True)[: len(report.findings)])
        _write(rendered, target)

    if not run.quiet:
        for notice in report.notices:
            click.echo(f"paperlint: warning: {notice}", err=True)
    for problem in report.problems:
        click.echo(f"paperlint: error: {problem}", err=True)
    sys.exit(_exit_code(report, run.strict))


def _read_stdin() -> bytes | str:
    """Standard input's bytes, or why they cannot be read."""
    if sys.stdin is None:
        return "it is closed"  # Python sets sys.stdin to None when file descriptor 0 is closed
    try:
        return sys.stdin.buffer.read()
    except OSError as error:
        return (error.strerror or str(error)).lower()


def _read_baseline(name: str) -> Baseline:
    from linter.baseline import BaselineError, read_baseline

    try:
        return read_baseline(Path(name))
    except BaselineError as error:
        _fail(str(error))


def _settle(
    report: Report,
    sources: Sequence[Source],
    config: Config,
    fix: bool,
    titles: bool,
    baseline: Baseline | None,
    write_baseline: str | None,
    quiet: bool,
) -> Report:
    from linter.workflow import settle

    try:
        settled = settle(
            report,
            sources,
            config,
            fix=fix,
            titles=titles,
            baseline=baseline,
            write_baseline=Path(write_baseline) if write_baseline else None,
        )
    except OSError as error:
        _fail(f"{write_baseline}: cannot write baseline: {(error.strerror or str(error)).lower()}")
    if not quiet:
        if settled.fixed:
            click.echo(
                f"paperlint: fixed {settled.fixed_count} problem(s) in {len(settled.fixed)} file(s)",
                err=True,
            )
        if settled.recorded is not None:
            click.echo(
                f"paperlint: recorded {settled.recorded} finding(s) in {write_baseline}", err=True
            )
        if settled.covered:
            click.echo(
                f"paperlint: {settled.covered} finding(s) in the baseline not shown", err=True
            )
    return settled.report


def _show_diff(report: Report, titles: bool, quiet: bool) -> int:
    """``--diff``: the fixes as a unified diff on stdout; exit 1 when there is something to fix."""
    from linter.fix import plan_fixes, unified_diff

    plans = plan_fixes(report, titles=titles)
    for plan in plans:
        click.echo(unified_diff(plan), nl=False)
    if not quiet:
        count = sum(len(plan.fixed_findings) for plan in plans)
        click.echo(f"paperlint: would fix {count} problem(s) in {len(plans)} file(s)", err=True)
    for problem in report.problems:
        click.echo(f"paperlint: error: {problem}", err=True)
    if report.problems:
        return EXIT_USAGE
    return EXIT_FINDINGS if plans else EXIT_OK


def _write(text: str, target: str | None) -> None:
    if target in (None, "-"):
        try:
            click.echo(text, nl=False, color=True)  # colour was decided already; keep it
            if sys.stdout is not None:
                sys.stdout.flush()
        except BrokenPipeError:
            raise  # `paperlint check | head`: main() ends quietly
        except OSError as error:
            _fail(f"cannot write to standard output: {(error.strerror or str(error)).lower()}")
        return
    assert target is not None
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"{target}: cannot write report: {(error.strerror or str(error)).lower()}")


def _exit_code(report: Report, strict: bool) -> int:
    if report.problems:
        return EXIT_USAGE
    worst = Severity.WARNING if strict else Severity.ERROR
    if any(finding.severity.rank >= worst.rank for finding in report.findings):
        return EXIT_FINDINGS
    return EXIT_OK


@cli.command()
@click.argument("rule", required=False)
def rules(rule: str | None) -> None:
    """List every rule, or explain one (a code such as PL301, or a name such as mojibake)."""
    from linter.rules import rule_doc

    if rule is None:
        width = max(len(item.name) for item in RULES.values())
        for item in RULES.values():
            where = "network" if item.network else "offline"
            click.echo(
                f"{item.code}  {item.name:<{width}}  {item.severity.value:<7}  {where:<7}  {item.summary}"
            )
        return
    try:
        matched = resolve_rule(rule)
    except KeyError:
        _fail(f"unknown rule '{rule}' (see 'paperlint rules')")
    for index, item in enumerate(matched):
        if index:
            click.echo()
        where = "network check" if item.network else "offline check"
        click.echo(f"{item.code} {item.name} ({item.severity.value}, {where})\n")
        click.echo(rule_doc(item), nl=False)


@cli.group()
def cache() -> None:
    """Inspect or clear the link cache."""


@cache.command("info")
@_click_options("cache")
def cache_info_command(cache: str | None) -> None:
    """Where the cache is, how many links it holds and how old they are."""
    from linter.net.cache import cache_info

    info = cache_info(Path(cache) if cache else default_cache_path())
    click.echo(f"path:    {info.path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size:    {info.bytes} bytes")
    if info.entries:
        click.echo(f"oldest:  {_timestamp(info.oldest)}")
        click.echo(f"newest:  {_timestamp(info.newest)}")
    if info.error:
        _fail(f"{info.path}: not a usable cache: {info.error}")


def _timestamp(value: float | None) -> str:
    if value is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value))


@cache.command("clear")
@_click_options("cache")
def cache_clear_command(cache: str | None) -> None:
    """Forget every cached link result."""
    from linter.net.cache import CacheError, cache_clear

    try:
        removed = cache_clear(Path(cache) if cache else default_cache_path())
    except CacheError as error:
        _fail(str(error))
    click.echo(f"removed {removed} cached link result(s)")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    if argv is None:
        # The program's own run, not a caller's: at exit, the interpreter's last collections
        # walk every object the run made (documents, tokens, the network stack) once more, about
        # 0.1 s of a link check; frozen, they are left to the process's end.
        atexit.register(gc.freeze)
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="paperlint",
            standalone_mode=False,
        )
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("paperlint: aborted", err=True)
        sys.exit(130)
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
        click.echo(f"paperlint: error: {error.format_message()}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        click.echo(f"paperlint: error: {error.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except UserError as error:
        click.echo(f"paperlint: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except ConfigError as error:
        for message in error.messages:
            click.echo(f"paperlint: error: {message}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("paperlint: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `paperlint check | head`: the reader went away; say nothing more.
        sys.stderr.close()
        sys.exit(EXIT_FINDINGS)
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"paperlint: error: {where}{reason}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as error:
        # A bug: one line, as for every other error; the traceback on request.
        if os.environ.get("PAPERLINT_DEBUG"):
            raise
        click.echo(
            f"paperlint: error: internal error: {type(error).__name__}: {error}"
            " (please report it; PAPERLINT_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK)


if __name__ == "__main__":
    main()
