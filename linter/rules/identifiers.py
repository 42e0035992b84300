"""Identifier rules: arXiv IDs and DOIs that contradict their titles, each other or the calendar.

An entry's identifiers come from its own paper links (the title link, links labelled ``arxiv``,
``pdf``, ``paper``, ``doi``... and links to arXiv, DOI resolvers or OpenReview whose label is not
``code``, ``blog``, ``video``...) and, for PL303 and PL304, from IDs written in its text
(``arXiv:2401.13160``, `` `arXiv, 2401.13160` ``, ``doi:10.1145/...``). All URL forms of one paper
(``/abs/``, ``/pdf/...v2.pdf``, ar5iv, alphaxiv, Hugging Face papers, ``doi.org/10.48550/arXiv...``)
are one identifier; versions never matter.

PL301 id-title-conflict
    One arXiv ID or DOI is listed under titles that are really different, in any of the files
    checked together: one of the entries points to the wrong paper or carries the wrong title.
    Titles that differ only in case, punctuation, line breaks, a parenthetical note ("(GPT-3)"), an
    organisation prefix ("DeepMind's"), a model size ("OPT-1.3B" for "OPT: Open Pre-trained...")
    or a couple of typos are the same title. So are a title and its short form: the name before
    its colon ("Leave No Context Behind", "DeepSeek-V2 Chat" for "DeepSeek-V2: A Strong,
    Economical, ..."), or its first one to three words with sizes, versions and variant words
    ("Chat", "Instruct", "MoE") left out ("Scaling Laws", "Qwen2 72B Instruct" for "Qwen2
    Technical Report"). Titles with fewer than two words as written take no part: model names
    such as "metaseq", "GPT-3" or "DeepSeek-v2-236B-MoE" are names, not titles.

    The occurrences are grouped by title; the group listed first (by path, then line) is the
    reference, and each other group is reported once, at its first entry, with the reference's
    entries as related locations.

    Failing::

        - [opML: Optimistic Machine Learning on Blockchain](https://arxiv.org/abs/2401.17555)
        - [Parameter-efficient fine-tuning of large language models](https://arxiv.org/pdf/2401.17555)

    Passing::

        - [opML: Optimistic Machine Learning on Blockchain](https://arxiv.org/abs/2401.17555)
        - [Parameter-efficient fine-tuning of large language models](https://arxiv.org/pdf/2312.12148)

PL302 title-id-conflict
    One title is listed with different arXiv IDs (or different DOIs), in any of the files checked
    together: one of the links probably points to another paper. An arXiv ID next to a DOI is not a
    conflict (a paper often has both). Titles shorter than three words ("Survey", "Other", a model
    name) take no part, because different papers share them. Reported at the link of each other ID,
    with the links of the first ID as related locations.

    Failing::

        - [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
        - [Attention is all you need](https://arxiv.org/abs/1706.03726)

    Passing::

        - [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
        - [Attention is all you need](https://doi.org/10.5555/3295222.3295349)

PL303 id-invalid
    An arXiv ID, in a link or written in an entry's text, that cannot exist: a month 00 or 13 and
    above; a new-style ID before 0704 (they started in April 2007); 4 digits after the dot from 1501
    on (January 2015 onwards IDs have 5) or 5 digits before 1501; sequence number zero; an
    old-style ID (``hep-th/9901001``) with an impossible month or date; a new-style ID from a month
    that has not begun yet anywhere on Earth. Usually digits were swapped or dropped while copying.

    Failing::

        - [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2013.08361)

    Passing::

        - [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2001.08361)

PL304 entry-id-mismatch
    The identifiers inside one entry disagree: its text says one arXiv ID and its links another, or
    its abstract and PDF links point to different papers. Versions do not count (``2310.1v1`` and
    ``2310.1v2`` agree). Only the title link, paper-labelled links and IDs written in the entry's
    own text are compared, so an entry that mentions a related paper in a free-text link is not
    reported. The ID most of the entry agrees on (ties: the title link, then the links) is taken
    as right; each other one is reported where it is written.

    Failing::

        - **Ring Attention with Blockwise Transformers**, `arXiv, 2310.01889`,
          [arxiv](https://arxiv.org/abs/2310.01898v1), [pdf](https://arxiv.org/pdf/2310.01889v1.pdf)

    Passing::

        - **Ring Attention with Blockwise Transformers**, `arXiv, 2310.01889`,
          [arxiv](https://arxiv.org/abs/2310.01889v1), [pdf](https://arxiv.org/pdf/2310.01889v4.pdf)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from linter import titles
from linter.document import Document, Entry, Link
from linter.findings import Hit, Location, Severity
from linter.identity import (
    ARXIV,
    IDENTIFIER_KINDS,
    PaperKey,
    PaperLink,
    TextId,
    arxiv_id_problem,
    find_text_ids,
    locate,
    paper_key,
    paper_link_keys,
)
from linter.rules.base import Rule, RuleContext, RuleFamily
from linter.titles import canonical_title, display_title, same_title, shortened_title, title_words

# Titles with fewer words (words with a letter) are names, not titles: "metaseq", "GPT-3".
CONFLICT_MIN_WORDS = 2
# Short titles ("Survey", "Other", "Mixtral") are shared by different papers.
SAME_TITLE_MIN_WORDS = 3
# Above this many different titles for one identifier, titles are only grouped by exact
# (canonical) equality: the fuzzy comparison is quadratic.
FUZZY_MAX_TITLES = 100


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One entry listing one identifier."""

    path: str
    entry: Entry
    title: str
    key: PaperKey
    link: Link

    @property
    def title_location(self) -> Location:
        return entry_location(self.path, self.entry)

    @property
    def link_location(self) -> Location:
        return Location(self.path, self.link.line, self.link.column)


