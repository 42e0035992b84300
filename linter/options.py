"""Every option of ``paperlint check`` in one table: its name, default, help, how a
``[tool.paperlint]`` value is read and how it is spelled on the command line.

The click options of ``check``, the configuration keys with their checks and messages, the
defaults of :class:`linter.config.Config` and the network settings handed to the link checker are
all derived from :data:`OPTIONS`, so adding an option is one row here (and a line in README.md,
which a test holds to the table). No click here: ``linter.cli`` turns rows into click options.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from linter.document import DEFAULT_GENERIC_TEXTS
from linter.findings import Severity
from linter.net.settings import CheckerSettings, HostSettings
from linter.registries import arxiv, crossref, github, wayback
from linter.registries.base import MAX_AGE
from linter.rules import resolve_rule
from linter.rules.base import Rule

DUPLICATE_SCOPES = ("section", "file", "all")
COMMAND_LINE = "command line"

# The link checker owns the defaults of its tuning; the network rows below point at them.
_NET = CheckerSettings()


class ConfigError(Exception):
    """Configuration or usage problems: the CLI prints each message on its own line and exits 2.
    Several at once, so that fixing a configuration file takes one round, not one per mistake."""

    def __init__(self, *messages: str) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Where:
    """Where a value comes from, for messages: the key as written and the file (or command line)."""

    key: str
    origin: str
    base_dir: Path  # relative paths in the value are relative to this folder

    def error(self, text: str) -> ConfigError:
        return ConfigError(f"{self.origin}: '{self.key}' {text}")

    def problem(self, text: str) -> ConfigError:
        return ConfigError(f"{self.origin}: '{self.key}': {text}")


Parser = Callable[[Any, Where], Any]


@dataclass(frozen=True)
class Option:
    name: str  # kebab-case: the configuration key (snake_case accepted) and the long flag
    help: str  # --help text; a shown default is appended
    default: Any = None
    # Reads the [tool.paperlint] value, raising ConfigError; None: not a configuration key.
    parse: Parser | None = None
    # The Config field the parsed value goes to; "" is the name in snake_case. None: the parser
    # returns a mapping of fields (one key setting several fields).
    field: str | None = ""
    extend: bool = False  # add to the field's current value instead of replacing it
    aliases: tuple[str, ...] = ()  # other configuration keys for the same option
    network: bool = False  # handed to the link checker: the field is also a CheckerSettings field
    # The command line: no flags is a configuration-only key.
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    is_flag: bool = False
    multiple: bool = False
    number: type[int] | type[float] | None = None
    choices: tuple[str, ...] = ()
    shown_default: str | None = None  # "[default: ...]" in --help, when not str(default)
    show_default: bool = False
    # The configuration key a command-line value overrides ("" = this row's own key when it has
    # one); with cli_value mapping the click value to the configuration value (None: not given).
    overrides: str | None = ""
    cli_value: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.field == "":
            object.__setattr__(self, "field", self.name.replace("-", "_"))
        if self.overrides == "":
            object.__setattr__(self, "overrides", self.name if self.parse else None)

    @property
    def dest(self) -> str:
        """The keyword under which click passes the value."""
        return self.name.replace("-", "_")

    @property
    def cli_only(self) -> bool:
        return self.overrides is None

    @property
    def cli_help(self) -> str:
        if not (self.show_default or self.shown_default):
            return self.help
        shown = self.shown_default or f"{self.default:g}"
        return f"{self.help} [default: {shown}]."

    def from_cli(self, value: Any) -> Any:
        """The click value as a configuration value; None when the flag was not given."""
        if self.cli_value is not None:
            return self.cli_value(value)
        if self.multiple:
            return list(value) or None
        return value


# --- Readers of configuration values -------------------------------------------------------------


def _resolve(token: str, where: Where) -> list[Rule]:
    try:
        return resolve_rule(token)
    except KeyError:
        raise where.problem(f"unknown rule '{token}'") from None


def _codes(value: Any, where: Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise where.error("must be a list of rule codes or names")
    codes: list[str] = []
    unknown: list[str] = []
    for token in value:
        try:
            codes.extend(rule.code for rule in _resolve(token, where))
        except ConfigError as error:
            unknown.extend(error.messages)
    if unknown:
        raise ConfigError(*unknown)
    return tuple(dict.fromkeys(codes))


def _expect(value: Any, kind: type | tuple[type, ...], where: Where, what: str) -> Any:
    # bool is an int subclass: "timeout = true" must not pass as 1 second.
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kind):
        raise where.error(f"must be {what}")
    return value


def _positive(value: Any, where: Where) -> float:
    _expect(value, (int, float), where, "a positive number")
    if not math.isfinite(value) or value <= 0:
        raise where.error("must be a positive number")
    return float(value)


def _positive_int(value: Any, where: Where) -> int:
    _expect(value, int, where, "a positive whole number")
    if value <= 0:
        raise where.error("must be a positive whole number")
    return int(value)


def _retries(value: Any, where: Where) -> int:
    _expect(value, int, where, "a whole number >= 0")
    if value < 0:
        raise where.error("must be a whole number >= 0")
    return int(value)


def _string(value: Any, where: Where) -> str:
    return str(_expect(value, str, where, "a string"))


def _boolean(value: Any, where: Where) -> bool:
    return bool(_expect(value, bool, where, "true or false"))


def _choice(choices: Sequence[str]) -> Parser:
    def parse(value: Any, where: Where) -> str:
        if value not in choices:
            raise where.error(f"must be one of {', '.join(choices)}")
        return str(value)

    return parse


def _status_codes(value: Any, where: Where) -> frozenset[int]:
    """Accepts [200, 403] or "200,403" or ranges such as "200..299"."""
    items: list[Any] = value if isinstance(value, list) else re.split(r"[\s,]+", str(value).strip())
    codes: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            codes.add(item)
            continue
        match = re.fullmatch(r"(\d{3})(?:\.\.=?(\d{3}))?", str(item).strip())
        low, high = (
            (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
        )
        if not (100 <= low <= high <= 999):
            raise where.problem(f"'{item}' is not an HTTP status code or range")
        codes.update(range(low, high + 1))
    return frozenset(codes)


def _strings(value: Any, where: Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise where.error("must be a list of strings")
    return tuple(value)


def _link_texts(value: Any, where: Where) -> frozenset[str]:
    return frozenset(text.lower() for text in _strings(value, where))


def _regexes(value: Any, where: Where) -> tuple[str, ...]:
    patterns = _strings(value, where)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise where.problem(f"invalid regex '{pattern}': {error}") from None
    return patterns


def _cache(value: Any, where: Where) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"cache": value}
    path = Path(_expect(value, str, where, "true, false or a path"))
    return {"cache": True, "cache_path": path if path.is_absolute() else where.base_dir / path}


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any, where: Where) -> float:
    """Seconds from a number or a string such as ``90``, ``30m``, ``12h``, ``1d``, ``2w``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value))
    if not match or isinstance(value, bool):
        raise where.error("must be a duration such as 3600, 30m, 12h or 1d")
    return float(match.group(1)) * _DURATION_UNITS[match.group(2) or "s"]


