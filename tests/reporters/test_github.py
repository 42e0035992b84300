from __future__ import annotations

from pathlib import Path

import pytest

from linter.cli import main
from linter.engine import Report, Summary
from linter.findings import Edit, Finding, Severity
from linter.reporters import REPORTERS, RenderOptions
from linter.reporters.github import annotation_path, escape_data, escape_property, format_finding


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "path": "lists/papers.md",
        "line": 12,
        "column": 4,
        "rule": "PL201",
        "name": "duplicate-entry",
        "severity": Severity.ERROR,
        "message": 'duplicate entry: "attention" (arXiv:1706.03762) already listed at line 9',
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def report(findings: list[Finding], problems: list[str] | None = None) -> Report:
    errors = sum(1 for item in findings if item.severity is Severity.ERROR)
    warnings = sum(1 for item in findings if item.severity is Severity.WARNING)
    summary = Summary(1, 3, 4, len(findings), errors, warnings)
    return Report(findings, summary, problems or [])


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_annotation_paths_are_repository_relative_with_slashes() -> None:
    assert annotation_path("./././docs/list.md") == "docs/list.md"
    assert annotation_path("docs\\list.md") == "docs/list.md"
    assert annotation_path("list.md") == "list.md"


def test_one_command_per_severity() -> None:
    lines = [
        format_finding(finding()),
        format_finding(finding(severity=Severity.WARNING, rule="PL106", message="case")),
        format_finding(finding(severity=Severity.INFO, rule="PL108", message="skipped")),
    ]
    assert lines == [
        "::error file=lists/papers.md,line=12,col=4,title=PL201::duplicate entry: "
        '"attention" (arXiv:1706.03762) already listed at line 9',
        "::warning file=lists/papers.md,line=12,col=4,title=PL106::case",
        "::notice file=lists/papers.md,line=12,col=4,title=PL108::skipped",
    ]


def test_file_names_and_messages_with_special_characters_are_escaped() -> None:
    item = finding(path="./a,b:c%.md", message="50% of\nit: broken")
    assert format_finding(item) == (
        "::error file=a%2Cb%3Ac%25.md,line=12,col=4,title=PL201::50%25 of%0Ait: broken"
    )


def test_render_lists_findings_then_unreadable_files() -> None:
    rendered = REPORTERS["github"](
        report([finding(edit=Edit(12, 4, 12, 9, "x"))], ["gone.md: no such file or directory"]),
        RenderOptions(),
    )
    assert rendered == (
        "::error file=lists/papers.md,line=12,col=4,title=PL201::duplicate entry: "
        '"attention" (arXiv:1706.03762) already listed at line 9\n'
        "::error title=paperlint::gone.md: no such file or directory\n"
    )


def test_render_of_a_clean_report_is_empty() -> None:
    assert REPORTERS["github"](report([]), RenderOptions()) == ""


SAMPLE = "# Papers\n\n- [Intro](#papers) and [again](#Papers)\n- Googleâ€™s [Spanner](None)\n"


def test_github_and_sarif_in_one_run_check_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import linter.engine

    (tmp_path / "a.md").write_text(SAMPLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    calls: list[int] = []
    real_lint = linter.engine.lint

    def counting_lint(*args: object, **kwargs: object) -> Report:
        calls.append(1)
        return real_lint(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(linter.engine, "lint", counting_lint)
    with pytest.raises(SystemExit) as done:
        main(["check", "--offline", "--isolated", "--format", "github",
              "--format", "sarif:out.sarif", "--format", "markdown:summary.md", "a.md"])  # fmt: skip
    out = capsys.readouterr().out
    assert done.value.code == 1
    assert calls == [1]
    assert out == (
        "::warning file=a.md,line=3,col=24,title=PL106::anchor #Papers matches #papers only when"
        " case is ignored\n"
        '::error file=a.md,line=4,col=3,title=PL401::mojibake "Googleâ€™s" should be'
        ' "Google’s" (UTF-8 read as cp1252)\n'
        "::error file=a.md,line=4,col=14,title=PL104::placeholder link target 'None'\n"
    )
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]) for r in results] == [
        ("PL106", {"startLine": 3, "startColumn": 24}),
        ("PL401", {"startLine": 4, "startColumn": 3}),
        ("PL104", {"startLine": 4, "startColumn": 14}),
    ]
    assert "**Found 3 problems (2 errors, 1 warning) in 1 file.**" in (
        tmp_path / "summary.md"
    ).read_text(encoding="utf-8")
