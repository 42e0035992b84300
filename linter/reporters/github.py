"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

``::error file=README.md,line=12,col=4,title=PL201::duplicate entry: …`` (warnings ``::warning``,
info ``::notice``). Data is escaped as the Actions toolkit does (``%``, ``\\r``, ``\\n``); property
values also escape ``:`` and ``,``. Files that could not be read become ``::error`` lines with
no position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.findings import Finding, Severity

if TYPE_CHECKING:
    from linter.engine import Report
    from linter.reporters import RenderOptions

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str) -> str:
    """GitHub matches annotations to files by repository-relative path: no ``./``, ``/`` only."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def format_finding(finding: Finding) -> str:
    properties = ",".join(
        f"{name}={escape_property(value)}"
        for name, value in (
            ("file", annotation_path(finding.path)),
            ("line", str(finding.line)),
            ("col", str(finding.column)),
            ("title", finding.rule),
        )
    )
    return f"::{_COMMANDS[finding.severity]} {properties}::{escape_data(finding.message)}"


def render(report: Report, options: RenderOptions) -> str:
    lines = [format_finding(finding) for finding in report.findings]
    lines.extend(
        f"::error title={escape_property('paperlint')}::{escape_data(problem)}"
        for problem in report.problems
    )
    return "".join(line + "\n" for line in lines)