def _severities(value: Any, where: Where) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where.origin}: 'severity' must be a table of rule = \"error|warning|info\""
        )
    result: dict[str, Severity] = {}
    errors: list[str] = []
    for token, level in value.items():
        inner = replace(where, key=f"severity.{token}")
        try:
            severity = Severity(str(level).lower())
        except ValueError:
            errors.extend(inner.error('must be "error", "warning" or "info"').messages)
            continue
        try:
            result.update((rule.code, severity) for rule in _resolve(token, inner))
        except ConfigError as error:
            errors.extend(error.messages)
    if errors:
        raise ConfigError(*errors)
    return result


def _host_settings(value: Any, where: Where) -> dict[str, HostSettings]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where.origin}: 'hosts' must be a table of host names")
    readers: dict[str, tuple[str, Parser]] = {
        "max-concurrency": ("max_concurrency", _positive_int),
        "accept": ("accept", _status_codes),
        "min-interval": ("min_interval", _seconds),
    }
    hosts: dict[str, HostSettings] = {}
    errors: list[str] = []
    for host, table in value.items():
        if not isinstance(table, dict):
            errors.append(f"{where.origin}: 'hosts.{host}' must be a table")
            continue
        settings: dict[str, Any] = {}
        for raw_key, item in table.items():
            inner = replace(where, key=f"hosts.{host}.{raw_key}")
            reader = readers.get(raw_key.replace("_", "-"))
            if reader is None:
                errors.append(f"{where.origin}: unknown key '{inner.key}'")
                continue
            try:
                settings[reader[0]] = reader[1](item, inner)
            except ConfigError as error:
                errors.extend(error.messages)
        hosts[host.lower()] = HostSettings(**settings)
    if errors:
        raise ConfigError(*errors)
    return hosts


