"""Per paper, what the list says and what its registry says: the ``papers`` table of the JSON
report (every arXiv ID and DOI the registries were asked about, with each place it is listed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linter.document import Document
from linter.identity import ARXIV, PaperKey
from linter.registries.base import Record, document_citations

if TYPE_CHECKING:
    from linter.rules.base import RunMemo

# Which registry answers for which kind of identifier (arXiv's DOIs are arXiv keys already).
REGISTRY_OF_KIND = {ARXIV: "arxiv", "doi": "crossref"}


@dataclass(frozen=True)
class Listing:
    path: str
    line: int
    column: int
    title: str | None  # the entry's title; None outside entries or without one


@dataclass(frozen=True)
class PaperReport:
    id: str  # "arXiv:2205.01068" or "doi:10.1145/3065386"
    status: str  # the record's status: found, missing, malformed, withdrawn, unverified
    registry_title: str | None
    reason: str
    listed: tuple[Listing, ...]


def record_for(results: Mapping[str, object], kind: str, key: str) -> Record | None:
    records = results.get(REGISTRY_OF_KIND.get(kind, ""))
    record = records.get(key) if isinstance(records, Mapping) else None
    return record if isinstance(record, Record) else None


def paper_reports(
    documents: Sequence[Document], results: Mapping[str, object], memo: RunMemo | None = None
) -> tuple[PaperReport, ...]:
    """One row per identifier a registry answered for, sorted by identifier."""
    places: dict[tuple[str, str], list[Listing]] = {}
    for document in documents:
        for citation in document_citations(document, memo):
            if record_for(results, citation.kind, citation.id) is None:
                continue
            entry = document.entries[citation.entry] if citation.entry is not None else None
            title = entry.title if entry is not None else None
            places.setdefault((citation.kind, citation.id), []).append(
                Listing(document.path, citation.line, citation.column, title)
            )
    rows: list[PaperReport] = []
    for (kind, key), listed in sorted(places.items()):
        record = record_for(results, kind, key)
        assert record is not None
        rows.append(
            PaperReport(
                str(PaperKey(kind, key)),
                record.status.value,
                record.title,
                record.reason,
                tuple(listed),
            )
        )
    return tuple(rows)
