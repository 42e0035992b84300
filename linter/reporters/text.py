"""``path:line:col: PL301 [error] message``, one line a finding, then a summary line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from linter.findings import Finding, FixLevel, Severity
from linter.rules.links import DEAD_CODES

if TYPE_CHECKING:
    from linter.engine import Report
    from linter.reporters import RenderOptions

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


# C0 and C1 control characters (and DEL). Messages quote link targets and titles from the checked
# files: an escape sequence among them must not drive the terminal, a line break must not split a
# finding in two.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable(text: str) -> str:
    """``text`` with its control characters written as ``\\xNN``."""
    return _CONTROL.sub(_escape, text)


def format_finding(finding: Finding, color: bool = False) -> str:
    location = f"{printable(finding.path)}:{finding.line}:{finding.column}:"
    code, severity = finding.rule, f"[{finding.severity.value}]"
    if color:
        location = f"{_BOLD}{location}{_RESET}"
        paint = _COLORS[finding.severity]
        code, severity = f"{paint}{code}{_RESET}", f"{paint}{severity}{_RESET}"
    return f"{location} {code} {severity} {printable(finding.message)}"


def summary_line(report: Report) -> str:
    summary = report.summary
    if not summary.files:
        return "No files checked."  # not "no problems": a missing path must not read as a pass
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if not summary.findings:
        return f"No problems found in {files} ({summary.entries} entries, {summary.links} links)."
    infos = summary.findings - summary.errors - summary.warnings
    parts = [f"{summary.errors} error{'s' if summary.errors != 1 else ''}"]
    parts.append(f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}")
    if infos:
        parts.append(f"{infos} note{'s' if infos != 1 else ''}")
    return (
        f"Found {summary.findings} problem{'s' if summary.findings != 1 else ''} "
        f"({', '.join(parts)}) in {files}."
    )


def render(report: Report, options: RenderOptions) -> str:
    lines = [format_finding(finding, options.color) for finding in report.findings]
    # Standard input is never written back: its fixes only show with --diff.
    unwritable = {checked.source.display for checked in report.files if checked.source.path is None}
    editable = [
        finding
        for finding in report.findings
        if finding.edit is not None and finding.path not in unwritable
    ]
    safe = [finding for finding in editable if finding.edit and finding.edit.level is FixLevel.SAFE]
    unsafe = len(editable) - len(safe)
    lines.append(summary_line(report))
    if options.show_fixes:
        if safe:
            # A dead link's archived copy is only there when the archive was asked (--suggest).
            archived = any(finding.rule in DEAD_CODES for finding in safe)
            command = "paperlint check --fix --suggest" if archived else "paperlint check --fix"
            lines.append(f"{len(safe)} fixable with `{command}`.")
        if unsafe:
            # Titles taken from a registry: the list may have shortened one on purpose.
            lines.append(f"{unsafe} more with `paperlint check --fix --fix-titles` (review them).")
    return "\n".join(lines) + "\n"
