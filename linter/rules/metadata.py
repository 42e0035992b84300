"""Metadata: each arXiv ID and DOI checked against its registry (the arXiv API, Crossref).

Every arXiv ID and DOI of the files checked (in links, and written in entries' text such as
``arXiv:2401.13160``) is looked up in batches: arXiv IDs in the arXiv API, DOIs in Crossref (and in
the DOI system for DOIs Crossref does not know). An arXiv or doi.org link whose paper the registry
knows is not fetched as a page: the registry's answer stands for it. ``--no-metadata`` turns this
off (the pages are fetched instead); ``--offline`` skips it. A registry that cannot be asked (down,
rate limiting past the retries) makes its links PL107, never PL306.

PL305 title-mismatch
    The entry's title is not the registry's title for the paper its link points to: the link or
    the title is wrong. Titles compare as in PL301: case, punctuation, accents, a parenthetical
    note or venue, an organisation prefix, a couple of typos and a subtitle do not count, and
    neither does a short form (the part before the colon, a model name such as "OPT-66B" for "OPT:
    Open Pre-trained Transformer Language Models"); a real word changed does. Titles with fewer
    than two words as written ("GPT-3", "metaseq") are names and are not compared; "LLMs" and
    "Large Language Models" are one phrase; an entry with several papers is fine when its title
    is one of theirs; and a title that is another link's text (a blog post's, with the paper as
    a ``[paper]`` link beside it) names that page, not the paper. The registry's title is in the
    message and is the fix (an unsafe one: ``--fix --fix-titles`` applies it where the title is
    written as plain text on one line).

    Failing::

        - [Language Models are Few-Shot Learners](https://arxiv.org/abs/2205.01068)

    Passing::

        - [OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068)
        - [OPT-66B](https://arxiv.org/abs/2205.01068)

PL306 id-not-found
    A well-formed arXiv ID or DOI that its registry does not know (or rejects): usually a typo
    that PL303 cannot see, or a paper that never made it. A DOI counts as unknown only when
    neither Crossref nor the DOI system knows it.

    Failing::

        - [A Paper](https://arxiv.org/abs/2401.99999)

    Passing::

        - [Attention Is All You Need](https://arxiv.org/abs/1706.03762)

PL307 id-withdrawn
    The paper was withdrawn (the arXiv record's comment or abstract says so) or retracted (Crossref
    lists a retraction, withdrawal or removal notice for the DOI). The reason or the notice is in
    the message.

    Failing::

        - [A withdrawn preprint](https://arxiv.org/abs/1712.00001)

    Passing::

        - [Its corrected successor](https://arxiv.org/abs/1801.00001)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from linter.document import Document
from linter.findings import Edit, FixLevel, Hit, Severity
from linter.identity import ARXIV, DOI, PaperKey, paper_key
from linter.registries import Record, RecordStatus
from linter.registries.base import document_citations
from linter.registries.papers import REGISTRY_OF_KIND, record_for
from linter.rules.base import Rule, RuleContext, RuleFamily
from linter.rules.identifiers import CONFLICT_MIN_WORDS, Occurrence, occurrences
from linter.titles import same_title, shortened_title, title_words

_NAMES = {ARXIV: "arXiv", DOI: "Crossref"}


def check_results(
    docs: Sequence[Document], results: Mapping[str, object], ctx: RuleContext
) -> Iterator[Hit]:
    if not any(name in results for name in REGISTRY_OF_KIND.values()):
        return
    for doc in docs:
        yield from _status_hits(doc, results, ctx)
    yield from _title_hits(docs, results, ctx)


def _status_hits(doc: Document, results: Mapping[str, object], ctx: RuleContext) -> Iterator[Hit]:
    """PL306 and PL307, once per entry and identifier (or per place outside entries)."""
    seen: set[tuple[int, str, str]] = set()
    for citation in document_citations(doc, ctx.memo):
        if citation.entry is not None:
            once = (citation.entry, citation.kind, citation.id)
            if once in seen:
                continue
            seen.add(once)
        record = record_for(results, citation.kind, citation.id)
        if record is None:
            continue
        shown = PaperKey(citation.kind, citation.id)
        url = citation.link.target if citation.link is not None else None
        if record.status is RecordStatus.MISSING:
            message = f"{shown} not found: {record.reason}"
        elif record.status is RecordStatus.MALFORMED:
            message = f"{shown} rejected by the {_NAMES[citation.kind]} API: {record.reason}"
        elif record.status is RecordStatus.WITHDRAWN:
            message = f"{shown} is withdrawn: {record.reason}"
            yield Hit("PL307", citation.line, citation.column, message, url=url, path=doc.path)
            continue
        else:
            continue
        yield Hit("PL306", citation.line, citation.column, message, url=url, path=doc.path)


def registry_titles(record: Record) -> list[str]:
    """The titles a listed title may match: the registry's, and with its subtitle if any."""
    if not record.title:
        return []
    titles = [record.title]
    subtitle = record.facts.get("subtitle")
    if isinstance(subtitle, str) and subtitle:
        titles.append(f"{record.title}: {subtitle}")
    return titles


