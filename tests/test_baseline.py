from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.baseline import (
    Baseline,
    BaselineError,
    baseline_path,
    build_baseline,
    dump_baseline,
    filter_baseline,
    fingerprint,
    line_context,
    load_baseline,
    read_baseline,
)
from linter.cli import main
from linter.engine import CheckedFile, Report, Summary
from linter.findings import Finding, Severity
from linter.reading import Source


def finding(path: str, line: int, rule: str, message: str, url: str | None = None) -> Finding:
    return Finding(path, line, 3, rule, "name", Severity.ERROR, message, url=url)


def report(findings: list[Finding], lines: dict[str, list[str]] | None = None) -> Report:
    from linter.document import Document

    files = [
        CheckedFile(Source(path, Path(path)), None, Document(path=path, source="", lines=text))
        for path, text in (lines or {}).items()
    ]
    summary = Summary(len(files), 0, 0, len(findings), len(findings), 0)
    return Report(findings, summary, [], files)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    code = done.value.code
    assert isinstance(code, int)
    return code, captured.out, captured.err


def test_fingerprints_leave_out_positions() -> None:
    assert fingerprint(finding("a.md", 12, "PL201", 'duplicate "x" already listed at line 9')) == (
        'duplicate "x" already listed at line ?'
    )
    assert fingerprint(
        finding("a.md", 3, "PL304", "arXiv:2106.09685 disagrees with arXiv:2106.09865 at line 18,"
                " column 80 of the same entry")
    ) == ("arXiv:2106.09685 disagrees with arXiv:2106.09865 at line ?, column ? of the same entry")  # fmt: skip
    assert fingerprint(
        finding("a.md", 3, "PL301", 'listed as "A" here but as "B" at b/other.md:16')
    ) == ('listed as "A" here but as "B" at b/other.md:?')
    assert fingerprint(finding("a.md", 1, "PL403", "not valid UTF-8 (2 invalid bytes, first at line 4 col 7)")) == (
        "not valid UTF-8 (2 invalid bytes, first at line ? col ?)"
    )  # fmt: skip


def test_link_checker_findings_are_identified_by_url() -> None:
    timeout = finding("a.md", 5, "PL102", "link unreachable: timeout", url="https://x.org/a")
    assert fingerprint(timeout) == "https://x.org/a"


def test_paths_are_relative_to_the_baseline_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    assert baseline_path(str(tmp_path / "docs" / "a.md"), tmp_path) == "docs/a.md"
    assert baseline_path(str(tmp_path / "a.md"), tmp_path / "docs") == "../a.md"
    assert baseline_path("-", tmp_path) == "-"


LINES = {"a.md": ["# T", "", "- [x](None)", "- [y](None)", "- [z](htp://x)"]}


def test_dump_is_sorted_counted_and_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = [
        finding("a.md", 5, "PL104", "unknown URL scheme 'htp:'"),
        finding("a.md", 3, "PL104", "placeholder link target 'None'"),
        finding("a.md", 4, "PL104", "placeholder link target 'None'"),
    ]
    text = dump_baseline(build_baseline(report(findings, LINES), tmp_path))
    assert text == (
        "{\n"
        '  "version": 1,\n'
        '  "findings": [\n'
        "    {\n"
        '      "path": "a.md",\n'
        '      "rule": "PL104",\n'
        '      "fingerprint": "placeholder link target \'None\'",\n'
        '      "count": 2,\n'
        '      "context": [\n'
        f'        "{sorted([line_context("- [x](None)"), line_context("- [y](None)")])[0]}",\n'
        f'        "{sorted([line_context("- [x](None)"), line_context("- [y](None)")])[1]}"\n'
        "      ]\n"
        "    },\n"
        "    {\n"
        '      "path": "a.md",\n'
        '      "rule": "PL104",\n'
        '      "fingerprint": "unknown URL scheme \'htp:\'",\n'
        '      "count": 1,\n'
        '      "context": [\n'
        f'        "{line_context("- [z](htp://x)")}"\n'
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )
    loaded = load_baseline(text, tmp_path)
    assert loaded == build_baseline(report(findings, LINES), tmp_path)


def test_counts_make_one_of_three_new_and_it_is_the_one_on_a_new_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    old = [
        finding("a.md", 3, "PL104", "placeholder link target 'None'"),
        finding("a.md", 4, "PL104", "placeholder link target 'None'"),
    ]
    baseline = build_baseline(report(old, LINES), tmp_path)
    # A new entry at the top moves the old ones down by two lines.
    now_lines = {"a.md": ["# T", "", "- [new](None)", "", "- [x](None)", "- [y](None)"]}
    now = [
        finding("a.md", 3, "PL104", "placeholder link target 'None'"),
        finding("a.md", 5, "PL104", "placeholder link target 'None'"),
        finding("a.md", 6, "PL104", "placeholder link target 'None'"),
    ]
    remaining, covered = filter_baseline(report(now, now_lines), baseline)
    assert (remaining, covered) == ([now[0]], 2)


