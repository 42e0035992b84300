"""``--suggest``: the link checks, then the Wayback Machine asked about the links found dead, on the
same background event loop, so that the links family gets results that carry their snapshot.

The archive is asked through the registry driver (:func:`linter.registries.driver.resolve_all`):
one URL per request at the archive's pace, records cached in the ``metadata`` namespace for
``max-metadata-age`` (30 days). A page that is dead now gets no newer good capture, so neither a
snapshot nor its absence goes stale quickly. A lookup that fails leaves the finding as it was.

Imports aiohttp (through the checker): only a started provider loads this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from linter.net.checker import LAUNCH_WAIT, check_urls
from linter.net.results import LinkResult, Progress
from linter.net.settings import CheckerSettings
from linter.providers import InBackground
from linter.registries.base import Endpoint, RecordStatus
from linter.registries.driver import resolve_all
from linter.registries.wayback import WAYBACK, candidates


async def check_with_snapshots(
    urls: Iterable[str],
    settings: CheckerSettings,
    endpoint: Endpoint,
    max_age: float,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, LinkResult]:
    """:func:`check_urls`, with ``snapshot`` set on the dead links the archive has a copy of."""
    results = await check_urls(urls, settings, progress, warn)
    wanted = candidates(results, endpoint.url)
    if not wanted:
        return results
    records = await resolve_all(
        WAYBACK, wanted, endpoint, settings, settings.cache_path, max_age, progress, warn
    )
    for url in wanted:
        record = records.get(url)
        if record is not None and record.status is RecordStatus.FOUND and record.url:
            results[url] = replace(results[url], snapshot=record.url)
    return results


def start_checks_with_snapshots(
    urls: Iterable[str],
    settings: CheckerSettings,
    endpoint: Endpoint,
    max_age: float,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> InBackground:
    """Starts :func:`check_with_snapshots` in the background, as the link checker starts its
    checks; the callbacks are called from that thread."""
    wanted = list(urls)
    return InBackground(
        lambda: check_with_snapshots(wanted, settings, endpoint, max_age, progress, warn),
        "links",
        LAUNCH_WAIT,
    )


__all__ = ["check_with_snapshots", "start_checks_with_snapshots"]
