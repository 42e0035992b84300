"""Duplicate rules: the same paper listed twice.

PL201 duplicate-entry
    Two entries list the same paper under the same title: they share a paper link (every URL form
    of one paper counts as the same link: arXiv ``/abs/`` and ``/pdf/...v2.pdf``, ar5iv, alphaxiv,
    Hugging Face papers, ``doi.org``, OpenReview forum and pdf; otherwise the URL without scheme,
    ``www.``, trailing slash, fragment and ``utm_*`` parameters) and their titles are the same up to
    case, punctuation, line breaks, a parenthetical note, an organisation prefix ("DeepMind's") or
    a couple of typos. A model name is not its paper's title here: the "OPT-1.3B" and "OPT-6.7B"
    rows of a model table that both link to the OPT paper are not duplicates.

    Only the entry's own paper links count: its title link, links labelled ``arxiv``, ``pdf``,
    ``paper``... and unlabelled links to arXiv, DOIs or OpenReview; code, blog, video, star badge
    and citation links, and the links of nested items, never make a duplicate. The abstract and
    PDF links of one entry are one paper, not a duplicate.

    Where duplicates are looked for is the ``duplicate-scope`` setting: ``section`` (under the same
    heading), ``file`` (the default) or ``all`` (across every file checked together). Each repeat
    is reported at its title, with the first listing as related location. When the same identifier
    is also listed under a different title, the entries are reported once, as PL301, and not here.

    Failing::

        - [Attention is all you need](https://arxiv.org/abs/1706.03762)
        - [Attention Is All You Need](https://arxiv.org/pdf/1706.03762v5)

    Passing::

        - [Attention is all you need](https://arxiv.org/abs/1706.03762) ([pdf](https://arxiv.org/pdf/1706.03762))
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from linter.document import Document, Entry
from linter.findings import Hit, Location
from linter.identity import PaperKey, canonical_title, display_title, same_title
from linter.rules import identifiers
from linter.rules.base import RuleContext
from linter.rules.identifiers import conflicts, entry_location, entry_paper_links, where

CODES: tuple[str, ...] = ("PL201",)


@dataclass(frozen=True, slots=True)
class _Listed:
    path: str
    entry: Entry
    title: str
    keys: tuple[PaperKey, ...]
    urls: dict[PaperKey, str]  # the entry's first link for each key, for the report

    @property
    def location(self) -> Location:
        return entry_location(self.path, self.entry)


def check_corpus(docs: Sequence[Document], ctx: RuleContext) -> Iterator[Hit]:
    # A corpus rule even for the per-file scopes: an identifier that PL301 reports anywhere in the
    # run is not reported again here, and only the whole corpus tells which those are.
    clashing = set(conflicts(docs, ctx))
    ordered = sorted(docs, key=lambda doc: doc.path)
    scopes: dict[tuple[str, int | None], list[_Listed]] = {}
    for doc in ordered:
        for entry in doc.entries:
            listed = _listed(doc, entry, clashing, ctx)
            if listed is None:
                continue
            if ctx.duplicate_scope == "all":
                scope: tuple[str, int | None] = ("", None)
            elif ctx.duplicate_scope == "section":
                scope = (doc.path, entry.section)
            else:
                scope = (doc.path, None)
            scopes.setdefault(scope, []).append(listed)
    for items in scopes.values():
        yield from _repeats(items)


def _listed(
    doc: Document, entry: Entry, clashing: set[PaperKey], ctx: RuleContext
) -> _Listed | None:
    if entry.title is None or not entry.title.strip():
        return None
    urls: dict[PaperKey, str] = {}
    for item in entry_paper_links(doc, entry, ctx):
        urls.setdefault(item.key, item.link.target)
    keys = tuple(urls)
    if not keys or clashing.intersection(keys):
        return None
    return _Listed(doc.path, entry, entry.title, keys, urls)


def _repeats(items: list[_Listed]) -> Iterator[Hit]:
    # First listing of each paper key, by canonical title; the fuzzy comparison against the other
    # titles of one key is skipped for keys with very many titles (it is quadratic).
    originals: dict[PaperKey, dict[str, _Listed]] = {}
    for item in items:
        canon = canonical_title(item.title)
        match: tuple[_Listed, PaperKey] | None = None
        for key in item.keys:
            listed = originals.get(key)
            if not listed:
                continue
            found = listed.get(canon)
            if found is None and len(listed) <= identifiers.FUZZY_MAX_TITLES:
                found = next(
                    (
                        other
                        for other in listed.values()
                        if same_title(item.title, other.title, model_names=False)
                    ),
                    None,
                )
            if found is not None and (match is None or found.location < match[0].location):
                match = (found, key)
        if match is None:
            for key in item.keys:
                originals.setdefault(key, {}).setdefault(canon, item)
            continue
        original, key = match
        location = item.location
        yield Hit(
            "PL201",
            location.line,
            location.column,
            f'duplicate entry: "{display_title(item.title)}" ({key}) already listed at '
            f"{where(original.location, item.path)}",
            url=item.urls[key],
            related=(original.location,),
            path=item.path,
        )
