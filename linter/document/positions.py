"""Content offsets -> source lines and columns.

markdown-it hands over a block's inline content with container markers and indentation cut from
every line; the builder only knows offsets into that content. A :class:`_ContentMap` maps them
back to the source, and :func:`_block_map` makes one for content made of line suffixes by aligning
each content line with the end of its source line.
"""

from __future__ import annotations

from bisect import bisect_right


class _ContentMap:
    """Maps offsets in an inline content string to 1-based source (line, column)."""

    __slots__ = ("_columns", "_lines", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._lines: list[int] = []
        self._columns: list[int] = []  # 0-based column of the segment start

    def add(self, offset: int, line: int, column: int) -> None:
        if self._starts and offset <= self._starts[-1]:
            self._starts.pop()
            self._lines.pop()
            self._columns.pop()
        self._starts.append(offset)
        self._lines.append(line)
        self._columns.append(max(column, 0))

    def at(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        if not starts:
            return 1, 1
        index = bisect_right(starts, offset) - 1 if len(starts) > 1 else 0
        if index < 0:
            index = 0
        column = self._columns[index] + offset - starts[index]
        return self._lines[index], (column if column > 0 else 0) + 1


def _align(line: str, text: str, trimmed_end: bool) -> int:
    """Column where ``text`` sits at the end of ``line`` (-1 if it does not)."""
    if not trimmed_end:
        return len(line) - len(text) if line.endswith(text) else -1
    index = line.rfind(text)
    if index < 0 or line[index + len(text) :].strip():
        return -1
    return index


def _block_map(
    content: str, first_line: int, line_count: int, lines: list[str], trimmed_end: bool
) -> _ContentMap:
    """Content made of source line suffixes: paragraphs, setext headings, HTML blocks.

    ``first_line`` is 0-based and the block has ``line_count`` source lines. Container markers
    and indentation cut from the front of each line are what the suffix alignment skips; a
    partially consumed tab shows up as spaces that do not exist in the source, which is why a
    failed alignment is retried without leading spaces.
    """
    cmap = _ContentMap()
    offset = 0
    parts = content.split("\n")
    last = len(parts) - 1
    if trimmed_end and len(parts) < line_count:
        # Trimming the content removed whole lines of exotic blanks (U+00A0, U+3000...) that
        # markdown-it does not count as blank lines: find the line the content starts on.
        head = parts[0].lstrip(" ")
        for skipped in range(line_count - len(parts) + 1):
            line_no = first_line + skipped
            line = lines[line_no] if line_no < len(lines) else ""
            if _align(line, head, last == 0) >= 0:
                first_line = line_no
                break
    for index, text in enumerate(parts):
        line_no = first_line + index
        line = lines[line_no] if line_no < len(lines) else ""
        lead = 0
        column = _align(line, text, trimmed_end and index == last)
        if column < 0:
            stripped = text.lstrip(" ")
            lead = len(text) - len(stripped)
            column = _align(line, stripped, trimmed_end and index == last)
            if column < 0:
                column = max(len(line) - len(text), 0)
                lead = 0
            elif lead:
                cmap.add(offset, line_no + 1, column - lead)
        cmap.add(offset + lead, line_no + 1, column)
        offset += len(text) + 1
    return cmap
