"""Paper identity: one key per paper across URL forms, identifiers in prose, an entry's own papers.

* :func:`paper_key` maps every URL form of one paper (arXiv abs/pdf/html, mirrors, DOI resolvers,
  OpenReview forum/pdf) to one :class:`PaperKey`; anything else is keyed by its normalised URL.
* :func:`find_text_ids` finds arXiv IDs and DOIs written in text (``arXiv:2401.13160``).
* :func:`paper_links` says which links of an entry point to the entry's own paper.

Whether two titles name the same paper is :mod:`linter.titles`' business.

Nothing here raises on malformed input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from linter.document import Document, Entry, Link, TextSpan
from linter.titles import same_title, title_words

# --------------------------------------------------------------------------------------------------
# Keys

ARXIV = "arxiv"
DOI = "doi"
OPENREVIEW = "openreview"
URL = "url"
IDENTIFIER_KINDS = frozenset({ARXIV, DOI})  # kinds that name exactly one paper, worldwide

_PREFIXES = {ARXIV: "arXiv:", DOI: "doi:", OPENREVIEW: "openreview:"}


@dataclass(frozen=True, slots=True, order=True)
class PaperKey:
    kind: str  # "arxiv", "doi", "openreview" or "url"
    value: str  # arXiv ID without version, lower-cased DOI, OpenReview id or normalised URL

    def __str__(self) -> str:
        return _PREFIXES.get(self.kind, "") + self.value


# New-style IDs are YYMM.NNNN (to 1412) or YYMM.NNNNN (from 1501); old-style IDs are
# archive[.XX]/YYMMNNN.
# The subject class (".CA" in math.CA/0611800) is not part of the identifier: arXiv serves
# math.CA/0611800 and math/0611800 as the same paper, so the key drops it.
_ID_BODY = (
    r"(?:(?P<new>\d{4}\.\d{4,5})"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[a-z]{2})?/(?P<num>\d{7}))"
    r"(?:v(?P<version>\d+))?"
)
_ARXIV_PATH = re.compile(
    r"^/(?:abs|pdf|html|format|ps)/(?:arxiv:)?" + _ID_BODY + r"(?:\.pdf)?(?:/.*)?$", re.I
)
_MIRROR_PATHS: dict[str, re.Pattern[str]] = {
    "ar5iv.org": re.compile(r"^/(?:abs|html)/" + _ID_BODY + r"(?:/.*)?$", re.I),
    "ar5iv.labs.arxiv.org": re.compile(r"^/(?:abs|html)/" + _ID_BODY + r"(?:/.*)?$", re.I),
    "alphaxiv.org": re.compile(r"^/(?:abs|overview)/" + _ID_BODY + r"(?:/.*)?$", re.I),
    "huggingface.co": re.compile(r"^/papers/" + _ID_BODY + r"/?$", re.I),
}
_ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})
_BARE_ID = re.compile(r"^(?:arxiv:)?" + _ID_BODY + r"$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# Publishers (ACM, Wiley, Taylor & Francis, SAGE, Science...) put the DOI in the path.
_PUBLISHER_DOI_PATH = re.compile(
    r"/doi/(?:(?:abs|full|pdf|epdf|pdfdirect|reader|book)/)?(10\.\d{4,9}/.+?)/?$", re.I
)
_ARXIV_DOI_PREFIX = "10.48550/arxiv."
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)
_HOSTLIKE = re.compile(r"^(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?:[/?#]|$)", re.I)
_DEFAULT_PORTS = (":80", ":443")


def _arxiv_from_match(match: re.Match[str]) -> str:
    if match.group("new"):
        return match.group("new")
    return f"{match.group('archive').lower()}/{match.group('num')}"


def _split(url: str) -> tuple[str, str, str, str] | None:
    """(host, path, query, fragment) of an absolute or scheme-less web URL, None otherwise."""
    text = url
    if text.startswith("//"):
        text = "http:" + text
    elif not _SCHEME.match(text):
        if not _HOSTLIKE.match(text):
            return None
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    for port in _DEFAULT_PORTS:
        if host.endswith(port):
            host = host[: -len(port)]
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host, parts.path, parts.query, parts.fragment


def _identity_key(host: str, path: str, query: str) -> PaperKey | None:
    if host in _ARXIV_HOSTS:
        match = _ARXIV_PATH.match(path)
        return PaperKey(ARXIV, _arxiv_from_match(match)) if match else None
    mirror = _MIRROR_PATHS.get(host)
    if mirror is not None:
        match = mirror.match(path)
        return PaperKey(ARXIV, _arxiv_from_match(match)) if match else None
    if host in _DOI_HOSTS:
        return doi_key(unquote(path.lstrip("/")))
    if host == "openreview.net" and path.rstrip("/") in ("/forum", "/pdf"):
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if name == "id" and value:
                return PaperKey(OPENREVIEW, unquote(value))
        return None
    publisher = _PUBLISHER_DOI_PATH.search(path)
    if publisher:
        return doi_key(unquote(publisher.group(1)))
    return None


def bare_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """The key form and the version of an ID as written alone (``2205.01068v4``,
    ``hep-th/9901001``, ``arXiv:math.CA/0611800``); None when it is not one."""
    match = _BARE_ID.match(text.strip())
    if match is None:
        return None
    version = match.group("version")
    return _arxiv_from_match(match), int(version) if version else None


def doi_key(doi: str) -> PaperKey | None:
    """The key of a DOI (``10.1145/...``); arXiv's DOIs (10.48550/arXiv.ID) become arXiv keys."""
    text = doi.strip().rstrip("/")
    if not _DOI.match(text):
        return None
    lowered = text.lower()
    if lowered.startswith(_ARXIV_DOI_PREFIX):
        match = _BARE_ID.match(text[len(_ARXIV_DOI_PREFIX) :])
        return PaperKey(ARXIV, _arxiv_from_match(match)) if match else None
    return PaperKey(DOI, lowered)


