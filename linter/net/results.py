"""What the link checker finds out about one URL (the links rule family makes findings of it).

Imported on the offline path too, so it must never import aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LinkStatus(StrEnum):
    OK = "ok"
    BROKEN = "broken"  # the target is gone (4xx/5xx), or the URL or its redirects are invalid
    REDIRECTED = "redirected"  # permanently moved; final_url is the URL to use instead
    RATE_LIMITED = "rate-limited"  # 429 (or Retry-After) past the cap or the retries
    TIMEOUT = "timeout"
    BLOCKED = "blocked"  # bot protection answered instead of the site
    SKIPPED = "skipped"  # not checked: private address or scheme other than http(s)
    UNREACHABLE = "unreachable"  # DNS, refused, reset, TLS, protocol garbage
    EXCLUDED = "excluded"  # matched an exclude pattern; silent, like lychee
    UNVERIFIED = "unverified"  # anything else that means "could not verify" rather than "dead"


# Outcomes the progress display counts as failures.
FAILURES: frozenset[LinkStatus] = frozenset(
    {
        LinkStatus.BROKEN,
        LinkStatus.UNREACHABLE,
        LinkStatus.TIMEOUT,
        LinkStatus.RATE_LIMITED,
        LinkStatus.BLOCKED,
        LinkStatus.UNVERIFIED,
    }
)

# Outcomes that say the page is gone (PL101, PL102): a grace period covers them (net/history.py)
# and an archived copy can replace them (--suggest). Not rate limits or bot walls.
DEAD: frozenset[LinkStatus] = frozenset(
    {LinkStatus.BROKEN, LinkStatus.UNREACHABLE, LinkStatus.TIMEOUT}
)

# Only facts that stay true for a while are cached; everything transient is checked again next run.
CACHEABLE: frozenset[LinkStatus] = frozenset({LinkStatus.OK, LinkStatus.REDIRECTED})


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one URL.

    ``status`` is the HTTP code that decided it (the first permanent redirect's code for
    ``redirected``), ``None`` when no response was received. ``reason`` is a short human text
    without the outcome word, e.g. ``404 Not Found`` or ``connection refused``. ``final_url`` is set
    for ``redirected``: the end of the leading chain of permanent redirects. ``requests`` counts the
    HTTP requests sent for this URL; ``bytes_read`` the response body bytes read (bounded).

    ``failing_since`` (POSIX time) is set on a failure (broken, unreachable, timeout) of a URL the
    cache's history saw alive before: when its present run of failures began. ``grace`` is set,
    to the grace period's length in seconds, while that run is shorter than the period (the
    links family then reports a warning, PL110, instead of PL101/PL102). ``snapshot`` is the
    newest archived copy of a dead page, when ``--suggest`` asked for one."""

    url: str
    outcome: LinkStatus
    status: int | None
    reason: str
    final_url: str | None = None
    from_cache: bool = False
    requests: int = 0
    bytes_read: int = 0
    failing_since: float | None = None
    grace: float | None = None
    snapshot: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES


@dataclass(frozen=True)
class Progress:
    checked: int
    total: int
    failures: int
    label: str = "links"  # what is counted: links, or a registry's batches ("arXiv API")
