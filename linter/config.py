"""Configuration: defaults < ``[tool.paperlint]`` in pyproject.toml or ``.paperlint.toml`` < CLI flags.

Keys are kebab-case (``duplicate-scope``); snake_case spellings are accepted too. Unknown keys and
values of the wrong type are :class:`ConfigError` naming the file, so a typo never silently disables
a check.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from linter.document import DEFAULT_GENERIC_TEXTS
from linter.findings import Rule, Severity, resolve_rule
from linter.net.settings import DEFAULT_USER_AGENT, CheckerSettings, HostSettings

DUPLICATE_SCOPES = ("section", "file", "all")


class ConfigError(Exception):
    """A configuration or usage problem: the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # rule codes; empty selects every rule
    ignore: tuple[str, ...] = ()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    duplicate_scope: str = "file"
    generic_texts: frozenset[str] = DEFAULT_GENERIC_TEXTS
    exclude_path: tuple[str, ...] = ()  # gitignore-style patterns for directory walking
    # Link checking
    timeout: float = 20.0
    max_concurrency: int = 128
    max_per_host: int = 4
    retries: int = 2
    user_agent: str = DEFAULT_USER_AGENT
    accept: frozenset[int] = frozenset(range(200, 300))  # every 2xx, as lychee does
    allow_private: bool = False
    exclude: tuple[str, ...] = ()  # URL regexes never fetched
    hosts: Mapping[str, HostSettings] = field(default_factory=dict)
    cache: bool = True
    cache_path: Path | None = None  # None: the user cache directory
    max_cache_age: float = 86400.0
    source: Path | None = None  # the file this configuration was read from

    def enabled_codes(self) -> frozenset[str]:
        from linter.findings import RULES

        selected = set(self.select) if self.select else set(RULES)
        return frozenset(selected - set(self.ignore))

    def checker_settings(
        self, cache_path: Path | None, github_token: str | None
    ) -> CheckerSettings:
        return CheckerSettings(
            timeout=self.timeout,
            connect_timeout=min(10.0, self.timeout),
            max_concurrency=self.max_concurrency,
            max_per_host=self.max_per_host,
            retries=self.retries,
            user_agent=self.user_agent,
            accept=self.accept,
            allow_private=self.allow_private,
            exclude=self.exclude,
            hosts=dict(self.hosts),
            cache_path=cache_path if self.cache else None,
            max_cache_age=self.max_cache_age,
            github_token=github_token,
        )


def find_config(start: Path) -> Path | None:
    """The nearest .paperlint.toml, or pyproject.toml with a [tool.paperlint] table, from ``start`` up."""
    directory = start.resolve()
    for candidate_dir in (directory, *directory.parents):
        dotfile = candidate_dir / ".paperlint.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file() and _has_paperlint_table(pyproject):
            return pyproject
    return None


def _has_paperlint_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml that may not even be ours: keep looking rather than fail.
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "paperlint" in tool


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {_reason(error)}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool = data.get("tool")
    if path.name == "pyproject.toml":
        table = tool.get("paperlint", {}) if isinstance(tool, dict) else {}
    elif isinstance(tool, dict) and "paperlint" in tool:
        table = tool["paperlint"]
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.paperlint] must be a table")
    return apply_options(Config(source=path), table, origin=str(path), base_dir=path.parent)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error)