def _normalised_url(host: str, path: str, query: str) -> str:
    # Query order is kept: reordering is harmless for most servers but not for all, and one list
    # rarely writes the same query twice in different orders.
    kept = [pair for pair in query.split("&") if pair and not pair.lower().startswith("utm_")]
    value = host + path.rstrip("/")
    if kept:
        value += "?" + "&".join(kept)
    return value


# Pure and asked for the same URLs by several rules (and a list links one paper several times).
@lru_cache(maxsize=65536)
def paper_key(url: str) -> PaperKey:
    """One canonical key per paper across the URL forms that show it. Never raises."""
    text = url.strip()
    parts = _split(text)
    if parts is None:
        # Relative paths, mailto: and the like: the target itself, without its fragment. A
        # fragment-only link (a table of contents) gives the empty value: it names no paper.
        bare = text.split("#", 1)[0].rstrip("/")
        return PaperKey(URL, bare[2:] if bare.startswith("./") else bare)
    host, path, query, _fragment = parts
    key = _identity_key(host, path, query)
    if key is not None:
        return key
    return PaperKey(URL, _normalised_url(host, path, query))


def arxiv_id(url: str) -> str | None:
    """The arXiv ID (without version) that ``url`` shows, if any."""
    key = paper_key(url)
    return key.value if key.kind == ARXIV else None


# --------------------------------------------------------------------------------------------------
# arXiv ID validity

FIRST_NEW_STYLE = 704  # April 2007
FIVE_DIGITS_FROM = 1501  # January 2015
FIRST_OLD_STYLE = 199108  # August 1991, as YYYYMM
LAST_OLD_STYLE = 200703  # March 2007, as YYYYMM


