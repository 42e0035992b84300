"""Configuration: defaults < ``[tool.paperlint]`` in pyproject.toml or ``.paperlint.toml`` < CLI flags.

Keys are kebab-case (``duplicate-scope``); snake_case spellings are accepted too. Unknown keys and
values of the wrong type are :class:`ConfigError` naming the file and the key, so a typo never
silently disables a check; one error holds all of a file's mistakes. The keys, their readers and
their defaults are rows of :data:`linter.options.OPTIONS`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from linter.findings import Severity
from linter.net.settings import DEFAULT_HOST_LIMITS, CheckerSettings, HostSettings
from linter.options import NETWORK_FIELDS, ConfigError, default, parse_options

__all__ = ["Config", "ConfigError", "apply_options", "find_config", "load_config"]

_CONNECT_TIMEOUT = CheckerSettings().connect_timeout


@dataclass(frozen=True)
class Config:
    # Each default is its option's, from linter.options.
    select: tuple[str, ...] = default("select")  # rule codes; empty selects every rule
    ignore: tuple[str, ...] = default("ignore")
    severities: Mapping[str, Severity] = default("severity")
    duplicate_scope: str = default("duplicate-scope")
    generic_texts: frozenset[str] = default("generic-link-texts")
    exclude_path: tuple[str, ...] = default("exclude-path")  # gitignore-style patterns
    # Link checking: the fields named in NETWORK_FIELDS are handed to the checker as they are.
    timeout: float = default("timeout")
    max_concurrency: int = default("max-concurrency")
    max_per_host: int = default("max-per-host")
    retries: int = default("retries")
    user_agent: str = default("user-agent")
    accept: frozenset[int] = default("accept")
    allow_private: bool = default("allow-private")
    exclude: tuple[str, ...] = default("exclude")  # URL regexes never fetched
    hosts: Mapping[str, HostSettings] = default("hosts")
    cache: bool = default("cache")
    cache_path: Path | None = None  # None: the user cache directory
    max_cache_age: float = default("max-cache-age")
    # Registries
    metadata: bool = default("metadata")
    arxiv_api: str = default("arxiv-api")
    crossref_api: str = default("crossref-api")
    doi_api: str = default("doi-api")
    mailto: str | None = default("mailto")
    github_api: str = default("github-api")
    max_metadata_age: float = default("max-metadata-age")
    grace: float = default("grace")  # seconds; 0: off
    # Archived copies of dead links
    suggest: bool = default("suggest")
    archive_api: str = default("archive-api")
    source: Path | None = None  # the file this configuration was read from

    def enabled_codes(self) -> frozenset[str]:
        from linter.rules import RULES

        selected = set(self.select) if self.select else set(RULES)
        return frozenset(selected - set(self.ignore))

    def checker_settings(
        self, cache_path: Path | None, github_token: str | None
    ) -> CheckerSettings:
        network: dict[str, Any] = {}
        for name in NETWORK_FIELDS:
            value = getattr(self, name)
            network[name] = dict(value) if isinstance(value, Mapping) else value
        hosts = network["hosts"]
        for name, limit in DEFAULT_HOST_LIMITS.items():
            own = hosts.get(name)
            if own is None or own.max_concurrency is None:
                concurrency = min(limit, self.max_per_host)
                hosts[name] = replace(own or HostSettings(), max_concurrency=concurrency)
        return CheckerSettings(
            **network,
            connect_timeout=min(_CONNECT_TIMEOUT, self.timeout),
            cache_path=cache_path if self.cache else None,
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


def apply_options(
    config: Config, options: Mapping[str, Any], origin: str, base_dir: Path
) -> Config:
    """Overlay ``options`` (a config table or CLI values) onto ``config``. Every bad key is
    reported (one ConfigError with a message each), not just the first."""
    return replace(config, **parse_options(config, options, origin, base_dir))