def _seconds(value: Any, where: Where) -> float:
    return float(_expect(value, (int, float), where, "a number of seconds"))


# --- Values given on the command line ----------------------------------------------------------


def _cli_codes(values: Sequence[str]) -> str | None:
    """``--select PL1,PL3 --select mojibake``: one comma-separated list, or None when empty."""
    codes = [part for value in values for part in value.replace(",", " ").split() if part]
    return ",".join(codes) or None


def _cli_off(on: bool) -> bool | None:
    """``--no-cache``, ``--no-metadata``: False when given, else not given."""
    return False if on else None


def _api_url(value: Any, where: Where) -> str:
    url = _string(value, where).strip()
    if not re.fullmatch(r"https?://[^\s/?#]+(?:/[^\s]*)?", url):
        raise where.error("must be an http(s) URL such as https://export.arxiv.org/api/query")
    return url


def _github_api(value: Any, where: Where) -> str:
    """An API URL that the token may go to: https, or plain http to this machine only (a test
    server), so that the token never crosses a network in clear text."""
    url = _api_url(value, where)
    if url.lower().startswith("http://"):
        host = (urlsplit(url).hostname or "").lower()
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise where.error("must be an https URL (the token goes there); http only to localhost")
    return url


def _email(value: Any, where: Where) -> str:
    address = _string(value, where).strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        raise where.error("must be an email address such as you@example.org")
    return address


# --- The table -----------------------------------------------------------------------------------

