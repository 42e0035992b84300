"""Crossref's REST API (``api.crossref.org/works``): up to :data:`BATCH_SIZE` DOIs per request with
``filter=doi:A,doi:B,...`` and ``rows`` set to their number.

Crossref asks API users to say who they are (https://www.crossref.org/documentation/retrieve-metadata/rest-api/tips-for-using-the-crossref-rest-api/):
with ``--mailto`` (config ``mailto``) the address goes in the ``mailto`` parameter and the
User-Agent, which puts the requests in Crossref's "polite" pool; without it, none is sent. One
request at a time, at least :data:`INTERVAL` apart, well within both pools' limits.

Crossref registers most DOIs, not all: DataCite (datasets, software, arXiv's own
``10.48550/arXiv.*``, which go to the arXiv registry instead), mEDRA and others register the rest.
So a DOI that Crossref does not know is looked up once in the DOI system itself (the Handle API at
``doi.org/api/handles/DOI``, which answers without redirecting to a publisher) before it is called
missing. A work whose ``updated-by`` lists a retraction (or withdrawal, or removal) notice is
withdrawn; the notice itself is a work like any other.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from linter import __version__
from linter.identity import DOI, paper_key
from linter.net.results import LinkResult
from linter.registries.base import (
    Endpoint,
    PaperRegistry,
    Record,
    RecordStatus,
    RegistryError,
    unverified_link,
    url_host,
    with_query,
)

if TYPE_CHECKING:
    from linter.config import Config
    from linter.net.client import Client, Response

DEFAULT_API = "https://api.crossref.org/works"
DEFAULT_DOI_API = "https://doi.org/api/handles"
BATCH_SIZE = 50  # DOIs per request: URLs stay under 4 kB even with long DOIs
INTERVAL = 1.0  # seconds between two requests; Crossref's public pool allows 5 a second
BODY_LIMIT = 16 * 1024 * 1024
USER_AGENT = f"paperlint/{__version__} (reading-list linter)"
_RETRACTIONS = frozenset({"retraction", "withdrawal", "removal"})
_TAG = re.compile(r"<[^>]+>")  # Crossref titles carry JATS/MathML markup: <i>, <sub>, <mml:math>
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


class CrossrefRegistry(PaperRegistry):
    name = "crossref"
    label = "Crossref API"
    kind = DOI
    batch_size = BATCH_SIZE

    def claims(self, url: str) -> str | None:
        # Only the resolver's own links: a publisher's page with a DOI in its path may be gone
        # while the DOI lives on.
        if url_host(url) not in _DOI_HOSTS:
            return None
        key = paper_key(url)
        return key.value if key.kind == DOI else None

    def link_result(self, url: str, record: Record) -> LinkResult | None:
        return unverified_link(url, record)  # a missing DOI is PL306's

    def endpoint(self, config: Config) -> Endpoint:
        contact = f"; mailto:{config.mailto}" if config.mailto else ""
        headers = {"User-Agent": f"{USER_AGENT[:-1]}{contact})"}
        return Endpoint(config.crossref_api, headers, INTERVAL, config.doi_api, config.mailto)

    async def lookup(
        self, batch: Sequence[str], client: Client, endpoint: Endpoint
    ) -> Mapping[str, Record]:
        # The filter's list is comma-separated and cannot escape a comma inside a DOI.
        listed = [doi for doi in batch if "," not in doi]
        records: dict[str, Record] = {}
        if listed:
            query = ",".join(f"doi:{quote(doi, safe='/:;()<>[]')}" for doi in listed)
            url = _with_query(endpoint.url, f"filter={query}&rows={len(listed)}", endpoint)
            items = _items(await _get_json(client, url, endpoint))
            records.update(_records(items, listed))
        for doi in batch:
            if "," in doi:
                url = _with_query(
                    f"{endpoint.url.rstrip('/')}/{quote(doi, safe='/')}", "", endpoint
                )
                answer = await _get_json(client, url, endpoint, missing_ok=True)
                if answer is not None:
                    records.update(_records([answer.get("message") or {}], [doi]))
        for doi in batch:
            if doi not in records and endpoint.fallback:
                records[doi] = await _handle(client, endpoint.fallback, doi)
        return records


def _with_query(url: str, query: str, endpoint: Endpoint) -> str:
    contact = f"mailto={quote(endpoint.contact)}" if endpoint.contact else ""
    return with_query(url, "&".join(part for part in (query, contact) if part))


async def _get_json(
    client: Client, url: str, endpoint: Endpoint, *, missing_ok: bool = False
) -> Any:
    from linter.registries.driver import status_error

    response = await client.get(url, endpoint.headers, limit=BODY_LIMIT)
    if missing_ok and response.status == 404:
        return None
    if response.status != 200:
        raise status_error(response)
    try:
        return response.json()
    except ValueError:
        raise RegistryError("the answer is not JSON", 0.0) from None


def _items(answer: Any) -> list[dict[str, Any]]:
    message = answer.get("message") if isinstance(answer, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise RegistryError("the answer has no list of works", 0.0)
    return [item for item in items if isinstance(item, dict)]


def _records(items: Sequence[dict[str, Any]], wanted: Sequence[str]) -> dict[str, Record]:
    keys = set(wanted)
    records: dict[str, Record] = {}
    for item in items:
        doi = str(item.get("DOI", "")).lower()
        if doi not in keys:
            continue
        title = _first(item.get("title"))
        facts: dict[str, Any] = {}
        if subtitle := _first(item.get("subtitle")):
            facts["subtitle"] = subtitle
        url = f"https://doi.org/{doi}"
        notices = [
            update
            for update in item.get("updated-by") or []
            if isinstance(update, dict) and str(update.get("type", "")).lower() in _RETRACTIONS
        ]
        if notices:
            notice = notices[0]
            kind = str(notice.get("type", "retraction")).lower()
            verb = {"retraction": "retracted", "withdrawal": "withdrawn", "removal": "removed"}[
                kind
            ]
            where = f" (notice: doi:{str(notice['DOI']).lower()})" if notice.get("DOI") else ""
            records[doi] = Record(doi, RecordStatus.WITHDRAWN, title, url, f"{verb}{where}", facts)
        else:
            records[doi] = Record(doi, RecordStatus.FOUND, title, url, facts=facts)
    return records


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if not isinstance(value, str):
        return None
    return " ".join(html.unescape(_TAG.sub("", value)).split()) or None


async def _handle(client: Client, base: str, doi: str) -> Record:
    """The DOI system's own answer for a DOI that Crossref does not know."""
    from linter.net.client import FetchError

    url = f"{base.rstrip('/')}/{quote(doi, safe='/')}"
    try:
        # The contact address is for Crossref, which asks for it; the DOI system does not.
        response: Response = await client.get(url, {"User-Agent": USER_AGENT})
    except FetchError as error:
        return Record(doi, RecordStatus.UNVERIFIED, reason=f"doi.org: {error.reason}")
    if response.status == 404:
        return Record(doi, RecordStatus.MISSING, reason="no such DOI in Crossref nor at doi.org")
    code = None
    if response.status == 200:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        code = answer.get("responseCode") if isinstance(answer, dict) else None
    if code == 1:
        # Registered with another agency (DataCite, mEDRA...): it exists, its title is unknown.
        return Record(
            doi, RecordStatus.FOUND, url=f"https://doi.org/{doi}", reason="not in Crossref"
        )
    if code == 100:
        return Record(doi, RecordStatus.MISSING, reason="no such DOI in Crossref nor at doi.org")
    return Record(doi, RecordStatus.UNVERIFIED, reason=f"doi.org answered {response.status}")
