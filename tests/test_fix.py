from __future__ import annotations

import io
import os
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import linter.fix
import linter.rules.encoding
import linter.workflow
from linter.cli import main
from linter.engine import CheckedFile, Report, Summary
from linter.findings import Edit, Finding, FixLevel, Severity
from linter.fix import after_fix, apply_edits, fix_file, map_position, unified_diff
from linter.reading import Source, decode


def finding(line: int, column: int, edit: Edit | None = None, rule: str = "PL401") -> Finding:
    return Finding("a.md", line, column, rule, "name", Severity.ERROR, "message", edit=edit)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    code = done.value.code
    assert isinstance(code, int)
    return code, captured.out, captured.err


# --------------------------------------------------------------------------------------------------
# apply_edits and map_position


def test_edits_apply_in_file_order_whatever_the_finding_order() -> None:
    text = "ab Ã© cd\nxÃ©y\n"
    late = finding(2, 2, Edit(2, 2, 2, 4, "é"))
    early = finding(1, 4, Edit(1, 4, 1, 6, "é"))
    new, applied, fixed, skipped = apply_edits(text, [late, early])
    assert new == "ab é cd\nxéy\n"
    assert applied == [early.edit, late.edit]
    assert fixed == [early, late]
    assert skipped == []


def test_overlapping_edits_first_wins_and_identical_ones_count_as_fixed() -> None:
    text = "0123456789"
    first = finding(1, 3, Edit(1, 3, 1, 6, "X"))
    overlapping = finding(1, 5, Edit(1, 5, 1, 8, "Y"))
    same = finding(1, 3, Edit(1, 3, 1, 6, "X"), rule="PL106")
    touching = finding(1, 6, Edit(1, 6, 1, 7, "Z"))
    new, applied, fixed, skipped = apply_edits(text, [first, overlapping, same, touching])
    assert new == "01XZ6789"
    assert fixed == [first, same, touching]
    assert skipped == [overlapping]
    assert applied == [first.edit, touching.edit]


def test_two_insertions_at_one_place_keep_only_the_first() -> None:
    one = finding(1, 2, Edit(1, 2, 1, 2, "+"))
    two = finding(1, 2, Edit(1, 2, 1, 3, "-"))
    new, _, fixed, skipped = apply_edits("abc", [one, two])
    assert (new, fixed, skipped) == ("a+bc", [one], [two])


@pytest.mark.parametrize(
    "edit",
    [
        Edit(0, 1, 0, 2, "x"),  # line 0
        Edit(3, 1, 3, 2, "x"),  # past the last line
        Edit(1, 5, 1, 6, "x"),  # past the end of the line (its \r\n is not part of it)
        Edit(1, 3, 1, 2, "x"),  # end before start
        Edit(1, 1, 1, 4, "abc"),  # already what the fix would write
    ],
)
def test_edits_that_do_not_fit_the_text_are_skipped(edit: Edit) -> None:
    item = finding(1, 1, edit)
    assert apply_edits("abc\r\nxyz", [item]) == ("abc\r\nxyz", [], [], [item])


def test_multi_line_edit_across_a_crlf() -> None:
    new, applied, _, _ = apply_edits("ab\r\ncd\r\n", [finding(1, 2, Edit(1, 2, 2, 2, "-"))])
    assert new == "a-d\r\n"
    assert len(applied) == 1


def test_map_position_moves_positions_after_the_edits() -> None:
    edits = [Edit(1, 3, 1, 12, "Google’s"), Edit(1, 20, 1, 29, "François")]
    assert map_position(edits, 1, 1) == (1, 1)
    assert map_position(edits, 1, 13) == (1, 12)  # after the first (9 -> 8 characters)
    assert map_position(edits, 1, 30) == (1, 28)  # after both
    assert map_position(edits, 1, 5) == (1, 3)  # inside: the start of the replacement
    assert map_position(edits, 2, 7) == (2, 7)
    assert map_position([Edit(1, 2, 2, 3, "x\ny")], 2, 5) == (2, 4)
    assert map_position([Edit(1, 2, 1, 3, "x\ny\nz")], 1, 4) == (3, 3)
    assert map_position([Edit(1, 2, 1, 3, "x\ny\nz")], 4, 4) == (6, 4)