OPTIONS: tuple[Option, ...] = (
    # What to report
    Option("offline", "Only the checks that need no network.", False, flags=("--offline",), is_flag=True),
    Option("select", "Only these rules (codes, prefixes or names).", (), _codes, flags=("--select",), metavar="CODES", multiple=True, cli_value=_cli_codes),
    Option("ignore", "Skip these rules.", (), _codes, flags=("--ignore",), metavar="CODES", multiple=True, cli_value=_cli_codes),
    Option("extend-ignore", "Skip these rules too.", None, _codes, field="ignore", extend=True),
    Option("severity", "The severity of rules: rule = \"error|warning|info\".", {}, _severities, field="severities", extend=True, aliases=("severities",)),
    Option("generic-link-texts", "Link texts that are never a title (replaces the list).", DEFAULT_GENERIC_TEXTS, _link_texts, field="generic_texts"),
    Option("extend-generic-link-texts", "More link texts that are never a title.", None, _link_texts, field="generic_texts", extend=True),
    # The report
    Option("format", "text (default), json, sarif, github or markdown; repeat for several outputs, ':FILE' to write one to a file.", (), flags=("--format",), metavar="FORMAT[:FILE]", multiple=True),
    Option("output", "Write the report to FILE instead of stdout.", flags=("--output", "-o"), metavar="FILE"),
    Option("no-color", "No colour, even on a terminal.", False, flags=("--no-color",), is_flag=True),
    Option("strict", "Exit 1 on warnings too.", False, flags=("--strict",), is_flag=True),
    # Which files
    Option("config", "Read this configuration file.", flags=("--config",), metavar="FILE"),
    Option("isolated", "Ignore configuration files.", False, flags=("--isolated",), is_flag=True),
    Option("exclude-path", "gitignore-style pattern of files not to walk.", (), _strings, flags=("--exclude-path",), metavar="PATTERN", multiple=True),
    Option("duplicate-scope", "Where PL201 looks for repeats.", "file", _choice(DUPLICATE_SCOPES), flags=("--duplicate-scope",), choices=DUPLICATE_SCOPES),
    Option("stdin-filename", "The name to report for '-' (standard input).", flags=("--stdin-filename",), metavar="NAME"),
    # The link checker
    Option("timeout", "Total time per request", _NET.timeout, _positive, network=True, flags=("--timeout",), metavar="SECONDS", number=float, show_default=True),
    Option("max-concurrency", "Requests in flight at once", _NET.max_concurrency, _positive_int, network=True, flags=("--max-concurrency",), metavar="N", number=int, show_default=True),
    Option("max-per-host", "Requests in flight per host", _NET.max_per_host, _positive_int, network=True, flags=("--max-per-host",), metavar="N", number=int, show_default=True),
    Option("retries", "Retries of 408/429/5xx/resets", _NET.retries, _retries, network=True, flags=("--retries",), metavar="N", number=int, show_default=True),
    Option("user-agent", "User-Agent header", _NET.user_agent, _string, network=True, flags=("--user-agent",), metavar="UA", shown_default="browser-like"),
    Option("accept", "Accepted status codes, e.g. '200,206,403' or '200..299'.", _NET.accept, _status_codes, network=True, flags=("--accept",), metavar="CODES"),
    Option("allow-private", "Allow requests to private and loopback addresses.", _NET.allow_private, _boolean, network=True, flags=("--allow-private",), is_flag=True),
    Option("exclude", "Never fetch URLs matching REGEX.", _NET.exclude, _regexes, network=True, flags=("--exclude",), metavar="REGEX", multiple=True),
    Option("hosts", "Per-host max-concurrency, accept and min-interval.", {}, _host_settings, extend=True, network=True),
    Option("cache", "Link cache file", True, _cache, field=None, flags=("--cache",), metavar="PATH", shown_default="user cache dir"),
    Option("no-cache", "Neither read nor write the link cache.", False, flags=("--no-cache",), is_flag=True, overrides="cache", cli_value=_cli_off),
    Option("max-cache-age", "Reuse cached results up to AGE (3600, 30m, 12h, 1d)", _NET.max_cache_age, parse_duration, network=True, flags=("--max-cache-age",), metavar="AGE", shown_default="1d"),
    # Registries: papers verified against arXiv and Crossref metadata
    Option("metadata", "Verify arXiv IDs and DOIs against the arXiv and Crossref APIs.", True, _boolean),
    Option("no-metadata", "Do not ask the arXiv and Crossref APIs; fetch arXiv and DOI links as pages.", False, flags=("--no-metadata",), is_flag=True, overrides="metadata", cli_value=_cli_off),
    Option("arxiv-api", "arXiv API endpoint.", arxiv.DEFAULT_API, _api_url, flags=("--arxiv-api",), metavar="URL"),
    Option("crossref-api", "Crossref works endpoint.", crossref.DEFAULT_API, _api_url, flags=("--crossref-api",), metavar="URL"),
    Option("doi-api", "DOI handle endpoint for DOIs Crossref does not know.", crossref.DEFAULT_DOI_API, _api_url, flags=("--doi-api",), metavar="URL"),
    Option("mailto", "Contact address for Crossref's polite pool.", None, _email, flags=("--mailto",), metavar="EMAIL"),
    # GitHub repositories through the GraphQL API, when GITHUB_TOKEN is set
    Option("github-api", "GitHub GraphQL endpoint, asked when GITHUB_TOKEN is set.", github.DEFAULT_API, _github_api, flags=("--github-api",), metavar="URL"),
    Option("max-metadata-age", "Reuse cached API records up to AGE", MAX_AGE, parse_duration, flags=("--max-metadata-age",), metavar="AGE", shown_default="30d"),
    Option("grace", "A failing link seen alive before is a warning (PL110), not an error, until it has failed for DURATION (3d, 12h; 0: off)", _NET.grace, parse_duration, network=True, flags=("--grace",), metavar="DURATION", shown_default="off"),
    # Archived copies of dead links, from the Wayback Machine
    Option("suggest", "For dead links, suggest the newest Wayback Machine snapshot (--fix applies it).", False, _boolean, flags=("--suggest",), is_flag=True),
    Option("archive-api", "Wayback Machine CDX endpoint.", wayback.DEFAULT_API, _api_url, flags=("--archive-api",), metavar="URL"),
    # How much to say
    Option("quiet", "Print the findings and nothing else.", False, flags=("--quiet", "-q"), is_flag=True),
    Option("verbose", "Say what is read and checked, on stderr.", False, flags=("--verbose", "-v"), is_flag=True),
    # Fixes and baselines
    Option("fix", "Apply the safe fixes in place, then report what remains.", False, flags=("--fix",), is_flag=True),
    Option("diff", "Print the safe fixes as a unified diff instead; write nothing.", False, flags=("--diff",), is_flag=True),
    Option("fix-titles", "With --fix/--diff: also apply the registries' titles (PL305, unsafe).", False, flags=("--fix-titles",), is_flag=True),
    Option("baseline", "Ignore the findings recorded in FILE.", flags=("--baseline",), metavar="FILE"),
    Option("write-baseline", "Record the current findings in FILE and accept them.", flags=("--write-baseline",), metavar="FILE"),
)  # fmt: skip

