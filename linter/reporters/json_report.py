"""The JSON report: ``{"version": 1, "findings": [...], "summary": {...}}``; absent values are null."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linter.findings import Finding

if TYPE_CHECKING:
    from linter.engine import Report
    from linter.reporters import RenderOptions

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "url": finding.url,
        "fix": finding.suggestion,
        "related": [
            {"path": place.path, "line": place.line, "column": place.column}
            for place in finding.related
        ]
        or None,
    }
    if finding.outcome is not None:
        data["status"] = finding.status
        data["outcome"] = finding.outcome
        data["failing_since"] = finding.failing_since
    return data


def render(report: Report, options: RenderOptions) -> str:
    from linter.engine import summary_dict

    payload = {
        "version": VERSION,
        "findings": [finding_dict(finding) for finding in report.findings],
        "summary": summary_dict(report.summary),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