def arxiv_id_problem(identifier: str, today: date | None = None) -> str | None:
    """Why an arXiv ID (as in a key: ``2401.17555`` or ``hep-th/9901001``) cannot exist, or None.

    With ``today``, a new-style ID from a later month cannot exist yet either."""
    if "/" in identifier:
        digits = identifier.rsplit("/", 1)[1]
        if len(digits) != 7 or not digits.isdigit():
            return None
        year, month, number = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        if not 1 <= month <= 12:
            return f"has month {digits[2:4]}"
        stamp = (year + (1900 if year >= 91 else 2000)) * 100 + month
        if stamp < FIRST_OLD_STYLE:
            return "is older than arXiv, which started in August 1991"
        if stamp > LAST_OLD_STYLE:
            return "is an old-style ID after March 2007, when old-style IDs ended"
        if number == 0:
            return "has sequence number 000"
        return None
    head, _, tail = identifier.partition(".")
    if len(head) != 4 or not head.isdigit() or not tail.isdigit():
        return None
    yymm, month = int(head), int(head[2:])
    if not 1 <= month <= 12:
        return f"has month {head[2:]}"
    if yymm < FIRST_NEW_STYLE:
        return "is older than new-style IDs, which start at 0704 (April 2007)"
    if yymm >= FIVE_DIGITS_FROM and len(tail) == 4:
        return "has 4 digits after the dot; IDs from 1501 (January 2015) on have 5"
    if yymm < FIVE_DIGITS_FROM and len(tail) == 5:
        return "has 5 digits after the dot; IDs before 1501 (January 2015) have 4"
    if int(tail) == 0:
        return f"has sequence number {tail}"
    if today is not None and yymm > (today.year % 100) * 100 + today.month:
        return f"is from {2000 + yymm // 100}-{head[2:]}, a month that has not begun yet"
    return None


# --------------------------------------------------------------------------------------------------
# Identifiers in text


class TextId(NamedTuple):
    kind: str  # "arxiv" or "doi"
    id: str  # as in a key: arXiv ID without version, lower-cased DOI
    start: int  # offsets of the identifier as written (version included), not of its "arXiv:" label
    end: int


# Only IDs announced as arXiv IDs count: a bare 2401.13160 could be anything (a version, a size).
_TEXT_ARXIV = re.compile(
    r"(?<![\w])arxiv(?:\s*[:,]\s*|\s+|\.org/(?:abs|pdf|html)/(?:arxiv:)?)"
    r"(?P<id>" + _ID_BODY + r")(?![\w-])(?!\.\d)",
    re.I,
)
_TEXT_DOI = re.compile(r"(?<![\w.])10\.\d{4,9}/[^\s\"'<>\[\]{}`|]+")
_DOI_TRAILING = ".,;:!?'\""
# Most texts name no identifier: these cheap tests skip the patterns. Case-insensitive as in
# _TEXT_ARXIV, where "i" also matches the dotless "ı" and "İ" (so lower() alone would not do).
_ARXIV_WORD = re.compile("arxiv", re.I)


def _mentions_arxiv(text: str) -> bool:
    if text.isascii():
        return "arxiv" in text.lower()
    return _ARXIV_WORD.search(text) is not None


def find_text_ids(text: str) -> list[TextId]:
    """arXiv IDs (``arXiv:2401.13160``, ``arXiv, 2401.13160``, ``arxiv.org/abs/...``) and DOIs in
    prose or code, in order of position."""
    found: list[TextId] = []
    if _mentions_arxiv(text):
        for match in _TEXT_ARXIV.finditer(text):
            found.append(
                TextId(ARXIV, _arxiv_from_match(match), match.start("id"), match.end("id"))
            )
    if "10." in text:
        for match in _TEXT_DOI.finditer(text):
            doi = match.group(0)
            # Sentence punctuation and an unbalanced closing parenthesis end the DOI, not belong
            # to it.
            opening, closing, end = doi.count("("), doi.count(")"), len(doi)
            while end > 0:
                if doi[end - 1] in _DOI_TRAILING:
                    end -= 1
                elif doi[end - 1] == ")" and opening < closing:
                    closing -= 1
                    end -= 1
                else:
                    break
            doi = doi[:end]
            key = doi_key(doi)
            if key is None:
                continue
            start = match.start()
            if any(item.start <= start < item.end for item in found):
                continue
            found.append(TextId(key.kind, key.value, start, start + len(doi)))
    if len(found) > 1:
        found.sort(key=lambda item: (item.start, item.end))
    return found


