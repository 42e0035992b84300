"""The builder's reading of inline content: links, text atoms, titles, headings and HTML.

:class:`_InlineBuilder` is the half of the document builder that turns one inline content (a
paragraph, a heading, a table cell) or one HTML block into links, the entry's text atoms and title,
headings, anchors and directives; :class:`~linter.document.builder._Builder` adds the walk over the
block tokens that decides which entry, section and content map each of them belongs to, and makes
the entries at the end. One class split in two modules: both halves work on the same state, which
``_Builder.__init__`` sets up.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

from linter.document.autolinks import _bare_urls
from linter.document.html import (
    _HTML_A_CLOSE_RE,
    _HTML_OPEN_RE,
    _HTML_SCAN_RE,
    _HTML_STRIP_TAGS_RE,
    _attributes,
    _directive,
)
from linter.document.markdown import (
    _DEST_END,
    _DEST_START,
    _E,
    _ENV_DEFS,
    _ENV_ROWS,
    _P,
    _REF,
    _TARGET,
    _code_start,
)
from linter.document.model import Directive, Document, Heading, Link, LinkKind, Span, TextSpan
from linter.document.positions import _block_map, _ContentMap
from linter.document.records import _Atom, _LinkRecord, _record_offset
from linter.document.tables import split_row
from linter.document.titles import Title, _collapse, entry_title
from linter.slugs import Slugger

# Inline token types the builder reads (emphasis and strikethrough delimiters it skips).
_BUILT_INLINE_KINDS = frozenset(
    {
        "text_special",
        "code_inline",
        "softbreak",
        "hardbreak",
        "link_open",
        "link_close",
        "image",
        "html_inline",
    }
)


@dataclass(slots=True)
class _EntryBuilder:
    """An entry while it is built: its links and text atoms grow with each inline content."""

    index: int
    kind: str
    line: int
    column: int
    parent: int | None
    section: int | None
    end_line: int
    links: list[int] = field(default_factory=list)
    # The atoms of each inline block of the entry's own content, with the block's map.
    atoms: list[tuple[list[_Atom], _ContentMap]] = field(default_factory=list)
    title: Title | None = None
    title_tried: bool = False
    # The text spans, once the entry is complete (a table row): its atoms are dropped then.
    texts: tuple[TextSpan, ...] | None = None


@dataclass
class _InlineResult:
    title: Title | None


def _alt_text(tokens: list[Token] | None) -> str:
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_alt_text(token.children))
    return "".join(parts)


class _InlineBuilder:
    """The builder's state, and what it makes of inline content and HTML blocks."""

    # Set up by _Builder.__init__.
    generic_texts: frozenset[str]
    normalized: str  # the source as markdown-it parses it
    norm_lines: list[str]
    doc: Document
    line_starts: list[int]  # offset in ``normalized`` of each line
    env: dict[str, Any]
    item_stack: list[_EntryBuilder]
    row: _EntryBuilder | None
    row_cells: dict[int, list[tuple[str, list[tuple[int, int]]]]]
    section: int | None
    slugger: Slugger

    # positions ------------------------------------------------------------------------------------

    def absolute(self, offset: int) -> tuple[int, int]:
        index = max(bisect_right(self.line_starts, offset) - 1, 0)
        return index + 1, offset - self.line_starts[index] + 1

    def current_entry(self) -> _EntryBuilder | None:
        if self.row is not None:
            return self.row
        return self.item_stack[-1] if self.item_stack else None

    # inline content -------------------------------------------------------------------------------

    def paragraph_inline(self, token: Token) -> None:
        if token.map is None:
            return
        first, stop = token.map
        cmap = _block_map(token.content, first, stop - first, self.norm_lines, trimmed_end=True)
        self.item_inline(token, cmap)

    def item_inline(self, token: Token, cmap: _ContentMap) -> None:
        """Inline content of a paragraph or heading; the first one of a list item gives its title."""
        entry = self.current_entry()
        wanted = entry is not None and entry.kind == "item" and not entry.title_tried
        result = self.inline(token, cmap, entry, wanted)
        if entry is not None and wanted:
            entry.title_tried = True
            entry.title = result.title

    def cell_inline(self, token: Token, cell_index: int) -> None:
        if token.map is None:
            return
        line0 = token.map[0]
        cmap = _ContentMap()
        row = self.env.get(_ENV_ROWS, {}).get(line0)
        placed = False
        if row is not None:
            row_line, row_column = self.absolute(row[0])
            cells = self.row_cells.get(line0)
            if cells is None:
                cells = self.row_cells[line0] = split_row(self.normalized[row[0] : row[1]])
            if cell_index < len(cells) and cells[cell_index][0] == token.content:
                for content_offset, row_offset in cells[cell_index][1]:
                    cmap.add(content_offset, row_line, row_column - 1 + row_offset)
                placed = True
        if not placed:
            line = self.norm_lines[line0] if line0 < len(self.norm_lines) else ""
            cmap.add(0, line0 + 1, max(line.find(token.content), 0))
        entry = self.current_entry()
        wanted = entry is not None and entry.kind == "row" and entry.title is None
        result = self.inline(token, cmap, entry, wanted)
        if entry is not None and wanted:
            entry.title = result.title

    def heading_inline(self, heading: Token, token: Token) -> None:
        if token.map is None or heading.map is None:
            return
        line0 = heading.map[0]
        content = token.content
        if heading.markup.startswith("#"):
            line = self.norm_lines[line0] if line0 < len(self.norm_lines) else ""
            hash_column = max(line.find("#"), 0)
            cmap = _ContentMap()
            found = line.find(content, hash_column + len(heading.markup)) if content else -1
            cmap.add(0, line0 + 1, found if found >= 0 else hash_column + len(heading.markup) + 1)
            column = hash_column + 1
        else:
            count = token.map[1] - token.map[0]
            cmap = _block_map(content, line0, count, self.norm_lines, trimmed_end=True)
            column = cmap.at(0)[1]
        level = int(heading.tag[1:]) if heading.tag[1:].isdigit() else 1
        slug_text, text = self.heading_text(token.children or [])
        index = len(self.doc.headings)
        self.section = index
        self.doc.headings.append(
            Heading(level, text, self.slugger.slug(slug_text), line0 + 1, column)
        )
        self.item_inline(token, cmap)

    @staticmethod
    def heading_text(children: list[Token]) -> tuple[str, str]:
        """(text github-slugger sees, readable text): the heading's rendered text content."""
        parts: list[str] = []
        for token in children:
            if token.type in ("text", "text_special", "code_inline"):
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append("\n")
        raw = "".join(parts)
        return raw, _collapse(raw)

    def inline(
        self, token: Token, cmap: _ContentMap, entry: _EntryBuilder | None, want_title: bool
    ) -> _InlineResult:
        """Links, text atoms and (when ``want_title``: the entry has none yet) the title."""
        children = token.children or []
        content = token.content
        atoms: list[_Atom] = []
        records: list[_LinkRecord] = []
        skips: list[tuple[int, int]] = []
        link_stack: list[int] = []
        html_anchor: int | None = None  # record of an open inline <a>
        html_anchor_start = 0
        autolink_depth = 0

        for child in children:
            kind = child.type
            # The record of the link whose label holds the child, if any.
            owner = link_stack[-1] if link_stack else html_anchor
            if kind == "text":
                text = child.content
                if text and not autolink_depth:
                    start = child.meta.get(_P, -1)
                    atoms.append(_Atom(start, text, owner, True, False))
                    if owner is not None:
                        records[owner].add_text(start, text)
                continue
            if kind not in _BUILT_INLINE_KINDS:
                continue  # emphasis and strikethrough delimiters
            meta = child.meta
            start = meta.get(_P, -1)
            if kind == "text_special":
                text = child.content
                atoms.append(_Atom(start, text, owner, False, False))
                if owner is not None:
                    records[owner].add_text(start, text)
            elif kind == "code_inline":
                inner = _code_start(child, content)
                text = child.content
                atoms.append(_Atom(inner, text, owner, True, True))
                if owner is not None:
                    records[owner].add_text(inner, text)
                if start >= 0:
                    skips.append((start, meta.get(_E, start)))
            elif kind in ("softbreak", "hardbreak"):
                atoms.append(_Atom(-1, " ", owner, False, False))
                if owner is not None:
                    records[owner].add_text(-1, " ")
            elif kind == "link_open":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                if child.markup == "autolink":
                    autolink_depth += 1
                    raw = content[start + 1 : end - 1] if start >= 0 else ""
                    href = str(child.attrs.get("href", ""))
                    target = raw
                    if href.startswith("mailto:") and not raw.lower().startswith("mailto:"):
                        target = "mailto:" + raw
                    span = self.span(cmap, start + 1, end - 1) if start >= 0 else None
                    records.append(_LinkRecord(start, LinkKind.AUTOLINK, target, span))
                    continue
                record = self.link_record(child, cmap, start)
                records.append(record)
                link_stack.append(len(records) - 1)
            elif kind == "link_close":
                if child.markup == "autolink":
                    autolink_depth = max(autolink_depth - 1, 0)
                elif link_stack:
                    link_stack.pop()
            elif kind == "image":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                alt = _alt_text(child.children)
                record = self.link_record(child, cmap, start)
                record.image = True
                record.text = _collapse(alt)
                records.append(record)
                if owner is not None:
                    records[owner].parts.append(alt)
                    records[owner].has_image = True
            elif kind == "html_inline":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                opened = self.html_inline(child, cmap, start, records)
                if opened == "open" and start >= 0:
                    html_anchor = len(records) - 1
                    html_anchor_start = start
                elif opened == "close" and html_anchor is not None:
                    if start >= 0:
                        skips.append((html_anchor_start, start))
                    html_anchor = None
                elif opened == "image" and owner is not None:
                    records[owner].parts.append(records[-1].text)
                    records[owner].has_image = True
        if html_anchor is not None:
            skips.append((html_anchor_start, len(content)))
        for record in records:
            if not record.image and record.kind is not LinkKind.AUTOLINK:
                record.text = _collapse("".join(record.parts))
                record.image_only = record.has_image and not record.has_text
        if "://" in content or "www." in content:
            for begin, end in _bare_urls(content, skips):
                target = unescapeAll(content[begin:end])
                records.append(
                    _LinkRecord(begin, LinkKind.BARE, target, self.span(cmap, begin, end))
                )
        if len(records) > 1:
            records.sort(key=_record_offset)
        first_index = len(self.doc.links)  # the index the first of these links gets
        title = (
            entry_title(children, atoms, records, cmap, content, self.generic_texts, first_index)
            if want_title
            else None
        )
        self.add_links(records, cmap, entry)
        if entry is not None:
            entry.atoms.append((atoms, cmap))
        return _InlineResult(title)

    def add_links(
        self, records: list[_LinkRecord], cmap: _ContentMap, entry: _EntryBuilder | None
    ) -> None:
        """The Links of ``records`` (in order), in the document and in ``entry``'s own links."""
        links = self.doc.links
        first_index = len(links)
        entry_index = entry.index if entry is not None else None
        section = self.section
        for record in records:
            line, column = cmap.at(max(record.offset, 0))
            links.append(
                Link(
                    target=record.target,
                    text=record.text,
                    line=line,
                    column=column,
                    kind=record.kind,
                    image=record.image,
                    target_span=record.span,
                    entry=entry_index,
                    section=section,
                )
            )
        if entry is not None:
            entry.links.extend(range(first_index, len(links)))

    def span(self, cmap: _ContentMap, start: int, end: int) -> Span:
        line, column = cmap.at(start)
        end_line, end_column = cmap.at(end) if end > start else (line, column)
        return Span(line, column, end_line, end_column)

    def link_record(self, token: Token, cmap: _ContentMap, start: int) -> _LinkRecord:
        meta = token.meta
        if _TARGET in meta:
            span = self.span(cmap, meta[_DEST_START], meta[_DEST_END])
            return _LinkRecord(start, LinkKind.INLINE, meta[_TARGET], span, token=token)
        definition = self.env.get(_ENV_DEFS, {}).get(meta.get(_REF))
        if definition is not None:
            dest_start, dest_end, target = definition
            line, column = self.absolute(dest_start)
            end_line, end_column = self.absolute(dest_end)
            span = Span(line, column, end_line, end_column)
            return _LinkRecord(start, LinkKind.REFERENCE, target, span, token=token)
        href = token.attrs.get("href", token.attrs.get("src", ""))
        return _LinkRecord(start, LinkKind.REFERENCE, str(href), None, token=token)

    def html_inline(
        self, token: Token, cmap: _ContentMap, start: int, records: list[_LinkRecord]
    ) -> str | None:
        """Links, anchors and directives of one inline HTML tag.

        Returns "open" / "close" for <a href> / </a>, "image" for <img src>, else None.
        """
        content = token.content
        if content.startswith("<!--"):
            directive = _directive(content[4:].removesuffix("-->"))
            if directive is not None and start >= 0:
                line, column = cmap.at(start)
                self.doc.directives.append(Directive(directive[0], directive[1], line, column))
            return None
        match = _HTML_OPEN_RE.match(content)
        if match is None:
            return None
        name = match.group(2).lower()
        if match.group(1):
            return "close" if name == "a" else None
        attrs = _attributes(match.group(3), match.start(3))
        self.anchors(attrs)
        base = max(start, 0)
        if name == "a" and "href" in attrs:
            value, value_start, value_end = attrs["href"]
            span = self.span(cmap, base + value_start, base + value_end)
            records.append(_LinkRecord(start, LinkKind.HTML, value, span, token=token))
            return "open"
        if name == "img" and "src" in attrs:
            value, value_start, value_end = attrs["src"]
            span = self.span(cmap, base + value_start, base + value_end)
            record = _LinkRecord(start, LinkKind.HTML, value, span, image=True, token=token)
            record.text = _collapse(attrs.get("alt", ("", 0, 0))[0])
            records.append(record)
            return "image"
        return None

    def anchors(self, attrs: dict[str, tuple[str, int, int]]) -> None:
        for name in ("id", "name"):
            if name in attrs and attrs[name][0]:
                self.doc.html_anchors.add(attrs[name][0])

    def html_block(self, token: Token) -> None:
        if token.map is None:
            return
        content = token.content.removesuffix("\n")
        first, stop = token.map
        cmap = _block_map(content, first, stop - first, self.norm_lines, trimmed_end=False)
        entry = self.current_entry()
        records: list[_LinkRecord] = []
        pos = 0
        # The next "</a>" at or after pos, remembered so that many unclosed anchors stay linear.
        close_match: re.Match[str] | None = _HTML_A_CLOSE_RE.search(content)
        while True:
            match = _HTML_SCAN_RE.search(content, pos)
            if match is None:
                break
            start = match.start()
            if match.group() == "<!--":
                close = content.find("-->", start + 4)
                if close < 0:
                    break  # the comment runs to the end of the block
                directive = _directive(content[start + 4 : close])
                if directive is not None:
                    line, column = cmap.at(start)
                    self.doc.directives.append(Directive(directive[0], directive[1], line, column))
                pos = close + 3
                continue
            tag = _HTML_OPEN_RE.match(content, start)
            if tag is None:
                pos = start + 1
                continue
            pos = tag.end()
            if tag.group(1):
                continue
            name = tag.group(2).lower()
            attrs = _attributes(tag.group(3), tag.start(3))
            self.anchors(attrs)
            if name == "a" and "href" in attrs:
                value, value_start, value_end = attrs["href"]
                record = _LinkRecord(
                    start, LinkKind.HTML, value, self.span(cmap, value_start, value_end)
                )
                if close_match is not None and close_match.start() < pos:
                    close_match = _HTML_A_CLOSE_RE.search(content, pos)
                inner = content[pos : close_match.start()] if close_match else ""
                record.text = _collapse(html.unescape(_HTML_STRIP_TAGS_RE.sub("", inner)))
                record.image_only = not record.text and "<img" in inner.lower()
                records.append(record)
            elif name == "img" and "src" in attrs:
                value, value_start, value_end = attrs["src"]
                record = _LinkRecord(
                    start, LinkKind.HTML, value, self.span(cmap, value_start, value_end), True
                )
                record.text = _collapse(attrs.get("alt", ("", 0, 0))[0])
                records.append(record)
        self.add_links(records, cmap, entry)