OPTION: Mapping[str, Option] = {option.name: option for option in OPTIONS}
# The [tool.paperlint] keys in kebab-case, aliases included.
CONFIG_KEYS: Mapping[str, Option] = {
    key: option for option in OPTIONS if option.parse for key in (option.name, *option.aliases)
}
NETWORK_FIELDS: tuple[str, ...] = tuple(
    option.field for option in OPTIONS if option.network and option.field
)


def default(name: str) -> Any:
    """The default of option ``name``, as a dataclass field default (a fresh dict for tables)."""
    value = OPTION[name].default
    return field(default_factory=dict) if isinstance(value, dict) else value


def parse_options(
    current: Any, options: Mapping[str, Any], origin: str, base_dir: Path
) -> dict[str, Any]:
    """The Config fields that ``options`` (a configuration table, or the command line's overrides)
    change, ``extend`` keys added to ``current``'s values. Every bad key is reported (one
    ConfigError with a message each), not just the first."""
    changes: dict[str, Any] = {}
    errors: list[str] = []
    for raw_key, value in options.items():
        option = CONFIG_KEYS.get(raw_key.replace("_", "-"))
        if option is None or option.parse is None:
            errors.append(f"{origin}: unknown key '{raw_key}'")
            continue
        try:
            parsed = option.parse(value, Where(raw_key, origin, base_dir))
        except ConfigError as error:
            errors.extend(error.messages)
            continue
        if option.field is None:
            changes.update(parsed)
        elif option.extend:
            before = changes.get(option.field, getattr(current, option.field))
            changes[option.field] = _combined(before, parsed)
        else:
            changes[option.field] = parsed
    if errors:
        raise ConfigError(*errors)
    return changes


def _combined(before: Any, more: Any) -> Any:
    if isinstance(before, Mapping):
        return {**before, **more}
    if isinstance(before, frozenset):
        return before | more
    return (*before, *more)


@dataclass(frozen=True)
class Invocation:
    """What ``paperlint check`` was told besides its paths: the command-line-only options, and the
    overrides of configuration keys (kebab-case, applied over the configuration file)."""

    offline: bool
    format: tuple[str, ...]
    output: str | None
    no_color: bool
    strict: bool
    config: str | None
    isolated: bool
    stdin_filename: str | None
    quiet: bool
    verbose: bool
    fix: bool
    diff: bool
    fix_titles: bool
    baseline: str | None
    write_baseline: str | None
    overrides: dict[str, Any]


def read_invocation(given: Mapping[str, Any]) -> Invocation:
    """The click values of ``check`` (by :attr:`Option.dest`) sorted into an :class:`Invocation`."""
    overrides: dict[str, Any] = {}
    for option in OPTIONS:
        if option.dest not in given or option.overrides is None:
            continue
        value = option.from_cli(given[option.dest])
        if value is not None:
            overrides[option.overrides] = value
    # Built from the table's rows, so a row without a field here (or a field without a row) fails
    # on every run, not silently.
    plain = {option.dest: given[option.dest] for option in OPTIONS if option.cli_only}
    return Invocation(**plain, overrides=overrides)
