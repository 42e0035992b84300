"""The parsed document: what the rules read, with exact source positions.

Lines and columns are 1-based; columns count Unicode code points of the source line. These are the
only types other modules see; how they are made is the business of the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.reading import Decoded


class LinkKind(StrEnum):
    INLINE = "inline"  # [text](url)
    REFERENCE = "reference"  # [text][ref], [ref][], [ref] with a [ref]: url definition
    AUTOLINK = "autolink"  # <https://...>
    BARE = "bare"  # https://... or www.... that GitHub autolinks
    HTML = "html"  # <a href> / <img src> in inline or block HTML


@dataclass(frozen=True, slots=True)
class Span:
    """A source range; the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # the destination as written, <> removed, backslash escapes and entities resolved
    text: str  # plain text of the label (alt text for images), "" for autolinks
    line: int  # start of the whole link construct
    column: int
    kind: LinkKind
    image: bool = False
    target_span: Span | None = None  # exact source range of the destination (for --fix)
    entry: int | None = None  # index into Document.entries of the innermost entry, None in prose
    section: int | None = None  # index into Document.headings of the enclosing heading


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A run of inline text of an entry (text or code span) with where it starts."""

    text: str
    line: int
    column: int
    code: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    kind: str  # "item" (list item) or "row" (table body row)
    line: int
    column: int
    end_line: int  # last source line of the entry's own content (nested items excluded)
    title: str | None
    title_line: int | None
    title_column: int | None
    title_source: str | None  # "bold", "link" or "text"
    links: tuple[int, ...]  # indices into Document.links of own links (nested items excluded)
    title_link: int | None  # index into Document.links of the link that gave the title, if any
    texts: tuple[TextSpan, ...]  # the entry's own inline text and code spans, in order
    parent: int | None = None  # enclosing entry for nested list items
    section: int | None = None  # index into Document.headings


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    slug: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Directive:
    """An inline ``<!-- paperlint-... -->`` comment."""

    action: str  # "disable", "enable" or "disable-next-line"
    codes: tuple[str, ...]  # as written; empty means every rule
    line: int
    column: int


@dataclass(slots=True)
class Document:
    path: str
    source: str
    lines: list[str]
    links: list[Link] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    html_anchors: set[str] = field(default_factory=set)
    directives: list[Directive] = field(default_factory=list)
    lossy: bool = False  # decoded with replacement characters: the file held invalid UTF-8
    decoded: Decoded | None = None  # what reading the file found out (PL403 reports it)

    @property
    def anchors(self) -> set[str]:
        return {heading.slug for heading in self.headings} | self.html_anchors
