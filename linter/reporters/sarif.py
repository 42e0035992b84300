"""SARIF 2.1.0, as read by GitHub code scanning (``github/codeql-action/upload-sarif``) and editors.

One run; the driver lists every rule of the catalogue (help text from the rule's documentation), so a
result's ``ruleIndex`` is stable. Columns count Unicode code points (``columnKind``), as paperlint's
do. A finding with a machine-applicable edit carries it as a ``fix``. Files that could not be read
are tool notifications of the invocation, which is then not successful.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from linter import __version__
from linter.findings import Edit, Finding, Location, Severity
from linter.rules import RULES
from linter.rules.base import Rule

if TYPE_CHECKING:
    from linter.engine import Report
    from linter.reporters import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning cuts rule descriptions longer than this (characters).
MAX_DESCRIPTION = 1024

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a relative path (``./`` dropped, ``\\`` as ``/``, percent-encoded),
    a ``file://`` URI for an absolute one."""
    pure: PurePath = PureWindowsPath(path) if "\\" in path else PurePosixPath(path)
    if pure.is_absolute():
        posix = pure.as_posix()
        return "file://" + quote(posix if posix.startswith("/") else "/" + posix, safe="/:")
    return quote(pure.as_posix(), safe="/")


def _description(text: str) -> str:
    """The first paragraph of a rule's documentation, on one line, within GitHub's limit."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    if len(paragraph) > MAX_DESCRIPTION:
        paragraph = paragraph[: MAX_DESCRIPTION - 1].rstrip() + "…"
    return paragraph


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    from linter.rules import rule_doc

    doc = rule_doc(rule)
    tags = [rule.family, "network" if rule.network else "offline"]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _description(doc)},
        "help": {"text": doc},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": tags},
    }


def _physical(path: str, line: int, column: int) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": artifact_uri(path)},
        "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
    }


def _related(index: int, place: Location) -> dict[str, Any]:
    return {
        "id": index,
        "physicalLocation": _physical(place.path, place.line, place.column),
        "message": {"text": "related location"},
    }


def _fix(finding: Finding, edit: Edit) -> dict[str, Any]:
    return {
        "description": {"text": f"Replace with {edit.replacement}"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": artifact_uri(finding.path)},
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": edit.line,
                            "startColumn": edit.column,
                            "endLine": edit.end_line,
                            "endColumn": edit.end_column,
                        },
                        "insertedContent": {"text": edit.replacement},
                    }
                ],
            }
        ],
    }


def _fingerprint(finding: Finding, occurrence: int) -> str:
    """Stable across moved lines (see linter.baseline), unique within a file by occurrence."""
    from linter.baseline import fingerprint

    text = "\0".join((finding.path, finding.rule, fingerprint(finding), str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def result(finding: Finding, occurrence: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": list(RULES).index(finding.rule),
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.path, finding.line, finding.column)}],
        "partialFingerprints": {"paperlint/v1": _fingerprint(finding, occurrence)},
    }
    if finding.related:
        data["relatedLocations"] = [
            _related(index, place) for index, place in enumerate(finding.related, start=1)
        ]
    if finding.edit is not None:
        data["fixes"] = [_fix(finding, finding.edit)]
    properties: dict[str, Any] = {}
    if finding.url is not None:
        properties["url"] = finding.url
    if finding.suggestion is not None:
        properties["fix"] = finding.suggestion
    if finding.outcome is not None:
        properties["outcome"] = finding.outcome
        properties["status"] = finding.status
    if finding.failing_since is not None:
        properties["failing_since"] = finding.failing_since
    if properties:
        data["properties"] = properties
    return data


def sarif_log(report: Report) -> dict[str, Any]:
    from linter.baseline import fingerprint

    seen: dict[tuple[str, str, str], int] = {}
    results: list[dict[str, Any]] = []
    for finding in report.findings:
        identity = (finding.path, finding.rule, fingerprint(finding))
        occurrence = seen.get(identity, 0)
        seen[identity] = occurrence + 1
        results.append(result(finding, occurrence))
    invocation: dict[str, Any] = {"executionSuccessful": not report.problems}
    if report.problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": problem}} for problem in report.problems
        ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "paperlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_descriptor(rule) for rule in RULES.values()],
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
