"""The ``paperlint`` command: the only module that prints, reads the environment or exits."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from linter import __version__
from linter.config import Config, ConfigError, apply_options, find_config, load_config
from linter.findings import RULES, Severity, resolve_rule

if TYPE_CHECKING:
    from linter.baseline import Baseline
    from linter.engine import Report, Source
    from linter.net.results import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """Printed as one line, exit code 2."""


def _fail(message: str) -> NoReturn:
    raise UserError(message)


def _split_codes(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.replace(",", " ").split() if part]


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
    config_file: str | None, isolated: bool, cli_options: dict[str, Any], verbose: bool
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
    options = {key: value for key, value in cli_options.items() if value is not None}
    return apply_options(config, options, origin="command line", base_dir=Path.cwd())


class _ProgressBar:
    """One self-overwriting line on stderr while the network phase runs (TTY only)."""

    WIDTH = 30

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._last_draw = float("-inf")  # the first update always draws
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        finished = progress.checked >= progress.total
        if not finished and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = int(self.WIDTH * progress.checked / max(progress.total, 1))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._stream.write(
            f"\r[{bar}] {progress.checked}/{progress.total} links checked,"
            f" {progress.failures} failing"
        )
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--offline", is_flag=True, help="Only the checks that need no network.")
@click.option(
    "--select", multiple=True, metavar="CODES", help="Only these rules (codes, prefixes or names)."
)
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[:FILE]",
    help="text (default), json, sarif, github or markdown; repeat for several outputs, ':FILE' to write one to a file.",
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--config", "config_file", metavar="FILE", help="Read this configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--exclude-path",
    multiple=True,
    metavar="PATTERN",
    help="gitignore-style pattern of files not to walk.",
)
@click.option(
    "--duplicate-scope",
    type=click.Choice(["section", "file", "all"]),
    help="Where PL201 looks for repeats.",
)
@click.option(
    "--stdin-filename", metavar="NAME", help="The name to report for '-' (standard input)."
)
@click.option(
    "--timeout", type=float, metavar="SECONDS", help="Total time per request [default: 20]."
)
@click.option(
    "--max-concurrency", type=int, metavar="N", help="Requests in flight at once [default: 128]."
)
@click.option(
    "--max-per-host", type=int, metavar="N", help="Requests in flight per host [default: 4]."
)
@click.option(
    "--retries", type=int, metavar="N", help="Retries of 408/429/5xx/resets [default: 2]."
)
@click.option("--user-agent", metavar="UA", help="User-Agent header [default: browser-like].")
@click.option(
    "--accept", metavar="CODES", help="Accepted status codes, e.g. '200,206,403' or '200..299'."
)
@click.option(
    "--allow-private",
    is_flag=True,
    default=None,
    help="Allow requests to private and loopback addresses.",
)
@click.option("--exclude", multiple=True, metavar="REGEX", help="Never fetch URLs matching REGEX.")
@click.option(
    "--cache", "cache_file", metavar="PATH", help="Link cache file [default: user cache dir]."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the link cache.")
@click.option(
    "--max-cache-age",
    metavar="AGE",
    help="Reuse cached results up to AGE (3600, 30m, 12h, 1d) [default: 1d].",
)
@click.option("--quiet", "-q", is_flag=True, help="Print the findings and nothing else.")
@click.option("--verbose", "-v", is_flag=True, help="Say what is read and checked, on stderr.")
@click.option(
    "--fix", is_flag=True, help="Apply the safe fixes in place, then report what remains."
)
@click.option(
    "--diff", is_flag=True, help="Print the safe fixes as a unified diff instead; write nothing."
)
@click.option(
    "--fix-titles", is_flag=True, help="With --fix/--diff: also fix titles from arXiv metadata."
)
@click.option(
    "--baseline", "baseline_file", metavar="FILE", help="Ignore the findings recorded in FILE."
)
@click.option(
    "--write-baseline", metavar="FILE", help="Record the current findings in FILE and accept them."
)
def check(
    paths: tuple[str, ...],
    offline: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    no_color: bool,
    strict: bool,
    config_file: str | None,
    isolated: bool,
    exclude_path: tuple[str, ...],
    duplicate_scope: str | None,
    stdin_filename: str | None,
    timeout: float | None,
    max_concurrency: int | None,
    max_per_host: int | None,
    retries: int | None,
    user_agent: str | None,
    accept: str | None,
    allow_private: bool | None,
    exclude: tuple[str, ...],
    cache_file: str | None,
    no_cache: bool,
    max_cache_age: str | None,
    quiet: bool,
    verbose: bool,
    fix: bool,
    diff: bool,
    fix_titles: bool,
    baseline_file: str | None,
    write_baseline: str | None,
) -> None:
    """Check Markdown files and folders (folders: every *.md / *.markdown below them; '-': stdin)."""
    from linter.engine import Source, collect_sources, lint
    from linter.reporters import REPORTERS, RenderOptions

    if quiet and verbose:
        _fail("--quiet and --verbose cannot be used together")
    if fix_titles and not (fix or diff):
        _fail("--fix-titles only works with --fix or --diff")
    if diff and (formats or output or write_baseline):
        _fail(
            "--diff prints a diff instead of a report; drop --format, --output and --write-baseline"
        )
    outputs = _parse_outputs(formats, output)
    baseline = _read_baseline(baseline_file) if baseline_file and not diff else None
    cli_options: dict[str, Any] = {
        "select": _split_codes(select) or None,
        "ignore": _split_codes(ignore) or None,
        "exclude-path": list(exclude_path) or None,
        "duplicate-scope": duplicate_scope,
        "timeout": timeout,
        "max-concurrency": max_concurrency,
        "max-per-host": max_per_host,
        "retries": retries,
        "user-agent": user_agent,
        "accept": accept,
        "allow-private": allow_private,
        "exclude": list(exclude) or None,
        "cache": False if no_cache else cache_file,
        "max-cache-age": max_cache_age,
    }
    config = _build_config(config_file, isolated, cli_options, verbose)

    given = list(paths) or ["."]
    stdin_count = given.count("-")
    if stdin_count > 1:
        _fail("'-' (standard input) can be given only once")
    exclude_root = config.source.parent if config.source else Path.cwd()
    sources, problems = collect_sources(
        [path for path in given if path != "-"], config.exclude_path, exclude_root
    )
    if stdin_count:
        name = stdin_filename or "-"
        data = _read_stdin()
        if isinstance(data, bytes):
            sources.append(Source(name, None, data))
        else:
            problems.append(f"{name}: cannot read standard input: {data}")
    if verbose:
        click.echo(f"paperlint: {len(sources)} file(s) to check", err=True)

    progress_bar = _ProgressBar(sys.stderr) if not quiet and sys.stderr.isatty() else None
    started = time.monotonic()
    try:
        report = lint(
            sources,
            config,
            offline=offline,
            cache_path=config.cache_path or default_cache_path(),
            github_token=os.environ.get("GITHUB_TOKEN") or None,
            progress=progress_bar,
        )
    finally:
        if progress_bar is not None:
            progress_bar.close()
    report.problems[:0] = problems
    if verbose:
        elapsed = time.monotonic() - started
        click.echo(
            f"paperlint: checked {report.summary.files} file(s), {report.urls_checked} unique URL(s)"
            f" in {elapsed:.2f}s",
            err=True,
        )
    if diff:
        sys.exit(_show_diff(report, fix_titles, quiet))
    if fix:
        report = _write_fixes(report, sources, config, fix_titles, quiet)
    if write_baseline:
        report = _record_baseline(report, write_baseline, quiet)
    elif baseline is not None:
        from linter.baseline import filter_baseline
        from linter.engine import with_findings

        remaining, covered = filter_baseline(report, baseline)
        report = with_findings(report, remaining)
        if covered and not quiet:
            click.echo(f"paperlint: {covered} finding(s) in the baseline not shown", err=True)

    for name, target in outputs:
        to_stdout = target in (None, "-")
        color = to_stdout and name == "text" and _use_color(no_color, sys.stdout)
        rendered = REPORTERS[name](report, RenderOptions(color=color, show_fixes=not quiet))
        if quiet and name == "text":
            rendered = "".join(rendered.splitlines(keepends=True)[: len(report.findings)])
        _write(rendered, target)

    if not quiet:
        for warning in report.warnings:
            click.echo(f"paperlint: warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(f"paperlint: error: {problem}", err=True)
    sys.exit(_exit_code(report, strict))


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


def _record_baseline(report: Report, name: str, quiet: bool) -> Report:
    """Write every current finding to the baseline ``name``; they are accepted from now on."""
    from linter.baseline import build_baseline, dump_baseline
    from linter.engine import with_findings

    target = Path(name)
    recorded = build_baseline(report, target.parent)
    try:
        _replace_file(target, dump_baseline(recorded).encode("utf-8"))
    except OSError as error:
        _fail(f"{name}: cannot write baseline: {(error.strerror or str(error)).lower()}")
    if not quiet:
        click.echo(f"paperlint: recorded {recorded.total} finding(s) in {name}", err=True)
    return with_findings(report, [])


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


def _write_fixes(
    report: Report, sources: Sequence[Source], config: Config, titles: bool, quiet: bool
) -> Report:
    """``--fix``: write each fixed file atomically, then check the fixed files again (offline; the
    link findings of the first run are carried over) so the report shows what remains."""
    from linter.engine import lint
    from linter.fix import after_fix, plan_fixes

    written = []
    for plan in plan_fixes(report, titles=titles):
        if plan.path is None:
            continue  # standard input: nothing to write back to
        try:
            if plan.path.read_bytes() != plan.original:
                report.problems.append(f"{plan.display}: changed while being checked, not fixed")
                continue
            _replace_file(plan.path, plan.fixed)
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            report.problems.append(f"{plan.display}: cannot write fixes: {reason}")
            continue
        written.append(plan)
    if not written:
        return report
    if not quiet:
        count = sum(len(plan.fixed_findings) for plan in written)
        click.echo(f"paperlint: fixed {count} problem(s) in {len(written)} file(s)", err=True)
    recheck = lint(sources, config, offline=True)
    return after_fix(report, recheck, written)


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, renamed over the
    original (through a symlink to its target), keeping the file's permission bits."""
    target = path.resolve()
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
@click.option(
    "--cache", "cache_file", metavar="PATH", help="Link cache file [default: user cache dir]."
)
def cache_info_command(cache_file: str | None) -> None:
    """Where the cache is, how many links it holds and how old they are."""
    from linter.net.cache import cache_info

    info = cache_info(Path(cache_file) if cache_file else default_cache_path())
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
@click.option(
    "--cache", "cache_file", metavar="PATH", help="Link cache file [default: user cache dir]."
)
def cache_clear_command(cache_file: str | None) -> None:
    """Forget every cached link result."""
    from linter.net.cache import CacheError, cache_clear

    try:
        removed = cache_clear(Path(cache_file) if cache_file else default_cache_path())
    except CacheError as error:
        _fail(str(error))
    click.echo(f"removed {removed} cached link result(s)")


def main(argv: Sequence[str] | None = None) -> NoReturn:
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
    except (UserError, ConfigError) as error:
        click.echo(f"paperlint: error: {error}", err=True)
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