# --------------------------------------------------------------------------------------------------
# An entry's own paper links

PAPER_LABEL_WORDS = frozenset(
    {
        "paper", "papers", "pdf", "arxiv", "abs", "abstract", "html", "openreview", "doi", "ar5iv",
        "alphaxiv", "preprint", "fulltext", "publication", "article", "proceedings", "journal",
        "acl", "acm", "ieee", "springer", "pmlr", "neurips", "nips", "icml", "iclr", "cvpr", "iccv",
        "eccv", "emnlp", "naacl", "aaai", "ijcai", "jmlr", "tmlr", "aclanthology",
        "semanticscholar", "论文", "論文",
    }
)  # fmt: skip
NON_PAPER_LABEL_WORDS = frozenset(
    {
        "code", "github", "gitlab", "repo", "repository", "blog", "post", "video", "youtube",
        "bilibili", "slides", "slide", "project", "homepage", "website", "star", "stars", "badge",
        "demo", "poster", "talk", "tweet", "twitter", "thread", "dataset", "data", "model",
        "models", "weights", "checkpoint", "checkpoints", "colab", "notebook", "bib", "bibtex",
        "citation", "citations", "cite", "cited", "cication", "review", "reviews", "zhihu",
        "reddit", "podcast", "docs", "documentation", "leaderboard", "tutorial", "supplementary",
        "supp", "news", "press", "media", "survey", "related", "followup", "follow", "代码",
        "コード", "项目", "项目主页", "主页", "博客", "视频", "数据集", "演示", "知乎",
    }
)  # fmt: skip
_LABEL_TOKEN = re.compile(r"[^\W_]+")

PAPER_LABEL = "paper"
OTHER_LABEL = "other"
FREE_LABEL = "free"


def link_label(text: str) -> str:
    """``paper`` for a paper label ("arXiv", "[PDF]"), ``other`` for code, blog, video, star...
    labels, ``free`` for anything else (a title, an emoji, a number, no text)."""
    tokens = _LABEL_TOKEN.findall(text.casefold())
    if not tokens:
        return FREE_LABEL
    if tokens[0] in PAPER_LABEL_WORDS:
        return PAPER_LABEL
    if any(token in NON_PAPER_LABEL_WORDS for token in tokens):
        return OTHER_LABEL
    if any(token in PAPER_LABEL_WORDS for token in tokens):
        return PAPER_LABEL
    return FREE_LABEL


@dataclass(frozen=True, slots=True)
class PaperLink:
    link: Link
    key: PaperKey
    generic: bool  # the title link or a paper-labelled link (not a free-text link)


_PAGE_SUFFIXES = (".md", ".markdown", ".mdx", ".rst")


def is_navigation(target: str) -> bool:
    """A relative link that moves around the list rather than naming a paper: to an anchor
    (``#week-12``, ``./#top-ml-papers-of-the-week-april-7``, ``2024.md#may``), to a folder (``.``,
    ``../``, ``papers/``) or to another Markdown page of the list. A table of contents is made of
    such links, and its lines are not papers listed twice."""
    text = target.strip()
    # Without a scheme, GitHub resolves "README.md" and "example.com/x" as relative paths; only
    # "www." text is a web address (GitHub's autolinks).
    if _SCHEME.match(text) or text.startswith("//") or text[:4].lower() == "www.":
        return False
    path, has_fragment, _fragment = text.partition("#")
    if has_fragment:
        return True
    path = path.split("?", 1)[0]
    trimmed = path.rstrip("/")
    if path != trimmed or trimmed in ("", ".", "..") or trimmed.endswith(("/.", "/..")):
        return True
    return trimmed.lower().endswith(_PAGE_SUFFIXES)


