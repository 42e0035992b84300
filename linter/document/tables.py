"""GitHub tables as one block token that holds where each row is, and the cells of a row.

markdown-it's table rule pushes, for every row, a row's open and close tokens and per cell an open,
an inline and a close token, and its core then parses every cell into child tokens: 200,000 rows of
``|x|y|`` are 2 million tokens, 1.3 GB alive at once, and most of the parse time goes into making
them. The document builder needs none of them: it splits a row into cells itself (to place the
cells in the source) and parses each cell's inline content just when it builds the row's entry,
then drops it.

:func:`table` decides what is a table, and where it ends, exactly as markdown-it-py's rule does
(``markdown_it/rules_block/table.py``); it only pushes a single :data:`TABLE_TOKEN` instead.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock

try:
    from markdown_it.common.utils import MD_TRIM_CHARS
except ImportError:  # markdown-it-py < 4 trims with str.strip()
    MD_TRIM_CHARS = " \t\n\x0b\x0c\r"

TABLE_TOKEN = "pl_table"
TABLE_META = "pl_table"  # key of the TableBlock in the token's meta

_TRIM = MD_TRIM_CHARS
_HEADER_LINE_RE = re.compile(r"^:?-+:?$")
_SPACES = " \t"
# markdown-it's limit on the empty cells it adds to rows shorter than the header (the table ends
# at the row that passes it), against tiny inputs that expand into huge tables.
MAX_AUTOCOMPLETED_CELLS = 0x10000

# A table ends at a line where one of these rules (markdown-it's "blockquote" terminators) could
# start a block. Each of them needs one of these characters first (after the indentation), so a
# row starting elsewhere, e.g. at "|", needs no rule call: six calls per row were a fifth of
# the table's time. Other terminator rules (plugins) are always called.
_TERMINATOR_STARTS: dict[str, frozenset[str]] = {
    "fence": frozenset("`~"),
    "blockquote": frozenset(">"),
    "hr": frozenset("*-_"),
    "list": frozenset("*-+0123456789"),
    "html_block": frozenset("<"),
    "heading": frozenset("#"),
}

Cell = tuple[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table's rows, as offsets into the parsed text; lines are 0-based."""

    first_line: int  # the header row; the delimiter row follows, then the body rows
    columns: int  # the header's cell count: body rows are cut or padded to it
    starts: array[int]  # per line from first_line: where the row starts (after containers)
    ends: array[int]  # per line: where the row's line ends

    def rows(self) -> Iterator[tuple[int, int, int]]:
        """(line, start, end) of the header row, then of each body row."""
        starts, ends, first = self.starts, self.ends, self.first_line
        yield first, starts[0], ends[0]
        for index in range(2, len(starts)):
            yield first + index, starts[index], ends[index]


def _escaped_split(text: str) -> list[str]:
    """markdown-it's escapedSplit: split on pipes, ``\\|`` is a pipe without its backslash."""
    if "\\" not in text:
        return text.split("|")
    result: list[str] = []
    current = ""
    last = 0
    escaped = False
    for pos, char in enumerate(text):
        if char == "|":
            if not escaped:
                result.append(current + text[last:pos])
                current = ""
                last = pos + 1
            else:
                current += text[last : pos - 1]
                last = pos
        escaped = char == "\\"
    result.append(current + text[last:])
    return result


def _cell_count(text: str) -> int:
    """Cells of a trimmed row, as markdown-it counts them (an empty first and last cell dropped)."""
    if "\\" in text:
        cells = _escaped_split(text)
        if cells and cells[0] == "":
            cells.pop(0)
        if cells and cells[-1] == "":
            cells.pop()
        return len(cells)
    count = text.count("|") + 1
    if text.startswith("|"):
        count -= 1
    if count and text.endswith("|"):
        count -= 1
    return count


def _skippable_starts(md: MarkdownIt) -> frozenset[str] | None:
    """Characters a terminator rule can start at, None if some rule can start anywhere."""
    starts: set[str] = set()
    for rule in md.block.ruler.__rules__:
        if rule.enabled and "blockquote" in rule.alt:
            known = _TERMINATOR_STARTS.get(rule.name)
            if known is None:
                return None
            starts |= known
    return frozenset(starts)