def test_edited_lines_still_match_by_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old = [finding("a.md", 3, "PL104", "placeholder link target 'None'")]
    baseline = build_baseline(report(old, LINES), tmp_path)
    now = [
        finding("a.md", 3, "PL104", "placeholder link target 'None'"),
        finding("a.md", 9, "PL104", "placeholder link target 'None'"),
    ]
    edited = {"a.md": ["# T", "", "- [x, edited](None)"]}
    assert filter_baseline(report(now, edited), baseline) == ([now[1]], 1)


def test_other_rule_or_other_file_is_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    baseline = build_baseline(
        report([finding("a.md", 3, "PL104", "placeholder link target 'None'")], LINES), tmp_path
    )
    now = [
        finding("b.md", 3, "PL104", "placeholder link target 'None'"),
        finding("a.md", 3, "PL105", "placeholder link target 'None'"),
    ]
    assert filter_baseline(report(now, LINES), baseline) == (now, 0)


def test_a_baseline_without_contexts_matches_by_count(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "version": 1,
            "findings": [{"path": "a.md", "rule": "PL104", "fingerprint": "f", "count": 2}],
        }
    )
    baseline = load_baseline(text, tmp_path)
    assert baseline == Baseline(tmp_path, {("a.md", "PL104", "f"): 2}, {("a.md", "PL104", "f"): ()})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "b.json: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ("[]", "b.json: not a paperlint baseline (no 'findings')"),
        ('{"version": 2, "findings": []}', "b.json: unsupported baseline version 2 (expected 1)"),
        ('{"version": 1, "findings": {}}', "b.json: 'findings' must be a list"),
        ('{"version": 1, "findings": [3]}', "b.json: findings[0] must be an object"),
        ('{"version": 1, "findings": [{"path": "a.md", "rule": "PL104"}]}',
         "b.json: findings[0] needs string 'path', 'rule', 'fingerprint'"),
        ('{"version": 1, "findings": [{"path": "a", "rule": "PL999", "fingerprint": "f"}]}',
         "b.json: findings[0] has unknown rule 'PL999'"),
        ('{"version": 1, "findings": [{"path": "a", "rule": "PL104", "fingerprint": "f", "count": 0}]}',
         "b.json: findings[0] 'count' must be a positive integer"),
        ('{"version": 1, "findings": [{"path": "a", "rule": "PL104", "fingerprint": "f", "context": "x"}]}',
         "b.json: findings[0] 'context' must be a list of strings"),
    ],
)  # fmt: skip
def test_invalid_baselines_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BaselineError) as error:
        load_baseline(text, tmp_path, "b.json")
    assert str(error.value) == message


def test_reading_a_missing_or_binary_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"missing\.json: baseline file not found$"):
        read_baseline(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe")
    with pytest.raises(BaselineError, match=r"bin\.json: cannot read baseline: 'utf-8' codec"):
        read_baseline(tmp_path / "bin.json")


# --------------------------------------------------------------------------------------------------
# The CLI

LIST = "# List\n\n- [One](None)\n- [Two](htp://example.org)\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "list.md").write_text(LIST, encoding="utf-8")
    return tmp_path


def test_write_then_check_against_the_baseline(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["check", "--offline", "--isolated"]
    code, out, err = run([*base, "--write-baseline", "ci/baseline.json", "docs"], capsys)
    assert (code, err) == (2, "paperlint: error: ci/baseline.json: cannot write baseline: "
                              "no such file or directory\n")  # fmt: skip
    (workdir / "ci").mkdir()
    code, out, err = run([*base, "--write-baseline", "ci/baseline.json", "docs"], capsys)
    assert (code, out, err) == (
        0,
        "No problems found in 1 file (2 entries, 2 links).\n",
        "paperlint: recorded 2 finding(s) in ci/baseline.json\n",
    )
    recorded = json.loads((workdir / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert [(item["path"], item["rule"], item["count"]) for item in recorded["findings"]] == [
        ("../docs/list.md", "PL104", 1),
        ("../docs/list.md", "PL104", 1),
    ]

    # Lines move and a new problem appears: only the new one is reported.
    (workdir / "docs" / "list.md").write_text(
        "# List\n\nIntro.\n\n- [Zero](None)\n" + LIST.split("\n", 2)[2], encoding="utf-8"
    )
    code, out, err = run([*base, "--baseline", "ci/baseline.json", "docs"], capsys)
    assert (code, out, err) == (
        1,
        "docs/list.md:5:3: PL104 [error] placeholder link target 'None'\n"
        "Found 1 problem (1 error, 0 warnings) in 1 file.\n",
        "paperlint: 2 finding(s) in the baseline not shown\n",
    )
    # The baseline is found from another working directory too.
    import os

    os.chdir(workdir / "docs")
    code, out, _ = run([*base, "--baseline", "../ci/baseline.json", "-q", "list.md"], capsys)
    assert (code, out) == (1, "list.md:5:3: PL104 [error] placeholder link target 'None'\n")


def test_missing_or_invalid_baseline_exits_2_before_checking(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["check", "--offline", "--baseline", "nope.json", "docs"], capsys) == (
        2,
        "",
        "paperlint: error: nope.json: baseline file not found\n",
    )
    (workdir / "bad.json").write_text('{"findings": []}', encoding="utf-8")
    assert run(["check", "--offline", "--baseline", "bad.json", "docs"], capsys) == (
        2,
        "",
        "paperlint: error: bad.json: unsupported baseline version None (expected 1)\n",
    )
