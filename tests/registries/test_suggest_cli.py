"""``paperlint check --suggest`` end to end: dead links served by a site on 127.0.0.1, their archived
copies by a Wayback-shaped server on 127.0.0.1; the report and the fixed file byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.registries import wayback
from tests.registries.archive import Archive, start_archive
from tests.test_check_network import run_cli, start_site

LIST = """# Reading list

- [Gone paper]({base}/gone#results), [code]({base}/lost)
- <{base}/gone>
- [Alive]({base}/ok)
- [Publisher page]({base}/doi/10.1145/3290605.3300233)
"""
OLD, NEW = "20190505120000", "20230101000000"


async def setup(
    aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Archive, Path]:
    monkeypatch.setattr(wayback, "INTERVAL", 0.0)
    monkeypatch.chdir(tmp_path)
    server, _ = await start_site(aiohttp_server)  # /ok answers, /gone is 410, the rest 404
    base = f"http://127.0.0.1:{server.port}"
    archive = await start_archive(aiohttp_server)
    # The newest capture is the dead page's own 410: the copy to offer is the older good one.
    archive.captures[f"{base}/gone"] = [(OLD, "200"), (NEW, "410")]
    archive.captures[f"{base}/doi/10.1145/3290605.3300233"] = [(OLD, "200")]
    path = tmp_path / "list.md"
    path.write_text(LIST.format(base=base), encoding="utf-8")
    return base, archive, path


def check_args(archive: Archive, *more: str) -> tuple[str, ...]:
    # --no-metadata: the DOI link must not send its DOI to the real Crossref API.
    return (
        "check",
        "--suggest",
        "--archive-api",
        archive.api,
        "--allow-private",
        "--no-cache",
        "--no-metadata",
        "--no-color",
        *more,
    )


async def test_suggest_reports_the_archived_copy_of_each_dead_link(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, archive, _ = await setup(aiohttp_server, tmp_path, monkeypatch)
    snapshot = archive.snapshot(OLD, f"{base}/gone")
    code, out, err = await run_cli(capsys, *check_args(archive, "list.md"))
    assert (code, err) == (1, "")
    code_column = 1 + LIST.format(base=base).splitlines()[2].index("[code]")
    assert out == (
        f"list.md:3:3: PL101 [error] link broken: 410 Gone; archived copy: {snapshot}\n"
        f"list.md:3:{code_column}: PL101 [error] link broken: 404 Not Found\n"
        f"list.md:4:3: PL101 [error] link broken: 410 Gone; archived copy: {snapshot}\n"
        "list.md:6:3: PL101 [error] link broken: 404 Not Found\n"
        "Found 4 problems (4 errors, 0 warnings) in 1 file.\n"
        "1 fixable with `paperlint check --fix --suggest`.\n"
    )
    # One question per dead page, in a stable order; never about the DOI link or the live one.
    assert archive.asked == [f"{base}/gone", f"{base}/lost"]
    assert archive.peak == 1


async def test_suggest_json_and_sarif_carry_the_fix(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, archive, _ = await setup(aiohttp_server, tmp_path, monkeypatch)
    snapshot = archive.snapshot(OLD, f"{base}/gone")
    code, out, _ = await run_cli(capsys, *check_args(archive, "--format", "json", "list.md"))
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [(item["line"], item["url"], item["fix"]) for item in findings] == [
        (3, f"{base}/gone#results", f"{snapshot}#results"),  # the link's own fragment kept
        (3, f"{base}/lost", None),
        (4, f"{base}/gone", snapshot),
        (6, f"{base}/doi/10.1145/3290605.3300233", None),
    ]
    code, out, _ = await run_cli(capsys, *check_args(archive, "--format", "sarif", "list.md"))
    results = json.loads(out)["runs"][0]["results"]
    fixes = [result.get("fixes") for result in results]
    # Only the link with text of its own gets an edit; the autolink's text is its URL.
    assert fixes[1:] == [None, None, None]
    (fix,) = fixes[0]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    target = f"{base}/gone#results"
    start = 1 + LIST.format(base=base).splitlines()[2].index(target)
    assert replacement == {
        "deletedRegion": {
            "startLine": 3,
            "startColumn": start,
            "endLine": 3,
            "endColumn": start + len(target),
        },
        "insertedContent": {"text": f"{snapshot}#results"},
    }
    assert [result["properties"].get("fix") for result in results] == [
        f"{snapshot}#results",
        None,
        snapshot,
        None,
    ]


async def test_fix_suggest_puts_the_archived_copy_in_place_of_the_dead_url(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, archive, path = await setup(aiohttp_server, tmp_path, monkeypatch)
    snapshot = archive.snapshot(OLD, f"{base}/gone")
    code, out, err = await run_cli(capsys, *check_args(archive, "--fix", "list.md"))
    assert err == "paperlint: fixed 1 problem(s) in 1 file(s)\n"
    assert (
        path.read_bytes()
        == (
            "# Reading list\n"
            "\n"
            f"- [Gone paper]({snapshot}#results), [code]({base}/lost)\n"
            f"- <{base}/gone>\n"
            f"- [Alive]({base}/ok)\n"
            f"- [Publisher page]({base}/doi/10.1145/3290605.3300233)\n"
        ).encode()
    )
    code_column = 1 + path.read_text(encoding="utf-8").splitlines()[2].index("[code]")
    assert code == 1
    assert out == (
        f"list.md:3:{code_column}: PL101 [error] link broken: 404 Not Found\n"
        f"list.md:4:3: PL101 [error] link broken: 410 Gone; archived copy: {snapshot}\n"
        "list.md:6:3: PL101 [error] link broken: 404 Not Found\n"
        "Found 3 problems (3 errors, 0 warnings) in 1 file.\n"
    )


async def test_without_suggest_the_archive_is_never_asked(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, archive, path = await setup(aiohttp_server, tmp_path, monkeypatch)
    before = path.read_bytes()
    args = [arg for arg in check_args(archive, "--fix", "list.md") if arg != "--suggest"]
    code, out, _ = await run_cli(capsys, *args)
    assert code == 1
    assert "archived copy" not in out
    assert path.read_bytes() == before
    assert archive.asked == []


async def test_suggest_from_the_configuration_file(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, archive, _ = await setup(aiohttp_server, tmp_path, monkeypatch)
    (tmp_path / ".paperlint.toml").write_text(
        f'suggest = true\narchive-api = "{archive.api}"\nallow-private = true\nmetadata = false\n',
        encoding="utf-8",
    )
    code, out, _ = await run_cli(capsys, "check", "--no-cache", "-q", "list.md")
    assert code == 1
    assert out.count("; archived copy: ") == 2
    assert archive.asked == [f"{base}/gone", f"{base}/lost"]