def table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it-py's table rule, with a single TABLE_TOKEN for the whole table."""
    if start_line + 2 > end_line:
        return False
    next_line = start_line + 1
    if state.sCount[next_line] < state.blkIndent:
        return False
    if state.is_code_block(next_line):
        return False

    # The delimiter row: /^[-:|][-:|\s]*$/, and not "- " (a list item).
    src = state.src
    pos = state.bMarks[next_line] + state.tShift[next_line]
    maximum = state.eMarks[next_line]
    if pos >= maximum:
        return False
    first_char = src[pos]
    pos += 1
    if first_char not in "|-:":
        return False
    if pos >= maximum:
        return False
    second_char = src[pos]
    pos += 1
    if second_char not in "|-:" and second_char not in _SPACES:
        return False
    if first_char == "-" and second_char in _SPACES:
        return False
    while pos < maximum:
        char = src[pos]
        if char not in "|-:" and char not in _SPACES:
            return False
        pos += 1

    delimiters = src[state.bMarks[next_line] + state.tShift[next_line] : maximum].split("|")
    aligned = 0
    for index, column in enumerate(delimiters):
        text = column.strip(_TRIM)
        if not text:
            # Empty columns may only stand before the first pipe and after the last.
            if index == 0 or index == len(delimiters) - 1:
                continue
            return False
        if not _HEADER_LINE_RE.search(text):
            return False
        aligned += 1

    header_start = state.bMarks[start_line] + state.tShift[start_line]
    header = src[header_start : state.eMarks[start_line]].strip(_TRIM)
    if "|" not in header:
        return False
    if state.is_code_block(start_line):
        return False
    columns = _cell_count(header)
    if columns == 0 or columns != aligned:
        return False
    if silent:
        return True

    old_parent = state.parentType
    state.parentType = "table"
    terminators = state.md.block.ruler.getRules("blockquote")
    skippable = _skippable_starts(state.md)
    starts = array("q", [header_start, state.bMarks[next_line] + state.tShift[next_line]])
    ends = array("q", [state.eMarks[start_line], maximum])
    b_marks, e_marks, t_shift, s_count = state.bMarks, state.eMarks, state.tShift, state.sCount
    block_indent = state.blkIndent
    autocompleted = 0
    next_line = start_line + 2
    while next_line < end_line:
        if s_count[next_line] < block_indent:
            break
        begin = b_marks[next_line] + t_shift[next_line]
        end = e_marks[next_line]
        checked = skippable is None or begin >= end or src[begin] in skippable
        if checked and any(rule(state, next_line, end_line, True) for rule in terminators):
            break
        text = src[begin:end].strip(_TRIM)
        if not text:
            break
        if state.is_code_block(next_line):
            break
        autocompleted += columns - _cell_count(text)
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        starts.append(begin)
        ends.append(end)
        next_line += 1

    token = state.push(TABLE_TOKEN, "table", 0)
    token.map = [start_line, next_line]
    token.meta[TABLE_META] = TableBlock(start_line, columns, starts, ends)
    state.parentType = old_parent
    state.line = next_line
    return True


def split_row(row: str) -> list[Cell]:
    """Cells of a table row as markdown-it splits them, with (content offset, row offset) segments.

    Mirrors markdown-it's table rule: trim the row, split on unescaped pipes (``\\|`` loses its
    backslash), drop an empty first and last cell, trim each cell. A cell is one segment unless
    an escaped pipe cut a backslash out of it.
    """
    if "\\" in row:
        return _split_escaped_row(row)
    lead = len(row) - len(row.lstrip(_TRIM))
    pieces = row.strip(_TRIM).split("|")
    first = 1 if pieces[0] == "" else 0
    last = len(pieces) - 1 if len(pieces) > first and pieces[-1] == "" else len(pieces)
    offset = lead
    for index in range(first):
        offset += len(pieces[index]) + 1
    cells: list[Cell] = []
    for index in range(first, last):
        piece = pieces[index]
        content = piece.strip(_TRIM)
        if content:
            cut = len(piece) - len(piece.lstrip(_TRIM))
            cells.append((content, [(0, offset + cut)]))
        else:
            cells.append(("", []))
        offset += len(piece) + 1
    return cells


def _split_escaped_row(row: str) -> list[Cell]:
    lead = len(row) - len(row.lstrip(_TRIM))
    text = row.strip(_TRIM)
    cells: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    last = 0
    escaped = False
    for pos, char in enumerate(text):
        if char == "|":
            if not escaped:
                current.append((text[last:pos], lead + last))
                cells.append(current)
                current = []
                last = pos + 1
            else:
                current.append((text[last : pos - 1], lead + last))
                last = pos
        escaped = char == "\\"
    current.append((text[last:], lead + last))
    cells.append(current)
    if cells and not "".join(piece for piece, _ in cells[0]):
        cells.pop(0)
    if cells and not "".join(piece for piece, _ in cells[-1]):
        cells.pop()
    result: list[Cell] = []
    for pieces in cells:
        joined = "".join(piece for piece, _ in pieces)
        cut = len(joined) - len(joined.lstrip(_TRIM))
        content = joined.strip(_TRIM)
        segments: list[tuple[int, int]] = []
        offset = 0
        for piece, start in pieces:
            if offset + len(piece) > cut and piece:
                skip = max(cut - offset, 0)
                segments.append((offset + skip - cut, start + skip))
            offset += len(piece)
        result.append((content, segments))
    return result
