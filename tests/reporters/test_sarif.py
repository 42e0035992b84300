from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from linter import __version__
from linter.cli import main
from linter.engine import Report, Summary
from linter.findings import Edit, Finding, Location, Severity
from linter.reporters import REPORTERS, RenderOptions
from linter.reporters.sarif import MAX_DESCRIPTION, artifact_uri, sarif_log
from linter.reporters.sarif import result as sarif_result
from linter.rules import RULES, rule_doc

SCHEMA_FILE = Path(__file__).parent.parent / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def schema_errors(validator: Draft4Validator, log: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(log)
    ]


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "path": "lists/papers.md",
        "line": 4,
        "column": 3,
        "rule": "PL401",
        "name": "mojibake",
        "severity": Severity.ERROR,
        "message": 'mojibake "Googleâ€™s" should be "Google’s" (UTF-8 read as cp1252)',
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def report(findings: list[Finding], problems: list[str] | None = None) -> Report:
    errors = sum(1 for item in findings if item.severity is Severity.ERROR)
    warnings = sum(1 for item in findings if item.severity is Severity.WARNING)
    return Report(findings, Summary(2, 5, 7, len(findings), errors, warnings), problems or [])


MOJIBAKE = finding(suggestion="Google’s", edit=Edit(4, 3, 4, 12, "Google’s"))
CONFLICT = finding(
    line=17,
    column=4,
    rule="PL301",
    name="id-title-conflict",
    message='arXiv:2305.14314 is listed as "B" here but as "A" at other.md:16',
    url="https://arxiv.org/abs/2305.14314",
    related=(Location("other.md", 16, 4), Location("lists/papers.md", 2, 1)),
)
BROKEN = finding(
    line=9,
    column=20,
    rule="PL101",
    name="link-broken",
    severity=Severity.ERROR,
    message="link broken: HTTP 404",
    url="http://127.0.0.1:9/gone",
    status=404,
    outcome="broken",
)
CASE = finding(
    line=2,
    column=24,
    rule="PL106",
    name="anchor-missing",
    severity=Severity.WARNING,
    message="anchor #Papers matches #papers only when case is ignored",
    suggestion="#papers",
    edit=Edit(2, 32, 2, 38, "papers"),
)
SKIPPED = finding(
    path="/abs/dir with space/list.md",
    rule="PL108",
    name="link-skipped",
    severity=Severity.INFO,
    message="link skipped: private address",
)
ALL = [CASE, MOJIBAKE, BROKEN, CONFLICT, SKIPPED]


def test_log_with_every_feature_is_valid_sarif_2_1_0(validator: Draft4Validator) -> None:
    log = sarif_log(report(ALL, ["gone.md: no such file or directory"]))
    assert schema_errors(validator, log) == []


def test_empty_log_is_valid(validator: Draft4Validator) -> None:
    log = sarif_log(report([]))
    assert schema_errors(validator, log) == []
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_the_validator_does_reject_broken_sarif(validator: Draft4Validator) -> None:
    log = sarif_log(report([MOJIBAKE]))
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["version"]
    assert sorted(schema_errors(validator, log)) == [
        ": 'version' is a required property",
        "runs/0/results/0/level: 'fatal' is not one of ['none', 'note', 'warning', 'error']",
    ]


def test_run_header_driver_and_column_kind() -> None:
    log = sarif_log(report([]))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "paperlint",
        __version__,
        __version__,
    )
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)


def test_one_rule_descriptor_per_rule_with_its_documentation() -> None:
    rules = sarif_log(report([]))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    for code, rule in RULES.items():
        descriptor = by_id[code]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["help"] == {"text": rule_doc(rule)}
        full = descriptor["fullDescription"]["text"]
        assert 0 < len(full) <= MAX_DESCRIPTION
        assert "\n" not in full
    assert by_id["PL101"]["defaultConfiguration"] == {"level": "error"}
    assert by_id["PL103"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["PL108"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["PL101"]["properties"] == {"tags": ["links", "network"]}
    assert by_id["PL401"]["properties"] == {"tags": ["encoding", "offline"]}


def test_result_with_a_fix_exactly() -> None:
    (result,) = sarif_log(report([MOJIBAKE]))["runs"][0]["results"]
    fingerprint = result.pop("partialFingerprints")
    assert list(fingerprint) == ["paperlint/v1"]
    assert result == {
        "ruleId": "PL401",
        "ruleIndex": list(RULES).index("PL401"),
        "level": "error",
        "message": {"text": 'mojibake "Googleâ€™s" should be "Google’s" (UTF-8 read as cp1252)'},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "lists/papers.md"},
                    "region": {"startLine": 4, "startColumn": 3},
                }
            }
        ],
        "fixes": [
            {
                "description": {"text": "Replace with Google’s"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": "lists/papers.md"},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": 4,
                                    "startColumn": 3,
                                    "endLine": 4,
                                    "endColumn": 12,
                                },
                                "insertedContent": {"text": "Google’s"},
                            }
                        ],
                    }
                ],
            }
        ],
        "properties": {"fix": "Google’s"},
    }


