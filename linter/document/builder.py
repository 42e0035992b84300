"""The document builder: markdown-it's block tokens -> :class:`~linter.document.Document`.

:class:`_Builder` walks the block tokens of the instrumented parser
(:mod:`linter.document.markdown`): it opens an entry per list item and table body row, tracks the
enclosing section, hands each inline content to the inline half of the builder
(:mod:`linter.document.inline`) and, at the end, sorts the links and makes the entries. Tables
come as one block token (:mod:`linter.document.tables`) whose rows are split and parsed here, one
at a time, with a shortcut for rows of plain text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from linter.document.inline import _EntryBuilder, _InlineBuilder
from linter.document.markdown import _ENV_MARKERS, _ENV_ROWS, _P, _markdown, _PosParserInline
from linter.document.model import Document, Entry, TextSpan
from linter.document.positions import _ContentMap
from linter.document.records import _Atom
from linter.document.tables import TABLE_META, TABLE_TOKEN, Cell, TableBlock, split_row

if TYPE_CHECKING:
    from linter.reading import Decoded
from linter.document.titles import DEFAULT_GENERIC_TEXTS, Title, entry_title
from linter.slugs import Slugger


def _normalize_newlines(text: str) -> str:
    """Every line break (CRLF, CR or LF) as LF, as markdown-it and CommonMark see them."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Distinct plain cell texts whose title is remembered (enough for a table's repeated values).
_PLAIN_TITLES_KEPT = 4096