def entry_location(path: str, entry: Entry) -> Location:
    """Where an entry's title starts (the entry itself when the title has no position)."""
    if entry.title_line is not None and entry.title_column is not None:
        return Location(path, entry.title_line, entry.title_column)
    return Location(path, entry.line, entry.column)


def where(location: Location, here: str) -> str:
    """``line 12`` in the same file, ``other.md:12`` in another."""
    if location.path == here:
        return f"line {location.line}"
    return f"{location.path}:{location.line}"


def entry_paper_links(
    doc: Document, entry: Entry, ctx: RuleContext | None = None
) -> list[PaperLink]:
    """:func:`~linter.identity.paper_link_keys`, computed once per run when ``ctx`` has a memo
    (four rules ask for every entry's paper links)."""
    if not entry.links:
        # No link, no paper link: without the memo's bookkeeping, which was a third of the rules'
        # time on a big table of plain rows (a fresh list: callers may not change it anyway).
        return []
    if ctx is None or ctx.memo is None:
        return paper_link_keys(doc, entry)
    return ctx.memo.get("paper_link_keys", (doc, entry), partial(paper_link_keys, doc, entry))


def occurrences(docs: Sequence[Document], ctx: RuleContext | None = None) -> list[Occurrence]:
    """Every (entry, arXiv ID or DOI) pair of entries with a title, by path and position."""
    if ctx is None or ctx.memo is None:
        return _occurrences(docs, ctx)
    return ctx.memo.get("occurrences", tuple(docs), partial(_occurrences, docs, ctx))


def _occurrences(docs: Sequence[Document], ctx: RuleContext | None) -> list[Occurrence]:
    found: list[Occurrence] = []
    for doc in sorted(docs, key=lambda item: item.path):
        for entry in doc.entries:
            if entry.title is None or not entry.title.strip():
                continue
            seen: set[PaperKey] = set()
            for item in entry_paper_links(doc, entry, ctx):
                if item.key.kind in IDENTIFIER_KINDS and item.key not in seen:
                    seen.add(item.key)
                    found.append(Occurrence(doc.path, entry, entry.title, item.key, item.link))
    found.sort(key=lambda item: (item.path, item.entry.line, item.entry.column, item.key))
    return found