def test_related_locations_levels_and_link_properties() -> None:
    results = sarif_log(report(ALL))["runs"][0]["results"]
    by_rule = {result["ruleId"]: result for result in results}
    assert by_rule["PL301"]["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "other.md"},
                "region": {"startLine": 16, "startColumn": 4},
            },
            "message": {"text": "related location"},
        },
        {
            "id": 2,
            "physicalLocation": {
                "artifactLocation": {"uri": "lists/papers.md"},
                "region": {"startLine": 2, "startColumn": 1},
            },
            "message": {"text": "related location"},
        },
    ]
    assert [(result["ruleId"], result["level"]) for result in results] == [
        ("PL106", "warning"),
        ("PL401", "error"),
        ("PL101", "error"),
        ("PL301", "error"),
        ("PL108", "note"),
    ]
    assert by_rule["PL101"]["properties"] == {
        "url": "http://127.0.0.1:9/gone",
        "outcome": "broken",
        "status": 404,
    }
    assert "fixes" not in by_rule["PL101"]
    dated = replace(BROKEN, rule="PL110", failing_since="2026-11-30T06:00:00Z")
    assert sarif_result(dated)["properties"] == {
        "url": "http://127.0.0.1:9/gone",
        "outcome": "broken",
        "status": 404,
        "failing_since": "2026-11-30T06:00:00Z",
    }
    assert by_rule["PL108"]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/dir%20with%20space/list.md"
    }


def test_unreadable_files_make_the_invocation_unsuccessful() -> None:
    log = sarif_log(report([], ["gone.md: no such file or directory"]))
    assert log["runs"][0]["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": "gone.md: no such file or directory"}}
            ],
        }
    ]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("list.md", "list.md"),
        ("./docs/list.md", "docs/list.md"),
        ("docs\\my list.md", "docs/my%20list.md"),
        ("a#b?.md", "a%23b%3F.md"),
        ("/tmp/x.md", "file:///tmp/x.md"),
        ("C:\\lists\\x.md", "file:///C:/lists/x.md"),
        ("-", "-"),
    ],
)
def test_artifact_uris(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_fingerprints_survive_moved_lines_and_tell_repeats_apart() -> None:
    first = finding(rule="PL402", name="replacement-character", message="U+FFFD", line=3)
    second = finding(rule="PL402", name="replacement-character", message="U+FFFD", line=8)
    moved = finding(rule="PL402", name="replacement-character", message="U+FFFD", line=30)
    before = sarif_log(report([first, second]))["runs"][0]["results"]
    after = sarif_log(report([moved, second]))["runs"][0]["results"]
    prints = [result["partialFingerprints"]["paperlint/v1"] for result in before]
    assert prints[0] != prints[1]
    assert [result["partialFingerprints"]["paperlint/v1"] for result in after] == prints


def test_render_is_deterministic_json() -> None:
    rendered = REPORTERS["sarif"](report(ALL), RenderOptions())
    assert rendered == REPORTERS["sarif"](report(ALL), RenderOptions())
    assert rendered.endswith("}\n")
    assert json.loads(rendered) == sarif_log(report(ALL))


def test_cli_sarif_of_the_example_is_valid(
    validator: Draft4Validator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = Path(__file__).parent.parent.parent / "examples" / "reading-list.md"
    (tmp_path / "reading-list.md").write_bytes(example.read_bytes())
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["check", "--offline", "--isolated", "--format", "sarif", "reading-list.md"])
    assert done.value.code == 1
    log = json.loads(capsys.readouterr().out)
    assert schema_errors(validator, log) == []
    results = log["runs"][0]["results"]
    assert len(results) >= 5
    assert {result["ruleId"] for result in results} >= {"PL104", "PL106", "PL201", "PL401"}
    assert all(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "reading-list.md"
        for result in results
    )
    with_fixes = [result["ruleId"] for result in results if "fixes" in result]
    assert with_fixes == ["PL106", "PL401", "PL401"]