def title_matches(listed: str, record: Record) -> bool:
    return any(
        same_title(listed, title) or shortened_title(listed, title)
        for title in registry_titles(record)
    )


def _title_hits(
    docs: Sequence[Document], results: Mapping[str, object], ctx: RuleContext
) -> Iterator[Hit]:
    by_entry: dict[tuple[str, int], list[tuple[Occurrence, Record]]] = {}
    by_path = {doc.path: doc for doc in docs}
    for item in occurrences(docs, ctx):
        record = record_for(results, item.key.kind, item.key.value)
        if record is None or not registry_titles(record):
            continue
        if _titled_by_another_link(by_path[item.path], item):
            continue
        by_entry.setdefault((item.path, item.entry.index), []).append((item, record))
    lines = {doc.path: doc.lines for doc in docs}
    for papers in by_entry.values():
        listed = papers[0][0].title
        if title_words(listed) < CONFLICT_MIN_WORDS:
            continue  # a name, not a title
        if any(title_matches(listed, record) for _item, record in papers):
            continue
        item, record = papers[0]
        assert record.title is not None
        place = item.title_location
        kind = _NAMES[item.key.kind]
        message = f'title "{listed}" is not {kind}\'s title for {item.key}: "{record.title}"'
        hit = Hit(
            "PL305",
            place.line,
            place.column,
            message,
            url=item.link.target,
            suggestion=record.title,
            path=item.path,
        )
        edit = _title_edit(lines[item.path], place.line, place.column, listed, record.title)
        yield replace(hit, edit=edit) if edit is not None else hit


def _titled_by_another_link(doc: Document, item: Occurrence) -> bool:
    """The entry's title is another link's text ("[The Illustrated Transformer](blog) [paper](...)"):
    it names that page, not the paper."""
    entry = item.entry
    if entry.title_source != "link" or entry.title_link is None:
        return False
    return paper_key(doc.links[entry.title_link].target) != item.key


def _title_edit(
    lines: Sequence[str], line: int, column: int, listed: str, title: str
) -> Edit | None:
    """Replaces the title where it is written verbatim on one line (no markup inside)."""
    if not 1 <= line <= len(lines) or "\n" in listed:
        return None
    source = lines[line - 1]
    start = column - 1
    if source[start : start + len(listed)] != listed:
        return None
    return Edit(line, column, line, column + len(listed), title, FixLevel.UNSAFE)


_ERR, _WARN = Severity.ERROR, Severity.WARNING
FAMILY = RuleFamily(
    "metadata",
    __doc__ or "",
    (
        Rule("PL305", "title-mismatch", _WARN, "The title is not the registry's title for the linked paper.", network=True),
        Rule("PL306", "id-not-found", _ERR, "The arXiv ID or DOI is not known to its registry.", network=True),
        Rule("PL307", "id-withdrawn", _WARN, "The paper was withdrawn or retracted.", network=True),
    ),
    check_results=check_results,
)  # fmt: skip
