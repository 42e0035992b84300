"""Safe fixes: apply the findings' machine-applicable edits to the bytes of their files.

This module only computes: it returns the new bytes of each file and which findings they fix. The CLI
writes them (atomically) or prints a diff. Guarantees:

- every byte outside the fixed spans is kept: encoding (UTF-8), a byte order mark, ``\\r\\n`` / ``\\r``
  line endings, a missing final newline;
- a file that was not read cleanly (not UTF-8, binary, unreadable) gets no fixes at all, since
  writing it back would replace the bytes that could not be decoded;
- edits are applied in the order of their position; an edit that overlaps one already taken is
  skipped (its finding stays), so one run never applies two conflicting changes;
- an edit whose span does not exist in the file, or whose replacement is already there, is ignored,
  which makes fixing idempotent: a second run finds nothing to change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from linter.engine import NETWORK_CODES, CheckedFile, Report, with_findings
from linter.findings import Edit, Finding, FixLevel

_BOM = b"\xef\xbb\xbf"
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass(frozen=True)
class FileFix:
    """The planned fixes of one file. ``fixed == original`` when nothing applies."""

    display: str
    path: Path | None  # None for standard input, which is never written
    original: bytes
    fixed: bytes
    applied: tuple[Edit, ...]  # in file order, as applied
    fixed_findings: tuple[Finding, ...]
    skipped_findings: tuple[Finding, ...]  # overlapping another fix, or not applicable

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fixable(finding: Finding, *, titles: bool = False) -> bool:
    """Whether ``--fix`` (with ``--fix-titles`` when ``titles``) would try this finding's edit:
    safe edits always, unsafe ones (titles from a registry) only with ``--fix-titles``."""
    if finding.edit is None:
        return False
    return titles or finding.edit.level is FixLevel.SAFE


def plan_fixes(report: Report, *, titles: bool = False) -> list[FileFix]:
    """The fixes for every file of ``report`` that has an applicable edit and was read cleanly, in
    report order. Files with nothing to change are left out."""
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if fixable(finding, titles=titles):
            by_path.setdefault(finding.path, []).append(finding)
    plans: list[FileFix] = []
    for checked in report.files:
        findings = by_path.get(checked.source.display)
        if not findings:
            continue
        plan = fix_file(checked, findings)
        if plan is not None and plan.changed:
            plans.append(plan)
    return plans


def fix_file(checked: CheckedFile, findings: Sequence[Finding]) -> FileFix | None:
    """Apply the edits of ``findings`` (all of this file) to its text, or None when the file must
    not be written: binary, not valid UTF-8, or not parsed."""
    decoded = checked.decoded
    if decoded is None or checked.document is None or decoded.binary or decoded.invalid_count:
        return None
    prefix = _BOM if decoded.bom else b""
    original = prefix + decoded.text.encode("utf-8")
    new_text, applied, fixed, skipped = apply_edits(decoded.text, findings)
    return FileFix(
        display=checked.source.display,
        path=checked.source.path,
        original=original,
        fixed=prefix + new_text.encode("utf-8"),
        applied=tuple(applied),
        fixed_findings=tuple(fixed),
        skipped_findings=tuple(skipped),
    )


def apply_edits(
    text: str, findings: Iterable[Finding]
) -> tuple[str, list[Edit], list[Finding], list[Finding]]:
    """Apply the findings' edits to ``text``: (new text, applied edits, fixed findings, skipped
    findings). A finding whose edit is identical to one already applied counts as fixed."""
    starts = _line_starts(text)
    located: list[tuple[int, int, Finding, Edit]] = []
    skipped: list[Finding] = []
    for finding in findings:
        edit = finding.edit
        if edit is None:
            continue
        span = _offsets(text, starts, edit)
        if span is None or text[span[0] : span[1]] == edit.replacement:
            skipped.append(finding)
            continue
        located.append((span[0], span[1], finding, edit))
    # Stable: among edits at one place the first finding in report order wins.
    located.sort(key=lambda item: (item[0], item[1]))

    pieces: list[str] = []
    applied: list[Edit] = []
    fixed: list[Finding] = []
    position = 0
    last: tuple[int, int, str] | None = None
    for start, end, finding, edit in located:
        if last is not None and (start, end, edit.replacement) == last:
            fixed.append(finding)
            continue
        if last is not None and (start < last[1] or start == last[0]):
            skipped.append(finding)
            continue
        pieces.append(text[position:start])
        pieces.append(edit.replacement)
        position = end
        last = (start, end, edit.replacement)
        applied.append(edit)
        fixed.append(finding)
    pieces.append(text[position:])
    return "".join(pieces), applied, fixed, skipped


def _line_starts(text: str) -> list[tuple[int, int]]:
    """(offset of the first character, length without the line ending) of every line."""
    lines: list[tuple[int, int]] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append((start, match.start() - start))
        start = match.end()
    lines.append((start, len(text) - start))
    return lines


def _offsets(text: str, starts: list[tuple[int, int]], edit: Edit) -> tuple[int, int] | None:
    start = _offset(starts, edit.line, edit.column)
    end = _offset(starts, edit.end_line, edit.end_column)
    if start is None or end is None or end < start:
        return None
    return start, end


def _offset(starts: list[tuple[int, int]], line: int, column: int) -> int | None:
    if not 1 <= line <= len(starts):
        return None
    first, length = starts[line - 1]
    if not 1 <= column <= length + 1:
        return None
    return first + column - 1


def map_position(applied: Sequence[Edit], line: int, column: int) -> tuple[int, int]:
    """Where (line, column) of the original text is after ``applied`` (non-overlapping, in file
    order). A position inside a replaced span moves to the start of its replacement."""
    for edit in reversed(applied):
        if (line, column) < (edit.line, edit.column):
            continue
        if (line, column) < (edit.end_line, edit.end_column):
            line, column = edit.line, edit.column
            continue
        inserted = _NEWLINE.split(edit.replacement)
        new_end_line = edit.line + len(inserted) - 1
        new_end_column = (edit.column if len(inserted) == 1 else 1) + len(inserted[-1])
        if line == edit.end_line:
            column = new_end_column + (column - edit.end_column)
        line += new_end_line - edit.end_line
    return line, column


def after_fix(first: Report, recheck: Report, fixes: Sequence[FileFix]) -> Report:
    """The report after writing ``fixes``: ``recheck`` (the offline rules run again on the fixed
    files) plus the network findings of ``first``, minus the fixed ones, moved to their new lines
    and columns. Links are not fetched twice; the new URL of a fixed redirect is checked on the
    next run."""
    by_path = {fix.display: fix for fix in fixes}
    fixed_ids = {id(finding) for fix in fixes for finding in fix.fixed_findings}
    findings = list(recheck.findings)
    for finding in first.findings:
        if finding.rule not in NETWORK_CODES or id(finding) in fixed_ids:
            continue
        fix = by_path.get(finding.path)
        if fix is not None:
            line, column = map_position(fix.applied, finding.line, finding.column)
            finding = replace(finding, line=line, column=column, edit=_moved(fix, finding.edit))
        findings.append(finding)
    findings.sort(key=Finding.sort_key)
    # An unusable cache, a read-only file: still worth saying after the re-check.
    return replace(
        with_findings(recheck, findings),
        problems=_union(first.problems, recheck.problems),
        notices=_union(first.notices, recheck.notices),
        urls_checked=first.urls_checked,
    )


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _moved(fix: FileFix, edit: Edit | None) -> Edit | None:
    if edit is None:
        return None
    line, column = map_position(fix.applied, edit.line, edit.column)
    end_line, end_column = map_position(fix.applied, edit.end_line, edit.end_column)
    return replace(edit, line=line, column=column, end_line=end_line, end_column=end_column)


def unified_diff(fix: FileFix) -> str:
    """A unified diff of ``fix`` (``--- path`` / ``+++ path``), line endings kept as written."""
    before = _diff_lines(fix.original)
    after = _diff_lines(fix.fixed)
    lines = difflib.unified_diff(before, after, fix.display, fix.display)
    out: list[str] = []
    for line in lines:
        if line.startswith(("---", "+++")) or line.startswith("@@"):
            out.append(line if line.endswith("\n") else line + "\n")
        elif line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_lines(data: bytes) -> list[str]:
    text = data[len(_BOM) :] if data.startswith(_BOM) else data
    # Not str.splitlines: it also breaks at U+2028, form feeds and others that are no line ends here.
    return _LINES.findall(text.decode("utf-8"))