class _Builder(_InlineBuilder):
    # markdown-it's own table rule and tokens instead of linter.document.tables (the tests compare
    # them).
    stock_tables = False

    def __init__(
        self,
        source: str,
        path: str,
        generic_texts: frozenset[str],
        lossy: bool = False,
        decoded: Decoded | None = None,
    ) -> None:
        self.generic_texts = generic_texts
        # A byte order mark would hide a first-line heading from markdown-it; a space keeps
        # every column where it is.
        text = " " + source[1:] if source.startswith("\ufeff") else source
        self.normalized = _normalize_newlines(text).replace("\0", "\ufffd")
        self.norm_lines = self.normalized.split("\n")
        lines = _normalize_newlines(source).split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
        self.doc = Document(path=path, source=source, lines=lines, lossy=lossy, decoded=decoded)
        self.line_starts: list[int] = []
        offset = 0
        for line in self.norm_lines:
            self.line_starts.append(offset)
            offset += len(line) + 1
        self.env: dict[str, Any] = {}
        self.entries: list[_EntryBuilder | Entry] = []  # an Entry when made at once
        self.item_stack: list[_EntryBuilder] = []
        self.row: _EntryBuilder | None = None
        self.row_cells: dict[int, list[tuple[str, list[tuple[int, int]]]]] = {}
        # Plain cell text -> its title when the text starts line 1, or None.
        self.plain_titles: dict[str, Title | None] = {}
        self.section: int | None = None
        self.slugger = Slugger()

    # block walk -----------------------------------------------------------------------------------

    def build(self) -> Document:
        tokens = _markdown(self.stock_tables).parse(self.normalized, self.env)
        in_tbody = False
        cell_index = 0
        container: Token | None = None  # the block token that owns the next inline token
        heading: Token | None = None
        item_stack = self.item_stack
        for token in tokens:
            kind = token.type
            # self.current_entry(), inlined: this runs for every block token.
            entry = self.row if self.row is not None else item_stack[-1] if item_stack else None
            if (
                entry is not None
                and token.map is not None
                and entry.kind == "item"
                and kind not in ("bullet_list_open", "ordered_list_open", "list_item_open")
            ):
                entry.end_line = max(entry.end_line, token.map[1])
            if kind == "list_item_open":
                self.open_item(token)
            elif kind == "list_item_close":
                if self.item_stack:
                    self.item_stack.pop()
            elif kind == "tbody_open":
                in_tbody = True
            elif kind == "tbody_close":
                in_tbody = False
            elif kind == "tr_open":
                cell_index = 0
                if in_tbody and token.map is not None:
                    self.open_row(token.map[0])
            elif kind == "tr_close":
                self.row = None
            elif kind in ("th_open", "td_open", "paragraph_open"):
                container = token
            elif kind == "heading_open":
                container = heading = token
            elif kind == "inline":
                if container is not None and container.type in ("th_open", "td_open"):
                    self.cell_inline(token, cell_index)
                    cell_index += 1
                elif heading is not None and container is heading:
                    self.heading_inline(heading, token)
                    heading = None
                else:
                    self.paragraph_inline(token)
                container = None
            elif kind == "html_block":
                self.html_block(token)
            elif kind == TABLE_TOKEN:
                self.table(token.meta[TABLE_META])
        return self.finish()

    def open_item(self, token: Token) -> None:
        marker = self.env.get(_ENV_MARKERS, {}).get(id(token))
        line0 = token.map[0] if token.map else 0
        line, column = self.absolute(marker) if marker is not None else (line0 + 1, 1)
        parent = self.item_stack[-1].index if self.item_stack else None
        entry = _EntryBuilder(len(self.entries), "item", line, column, parent, self.section, line)
        self.entries.append(entry)
        self.item_stack.append(entry)

    def open_row(self, line0: int, start: int | None = None) -> _EntryBuilder:
        row = self.env.get(_ENV_ROWS, {}).get(line0) if start is None else (start,)
        line, column = self.absolute(row[0]) if row else (line0 + 1, 1)
        parent = self.item_stack[-1].index if self.item_stack else None
        entry = _EntryBuilder(len(self.entries), "row", line, column, parent, self.section, line)
        self.entries.append(entry)
        self.row = entry
        return entry

    def table(self, block: TableBlock) -> None:
        """The header's cells belong to the enclosing item, if any; each body row is an entry.

        Cells are parsed one at a time and their tokens dropped at once, and a row's text spans
        are made when the row ends, so that a table costs no more memory than its entries.
        """
        columns = block.columns
        plain = self.plain_text_re()
        rows = block.rows()
        for line0, start, end in rows:
            text = self.normalized[start:end]
            cells = split_row(text)
            if len(cells) > columns:
                del cells[columns:]
            if line0 == block.first_line:
                self.cells(cells, line0, start, self.current_entry())
            elif plain is not None and plain.search(text) is None and "www." not in text:
                self.entries.append(self.plain_row(cells, line0, start))
            else:
                row = self.open_row(line0, start)
                self.cells(cells, line0, start, row)
                row.texts = self.texts(row.atoms)
                row.atoms = []
                self.row = None

    def cells(self, cells: list[Cell], line0: int, start: int, entry: _EntryBuilder | None) -> None:
        column = start - self.line_starts[line0]  # 0-based, where the row starts
        for content, segments in cells:
            if not content:
                continue  # no inline content: nothing to find
            cmap = _ContentMap()
            for content_offset, row_offset in segments:
                cmap.add(content_offset, line0 + 1, column + row_offset)
            wanted = entry is not None and entry.kind == "row" and entry.title is None
            title = self.cell(content, cmap, entry, wanted)
            if entry is not None and wanted:
                entry.title = title

    def plain_row(self, cells: list[Cell], line0: int, start: int) -> Entry:
        """The entry of a row whose cells are all plain text: what open_row(), self.cells() and
        finish() make of it, made at once (a row without links needs nothing from the rest of
        the document), without the intermediate atoms and builder (most rows of big tables of
        names and numbers)."""
        line = line0 + 1
        column = start - self.line_starts[line0]  # 0-based
        spans: list[TextSpan] = []
        title: Title | None = None
        title_column = 0  # 0-based, where the cell that gives the title starts
        for content, segments in cells:
            if not content:
                continue
            cell_column = column + segments[0][1]  # one segment: the row has no backslash
            if title is None:
                title = self.plain_cell_title(content)
                title_column = cell_column
            spans.append(TextSpan(content, line, cell_column + 1))
        return Entry(
            index=len(self.entries),
            kind="row",
            line=line,
            column=column + 1,
            end_line=line,
            title=title.text if title else None,
            title_line=line + title.line - 1 if title else None,
            title_column=title_column + title.column if title else None,
            title_source=title.source if title else None,
            links=(),
            title_link=None,
            texts=tuple(spans),
            parent=self.item_stack[-1].index if self.item_stack else None,
            section=self.section,
        )

    def plain_cell_title(self, content: str) -> Title | None:
        """The title a one-line plain text cell gives when the text starts line 1 (column 0,
        0-based): elsewhere it is as far from the text's start.

        Such a title depends on the text alone, up to where it is, and big tables repeat their
        cells' texts (a year, a venue, a mark): it is worked out once per text. (Its positions
        are relative so that a row need not make a title of its own: a frozen dataclass takes
        as long to make as a tenth of a plain row.)
        """
        if content in self.plain_titles:
            return self.plain_titles[content]
        cmap = _ContentMap()
        cmap.add(0, 1, 0)
        title = self.plain_title(content, cmap)
        if len(self.plain_titles) < _PLAIN_TITLES_KEPT:
            self.plain_titles[content] = title
        return title

    def plain_text_re(self) -> re.Pattern[str] | None:
        """Matches where an inline rule other than "text" can start; None when that is unknown.

        Text where it never matches and that has no bare URL (no "www." without "://", and
        "://" has a ":") is one text token to markdown-it, and one verbatim atom to inline().
        """
        inline = _markdown(self.stock_tables).inline
        if isinstance(inline, _PosParserInline) and inline._pl_chains is not None:
            return inline.terminator_re
        return None

    def plain_title(self, content: str, cmap: _ContentMap) -> Title | None:
        text = Token("text", "", 0, content=content)
        text.meta[_P] = 0
        atoms = [_Atom(0, content, None, True, False)]
        return entry_title([text], atoms, [], cmap, content, self.generic_texts, 0)

    def cell(
        self, content: str, cmap: _ContentMap, entry: _EntryBuilder | None, want_title: bool
    ) -> Title | None:
        """Parse one table cell's inline content and build what it holds."""
        plain = self.plain_text_re()
        if plain is not None and plain.search(content) is None and "www." not in content:
            if entry is not None:
                entry.atoms.append(([_Atom(0, content, None, True, False)], cmap))
            return self.plain_title(content, cmap) if want_title else None
        md = _markdown(self.stock_tables)
        children: list[Token] = []
        md.inline.parse(content, md, self.env, children)
        token = Token("inline", "", 0, content=content, children=children)
        return self.inline(token, cmap, entry, want_title).title

    # result ---------------------------------------------------------------------------------------

    def finish(self) -> Document:
        doc = self.doc
        positions = [(link.line, link.column) for link in doc.links]
        order = sorted(range(len(positions)), key=positions.__getitem__)
        remap = {old: new for new, old in enumerate(order)}
        doc.links = [doc.links[i] for i in order]
        # Each builder is let go once its entry is made: both at once were a fifth of the peak
        # memory of a big table.
        builders = self.entries
        builders.reverse()
        while builders:
            builder = builders.pop()
            if isinstance(builder, Entry):
                doc.entries.append(builder)
                continue
            texts = builder.texts if builder.texts is not None else self.texts(builder.atoms)
            title = builder.title
            title_link = (
                remap.get(title.link) if title is not None and title.link is not None else None
            )
            doc.entries.append(
                Entry(
                    index=builder.index,
                    kind=builder.kind,
                    line=builder.line,
                    column=builder.column,
                    end_line=builder.end_line,
                    title=title.text if title else None,
                    title_line=title.line if title else None,
                    title_column=title.column if title else None,
                    title_source=title.source if title else None,
                    links=tuple(sorted(remap[i] for i in builder.links)) if builder.links else (),
                    title_link=title_link,
                    texts=texts,
                    parent=builder.parent,
                    section=builder.section,
                )
            )
        return doc

    @staticmethod
    def texts(blocks: list[tuple[list[_Atom], _ContentMap]]) -> tuple[TextSpan, ...]:
        """Merge adjacent verbatim text pieces (emphasis delimiters split them) into spans."""
        spans: list[TextSpan] = []
        pending: list[str] = []  # the verbatim pieces of the span being merged
        pending_start = pending_end = -1
        pending_map: _ContentMap | None = None
        for atoms, cmap in blocks:
            for atom in atoms:
                offset = atom.offset
                text = atom.text
                if offset < 0 or not text:
                    continue
                if atom.code or not atom.verbatim:
                    if pending and pending_map is not None:
                        line, column = pending_map.at(pending_start)
                        spans.append(TextSpan("".join(pending), line, column))
                    pending = []
                    line, column = cmap.at(offset)
                    spans.append(TextSpan(text, line, column, atom.code))
                    continue
                if pending and cmap is pending_map and offset == pending_end:
                    pending.append(text)
                else:
                    if pending and pending_map is not None:
                        line, column = pending_map.at(pending_start)
                        spans.append(TextSpan("".join(pending), line, column))
                    pending = [text]
                    pending_start = offset
                    pending_map = cmap
                pending_end = offset + len(text)
        if pending and pending_map is not None:
            line, column = pending_map.at(pending_start)
            spans.append(TextSpan("".join(pending), line, column))
        return tuple(spans)


def parse(
    source: str,
    path: str,
    generic_texts: frozenset[str] = DEFAULT_GENERIC_TEXTS,
    *,
    lossy: bool = False,
    decoded: Decoded | None = None,
) -> Document:
    """Parse a Markdown reading list into a Document with exact source positions. ``lossy``: the
    text was decoded with replacement characters (the file held invalid UTF-8); ``decoded``: what
    reading the file found out, kept on the document for the encoding rules."""
    return _Builder(source, path, generic_texts, lossy, decoded).build()
