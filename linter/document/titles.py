"""Which text of an entry is its title, and where it is.

An entry's title is, in order: the leading bold text (also inside a leading link); else the first
link's text unless that text is generic (badge images, image-only and emoji-only links are
skipped); else the plain text before the first link, without trailing separators. Generic or
letterless results give no title.

The builder calls :func:`entry_title` on the tokens and atoms of an entry's first inline content
(the first cell for a table row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from linter.document.markdown import _P, _code_start
from linter.document.model import LinkKind
from linter.document.positions import _ContentMap
from linter.document.records import _Atom, _LinkRecord

DEFAULT_GENERIC_TEXTS: frozenset[str] = frozenset(
    {
        "paper", "pdf", "arxiv", "code", "link", "here", "project", "project page", "slides",
        "video", "blog", "website", "html", "bib", "bibtex", "abs", "abstract", "doi", "github",
        "repo", "demo", "poster", "talk", "openreview", "official", "page", "homepage", "post",
        "supplementary", "data", "dataset", "model", "weights", "huggingface", "hf", "youtube",
        "tweet", "twitter", "thread", "notes", "review", "pwc", "papers with code",
        "semantic scholar",
        "google scholar", "scholar", "acl", "acm", "ieee", "springer", "pmlr", "neurips", "icml",
        "iclr", "cvpr", "citation", "cite", "cication", "star", "stars", "source", "src",
        # Chinese and Japanese labels of bilingual lists: paper, code, project (page), homepage,
        # blog, video, dataset, demo, Zhihu (write-ups).
        "论文", "論文", "代码", "コード", "项目", "项目主页", "主页", "博客", "视频", "数据集", "演示",
        "知乎",
    }
)  # fmt: skip


# Characters stripped around a link text before comparing it with the generic texts.
_WORD_RE = re.compile(r"[^\W_]+")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_GENERIC_STRIP = " \t\n[](){}<>\"'`*_~.,;:!?-–—|/\\#"
# Characters stripped from the end of a title made of leading plain text.
_TITLE_TAIL_STRIP = " \t\n:-–—|,;/·•([{"
# A list number written as text, as digests number the rows of their tables: "6) **Attention as an
# RNN** - presents ...". It is not part of the title.
_ENUMERATOR = re.compile(r"\(?\d{1,3}[.)](?:\s+|$)")
# Where a description starts after a title written as plain text: "Title - presents a new ...".
_DESCRIPTION_SEPARATOR = re.compile(r" [-–—] ")


@dataclass(frozen=True, slots=True)
class Title:
    """An entry's title and where its text starts."""

    text: str
    line: int
    column: int
    source: str  # "bold", "link" or "text"
    # Index into Document.links of the link that gave the title; while the entry is built, in
    # the order the links were found (the builder sorts the links at the end).
    link: int | None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_generic(text: str, generic_texts: frozenset[str]) -> bool:
    normalized = _collapse(text).strip(_GENERIC_STRIP).lower()
    return not normalized or normalized in generic_texts


def _is_label(text: str, generic_texts: frozenset[str]) -> bool:
    """A link text made of generic words and years only ("Paper PDF", "[arXiv 2023]", "Code &
    Data"): a label, not a title. Other numbers keep a text a title ("Paper 1")."""
    words = _WORD_RE.findall(text.lower())
    return any(word in generic_texts for word in words) and all(
        word in generic_texts or _YEAR_RE.fullmatch(word) for word in words
    )


def _significant(children: list[Token], start: int) -> int | None:
    """Index of the first child from ``start`` that is not blank text."""
    for index in range(start, len(children)):
        token = children[index]
        if token.type == "text" and not token.content.strip():
            continue
        return index
    return None


def entry_title(
    children: list[Token],
    atoms: list[_Atom],
    records: list[_LinkRecord],
    cmap: _ContentMap,
    content: str,
    generic_texts: frozenset[str],
    first_link: int,
) -> Title | None:
    """The title of an inline content whose link records become the links from index
    ``first_link`` on."""
    bold = bold_title(children, records, cmap, content, first_link)
    if bold is not None:
        return bold
    first = next((record for record in records if record.counts_as_first), None)
    if (
        first is not None
        and first.kind in (LinkKind.INLINE, LinkKind.REFERENCE, LinkKind.HTML)
        and not _is_generic(first.text, generic_texts)
        and not _is_label(first.text, generic_texts)
    ):
        offset = first.text_offset if first.text_offset is not None else first.offset
        line, column = cmap.at(max(offset, 0))
        return Title(first.text, line, column, "link", first_link + records.index(first))
    boundary = first.offset if first is not None else None
    parts: list[str] = []
    start: int | None = None
    for atom in atoms:
        if atom.owner is not None:
            continue
        text = atom.text
        offset = atom.offset
        if boundary is not None and offset >= 0:
            if offset >= boundary:
                break
            if atom.verbatim and offset + len(text) > boundary:
                text = text[: boundary - offset]
        if start is None and text.strip() and offset >= 0:
            lead = len(text) - len(text.lstrip())
            number = _ENUMERATOR.match(text, lead) if atom.verbatim else None
            if number is not None:
                text, offset = text[number.end() :], offset + number.end()
                if not text.strip():
                    continue
            start = offset + len(text) - len(text.lstrip())
        parts.append(text)
    title = _collapse("".join(parts))
    description = _DESCRIPTION_SEPARATOR.search(title)
    if description is not None and any(char.isalnum() for char in title[: description.start()]):
        title = title[: description.start()]
    title = title.rstrip(_TITLE_TAIL_STRIP)
    if start is None or not any(char.isalnum() for char in title):
        return None
    if _is_generic(title, generic_texts):
        return None
    line, column = cmap.at(start)
    return Title(title, line, column, "text", None)


def bold_title(
    children: list[Token],
    records: list[_LinkRecord],
    cmap: _ContentMap,
    content: str,
    first_link: int,
) -> Title | None:
    first = _significant(children, 0)
    if first is not None and children[first].type == "text":
        # A list number or an emoji before the bold title: "6) **Title**", "🔥 **Title**".
        lead = children[first].content.lstrip()
        number = _ENUMERATOR.match(lead)
        if not any(char.isalnum() for char in lead[number.end() if number else 0 :]):
            first = _significant(children, first + 1)
    if first is None:
        return None
    link_token: Token | None = None
    if children[first].type == "link_open" and children[first].markup != "autolink":
        link_token = children[first]
        first = _significant(children, first + 1)
        if first is None:
            return None
    if children[first].type != "strong_open":
        return None
    depth = 0
    close = len(children)
    for index in range(first, len(children)):
        if children[index].type == "strong_open":
            depth += 1
        elif children[index].type == "strong_close":
            depth -= 1
            if depth == 0:
                close = index
                break
    parts: list[str] = []
    start: int | None = None
    for token in children[first + 1 : close]:
        if token.type in ("text", "text_special", "code_inline"):
            text = token.content
            position = token.meta.get(_P, -1)
            if start is None and text.strip() and position >= 0:
                if token.type == "text":
                    start = position + len(text) - len(text.lstrip())
                elif token.type == "code_inline":
                    start = _code_start(token, content)
                else:
                    start = position
            parts.append(text)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    title = _collapse("".join(parts))
    if not any(char.isalnum() for char in title) or start is None:
        return None
    link_index = None
    if link_token is not None:
        link_index = next(
            (
                first_link + index
                for index, record in enumerate(records)
                if record.token is link_token
            ),
            None,
        )
    line, column = cmap.at(start)
    return Title(title, line, column, "bold", link_index)
