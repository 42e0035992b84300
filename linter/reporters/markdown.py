"""A Markdown report for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

A headline, a table of findings per rule and per file, then the findings themselves (at most
``MAX_FINDINGS``; GitHub limits a step summary to 1 MiB). Every piece of text that comes from the
checked files (paths, messages) is escaped, so a title with ``|``, ``*``, ``<b>``, ``@name`` or
``#12`` shows as written and neither breaks the table nor mentions anyone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from linter.findings import Finding, Severity
from linter.rules import RULES

if TYPE_CHECKING:
    from linter.engine import Report
    from linter.reporters import RenderOptions

MAX_FINDINGS = 1000  # findings listed; the tables still count all of them
TITLE = "paperlint"

# Characters with a meaning inside a table cell on GitHub: emphasis, code, links, HTML, entities,
# strikethrough, math, mentions, issue references, emoji shortcodes and the cell separator.
_SPECIAL = frozenset("\\`*_[]<>()#!|~$&@:")
_BACKTICKS = re.compile(r"`+")


def escape(text: str) -> str:
    """``text`` as literal Markdown inside a table cell: special characters are backslash-escaped
    (CommonMark allows that for any ASCII punctuation) and line breaks become spaces."""
    out: list[str] = []
    for char in text:
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def code(text: str) -> str:
    """``text`` as a code span inside a table cell (a fence longer than any run of backticks in it;
    ``|`` still needs its backslash there, GitHub splits cells before reading code spans)."""
    text = " ".join(text.splitlines()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def headline(report: Report) -> str:
    summary = report.summary
    if not summary.files:
        return "No files checked."  # not "no problems": a missing path must not read as a pass
    files = _plural(summary.files, "file")
    if not summary.findings:
        return f"No problems found in {files} ({summary.entries} entries, {summary.links} links)."
    notes = summary.findings - summary.errors - summary.warnings
    parts = [_plural(summary.errors, "error"), _plural(summary.warnings, "warning")]
    if notes:
        parts.append(_plural(notes, "note"))
    return f"Found {_plural(summary.findings, 'problem')} ({', '.join(parts)}) in {files}."


def _counts(findings: Sequence[Finding], key: str) -> dict[str, Counter[Severity]]:
    table: dict[str, Counter[Severity]] = {}
    for finding in findings:
        name = finding.rule if key == "rule" else finding.path
        table.setdefault(name, Counter())[finding.severity] += 1
    return dict(sorted(table.items()))


def _count_row(label: str, counts: Counter[Severity]) -> str:
    cells = [counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]]
    return f"| {label} | " + " | ".join(str(cell) for cell in cells) + f" | {sum(cells)} |"


def render(report: Report, options: RenderOptions) -> str:
    lines = [f"## {TITLE}", "", f"**{headline(report)}**", ""]
    if report.problems:
        lines.append("Not checked:")
        lines.append("")
        lines.extend(f"- {escape(problem)}" for problem in report.problems)
        lines.append("")
    findings = report.findings
    if findings:
        header = "| errors | warnings | notes | total |"
        rule_align = "| --- | ---: | ---: | ---: | ---: |"
        lines += ["### By rule", "", "| rule " + header, rule_align]
        for rule, counts in _counts(findings, "rule").items():
            lines.append(_count_row(f"{rule} {RULES[rule].name}", counts))
        lines += ["", "### By file", "", "| file " + header, rule_align]
        for path, counts in _counts(findings, "path").items():
            lines.append(_count_row(code(path), counts))
        lines += ["", "### Findings", "", "| location | rule | severity | message |"]
        lines.append("| --- | --- | --- | --- |")
        for finding in findings[:MAX_FINDINGS]:
            location = code(f"{finding.path}:{finding.line}:{finding.column}")
            lines.append(
                f"| {location} | {finding.rule} {finding.name} | {finding.severity.value} "
                f"| {escape(finding.message)} |"
            )
        if len(findings) > MAX_FINDINGS:
            lines += ["", f"… and {len(findings) - MAX_FINDINGS} more (see the full report)."]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