def _codes(values: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ConfigError(f"{origin}: '{key}' must be a list of rule codes or names")
    codes: list[str] = []
    for value in values:
        codes.extend(rule.code for rule in _resolve(value, key, origin))
    return tuple(dict.fromkeys(codes))


def _resolve(token: str, key: str, origin: str) -> list[Rule]:
    try:
        return resolve_rule(token)
    except KeyError:
        raise ConfigError(f"{origin}: '{key}': unknown rule '{token}'") from None


def _expect(value: Any, kind: type | tuple[type, ...], key: str, origin: str, what: str) -> Any:
    # bool is an int subclass: "timeout = true" must not pass as 1 second.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ConfigError(f"{origin}: '{key}' must be {what}")
    if not isinstance(value, kind):
        raise ConfigError(f"{origin}: '{key}' must be {what}")
    return value


def _positive(value: Any, key: str, origin: str, *, integer: bool = False) -> Any:
    kind: type | tuple[type, ...] = int if integer else (int, float)
    what = "a positive whole number" if integer else "a positive number"
    _expect(value, kind, key, origin, what)
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{origin}: '{key}' must be {what}")
    return value


def _status_codes(value: Any, key: str, origin: str) -> frozenset[int]:
    """Accepts [200, 403] or "200,403" or ranges such as "200..299"."""
    items: list[Any] = value if isinstance(value, list) else re.split(r"[\s,]+", str(value).strip())
    codes: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            codes.add(item)
            continue
        match = re.fullmatch(r"(\d{3})(?:\.\.=?(\d{3}))?", str(item).strip())
        if not match:
            raise ConfigError(f"{origin}: '{key}': '{item}' is not an HTTP status code or range")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not (100 <= low <= high <= 999):
            raise ConfigError(f"{origin}: '{key}': '{item}' is not an HTTP status code or range")
        codes.update(range(low, high + 1))
    return frozenset(codes)


def _strings(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{origin}: '{key}' must be a list of strings")
    return tuple(value)


def _regexes(value: Any, key: str, origin: str) -> tuple[str, ...]:
    patterns = _strings(value, key, origin)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ConfigError(f"{origin}: '{key}': invalid regex '{pattern}': {error}") from None
    return patterns


def _host_settings(value: Any, origin: str) -> dict[str, HostSettings]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: 'hosts' must be a table of host names")
    hosts: dict[str, HostSettings] = {}
    for host, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: 'hosts.{host}' must be a table")
        settings = HostSettings()
        for raw_key, item in table.items():
            key = raw_key.replace("_", "-")
            where = f"hosts.{host}.{raw_key}"
            if key == "max-concurrency":
                settings = replace(
                    settings, max_concurrency=_positive(item, where, origin, integer=True)
                )
            elif key == "accept":
                settings = replace(settings, accept=_status_codes(item, where, origin))
            elif key == "min-interval":
                _expect(item, (int, float), where, origin, "a number of seconds")
                settings = replace(settings, min_interval=float(item))
            else:
                raise ConfigError(f"{origin}: unknown key '{where}'")
        hosts[host.lower()] = settings
    return hosts


def _severities(value: Any, origin: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: 'severity' must be a table of rule = \"error|warning|info\"")
    result: dict[str, Severity] = {}
    for token, level in value.items():
        try:
            severity = Severity(str(level).lower())
        except ValueError:
            raise ConfigError(
                f'{origin}: \'severity.{token}\' must be "error", "warning" or "info"'
            ) from None
        for rule in _resolve(token, f"severity.{token}", origin):
            result[rule.code] = severity
    return result


def apply_options(
    config: Config, options: Mapping[str, Any], origin: str, base_dir: Path
) -> Config:
    """Overlay ``options`` (a config table or CLI values) onto ``config``."""
    changes: dict[str, Any] = {}
    for raw_key, value in options.items():
        key = raw_key.replace("_", "-")
        if key == "select":
            changes["select"] = _codes(value, raw_key, origin)
        elif key == "ignore":
            changes["ignore"] = _codes(value, raw_key, origin)
        elif key == "extend-ignore":
            changes["ignore"] = (
                *changes.get("ignore", config.ignore),
                *_codes(value, raw_key, origin),
            )
        elif key in ("severity", "severities"):
            changes["severities"] = {**config.severities, **_severities(value, origin)}
        elif key == "duplicate-scope":
            if value not in DUPLICATE_SCOPES:
                raise ConfigError(
                    f"{origin}: '{raw_key}' must be one of {', '.join(DUPLICATE_SCOPES)}"
                )
            changes["duplicate_scope"] = value
        elif key == "generic-link-texts":
            changes["generic_texts"] = frozenset(
                t.lower() for t in _strings(value, raw_key, origin)
            )
        elif key == "extend-generic-link-texts":
            extra = frozenset(t.lower() for t in _strings(value, raw_key, origin))
            changes["generic_texts"] = changes.get("generic_texts", config.generic_texts) | extra
        elif key == "exclude-path":
            changes["exclude_path"] = _strings(value, raw_key, origin)
        elif key == "timeout":
            changes["timeout"] = float(_positive(value, raw_key, origin))
        elif key == "max-concurrency":
            changes["max_concurrency"] = _positive(value, raw_key, origin, integer=True)
        elif key == "max-per-host":
            changes["max_per_host"] = _positive(value, raw_key, origin, integer=True)
        elif key == "retries":
            _expect(value, int, raw_key, origin, "a whole number >= 0")
            if value < 0:
                raise ConfigError(f"{origin}: '{raw_key}' must be a whole number >= 0")
            changes["retries"] = value
        elif key == "user-agent":
            changes["user_agent"] = _expect(value, str, raw_key, origin, "a string")
        elif key == "accept":
            changes["accept"] = _status_codes(value, raw_key, origin)
        elif key == "allow-private":
            changes["allow_private"] = _expect(value, bool, raw_key, origin, "true or false")
        elif key == "exclude":
            changes["exclude"] = _regexes(value, raw_key, origin)
        elif key == "hosts":
            changes["hosts"] = {**config.hosts, **_host_settings(value, origin)}
        elif key == "cache":
            if isinstance(value, bool):
                changes["cache"] = value
            else:
                changes["cache"] = True
                path = Path(_expect(value, str, raw_key, origin, "true, false or a path"))
                changes["cache_path"] = path if path.is_absolute() else base_dir / path
        elif key == "max-cache-age":
            changes["max_cache_age"] = parse_duration(value, raw_key, origin)
        else:
            raise ConfigError(f"{origin}: unknown key '{raw_key}'")
    return replace(config, **changes)


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any, key: str, origin: str) -> float:
    """Seconds from a number or a string such as ``90``, ``30m``, ``12h``, ``1d``, ``2w``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(value))
    if not match or isinstance(value, bool):
        raise ConfigError(f"{origin}: '{key}' must be a duration such as 3600, 30m, 12h or 1d")
    return float(match.group(1)) * _DURATION_UNITS[match.group(2) or "s"]
