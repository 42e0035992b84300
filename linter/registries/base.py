"""What every registry has in common: the record it returns per key, and the interface it
implements. Plain data and protocols: importable without aiohttp (``--offline`` loads this).

A registry is a source of truth with a documented API that answers for many keys per request
(arXiv IDs, DOIs, GitHub repositories). Each registry is one module of this package with a class
that has the :class:`Registry` members; :mod:`linter.registries.driver` asks it, batch after
batch, with the cache, the pacing and the retries that all registries share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from linter.document import Document
from linter.net.results import LinkResult, LinkStatus

if TYPE_CHECKING:
    from linter.config import Config
    from linter.identity import Citation
    from linter.net.client import Client
    from linter.rules.base import RunMemo


MAX_AGE = 30 * 86400.0  # seconds a record stays fresh by default: titles and statuses change rarely


class RecordStatus(StrEnum):
    FOUND = "found"
    MISSING = "missing"  # a well-formed key the registry does not know
    MALFORMED = "malformed"  # the registry rejected the key itself
    WITHDRAWN = "withdrawn"  # withdrawn by its authors, or retracted
    MOVED = "moved"  # the key now lives under another name (``url`` is the new address)
    UNVERIFIED = "unverified"  # the registry could not be asked or would not answer


# Answers that stay true for a while; an unverified key is asked again on the next run.
CACHEABLE = frozenset(status for status in RecordStatus if status is not RecordStatus.UNVERIFIED)


@dataclass(frozen=True)
class Record:
    """What a registry says about one key.

    ``title`` is the registry's title when it has one, whitespace collapsed. ``url`` is the
    canonical address (for ``moved``, the new one). ``reason`` is a short human text for the
    message (``withdrawn by its authors``, ``503 Service Unavailable``). ``facts`` holds what is
    particular to a registry (``archived`` for a repository), JSON-serialisable."""

    key: str
    status: RecordStatus
    title: str | None = None
    url: str | None = None
    reason: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "title": self.title,
            "url": self.url,
            "reason": self.reason,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_json(cls, key: str, value: Any) -> Record | None:
        """The record stored for ``key``; None for a value this version cannot read."""
        try:
            return cls(
                key,
                RecordStatus(value["status"]),
                value.get("title"),
                value.get("url"),
                str(value.get("reason", "")),
                dict(value.get("facts") or {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` added to the query it may already have (an endpoint such as a
    mirror's ``https://host/api?key=...``)."""
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


def url_host(url: str) -> str:
    """The host of an absolute URL, lower case, without credentials or port."""
    authority = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return authority.rsplit("@", 1)[-1].split(":", 1)[0].lower()


def document_citations(document: Document, memo: RunMemo | None) -> list[Citation]:
    """:func:`~linter.identity.citations`, computed once per run when there is a memo: the
    registries' keys, the metadata rules and the JSON papers table all read them."""
    from linter.identity import citations

    if memo is None:
        return citations(document)
    return memo.get("citations", (document,), partial(citations, document))


class PaperRegistry:
    """What the registries of papers share: they answer for one kind of identifier (arXiv IDs,
    DOIs) cited anywhere in the documents, feed the metadata rules and the link rules of the
    links they claim, and ``--no-metadata`` switches them off."""

    kind: str  # linter.identity.ARXIV or DOI
    codes = frozenset({"PL101", "PL107", "PL305", "PL306", "PL307"})

    def enabled(self, config: Config, github_token: str | None) -> bool:
        return config.metadata

    def record_age(self, config: Config) -> float:
        return config.max_metadata_age  # a paper's title and status change rarely

    def keys(self, documents: Sequence[Document], memo: RunMemo | None = None) -> Sequence[str]:
        return sorted(
            {
                citation.id
                for document in documents
                for citation in document_citations(document, memo)
                if citation.kind == self.kind
            }
        )


def unverified_link(url: str, record: Record) -> LinkResult | None:
    """A claimed link whose registry could not be asked is unverified, never broken."""
    if record.status is RecordStatus.UNVERIFIED:
        return LinkResult(url, LinkStatus.UNVERIFIED, None, record.reason)
    return None


class RegistryError(Exception):
    """A batch got no usable answer: every key of it stays unverified, with ``reason``.

    ``retry_after`` (seconds) asks the driver to wait that long and send the batch again (a rate
    limit, or arXiv's "Rate exceeded" in a 200 answer); None means retrying will not help."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Endpoint:
    """Where a registry is asked and how: its base URL, the headers of every request, and the
    least time between two requests (its published rate limit)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    interval: float = 0.0  # seconds between two request starts
    fallback: str | None = None  # a second API for the keys the first does not know
    contact: str | None = None  # an address the API asks its users to send (Crossref's mailto)


class Registry(Protocol):
    name: str  # the key of its results, and of its records in the cache
    label: str  # for people: "arXiv API"
    codes: frozenset[str]  # the rules that use its records: it runs only when one is enabled
    batch_size: int  # keys per request

    def enabled(self, config: Config, github_token: str | None) -> bool:
        """Whether this run asks the registry at all (``--no-metadata``, a missing token...)."""
        ...

    def keys(self, documents: Sequence[Document], memo: RunMemo | None = None) -> Sequence[str]:
        """The keys the documents cite, without repeats, in a stable order (``memo``: the run's
        shared derived values, such as each document's citations)."""
        ...

    def record_age(self, config: Config) -> float:
        """Seconds a record of this registry stays fresh in the cache."""
        ...

    def claims(self, url: str) -> str | None:
        """The key whose record answers for this link, so that the link checker need not fetch
        the page; None for a URL the registry does not speak for."""
        ...

    def link_result(self, url: str, record: Record) -> LinkResult | None:
        """What ``record`` says about a link it claims, as the link checker would have said it
        (the links family reports it); None when the link is fine or another rule speaks."""
        ...

    def endpoint(self, config: Config) -> Endpoint:
        """The API base URL and request headers this run uses."""
        ...

    async def lookup(
        self, batch: Sequence[str], client: Client, endpoint: Endpoint
    ) -> Mapping[str, Record]:
        """One batch's records, by key: one request (or a few, when the API needs a second look
        at some keys). A key left out is unverified. Raises :class:`RegistryError` when the
        answer is unusable as a whole."""
        ...


__all__ = [
    "CACHEABLE",
    "MAX_AGE",
    "Endpoint",
    "PaperRegistry",
    "Record",
    "RecordStatus",
    "Registry",
    "RegistryError",
    "document_citations",
    "unverified_link",
    "url_host",
    "with_query",
]
