"""Tuning of the link checker. Plain data, importable without aiohttp."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 paperlint/0.1"
)


@dataclass(frozen=True)
class HostSettings:
    max_concurrency: int | None = None
    accept: frozenset[int] | None = None  # replaces the global accepted codes for this host
    min_interval: float | None = None


# Hosts that get fewer requests in flight than ``max_per_host`` unless the configuration's
# ``hosts`` table sets their own: github.com rate limits page fetches at a few at once (with a
# token, its repositories are asked through its API instead, see linter/registries/github.py).
DEFAULT_HOST_LIMITS: dict[str, int] = {"github.com": 2}


@dataclass(frozen=True)
class CheckerSettings:
    timeout: float = 20.0  # total per request, seconds
    connect_timeout: float = 10.0
    # A local resource bound (sockets, memory), not politeness: that is max_per_host. 128 is
    # lychee's default; with 4 per host it binds only on lists with more than 32 busy hosts.
    max_concurrency: int = 128
    max_per_host: int = 4
    min_interval: float = 0.0  # seconds between two request starts to one host
    retries: int = 2
    retry_timeouts: bool = False
    backoff_base: float = 0.5
    max_retry_after: float = 60.0
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    accept: frozenset[int] = frozenset(range(200, 300))  # every 2xx, as lychee does
    allow_private: bool = False
    exclude: tuple[str, ...] = ()  # URL regexes
    hosts: dict[str, HostSettings] = field(default_factory=dict)
    cache_path: Path | None = None  # None: no cache
    max_cache_age: float = 86400.0  # seconds
    # Seconds a URL seen alive before may fail before its failure is an error (PL101/PL102) rather
    # than a warning (PL110); 0: off. Needs the cache, which holds the history.
    grace: float = 0.0
    github_token: str | None = None
    # "head": HEAD first, streamed GET when HEAD is mishandled (remembered per host);
    # "get": a streamed GET alone. See bench/linkfarm/README.md for the measurement.
    method: str = "head"
    # hostname -> IP address, bypassing DNS (like curl --resolve); the private-address guard
    # still applies to the mapped address.
    resolve: dict[str, str] = field(default_factory=dict)
