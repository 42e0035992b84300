"""The Wayback Machine's CDX API (``web.archive.org/cdx/search/cdx``): the newest archived copy of a
dead page, for ``--suggest``. One URL per request, one request at a time, at least
:data:`INTERVAL` apart: the CDX API allows 60 requests a minute per address, averaged over five
minutes, and answers 429 (then blocks the address for a while) past that.

Why CDX and not the availability API (``archive.org/wayback/available``): the availability API
answers with the one capture *closest* to a date, whatever its status, so a page whose last
capture is its 404 (or a redirect to a login page) has no usable answer there even when older,
good captures exist. The CDX API filters by status on the server (``filter=statuscode:2..``) and
returns the newest capture that passes (``limit=-1``): exactly the snapshot to link to. Its JSON
answer is a table whose first row names the columns; the columns are read by name, and the rows
are filtered and sorted again here, so a mirror that ignores ``filter``, ``fl`` or ``limit`` is
read correctly too.

The snapshot URL is the archive's replay address, ``{archive}/web/{timestamp}/{original}``, on the
host of the API asked (``https://web.archive.org`` for the default one).

This registry is not in :data:`linter.registries.REGISTRIES`: those claim links before the link
checker runs, while this one is asked after it, about the links it found dead
(:mod:`linter.net.suggest`). Never about arXiv or DOI links: those have registries of their own,
and an archived abstract page is no better than the identifier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from linter import __version__
from linter.document import Document
from linter.identity import IDENTIFIER_KINDS, paper_key
from linter.net.results import DEAD, LinkResult
from linter.registries.base import Endpoint, Record, RecordStatus, RegistryError, with_query

if TYPE_CHECKING:
    from linter.config import Config
    from linter.net.client import Client
    from linter.rules.base import RunMemo

DEFAULT_API = "https://web.archive.org/cdx/search/cdx"
INTERVAL = 1.5  # seconds between two requests: 40 a minute, under the CDX API's 60
BODY_LIMIT = 1024 * 1024  # one row is asked for; a mirror that sends every capture gets this much
USER_AGENT = f"paperlint/{__version__} (reading-list linter; archived copies of dead links)"
QUERY = "output=json&fl=timestamp,original,statuscode&filter=statuscode:2..&limit=-1"

_TIMESTAMP = re.compile(r"^\d{4,14}$")
_SUCCESS = re.compile(r"^2\d\d$")


class WaybackRegistry:
    name = "wayback"
    label = "Wayback Machine"
    codes = frozenset({"PL101", "PL102"})
    batch_size = 1  # the CDX API answers for one URL per request

    def enabled(self, config: Config, github_token: str | None) -> bool:
        return config.suggest

    def record_age(self, config: Config) -> float:
        return config.max_metadata_age  # a dead page gets no newer good capture

    def keys(self, documents: Sequence[Document], memo: RunMemo | None = None) -> Sequence[str]:
        # Its keys are the links the link checker found dead (see candidates), not the documents'.
        return []

    def claims(self, url: str) -> str | None:
        return None

    def link_result(self, url: str, record: Record) -> LinkResult | None:
        return None

    def endpoint(self, config: Config) -> Endpoint:
        return Endpoint(config.archive_api, {"User-Agent": USER_AGENT}, INTERVAL)

    async def lookup(
        self, batch: Sequence[str], client: Client, endpoint: Endpoint
    ) -> Mapping[str, Record]:
        from linter.registries.driver import status_error

        records: dict[str, Record] = {}
        for key in batch:
            url = with_query(endpoint.url, f"url={quote(key, safe='')}&{QUERY}")
            response = await client.get(url, endpoint.headers, limit=BODY_LIMIT)
            if response.status != 200:
                raise status_error(response)
            records[key] = parse_cdx(response.body, key, archive_base(endpoint.url))
        return records


WAYBACK = WaybackRegistry()


def archive_base(api_url: str) -> str:
    """The replay address prefix of the archive that ``api_url`` belongs to: its origin + /web/."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/web/"


def snapshot_url(base: str, timestamp: str, original: str) -> str:
    return f"{base}{timestamp}/{original}"


def parse_cdx(body: bytes, key: str, base: str) -> Record:
    """The record a CDX JSON answer gives for ``key``: its newest capture that answered 2xx, or
    missing. Raises :class:`RegistryError` for an answer that is no CDX table."""
    if not body.strip():
        rows: Any = []  # what some CDX servers send for no capture at all
    else:
        try:
            rows = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RegistryError("the answer is not CDX JSON") from None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise RegistryError("the answer is not a CDX table")
    if not rows:
        return _missing(key)
    header = rows[0]
    try:
        at = {name: header.index(name) for name in ("timestamp", "original", "statuscode")}
    except ValueError:
        raise RegistryError("the CDX answer lacks timestamp, original or statuscode") from None
    best: tuple[str, str] | None = None
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        timestamp, original, status = (str(row[at[name]]) for name in at)
        if not (_TIMESTAMP.match(timestamp) and _SUCCESS.match(status)):
            continue
        if not original.lower().startswith(("http://", "https://")):
            original = key
        # Timestamps are written to the second, shorter ones to a coarser precision.
        if best is None or timestamp.ljust(14, "0") > best[0].ljust(14, "0"):
            best = (timestamp, original)
    if best is None:
        return _missing(key)
    timestamp, original = best
    url = snapshot_url(base, timestamp, original)
    return Record(key, RecordStatus.FOUND, url=url, facts={"timestamp": timestamp})


def _missing(key: str) -> Record:
    return Record(key, RecordStatus.MISSING, reason="no archived copy that answered 2xx")


def candidates(results: Mapping[str, LinkResult], api_url: str) -> list[str]:
    """The URLs of ``results`` to ask the archive about, in a stable order: dead pages, except
    arXiv and DOI links and the archive's own snapshots."""
    snapshots = _without_scheme(archive_base(api_url))
    return sorted(
        url
        for url, result in results.items()
        if result.outcome in DEAD  # not rate limits or bot walls: those pages may be alive
        and paper_key(url).kind not in IDENTIFIER_KINDS
        and not _without_scheme(url).startswith(snapshots)
    )


def _without_scheme(url: str) -> str:
    return url.split("://", 1)[-1].lower()


__all__ = [
    "DEFAULT_API",
    "WAYBACK",
    "WaybackRegistry",
    "archive_base",
    "candidates",
    "parse_cdx",
]
