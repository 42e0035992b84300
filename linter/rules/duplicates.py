"""Duplicate rules: the same paper listed twice.

Two entries list the same paper when they share a paper link (every URL form of one paper counts as
the same link: arXiv ``/abs/`` and ``/pdf/...v2.pdf``, ar5iv, alphaxiv, Hugging Face papers,
``doi.org``, OpenReview forum and pdf; otherwise the URL without scheme, ``www.``, trailing slash,
fragment and ``utm_*`` parameters) and their titles are the same up to case, punctuation, line
breaks, a parenthetical note, an organisation prefix ("DeepMind's") or a couple of typos. A model
name is not its paper's title here: the "OPT-1.3B" and "OPT-6.7B" rows of a model table that both
link to the OPT paper are not duplicates.

Only the entry's own paper links count: its title link, links labelled ``arxiv``, ``pdf``,
``paper``... and unlabelled links to arXiv, DOIs or OpenReview; code, blog, video, star badge and
citation links, and the links of nested items, never make a duplicate. The abstract and PDF links
of one entry are one paper, not a duplicate. Navigation is never a paper: a table of contents
(``[Top ML Papers of the Week (April 7 - April 13)](./#top-ml-papers-...)``), links to anchors, to
folders and to other Markdown pages of the list.

Where repeats are looked for is the ``duplicate-scope`` setting: ``section`` (PL201 only),
``file`` (the default: PL201 within a section, PL202 across the sections of a file) or ``all``
(also PL202 across the files checked together). A digest section, one that lists again on purpose
what the list files under its topics (a heading with News, Updates, Latest, Recent, What's new,
Trending, Hot, Highlights, Week, Weekly, Month, Monthly, Daily, Today or Changelog, or a section
within one), is a scope of its own: a paper listed twice within it is PL201, its repeats under
the topics are not reported (the same words in French, Spanish, German, Portuguese and Chinese
count too: "Projets LLM tendance", "最新论文"). Each repeat is reported at its title, with the first listing as
related location. When the same identifier is also listed under a different title, the entries
are reported once, as PL301, and not here.

PL201 duplicate-entry
    The same paper is listed twice in one section (under the same heading), as in a copy and paste
    that went wrong. Repositories and blog posts listed twice count as well.

    Failing::

        - [Attention is all you need](https://arxiv.org/abs/1706.03762)
        - [Attention Is All You Need](https://arxiv.org/pdf/1706.03762v5)

    Passing::

        - [Attention is all you need](https://arxiv.org/abs/1706.03762) ([pdf](https://arxiv.org/pdf/1706.03762))

PL202 cross-listed
    The same paper is listed again under another heading of the file (or, with ``duplicate-scope =
    "all"``, in another file). Lists often file one paper under two topics on purpose, so this is
    information, not an error; promote it with ``[tool.paperlint.severity] PL202 = "error"`` where a
    list should name each paper once, or turn it off with ``ignore = ["PL202"]``. Repeats between a
    digest section (news, papers of the week, trending) and the topics are never reported.

    Failing::

        ## Sparse attention

        - [Efficient Streaming Language Models with Attention Sinks](https://arxiv.org/abs/2309.17453)

        ## Length extrapolation

        - [Efficient Streaming Language Models with Attention Sinks](https://arxiv.org/abs/2309.17453)

    Passing::

        ## News

        - [Efficient Streaming Language Models with Attention Sinks](https://arxiv.org/abs/2309.17453)

        ## Sparse attention

        - [Efficient Streaming Language Models with Attention Sinks](https://arxiv.org/abs/2309.17453)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from linter.document import Document, Entry
from linter.findings import Hit, Location, Severity
from linter.identity import PaperKey
from linter.rules import identifiers
from linter.rules.base import Rule, RuleContext, RuleFamily
from linter.rules.identifiers import conflicts, entry_location, entry_paper_links, where
from linter.titles import canonical_title, display_title, same_title

# Sections that list again, on purpose, what the list files under its topics: a news feed, the
# papers of the week or month, trending projects. Their repeats elsewhere are not reported; a paper
# listed twice within one of them is.
DIGEST_HEADING = re.compile(
    r"\b(?:news|updates?|latest|recent|what'?s new|new (?:papers|additions|releases)|trending|"
    r"hot|highlights?|week|weekly|month|monthly|daily|today|changelog"
    # The same in the languages reading lists are often translated into (French, Spanish,
    # German, Portuguese), then Chinese, which has no word boundaries.
    r"|actualités|nouveautés|tendances?|semaine|novedades|noticias|tendencias|semana"
    r"|neuigkeiten|aktuell|woche|notícias|novidades)\b"
    r"|最新|新闻|动态|热门|趋势|每周|周报|每日|日报|月报",
    re.IGNORECASE,
)

_Scope = tuple[str, int | None]


@dataclass(frozen=True, slots=True)
class _Listed:
    path: str
    entry: Entry
    title: str
    keys: tuple[PaperKey, ...]
    urls: dict[PaperKey, str]  # the entry's first link for each key, for the report
    heading: str | None  # the text of the entry's section heading

    @property
    def location(self) -> Location:
        return entry_location(self.path, self.entry)

    @property
    def section(self) -> _Scope:
        return (self.path, self.entry.section)


def check_corpus(docs: Sequence[Document], ctx: RuleContext) -> Iterator[Hit]:
    # A corpus rule even for the per-file scopes: an identifier that PL301 reports anywhere in the
    # run is not reported again here, and only the whole corpus tells which those are.
    clashing = set(conflicts(docs, ctx))
    ordered = sorted(docs, key=lambda doc: doc.path)
    scopes: dict[_Scope, list[_Listed]] = {}
    for doc in ordered:
        digests = digest_sections(doc)
        for entry in doc.entries:
            listed = _listed(doc, entry, clashing, ctx)
            if listed is None:
                continue
            if ctx.duplicate_scope == "section" or entry.section in digests:
                scope: _Scope = listed.section
            elif ctx.duplicate_scope == "all":
                scope = ("", None)
            else:
                scope = (doc.path, None)
            scopes.setdefault(scope, []).append(listed)
    for items in scopes.values():
        yield from _repeats(items)


def digest_sections(doc: Document) -> set[int]:
    """The indices of the headings whose section is a digest (see ``DIGEST_HEADING``), or lies
    within one ("### 2025-05" under "## News")."""
    found: set[int] = set()
    open_headings: list[tuple[int, bool]] = []  # (level, digest) of the enclosing headings
    for index, heading in enumerate(doc.headings):
        while open_headings and open_headings[-1][0] >= heading.level:
            open_headings.pop()
        digest = DIGEST_HEADING.search(heading.text) is not None or any(
            enclosing for _level, enclosing in open_headings
        )
        open_headings.append((heading.level, digest))
        if digest:
            found.add(index)
    return found


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
    heading = doc.headings[entry.section].text if entry.section is not None else None
    return _Listed(doc.path, entry, entry.title, keys, urls, heading)


# The first listing of each paper key, by canonical title.
_Firsts = dict[PaperKey, dict[str, _Listed]]


def _earliest(firsts: _Firsts, item: _Listed, canon: str) -> tuple[_Listed, PaperKey] | None:
    """The earliest listing of one of ``item``'s papers under the same title. The fuzzy comparison
    against the other titles of one key is skipped for keys with very many titles (it is
    quadratic)."""
    match: tuple[_Listed, PaperKey] | None = None
    for key in item.keys:
        listed = firsts.get(key)
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
    return match


def _repeats(items: list[_Listed]) -> Iterator[Hit]:
    # A repeat in its own section is PL201 even when the paper is also listed earlier elsewhere.
    firsts: _Firsts = {}
    firsts_in_section: dict[_Scope, _Firsts] = {}
    for item in items:
        canon = canonical_title(item.title)
        in_section = firsts_in_section.setdefault(item.section, {})
        match = _earliest(in_section, item, canon)
        same_section = match is not None
        if match is None:
            match = _earliest(firsts, item, canon)
        for key in item.keys:
            in_section.setdefault(key, {}).setdefault(canon, item)
        if match is None:
            for key in item.keys:
                firsts.setdefault(key, {}).setdefault(canon, item)
            continue
        original, key = match
        location = item.location
        listed = f'"{display_title(item.title)}" ({key})'
        if same_section:
            code = "PL201"
            message = (
                f"duplicate entry: {listed} already listed at {where(original.location, item.path)}"
            )
        else:
            code = "PL202"
            under = f' under "{original.heading}"' if original.heading else ""
            message = f"cross-listed: {listed} also listed{under} at {where(original.location, item.path)}"
        yield Hit(
            code,
            location.line,
            location.column,
            message,
            url=item.urls[key],
            related=(original.location,),
            path=item.path,
        )


FAMILY = RuleFamily(
    "duplicates",
    __doc__ or "",
    (
        Rule("PL201", "duplicate-entry", Severity.ERROR, "The same paper is listed twice in one section.", options=("duplicate-scope",)),
        Rule("PL202", "cross-listed", Severity.INFO, "The same paper is listed again in another section.", options=("duplicate-scope",)),
    ),
    check_corpus=check_corpus,
)  # fmt: skip
