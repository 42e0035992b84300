"""The JSON report: ``{"version": 1, "findings": [...], "summary": {...}}``; absent values are null.
When the registries were asked, ``papers`` lists each cited paper: its identifier, the registry's
status and title, and every place (with the entry's title) it is listed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linter.findings import Finding
from linter.registries.papers import PaperReport

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


def paper_dict(paper: PaperReport) -> dict[str, Any]:
    return {
        "id": paper.id,
        "status": paper.status,
        "registry_title": paper.registry_title,
        "reason": paper.reason or None,
        "listed": [
            {"path": place.path, "line": place.line, "column": place.column, "title": place.title}
            for place in paper.listed
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    from linter.engine import summary_dict

    payload: dict[str, Any] = {
        "version": VERSION,
        "findings": [finding_dict(finding) for finding in report.findings],
        "summary": summary_dict(report.summary),
    }
    if report.papers:
        payload["papers"] = [paper_dict(paper) for paper in report.papers]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
