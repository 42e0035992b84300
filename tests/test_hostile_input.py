"""Hostile input and odd environments: every bad input is one line on stderr and exit 2 (never a
traceback), and the files that can be read are still checked."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from linter.cli import main
from linter.config import Config, ConfigError, load_config
from linter.document import parse
from linter.engine import lint
from linter.reading import Source, collect_sources

BAD = "- [x](#nope)\n"  # one PL106 error
BAD_LINE = "bad.md:1:3: PL106 [error] anchor #nope not found\n"


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    monkeypatch.chdir(tmp_path)
    for name in ("FORCE_COLOR", "NO_COLOR", "PAPERLINT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PAPERLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "bad.md").write_text(BAD, encoding="utf-8")

    def invoke(*args: str) -> Result:
        with pytest.raises(SystemExit) as exited:
            main(["check", "--offline", *args])
        captured = capsys.readouterr()
        code = exited.value.code
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return invoke


def one_error_line(result: Result) -> str:
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("paperlint: error: ")
    assert "Traceback" not in result.err
    return lines[0]


# --------------------------------------------------------------------------------------------------
# Paths that cannot be read


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_refused_without_blocking(run: Run, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")  # nobody ever writes: reading it would block forever
    result = run("pipe.md", "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == (
        "paperlint: error: pipe.md: not a regular file (a pipe, socket or device), not checked"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_in_a_walked_folder_is_refused_without_blocking(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "lists").mkdir()
    os.mkfifo(tmp_path / "lists" / "pipe.md")
    (tmp_path / "lists" / "bad.md").write_text(BAD, encoding="utf-8")
    result = run("lists")
    assert result.code == 2
    assert result.out.startswith("lists/bad.md:1:3: PL106")
    assert one_error_line(result) == (
        "paperlint: error: lists/pipe.md: not a regular file (a pipe, socket or device),"
        " not checked"
    )


def test_a_path_below_a_file_says_not_a_directory(run: Run) -> None:
    result = run("bad.md/x", "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == "paperlint: error: bad.md/x: not a directory"


def test_a_dangling_symlink_says_so(run: Run, tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    result = run("gone.md", "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == "paperlint: error: gone.md: broken symbolic link"


def test_a_path_too_long_is_one_line(run: Run) -> None:
    name = "a" * 300 + ".md"
    result = run(name, "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == f"paperlint: error: {name}: file name too long"


def test_the_same_file_named_twice_is_checked_once(run: Run, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    result = run("bad.md", "./bad.md", "sub/../bad.md")
    assert result.code == 1
    assert result.out == BAD_LINE + "Found 1 problem (1 error, 0 warnings) in 1 file.\n"


def test_collect_sources_keeps_the_first_spelling_of_a_repeated_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    first = str(tmp_path / "a.md")
    sources, problems = collect_sources([first, str(tmp_path / "." / "a.md"), str(tmp_path)])
    assert [source.display for source in sources] == [first]
    assert problems == []


def test_closed_standard_input_is_a_problem_not_a_crash(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # what Python sets when fd 0 is closed
    result = run("-", "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == "paperlint: error: -: cannot read standard input: it is closed"


def test_binary_standard_input_is_a_problem(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x89PNG\x00\x00")))
    result = run("-")
    assert result.code == 2
    assert (
        one_error_line(result)
        == "paperlint: error: -: binary file (contains NUL bytes), not checked"
    )


def test_a_utf16_file_is_named_as_such(run: Run, tmp_path: Path) -> None:
    (tmp_path / "wide.md").write_bytes("\ufeff# Wide\n".encode("utf-16-le"))
    result = run("wide.md", "bad.md")
    assert result.code == 2
    assert result.out.startswith(BAD_LINE)
    assert one_error_line(result) == (
        "paperlint: error: wide.md: UTF-16 text, not UTF-8 (re-save it as UTF-8), not checked"
    )


def test_binary_and_unreadable_files_are_not_counted_as_checked(run: Run, tmp_path: Path) -> None:
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("image.md")
    assert result.code == 2
    assert result.out == "No files checked.\n"


# --------------------------------------------------------------------------------------------------
# Options and configuration


def test_format_with_an_empty_file_name_is_a_usage_error(run: Run) -> None:
    result = run("--format", "sarif:", "bad.md")
    assert result.code == 2
    assert result.out == ""
    assert one_error_line(result) == (
        "paperlint: error: --format sarif: needs a file name after ':' (or no ':' for stdout)"
    )


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_timeout_must_be_finite(run: Run, value: str) -> None:
    result = run("--timeout", value, "bad.md")
    assert result.code == 2
    assert (
        one_error_line(result)
        == "paperlint: error: command line: 'timeout' must be a positive number"
    )


def test_config_pointing_at_a_directory(run: Run, tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    result = run("--config", "conf", "bad.md")
    assert result.code == 2
    assert (
        one_error_line(result) == "paperlint: error: conf: is a directory, not a configuration file"
    )


def test_config_name_too_long(run: Run) -> None:
    name = "c" * 300 + ".toml"
    result = run("--config", name, "bad.md")
    assert result.code == 2
    assert one_error_line(result) == f"paperlint: error: {name}: configuration file not found"


def test_dotfile_with_a_non_table_tool_key_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / ".paperlint.toml"
    path.write_text("tool = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.paperlint\.toml: unknown key 'tool'$"):
        load_config(path)


def test_pyproject_with_a_non_table_tool_key_is_no_configuration(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("tool = 3\n", encoding="utf-8")
    assert load_config(path) == Config(source=path)


def test_broken_dotfile_in_a_parent_folder_is_one_line(run: Run, tmp_path: Path) -> None:
    (tmp_path / ".paperlint.toml").write_text("tool = 3\n", encoding="utf-8")
    result = run("bad.md")
    assert result.code == 2
    assert one_error_line(result).endswith(".paperlint.toml: unknown key 'tool'")


# --------------------------------------------------------------------------------------------------
# Output that cannot be written


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_standard_output_full_is_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    full = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        monkeypatch.setattr(sys, "stdout", full)
        result = run("bad.md")
    finally:
        monkeypatch.undo()
        with pytest.raises(OSError):
            full.close()  # the failed write is still buffered
    assert result.code == 2
    assert one_error_line(result) == (
        "paperlint: error: cannot write to standard output: no space left on device"
    )


def test_closed_standard_output_does_not_crash(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)  # what Python sets when fd 1 is closed
    result = run("bad.md")
    assert result.code == 1
    assert "Traceback" not in result.err


def test_an_unexpected_error_is_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("linter.engine.lint", explode)
    result = run("bad.md")
    assert result.code == 2
    assert one_error_line(result) == (
        "paperlint: error: internal error: RuntimeError: boom"
        " (please report it; PAPERLINT_DEBUG=1 shows the traceback)"
    )


def test_paperlint_debug_shows_the_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("linter.engine.lint", explode)
    monkeypatch.setenv("PAPERLINT_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        run("bad.md")


# --------------------------------------------------------------------------------------------------
# Text that would drive the terminal


def test_control_characters_from_the_file_are_escaped_in_the_text_report(
    run: Run, tmp_path: Path
) -> None:
    # %1B%5B2J is ESC [ 2 J, "clear the screen", once percent-decoded for the message.
    (tmp_path / "esc.md").write_text("- [x](gone%1B%5B2J.md)\n", encoding="utf-8")
    result = run("esc.md")
    assert result.code == 1
    assert result.out.splitlines()[0] == r"esc.md:1:3: PL105 [error] file not found: gone\x1b[2J.md"


# --------------------------------------------------------------------------------------------------
# Deep nesting: no recursion error, and nothing within reach is lost


def test_ten_levels_of_nested_lists_keep_their_links() -> None:
    depth = 12
    text = "".join("  " * level + f"- [p{level}](#a{level})\n" for level in range(depth))
    document = parse(text, "deep.md")
    assert len(document.entries) == depth
    assert [link.target for link in document.links] == [f"#a{level}" for level in range(depth)]


@pytest.mark.parametrize(
    "text",
    [
        ">" * 10_000 + " [a](#x)\n",
        "- " * 10_000 + "[a](#x)\n",
        "".join("  " * level + "- x\n" for level in range(3_000)),
        "[" * 10_000 + "a" + "]" * 10_000 + "(#x)\n",
        "*_" * 10_000 + "a" + "_*" * 10_000 + "\n",
        "![" * 5_000 + "a" + "](x.png)" * 5_000 + "\n",
    ],
    ids=["blockquotes", "list-markers", "indented-lists", "brackets", "emphasis", "images"],
)
def test_pathological_nesting_does_not_raise(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.md"
    path.write_text(text, encoding="utf-8")
    report = lint([Source("deep.md", path)], Config(), offline=True)
    assert report.problems == ()


# --------------------------------------------------------------------------------------------------
# Fixes that --fix would not apply are not announced


MOJIBAKE_LINE = "- [Caf\u00c3\u00a9 culture](#t)\n"  # "CafÃ©", UTF-8 read as cp1252


def test_a_file_that_is_not_utf8_announces_no_fix(run: Run, tmp_path: Path) -> None:
    data = b"# T\n" + MOJIBAKE_LINE.encode("utf-8") + b"- caf\xe9\n"
    (tmp_path / "latin.md").write_bytes(data)
    result = run("--select", "PL401,PL403", "latin.md")
    assert result.out == (
        'latin.md:2:4: PL401 [error] mojibake "CafÃ©" should be "Café" (UTF-8 read as cp1252)\n'
        "latin.md:3:6: PL403 [error] not valid UTF-8 (1 invalid byte, first at line 3 col 6);"
        " looks like cp1252/latin-1\n"
        "Found 2 problems (2 errors, 0 warnings) in 1 file.\n"
    )
    fixed = run("--fix", "latin.md")
    assert (tmp_path / "latin.md").read_bytes() == data
    assert "fixable" not in fixed.out


def test_json_keeps_the_repair_of_a_file_that_is_not_utf8(run: Run, tmp_path: Path) -> None:
    (tmp_path / "latin.md").write_bytes(MOJIBAKE_LINE.encode("utf-8") + b"- caf\xe9\n")
    result = run("--select", "PL401", "--format", "json", "latin.md")
    assert '"fix": "Café"' in result.out


def test_standard_input_announces_no_fix(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(("# T\n" + MOJIBAKE_LINE).encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", stdin)
    result = run("--select", "PL401", "-")
    assert result.out == (
        '-:2:4: PL401 [error] mojibake "CafÃ©" should be "Café" (UTF-8 read as cp1252)\n'
        "Found 1 problem (1 error, 0 warnings) in 1 file.\n"
    )