class _UnionFind:
    """Groups merge into the group of their earliest member, so the result does not depend on the
    order in which pairs are compared."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _merged(by_title: dict[str, list[Occurrence]], union: _UnionFind) -> list[list[Occurrence]]:
    merged: dict[int, list[Occurrence]] = {}
    for index, items in enumerate(by_title.values()):
        merged.setdefault(union.find(index), []).extend(items)
    groups = [sorted(group, key=_position) for group in merged.values()]
    groups.sort(key=lambda group: _position(group[0]))
    return groups


def _position(item: Occurrence) -> tuple[str, int, int]:
    return (item.path, item.entry.line, item.entry.column)


def _one_paper(first: str, second: str) -> bool:
    # A short form counts here only: PL302 and the duplicate rules compare titles whole.
    return same_title(first, second) or shortened_title(first, second)


def title_groups(items: Sequence[Occurrence]) -> list[list[Occurrence]]:
    """Occurrences grouped by title equivalence (``same_title`` or ``shortened_title``, closed
    transitively), groups in order of their first occurrence.

    Titles are first grouped by their exact canonical form; the fuzzy comparison between those
    groups is quadratic, so it is skipped when one identifier carries more than
    ``FUZZY_MAX_TITLES`` different titles (a placeholder link pasted everywhere)."""
    by_title: dict[str, list[Occurrence]] = {}
    for item in items:
        by_title.setdefault(canonical_title(item.title), []).append(item)
    representatives = [group[0].title for group in by_title.values()]
    union = _UnionFind(len(representatives))
    if len(representatives) <= FUZZY_MAX_TITLES:
        for first, title in enumerate(representatives):
            for second in range(first + 1, len(representatives)):
                if union.find(first) != union.find(second) and _one_paper(
                    title, representatives[second]
                ):
                    union.union(first, second)
    return _merged(by_title, union)


def conflicts(
    docs: Sequence[Document], ctx: RuleContext | None = None
) -> dict[PaperKey, list[list[Occurrence]]]:
    """The identifiers listed under really different titles, with their title groups.

    Computed once per run when ``ctx`` has a memo: PL201 and PL301 both need them. The result is
    then shared, so callers must not change it."""
    if ctx is None or ctx.memo is None:
        return _conflicts(docs, ctx)
    return ctx.memo.get("conflicts", tuple(docs), partial(_conflicts, docs, ctx))


def _conflicts(
    docs: Sequence[Document], ctx: RuleContext | None
) -> dict[PaperKey, list[list[Occurrence]]]:
    by_key: dict[PaperKey, list[Occurrence]] = {}
    for item in occurrences(docs, ctx):
        if title_words(item.title) >= CONFLICT_MIN_WORDS:
            by_key.setdefault(item.key, []).append(item)
    found: dict[PaperKey, list[list[Occurrence]]] = {}
    for key, items in by_key.items():
        groups = title_groups(items)
        if len(groups) > 1:
            found[key] = groups
    return found


def check_corpus(docs: Sequence[Document], ctx: RuleContext) -> Iterator[Hit]:
    yield from _id_title_conflicts(docs, ctx)
    yield from _title_id_conflicts(docs, ctx)


def _id_title_conflicts(docs: Sequence[Document], ctx: RuleContext) -> Iterator[Hit]:
    for key, groups in sorted(conflicts(docs, ctx).items()):
        reference = groups[0]
        related = tuple(item.title_location for item in reference)
        for group in groups[1:]:
            first = group[0]
            location = first.title_location
            yield Hit(
                "PL301",
                location.line,
                location.column,
                f'{key} is listed as "{display_title(first.title)}" here but as '
                f'"{display_title(reference[0].title)}" at '
                f"{where(reference[0].title_location, first.path)}",
                url=first.link.target,
                related=related,
                path=first.path,
            )


def _title_id_conflicts(docs: Sequence[Document], ctx: RuleContext) -> Iterator[Hit]:
    listed = [
        item for item in occurrences(docs, ctx) if title_words(item.title) >= SAME_TITLE_MIN_WORDS
    ]
    for kind in sorted(IDENTIFIER_KINDS):
        # One identifier per entry and kind: two in one entry are PL304's business.
        primary: list[Occurrence] = []
        seen: set[tuple[str, int]] = set()
        for item in listed:
            if item.key.kind == kind and (item.path, item.entry.index) not in seen:
                seen.add((item.path, item.entry.index))
                primary.append(item)
        for group in _same_title_groups(primary):
            yield from _title_group_hits(group)


def _same_title_groups(items: list[Occurrence]) -> list[list[Occurrence]]:
    """Occurrences grouped by exact canonical title, then merged when the titles are the same up to
    typos. Only titles sharing their first or last word and of similar length are compared, which
    keeps this near-linear on large lists."""
    by_title: dict[str, list[Occurrence]] = {}
    for item in items:
        by_title.setdefault(canonical_title(item.title), []).append(item)
    canon = list(by_title)
    union = _UnionFind(len(canon))
    limit = titles.TYPO_MAX_EDITS
    buckets: dict[str, list[int]] = {}
    for index, title in enumerate(canon):
        words = title.split()
        for bucket in {"first:" + words[0], "last:" + words[-1]}:
            buckets.setdefault(bucket, []).append(index)
    for members in buckets.values():
        members.sort(key=lambda index: len(canon[index]))
        for position, first in enumerate(members):
            for second in members[position + 1 :]:
                a, b = canon[first], canon[second]
                if len(b) - len(a) > limit:
                    break
                if union.find(first) == union.find(second):
                    continue
                if titles.osa_distance(a, b, limit) > limit:
                    continue
                if same_title(by_title[a][0].title, by_title[b][0].title):
                    union.union(first, second)
    return _merged(by_title, union)


def _title_group_hits(group: list[Occurrence]) -> Iterator[Hit]:
    by_key: dict[PaperKey, list[Occurrence]] = {}
    for item in group:
        by_key.setdefault(item.key, []).append(item)
    if len(by_key) < 2:
        return
    keys = list(by_key)  # in order of first occurrence
    reference = by_key[keys[0]]
    related = tuple(item.link_location for item in reference)
    for key in keys[1:]:
        first = by_key[key][0]
        location = first.link_location
        yield Hit(
            "PL302",
            location.line,
            location.column,
            f'"{display_title(first.title)}" is listed with {key} here but with {keys[0]} at '
            f"{where(reference[0].link_location, first.path)}",
            url=first.link.target,
            related=related,
            path=first.path,
        )


# --------------------------------------------------------------------------------------------------
# Per document: PL303, PL304

_SORTED_KINDS = tuple(sorted(IDENTIFIER_KINDS))


def check_document(doc: Document, ctx: RuleContext) -> Iterator[Hit]:
    # PL303 and PL304 both look for the IDs written in every text span.
    text_ids = {id(span): find_text_ids(span.text) for entry in doc.entries for span in entry.texts}
    hits = [*_invalid_ids(doc, text_ids, ctx.today), *_entry_mismatches(doc, ctx, text_ids)]
    hits.sort(key=lambda hit: (hit.line, hit.column, hit.code, hit.message))
    yield from hits


def _invalid_ids(doc: Document, text_ids: dict[int, list[TextId]], today: date) -> Iterator[Hit]:
    reported: set[tuple[int | None, str]] = set()
    for link in doc.links:
        key = paper_key(link.target)
        if key.kind != ARXIV:
            continue
        reported.add((link.entry, key.value))
        problem = arxiv_id_problem(key.value, today)
        if problem is not None:
            yield Hit(
                "PL303", link.line, link.column, f"arXiv ID {key.value} {problem}", url=link.target
            )
    for entry in doc.entries:
        for span in entry.texts:
            for found in text_ids[id(span)]:
                if found.kind != ARXIV or (entry.index, found.id) in reported:
                    continue
                reported.add((entry.index, found.id))
                problem = arxiv_id_problem(found.id, today)
                if problem is not None:
                    line, column = locate(doc, span, found.start, found.end)
                    yield Hit("PL303", line, column, f"arXiv ID {found.id} {problem}")


@dataclass(frozen=True, slots=True)
class _Written:
    key: PaperKey
    rank: int  # 0 title link, 1 paper-labelled link, 2 text: which to trust on a tie
    line: int
    column: int


def _entry_mismatches(
    doc: Document, ctx: RuleContext, text_ids: dict[int, list[TextId]]
) -> Iterator[Hit]:
    for entry in doc.entries:
        written: list[_Written] = []
        for item in entry_paper_links(doc, entry, ctx):
            if item.generic and item.key.kind in IDENTIFIER_KINDS:
                is_title = entry.title_link is not None and item.link is doc.links[entry.title_link]
                written.append(
                    _Written(item.key, 0 if is_title else 1, item.link.line, item.link.column)
                )
        for span in entry.texts:
            for found in text_ids[id(span)]:
                line, column = locate(doc, span, found.start, found.end)
                written.append(_Written(PaperKey(found.kind, found.id), 2, line, column))
        if len(written) < 2:
            continue  # nothing to disagree with
        for kind in _SORTED_KINDS:
            yield from _mismatches([item for item in written if item.key.kind == kind])


def _mismatches(written: list[_Written]) -> Iterator[Hit]:
    keys = {item.key for item in written}
    if len(keys) < 2:
        return

    def trust(key: PaperKey) -> tuple[int, int, int, int]:
        mine = [item for item in written if item.key == key]
        best = min(mine, key=lambda item: (item.rank, item.line, item.column))
        return (-len(mine), best.rank, best.line, best.column)

    reference = min(keys, key=trust)
    anchor = min(
        (item for item in written if item.key == reference),
        key=lambda item: (item.rank, item.line, item.column),
    )
    for item in written:
        if item.key == reference:
            continue
        yield Hit(
            "PL304",
            item.line,
            item.column,
            f"{item.key} here disagrees with {reference} at line {anchor.line}, column "
            f"{anchor.column} of the same entry",
        )


FAMILY = RuleFamily(
    "identifiers",
    __doc__ or "",
    (
        Rule("PL301", "id-title-conflict", Severity.ERROR, "One arXiv ID or DOI is listed under different titles."),
        Rule("PL302", "title-id-conflict", Severity.WARNING, "One title is listed with different arXiv IDs or DOIs."),
        Rule("PL303", "id-invalid", Severity.ERROR, "An arXiv ID that cannot exist."),
        Rule("PL304", "entry-id-mismatch", Severity.ERROR, "The identifiers inside one entry disagree."),
    ),
    check_document=check_document,
    check_corpus=check_corpus,
)  # fmt: skip
