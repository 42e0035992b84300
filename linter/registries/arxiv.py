"""arXiv's API (``export.arxiv.org/api/query``): up to :data:`BATCH_SIZE` IDs per request, as its
terms ask (https://info.arxiv.org/help/api/tou.html): one request every 3 seconds, one connection
at a time.

The answer is an Atom feed, read with a real XML parser. Entries are matched by their ``<id>``
(``http://arxiv.org/abs/2205.01068v4``), never by position: the API returns them in any order. An
entry without an ``<id>`` (what the API sends for some IDs it does not know) is ignored; an ID with
no entry is missing. An ``Error`` entry (``<id>http://arxiv.org/api/errors#...``) names an ID the
API rejects: the API then answers for no other ID of the request, so the rest are asked again.
``max_results`` is always the number of IDs sent (its default, 10, silently truncates), and a feed
that still holds fewer entries than IDs while ``itemsPerPage`` says it is full is truncated: the
IDs it left out are asked again rather than called missing.

A withdrawn paper is still in the API, with its last version's comment or abstract saying so
("This paper has been withdrawn by the author", "Withdrawn: ...").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from linter import __version__
from linter.identity import ARXIV, bare_arxiv_id, paper_key
from linter.net.results import LinkResult, LinkStatus
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
    from linter.net.client import Client

DEFAULT_API = "https://export.arxiv.org/api/query"
BATCH_SIZE = 200  # IDs per request: a URL of about 2.5 kB, and about 1 MB of Atom back
INTERVAL = 3.0  # seconds between two requests, from arXiv's terms of use
BODY_LIMIT = 16 * 1024 * 1024  # an answer for 200 IDs with long abstracts stays far below
USER_AGENT = f"paperlint/{__version__} (reading-list linter; one request per 3 s)"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ABS_ID = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/(?P<id>.+)$", re.I)
_ERROR_ID = re.compile(r"/api/errors\b", re.I)
_ERROR_SUBJECT = re.compile(r"\bfor\s+(?:id\s+)?(?P<id>\S+?)\.?\s*$", re.I)
# How a withdrawal reads at the start of the comment or the abstract ("This paper has been
# withdrawn by the author", "Withdrawn: ..."), or anywhere in the comment only: an abstract may
# well mention a drug that "has been withdrawn".
_WORK = r"(?:paper|article|manuscript|submission|work|preprint|version)"
_WITHDRAWN_START = re.compile(
    rf"^\W*(?:(?:this|the)\s+{_WORK}(?:\s+\w+)?\s+(?:has\s+been|is\s+being|is|was)\s+)?"
    r"withdrawn\b",
    re.I,
)
_WITHDRAWN_COMMENT = re.compile(rf"\b{_WORK}\s+(?:has\s+been|was|is)\s+withdrawn\b", re.I)
# Paths of arxiv.org whose page exists exactly when the paper does (not /html/: not every paper
# has an HTML rendering).
_CLAIMED_PATH = re.compile(r"^/(?:abs|pdf)/", re.I)
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_RATE_EXCEEDED = b"rate exceeded"
# What comes before the ID in a claimed link: the scheme, host and /abs/ or /pdf/ (and .pdf after).
_ID_IN_PATH = re.compile(r"^.*?/(?:abs|pdf)/|(?:\.pdf)?/*$", re.I)


class ArxivRegistry(PaperRegistry):
    name = "arxiv"
    label = "arXiv API"
    kind = ARXIV
    batch_size = BATCH_SIZE

    def claims(self, url: str) -> str | None:
        host = url_host(url)  # first: it costs a fraction of paper_key, and most links fail it
        if host in _ARXIV_HOSTS:
            path = "/" + url.split("://", 1)[-1].partition("/")[2]
            if not _CLAIMED_PATH.match(path):
                return None
        elif host not in _DOI_HOSTS:
            return None
        # doi.org's 10.48550/arXiv.ID links: doi.org sends every one to arXiv's abstract.
        key = paper_key(url)
        return key.value if key.kind == ARXIV else None

    def link_result(self, url: str, record: Record) -> LinkResult | None:
        # A missing or malformed ID is PL306's; a version past the latest is a dead page.
        latest = record.facts.get("version")
        written = bare_arxiv_id(_ID_IN_PATH.sub("", url.split("?", 1)[0].split("#", 1)[0]))
        version = written[1] if written else None
        if (
            record.status in (RecordStatus.FOUND, RecordStatus.WITHDRAWN)
            and isinstance(latest, int)
            and version is not None
            and version > latest
        ):
            reason = f"arXiv has no v{version} of {record.key} (the latest is v{latest})"
            return LinkResult(url, LinkStatus.BROKEN, None, reason)
        return unverified_link(url, record)

    def endpoint(self, config: Config) -> Endpoint:
        return Endpoint(config.arxiv_api, {"User-Agent": USER_AGENT}, INTERVAL)

    async def lookup(
        self, batch: Sequence[str], client: Client, endpoint: Endpoint
    ) -> Mapping[str, Record]:
        from linter.net.classify import retry_after
        from linter.registries.driver import status_error

        query = f"id_list={quote(','.join(batch), safe=',/')}&max_results={len(batch)}"
        response = await client.get(
            with_query(endpoint.url, query), endpoint.headers, limit=BODY_LIMIT
        )
        if _RATE_EXCEEDED in response.body[:200].lower():
            # arXiv's rate limit may come as a 200 whose body is just "Rate exceeded."
            wait = retry_after(response.headers)
            raise RegistryError("rate exceeded", wait or 0.0)
        if response.status == 429 or response.status >= 500:
            raise status_error(response)
        try:
            # An Error entry comes with a 400: the feed says which ID.
            return parse_feed(response.body, batch)
        except ET.ParseError as error:
            if response.status != 200:
                raise status_error(response) from None
            raise RegistryError(f"the answer is not an Atom feed ({error})", 0.0) from None


def parse_feed(body: bytes, batch: Sequence[str]) -> dict[str, Record]:
    """The records an Atom answer gives for ``batch``. IDs it says nothing definite about (after
    an Error entry, or past a truncation) are left out, to be asked again."""
    root = ET.fromstring(body)
    if root.tag != f"{_ATOM}feed":
        raise ET.ParseError(f"the root element is {root.tag}, not an Atom feed")
    wanted = set(batch)
    entries = root.findall(f"{_ATOM}entry")
    records: dict[str, Record] = {}
    rejected = False
    for entry in entries:
        entry_id = _text(entry, f"{_ATOM}id")
        if _ERROR_ID.search(entry_id):
            rejected = True
            subject = _ERROR_SUBJECT.search(_text(entry, f"{_ATOM}summary"))
            parsed = bare_arxiv_id(subject.group("id")) if subject else None
            key = parsed[0] if parsed else subject.group("id") if subject else None
            if key in wanted:
                summary = _text(entry, f"{_ATOM}summary") or "malformed ID"
                records[key] = Record(key, RecordStatus.MALFORMED, reason=summary)
            continue
        match = _ABS_ID.match(entry_id)
        parsed = bare_arxiv_id(match.group("id")) if match else None
        if parsed is None or parsed[0] not in wanted:
            continue
        key, version = parsed
        records[key] = _record(key, version, entry)
    if rejected:
        if not records:
            raise RegistryError("the API rejected the request without naming an ID")
        return records
    if len(entries) < len(batch) and len(entries) >= _items_per_page(root, len(batch)):
        return records  # truncated: what is left out is asked again
    for key in batch:
        records.setdefault(key, Record(key, RecordStatus.MISSING, reason="arXiv has no such paper"))
    return records


def _items_per_page(root: ET.Element, default: int) -> int:
    text = _text(root, f"{_OPENSEARCH}itemsPerPage")
    return int(text) if text.isdigit() else default


def _record(key: str, version: int | None, entry: ET.Element) -> Record:
    title = " ".join(_text(entry, f"{_ATOM}title").split())
    comment = " ".join(_text(entry, f"{_ARXIV}comment").split())
    summary = " ".join(_text(entry, f"{_ATOM}summary").split())
    facts: dict[str, object] = {}
    if version is not None:
        facts["version"] = version
    published = _text(entry, f"{_ATOM}published")
    if published:
        facts["published"] = published[:10]
    url = f"https://arxiv.org/abs/{key}"
    for text in (comment, summary):
        if _WITHDRAWN_START.search(text) or (text is comment and _WITHDRAWN_COMMENT.search(text)):
            reason = text if len(text) <= 160 else text[:157] + "..."
            return Record(key, RecordStatus.WITHDRAWN, title, url, reason, facts)
    return Record(key, RecordStatus.FOUND, title, url, facts=facts)


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return "".join(found.itertext()).strip() if found is not None else ""
