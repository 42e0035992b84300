from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli import main

LIST = """\
# Reading list

- [Models](#models)
- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)
- [Attention is all you need](https://arxiv.org/pdf/1706.03762v5.pdf)

## Models

- [Case](#Models) and [pdf](None)
"""


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("PAPERLINT_CACHE_DIR", str(tmp_path / "cache"))

    def invoke(*args: str, stdin: bytes | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        captured = capsys.readouterr()
        code = exited.value.code
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return invoke


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "list.md"
    path.write_text(LIST, encoding="utf-8")
    return path


def test_text_report_is_sorted_with_a_summary(run, listing: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--offline", "list.md")
    assert result.code == 1
    assert result.err == ""
    assert result.out == (
        'list.md:5:4: PL201 [error] duplicate entry: "Attention is all you need" (arXiv:1706.03762)'
        " already listed at line 4\n"
        "list.md:9:3: PL106 [warning] anchor #Models matches #models only when case is ignored\n"
        "list.md:9:23: PL104 [error] placeholder link target 'None'\n"
        "Found 3 problems (2 errors, 1 warning) in 1 file.\n"
        "1 fixable with `paperlint check --fix`.\n"
    )


def test_json_report_has_exactly_the_documented_shape(run, listing: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--offline", "--format", "json", "--select", "PL201,PL104", "list.md")
    assert result.code == 1
    data = json.loads(result.out)
    assert list(data) == ["version", "findings", "summary"]
    assert data["version"] == 1
    assert data["summary"] == {
        "files": 1,
        "entries": 4,
        "links": 5,
        "findings": 2,
        "errors": 2,
        "warnings": 0,
    }
    assert data["findings"] == [
        {
            "rule": "PL201",
            "name": "duplicate-entry",
            "severity": "error",
            "path": "list.md",
            "line": 5,
            "column": 4,
            "message": 'duplicate entry: "Attention is all you need" (arXiv:1706.03762)'
            " already listed at line 4",
            "url": "https://arxiv.org/pdf/1706.03762v5.pdf",
            "fix": None,
            "related": [{"path": "list.md", "line": 4, "column": 4}],
        },
        {
            "rule": "PL104",
            "name": "url-invalid",
            "severity": "error",
            "path": "list.md",
            "line": 9,
            "column": 23,
            "message": "placeholder link target 'None'",
            "url": "None",
            "fix": None,
            "related": None,
        },
    ]


def test_exit_codes_follow_severity_and_strict(run, listing: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("check", "--offline", "--select", "PL106", "list.md").code == 0
    assert run("check", "--offline", "--select", "PL106", "--strict", "list.md").code == 1
    assert run("check", "--offline", "--ignore", "PL1,duplicate-entry", "list.md").code == 0


def test_quiet_prints_only_findings(run, listing: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--offline", "-q", "--select", "PL104", "list.md")
    assert result.out == "list.md:9:23: PL104 [error] placeholder link target 'None'\n"


def test_clean_file_exits_zero(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ok.md").write_text(
        "- [BERT](https://arxiv.org/abs/1810.04805)\n", encoding="utf-8"
    )
    result = run("check", "--offline", "ok.md")
    assert (result.code, result.out) == (0, "No problems found in 1 file (1 entries, 1 links).\n")


def test_folders_are_walked_and_missing_paths_are_io_errors(run, listing: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--offline", "-q", "--select", "PL104", ".", "missing.md")
    assert result.code == 2
    assert result.out == "list.md:9:23: PL104 [error] placeholder link target 'None'\n"
    assert result.err == "paperlint: error: missing.md: no such file or directory\n"


def test_a_run_that_checked_no_file_does_not_claim_there_are_no_problems(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "--offline", "missing.md")
    assert (result.code, result.out) == (2, "No files checked.\n")
    assert result.err == "paperlint: error: missing.md: no such file or directory\n"
    (tmp_path / "empty").mkdir()
    result = run("check", "--offline", "empty")
    assert (result.code, result.out, result.err) == (0, "No files checked.\n", "")
    result = run("check", "--offline", "--format", "markdown", "empty")
    assert result.out == "## paperlint\n\n**No files checked.**\n"


def test_stdin_with_a_display_name(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "check", "--offline", "-q", "--stdin-filename", "README.md", "-", stdin=b"[x](htp://a.b)\n"
    )
    assert result.out == "README.md:1:1: PL104 [error] unknown URL scheme 'htp:'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--bogus"], "paperlint: error: No such option '--bogus'"),
        (
            ["check", "--select", "PL999", "x.md"],
            "paperlint: error: command line: 'select': unknown rule 'PL999'\n",
        ),
        (
            ["check", "--format", "yaml", "x.md"],
            "paperlint: error: unknown format 'yaml' (choose from ",
        ),
        (
            ["check", "--timeout", "soon"],
            "paperlint: error: Invalid value for '--timeout': 'soon' is not a valid float.",
        ),
        (["rules", "PL999"], "paperlint: error: unknown rule 'PL999' (see 'paperlint rules')\n"),
        (
            ["check", "--config", "nope.toml"],
            "paperlint: error: nope.toml: configuration file not found\n",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.code == 2
    assert result.err.startswith(message)
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_invalid_config_file_is_exit_2_naming_the_file(run, tmp_path: Path, listing: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".paperlint.toml").write_text("colour = 'always'\n", encoding="utf-8")
    result = run("check", "--offline", "list.md")
    assert result.code == 2
    assert result.err == f"paperlint: error: {tmp_path / '.paperlint.toml'}: unknown key 'colour'\n"


def test_config_file_applies_and_isolated_ignores_it(run, tmp_path: Path, listing: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(
        "[tool.paperlint]\nselect = ['url-invalid']\n", encoding="utf-8"
    )
    assert run("check", "--offline", "-q", "list.md").out.count("\n") == 1
    assert run("check", "--offline", "-q", "--isolated", "list.md").out.count("\n") == 3


def test_several_outputs_from_one_run(run, tmp_path: Path, listing: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "check",
        "--offline",
        "--select",
        "PL104",
        "--format",
        "text",
        "--format",
        "json:out.json",
        "list.md",
    )
    assert result.out.startswith("list.md:9:23: PL104")
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["findings"] == 1
    clash = run("check", "--offline", "--format", "json", "--format", "text", "list.md")
    assert clash.code == 2


def test_colour_only_when_asked_or_on_a_terminal(
    run, monkeypatch: pytest.MonkeyPatch, listing: Path
) -> None:  # type: ignore[no-untyped-def]
    assert "\x1b[" not in run("check", "--offline", "list.md").out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31mPL104\x1b[0m" in run("check", "--offline", "list.md").out
    assert "\x1b[" not in run("check", "--offline", "--no-color", "list.md").out


def test_rules_lists_and_explains(run) -> None:  # type: ignore[no-untyped-def]
    listing = run("rules")
    assert listing.code == 0
    assert [line.split()[0] for line in listing.out.splitlines()] == [
        "PL101", "PL102", "PL103", "PL104", "PL105", "PL106", "PL107", "PL108", "PL109", "PL110",
        "PL201", "PL202", "PL301", "PL302", "PL303", "PL304", "PL305", "PL306", "PL307",
        "PL401", "PL402", "PL403",
    ]  # fmt: skip
    assert "PL301  id-title-conflict      error    offline" in listing.out
    explained = run("rules", "id-title-conflict")
    assert explained.out.startswith("PL301 id-title-conflict (error, offline check)\n\n")
    assert "Failing::" in explained.out and "Passing::" in explained.out


def test_offline_check_never_imports_aiohttp(listing: Path) -> None:
    probe = (
        "import sys\n"
        "from linter.cli import main\n"
        "try:\n    main(['check', '--offline', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "print('aiohttp' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(listing)], capture_output=True, text=True, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_cache_info_and_clear(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from linter.net.cache import LinkCache
    from linter.net.results import LinkResult, LinkStatus

    path = tmp_path / "links.sqlite3"
    with LinkCache(path, max_age=3600) as cache:
        cache.put(LinkResult("https://a.example/", LinkStatus.OK, 200, "200 OK"))
    info = run("cache", "info", "--cache", str(path))
    assert info.code == 0
    assert info.out.splitlines()[:2] == [f"path:    {path}", "entries: 1"]
    cleared = run("cache", "clear", "--cache", str(path))
    assert (cleared.code, cleared.out) == (0, "removed 1 cached link result(s)\n")
    assert run("cache", "info", "--cache", str(path)).out.splitlines()[1] == "entries: 0"
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    junk = run("cache", "info", "--cache", str(tmp_path / "junk.sqlite3"))
    assert junk.code == 2
    assert junk.err.startswith(f"paperlint: error: {tmp_path / 'junk.sqlite3'}: not a usable cache")


def test_the_quick_start_example_exits_1_as_the_readme_says(run) -> None:  # type: ignore[no-untyped-def]
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "paperlint check --offline examples/reading-list.md" in readme
    assert "**exits 1 on purpose**" in readme
    result = run("check", "--offline", "--isolated", str(root / "examples" / "reading-list.md"))
    assert (result.code, result.err) == (1, "")