# --------------------------------------------------------------------------------------------------
# Files


def checked(data: bytes, name: str = "a.md") -> CheckedFile:
    from linter.document import parse

    decoded = decode(data)
    document = None if decoded.binary else parse(decoded.text, name)
    return CheckedFile(Source(name, Path(name)), decoded, document)


def test_bom_and_line_endings_survive_byte_for_byte() -> None:
    data = b"\xef\xbb\xbfA\r\nGoogle\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s\rmac\n\xe2\x80\x94end"
    plan = fix_file(checked(data), [finding(2, 1, Edit(2, 1, 2, 11, "Google’s"))])
    assert plan is not None
    assert plan.original == data
    assert plan.fixed == b"\xef\xbb\xbfA\r\nGoogle\xe2\x80\x99s\rmac\n\xe2\x80\x94end"


def test_files_not_read_cleanly_get_no_fixes() -> None:
    edit = [finding(1, 1, Edit(1, 1, 1, 2, "x"))]
    assert fix_file(checked(b"caf\xe9 \xc3\x83\xc2\xa9\n"), edit) is None  # not UTF-8
    assert fix_file(checked(b"a\x00b\n"), edit) is None  # binary
    assert fix_file(CheckedFile(Source("a.md", None), None, None), edit) is None


def test_unified_diff_marks_a_missing_final_newline() -> None:
    plan = fix_file(checked(b"x\nGoogle\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s"), [
        finding(2, 1, Edit(2, 1, 2, 11, "Google’s"))
    ])  # fmt: skip
    assert plan is not None
    assert unified_diff(plan) == (
        "--- a.md\n+++ a.md\n@@ -1,2 +1,2 @@\n x\n"
        "-Googleâ€™s\n\\ No newline at end of file\n"
        "+Google’s\n\\ No newline at end of file\n"
    )


# --------------------------------------------------------------------------------------------------
# paperlint check --fix / --diff