def paper_link_keys(doc: Document, entry: Entry) -> list[PaperLink]:
    """The entry's own paper links with their keys: the title link first, then in source order.

    A paper-labelled link counts; so does a link whose URL names a paper (arXiv, DOI, OpenReview)
    unless its label says code/blog/video/..., or unless it is free text that mentions another
    paper: one other than the paper the title link or the first paper-labelled link points to
    ("**QLoRA** [paper](…) builds on [LoRA](arxiv...)"), or, when the title is the text of a link
    to a web page (a blog post, a repository), a name other than that title ("[What are diffusion
    models?](blog) covers [DDPM](arxiv...)"). Images, navigation links (:func:`is_navigation`)
    and the links of nested items never count."""
    result: list[PaperLink] = []
    order: list[int] = []
    if entry.title_link is not None and 0 <= entry.title_link < len(doc.links):
        order.append(entry.title_link)
    order.extend(index for index in entry.links if index != entry.title_link)
    candidates: list[tuple[int, Link, PaperKey]] = []
    for index in order:
        if not 0 <= index < len(doc.links):
            continue
        link = doc.links[index]
        if link.image or is_navigation(link.target):
            continue
        key = paper_key(link.target)
        if key.value:
            candidates.append((index, link, key))
    # The paper the entry is about, when one of its links says so.
    reference: PaperKey | None = None
    page_title = False  # the title is the text of a link to a web page, not to a paper
    for index, link, key in candidates:
        if index == entry.title_link:
            if key.kind != URL:
                reference = key
                break
            page_title = True
        elif link_label(link.text) == PAPER_LABEL and key.kind != URL:
            reference = key
            break
    for index, link, key in candidates:
        if index == entry.title_link:
            result.append(PaperLink(link, key, True))
            continue
        label = link_label(link.text)
        if label == PAPER_LABEL:
            result.append(PaperLink(link, key, True))
        elif label == FREE_LABEL and key.kind != URL:
            if reference is not None and key != reference:
                continue
            if (
                reference is None
                and page_title
                and title_words(link.text) > 0
                and not same_title(entry.title or "", link.text)
            ):
                continue
            result.append(PaperLink(link, key, False))
    return result


def paper_links(doc: Document, entry: Entry) -> list[Link]:
    """The links of ``entry`` that point to its own paper (see :func:`paper_link_keys`)."""
    return [item.link for item in paper_link_keys(doc, entry)]


def locate(doc: Document, span: TextSpan, start: int, end: int) -> tuple[int, int]:
    """The source position of ``span.text[start:end]``.

    Span texts lose escapes, entities and the indentation of continuation lines, so offsets cannot
    simply be added; the written text is looked up in the source from the span's start instead."""
    needle = span.text[start:end]
    nth = span.text[:start].count(needle)
    line_index, column_index = span.line - 1, span.column - 1
    last = min(len(doc.lines), span.line + span.text.count("\n") + 1)
    while 0 <= line_index < last:
        source = doc.lines[line_index]
        found = source.find(needle, max(column_index, 0))
        while found >= 0:
            if nth == 0:
                return line_index + 1, found + 1
            nth -= 1
            found = source.find(needle, found + 1)
        line_index, column_index = line_index + 1, 0
    return span.line, span.column


class Citation(NamedTuple):
    """An arXiv ID or DOI cited in a document: by a link, or written in an entry's text."""

    kind: str  # "arxiv" or "doi"
    id: str  # as in a key
    line: int
    column: int
    link: Link | None  # None: written in the text
    entry: int | None  # index into Document.entries, None in prose


def citations(doc: Document) -> list[Citation]:
    """Every arXiv ID and DOI a document cites, once per place, in source order."""
    found: list[Citation] = []
    for link in doc.links:
        key = paper_key(link.target)
        if key.kind in IDENTIFIER_KINDS:
            found.append(Citation(key.kind, key.value, link.line, link.column, link, link.entry))
    for entry in doc.entries:
        for span in entry.texts:
            for text_id in find_text_ids(span.text):
                line, column = locate(doc, span, text_id.start, text_id.end)
                found.append(Citation(text_id.kind, text_id.id, line, column, None, entry.index))
    found.sort(key=lambda item: (item.line, item.column))
    return found