BOM_CRLF = (
    "\ufeff# Papers\r\n"
    "\r\n"
    "- [Intro](#Papers)\r\n"
    "- Googleâ€™s [Spanner](None) by Jean-Fran√ßois\r\n"
    "- [Café](https://example.org/cafe.pdf)"
).encode()
BOM_CRLF_FIXED = (
    "\ufeff# Papers\r\n"
    "\r\n"
    "- [Intro](#papers)\r\n"
    "- Google’s [Spanner](None) by Jean-François\r\n"
    "- [Café](https://example.org/cafe.pdf)"
).encode()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_writes_exact_bytes_and_reports_what_remains(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "list.md"
    target.write_bytes(BOM_CRLF)
    target.chmod(0o640)
    code, out, err = run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    assert target.read_bytes() == BOM_CRLF_FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert code == 1
    # The placeholder moved two columns left with the shorter repaired word.
    assert out == (
        "list.md:4:12: PL104 [error] placeholder link target 'None'\n"
        "Found 1 problem (1 error, 0 warnings) in 1 file.\n"
    )
    assert err == "paperlint: fixed 3 problem(s) in 1 file(s)\n"
    assert sorted(path.name for path in workdir.iterdir()) == ["list.md"]  # no temp file left


def test_fix_is_idempotent(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = workdir / "list.md"
    target.write_bytes(BOM_CRLF)
    run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    before = target.stat().st_mtime_ns, target.read_bytes()
    code, out, err = run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    assert (target.stat().st_mtime_ns, target.read_bytes()) == before
    assert (code, err) == (1, "")
    assert out.startswith("list.md:4:12: PL104")
    assert run(["check", "--offline", "--isolated", "--diff", "list.md"], capsys) == (
        0,
        "",
        "paperlint: would fix 0 problem(s) in 0 file(s)\n",
    )


def test_diff_shows_the_fixes_and_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "list.md"
    target.write_bytes(BOM_CRLF)
    code, out, err = run(["check", "--offline", "--isolated", "--diff", "list.md"], capsys)
    assert target.read_bytes() == BOM_CRLF
    assert code == 1
    assert out == (
        "--- list.md\n"
        "+++ list.md\n"
        "@@ -1,5 +1,5 @@\n"
        " # Papers\r\n"
        " \r\n"
        "-- [Intro](#Papers)\r\n"
        "-- Googleâ€™s [Spanner](None) by Jean-Fran√ßois\r\n"
        "+- [Intro](#papers)\r\n"
        "+- Google’s [Spanner](None) by Jean-François\r\n"
        " - [Café](https://example.org/cafe.pdf)\n"
        "\\ No newline at end of file\n"
    )
    assert err == "paperlint: would fix 3 problem(s) in 1 file(s)\n"


def test_a_file_that_is_not_utf8_is_never_written(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "- [Googleâ€™s](https://example.org/a.pdf) café\n".encode() + b"- caf\xe9\n"
    target = workdir / "list.md"
    target.write_bytes(data)
    code, out, err = run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    assert target.read_bytes() == data
    assert code == 1
    assert "PL403" in out and "PL401" in out
    assert err == ""


def test_a_read_only_file_is_not_fixed_but_can_be_diffed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "list.md"
    target.write_bytes(BOM_CRLF)
    (workdir / "link.md").symlink_to(target)
    writable = workdir / "other.md"
    writable.write_bytes("- Googleâ€™s\n".encode())
    target.chmod(0o444)  # the tests run as root, who could write it: the mode bits decide
    args = ["check", "--offline", "--isolated", "--no-color", "--fix"]
    code, out, err = run([*args, "list.md", "link.md", "other.md"], capsys)
    assert target.read_bytes() == BOM_CRLF
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert (workdir / "link.md").is_symlink()
    assert writable.read_bytes() == "- Google’s\n".encode()  # the other file is fixed
    assert code == 1
    assert out.startswith("link.md:3:3: PL106 [warning] anchor #Papers matches #papers")
    assert err == (
        "paperlint: fixed 1 problem(s) in 1 file(s)\n"
        "paperlint: warning: link.md: read-only (mode 444), not fixed\n"
        "paperlint: warning: list.md: read-only (mode 444), not fixed\n"
    )
    # --diff writes nothing, so it still shows what --fix would do once the file is writable.
    code, out, _ = run(["check", "--offline", "--isolated", "--diff", "list.md"], capsys)
    assert code == 1
    assert out.startswith("--- list.md\n+++ list.md\n")


def test_fix_goes_through_a_symlink_and_keeps_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = workdir / "real.md"
    real.write_bytes("- Googleâ€™s\n".encode())
    (workdir / "link.md").symlink_to(real)
    run(["check", "--offline", "--isolated", "--fix", "link.md"], capsys)
    assert (workdir / "link.md").is_symlink()
    assert real.read_bytes() == "- Google’s\n".encode()


def test_standard_input_is_never_written_but_can_be_diffed(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = "- Googleâ€™s\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(["check", "--offline", "--isolated", "--fix", "-"], capsys)
    assert (code, err) == (1, "")
    assert out.startswith('-:1:3: PL401 [error] mojibake "Googleâ€™s"')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(["check", "--offline", "--isolated", "--diff", "-"], capsys)
    assert (code, out) == (1, "--- -\n+++ -\n@@ -1 +1 @@\n-- Googleâ€™s\n+- Google’s\n")


def test_a_file_changed_during_the_check_is_not_overwritten(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = workdir / "list.md"
    target.write_bytes("- Googleâ€™s\n".encode())
    real_plan = linter.fix.plan_fixes

    def plan_then_edit(report: Report, *, titles: bool = False) -> list[linter.fix.FileFix]:
        plans = real_plan(report, titles=titles)
        target.write_bytes(b"- someone else's edit\n")
        return plans

    monkeypatch.setattr(linter.workflow, "plan_fixes", plan_then_edit)
    code, _, err = run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    assert target.read_bytes() == b"- someone else's edit\n"
    assert code == 2
    assert err == "paperlint: error: list.md: changed while being checked, not fixed\n"


def test_fix_titles_is_gated_and_needs_fix_or_diff(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["check", "--offline", "--fix-titles", "x.md"], capsys) == (
        2,
        "",
        "paperlint: error: --fix-titles only works with --fix or --diff\n",
    )
    target = workdir / "list.md"
    target.write_bytes("- Googleâ€™s\n".encode())
    # No rule yields title edits yet; pretend mojibake repairs were unsafe to test the gate.
    safe_edit = linter.rules.encoding._edit
    monkeypatch.setattr(
        linter.rules.encoding,
        "_edit",
        lambda *args: replace(safe_edit(*args), level=FixLevel.UNSAFE),
    )
    assert run(["check", "--offline", "--isolated", "--diff", "list.md"], capsys)[0] == 0
    run(["check", "--offline", "--isolated", "--fix", "list.md"], capsys)
    assert target.read_bytes() == "- Googleâ€™s\n".encode()
    run(["check", "--offline", "--isolated", "--fix", "--fix-titles", "list.md"], capsys)
    assert target.read_bytes() == "- Google’s\n".encode()


def test_diff_refuses_report_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", "--diff", "--format", "json", "x.md"], capsys) == (
        2,
        "",
        "paperlint: error: --diff prints a diff instead of a report; drop --format, --output and"
        " --write-baseline\n",
    )


# --------------------------------------------------------------------------------------------------
# Network findings after a fix


def test_after_fix_keeps_link_findings_at_their_new_place() -> None:
    repair = Edit(1, 3, 1, 12, "Google’s")
    mojibake = Finding("a.md", 1, 3, "PL401", "mojibake", Severity.ERROR, "m", edit=repair)
    broken = Finding("a.md", 1, 20, "PL101", "link-broken", Severity.ERROR, "link broken: HTTP 404",
                     url="http://127.0.0.1:9/x")  # fmt: skip
    moved = Finding("a.md", 1, 30, "PL103", "link-redirected", Severity.WARNING, "redirected",
                    edit=Edit(1, 31, 1, 40, "http://y"))  # fmt: skip
    other = Finding("b.md", 1, 20, "PL101", "link-broken", Severity.ERROR, "link broken: HTTP 404")
    first = Report([mojibake, broken, moved, other], Summary(2, 2, 3, 4, 3, 1))
    plan = linter.fix.FileFix("a.md", Path("a.md"), b"", b"x", (repair,), (mojibake,), ())
    remaining_offline = Finding("a.md", 2, 1, "PL104", "url-invalid", Severity.ERROR, "bad")
    recheck = Report([remaining_offline], Summary(2, 2, 3, 1, 1, 0))
    merged = after_fix(first, recheck, [plan])
    assert [(f.path, f.line, f.column, f.rule) for f in merged.findings] == [
        ("a.md", 1, 19, "PL101"),
        ("a.md", 1, 29, "PL103"),
        ("a.md", 2, 1, "PL104"),
        ("b.md", 1, 20, "PL101"),
    ]
    assert merged.findings[1].edit == Edit(1, 30, 1, 39, "http://y")
    assert (merged.summary.findings, merged.summary.errors, merged.summary.warnings) == (4, 3, 1)


class _Redirects(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
        else:
            self.send_response(200 if self.path == "/new" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirect_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirects)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fix_rewrites_a_permanent_redirect_keeping_the_fragment(
    workdir: Path, capsys: pytest.CaptureFixture[str], redirect_server: str
) -> None:
    target = workdir / "list.md"
    target.write_bytes(
        f"- Googleâ€™s [paper]({redirect_server}/old#sec-2) and [gone]({redirect_server}/gone)\n"
        .encode()
    )  # fmt: skip
    args = ["check", "--isolated", "--allow-private", "--no-cache", "--retries", "0", "--fix"]
    code, out, err = run([*args, "list.md"], capsys)
    assert target.read_bytes() == (
        f"- Google’s [paper]({redirect_server}/new#sec-2) and [gone]({redirect_server}/gone)\n"
        .encode()
    )  # fmt: skip
    assert code == 1
    column = len(f"- Google’s [paper]({redirect_server}/new#sec-2) and ") + 1
    assert out.splitlines()[0].startswith(f"list.md:1:{column}: PL101 [error] link broken")
    assert err == "paperlint: fixed 2 problem(s) in 1 file(s)\n"
    assert os.listdir(workdir) == ["list.md"]
