"""`paperlint check` end to end against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linter.cli import main


async def start_site(aiohttp_server: Any) -> tuple[Any, Counter[str]]:
    hits: Counter[str] = Counter()

    async def handle(request: web.Request) -> web.StreamResponse:
        hits[f"{request.method} {request.path}"] += 1
        if request.path == "/ok":
            return web.Response(text="fine")
        if request.path == "/gone":
            return web.Response(status=410)
        if request.path == "/old":
            raise web.HTTPMovedPermanently(location="/new")
        if request.path == "/new":
            return web.Response(text="moved here")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = await aiohttp_server(app)
    return server, hits


def write_list(folder: Path, base: str) -> Path:
    first = folder / "a.md"
    first.write_text(
        f"# A\n\n- [Alive]({base}/ok)\n- [Gone]({base}/gone)\n- [Moved]({base}/old#results)\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        f"See [alive]({base}/ok) and [gone]({base}/gone#x).\n", encoding="utf-8"
    )
    return first


async def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    def invoke() -> int:
        try:
            main(list(args))
        except SystemExit as done:
            return int(done.code or 0)
        return 0

    code = await asyncio.to_thread(invoke)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_each_unique_url_is_fetched_once_and_every_place_reported(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hits = await start_site(aiohttp_server)
    base = f"http://127.0.0.1:{server.port}"
    write_list(tmp_path, base)
    gone_column = 1 + (tmp_path / "b.md").read_text(encoding="utf-8").index("[gone]")
    monkeypatch.chdir(tmp_path)
    code, out, err = await run_cli(
        capsys,
        "check",
        "--allow-private",
        "--no-cache",
        "--select",
        "PL1",
        "--no-color",
        "a.md",
        "b.md",
    )
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        "a.md:4:3: PL101 [error] link broken: 410 Gone",
        f"a.md:5:3: PL103 [warning] link redirected permanently to {base}/new",
        f"b.md:1:{gone_column}: PL101 [error] link broken: 410 Gone",
        "Found 3 problems (2 errors, 1 warning) in 2 files.",
        "1 fixable with `paperlint check --fix`.",
    ]
    # HEAD first; one request per unique URL however often it appears (the 410 is confirmed by GET).
    assert hits == Counter(
        {"HEAD /ok": 1, "HEAD /gone": 1, "GET /gone": 1, "HEAD /old": 1, "HEAD /new": 1}
    )


async def test_json_carries_status_outcome_and_the_fix_keeps_the_fragment(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = await start_site(aiohttp_server)
    base = f"http://127.0.0.1:{server.port}"
    write_list(tmp_path, base)
    monkeypatch.chdir(tmp_path)
    code, out, _ = await run_cli(
        capsys,
        "check",
        "--allow-private",
        "--no-cache",
        "--select",
        "PL103",
        "--format",
        "json",
        "a.md",
    )
    assert code == 0
    (finding,) = json.loads(out)["findings"]
    assert finding["status"] == 301
    assert finding["outcome"] == "redirected"
    assert finding["fix"] == f"{base}/new#results"
    code, _, _ = await run_cli(
        capsys, "check", "--allow-private", "--no-cache", "--select", "PL103", "--fix", "a.md"
    )
    assert f"[Moved]({base}/new#results)" in (tmp_path / "a.md").read_text(encoding="utf-8")


async def test_private_addresses_are_skipped_without_allow_private(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hits = await start_site(aiohttp_server)
    write_list(tmp_path, f"http://127.0.0.1:{server.port}")
    monkeypatch.chdir(tmp_path)
    code, out, _ = await run_cli(capsys, "check", "--no-cache", "--select", "PL1", "-q", "a.md")
    assert code == 0
    assert hits == Counter()
    assert out.splitlines()[0].startswith("a.md:3:3: PL108 [info] ")


async def test_short_ipv4_spellings_are_skipped_too_and_checked_when_allowed(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hits = await start_site(aiohttp_server)
    (tmp_path / "a.md").write_text(
        f"- [a](http://127.1:{server.port}/ok)\n- [b](http://2130706433:{server.port}/ok)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = await run_cli(capsys, "check", "--no-cache", "--no-color", "a.md")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "a.md:1:3: PL108 [info] link skipped: private address 127.0.0.1",
        "a.md:2:3: PL108 [info] link skipped: private address 127.0.0.1",
        "Found 2 problems (0 errors, 0 warnings, 2 notes) in 1 file.",
    ]
    assert hits == Counter()
    code, out, err = await run_cli(capsys, "check", "--no-cache", "--allow-private", "a.md")
    assert (code, out, err) == (0, "No problems found in 1 file (2 entries, 2 links).\n", "")
    assert hits == Counter({"HEAD /ok": 2})  # sent, to 127.0.0.1: aiohttp refuses 127.1 itself


async def test_warm_cache_sends_no_request(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hits = await start_site(aiohttp_server)
    base = f"http://127.0.0.1:{server.port}"
    (tmp_path / "ok.md").write_text(f"- [Alive]({base}/ok)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ("check", "--allow-private", "--cache", str(tmp_path / "links.db"), "ok.md")
    assert (await run_cli(capsys, *args))[0] == 0
    assert hits == Counter({"HEAD /ok": 1})
    assert (await run_cli(capsys, *args))[0] == 0
    assert hits == Counter({"HEAD /ok": 1})


# -- --grace: the failure history across scheduled runs, on a clock the test controls ------------

T = 1_796_018_400.0  # Monday 2026-11-30, 06:00 UTC
DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = T

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from linter.net import history

    controlled = Clock()
    monkeypatch.setattr(history, "clock", controlled)
    return controlled


def project_site() -> web.Application:
    async def fine(request: web.Request) -> web.StreamResponse:
        return web.Response(text="fine")

    app = web.Application()
    app.router.add_get("/project", fine)
    return app


async def test_a_host_down_for_one_weekly_run_is_a_warning_with_grace(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
) -> None:
    """The scheduled workflow's case: one host is down during one run, then back."""
    steady, _ = await start_site(aiohttp_server)
    flaky = await aiohttp_server(project_site())
    port = flaky.port
    (tmp_path / "list.md").write_text(
        f"- [Paper](http://127.0.0.1:{steady.port}/ok)\n"
        f"- [Project](http://127.0.0.1:{port}/project)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    args = ("check", "--allow-private", "--no-color", "--cache", "links.db", "--grace", "3d")

    assert await run_cli(capsys, *args, "list.md") == (
        0, "No problems found in 1 file (2 entries, 2 links).\n", ""
    )  # fmt: skip

    await flaky.close()
    clock.now = T + 7 * DAY
    code, out, err = await run_cli(capsys, *args, "list.md")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "list.md:2:3: PL110 [warning] link failing since 2026-12-07, broken after 3d: "
        "connection refused",
        "Found 1 problem (0 errors, 1 warning) in 1 file.",
    ]
    code, out, _ = await run_cli(capsys, *args, "--format", "json", "list.md")
    (finding,) = json.loads(out)["findings"]
    assert {key: finding[key] for key in ("rule", "name", "severity", "status", "outcome")} == {
        "rule": "PL110",
        "name": "link-failing",
        "severity": "warning",
        "status": None,
        "outcome": "unreachable",
    }
    assert finding["failing_since"] == "2026-12-07T06:00:00Z"

    await aiohttp_server(project_site(), port=port)  # back for the next week's run
    clock.now = T + 14 * DAY
    assert await run_cli(capsys, *args, "list.md") == (
        0, "No problems found in 1 file (2 entries, 2 links).\n", ""
    )  # fmt: skip


async def test_grace_inside_and_past_the_period_and_a_link_never_alive(
    aiohttp_server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
) -> None:
    status = [200]

    async def paper(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status[0], text="body")

    app = web.Application()
    app.router.add_route("*", "/paper", paper)
    server = await aiohttp_server(app)
    base = f"http://127.0.0.1:{server.port}"
    (tmp_path / "list.md").write_text(
        f"- [Paper]({base}/paper)\n- [Never]({base}/never)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    # Results reused for an hour only: the runs, days apart, check every link again.
    args = ("check", "--allow-private", "--no-color", "--cache", "links.db", "--max-cache-age",
            "1h", "--grace", "3d", "list.md")  # fmt: skip
    never = "list.md:2:3: PL101 [error] link broken: 404 Not Found"

    code, out, _ = await run_cli(capsys, *args)
    assert (code, out.splitlines()[:-1]) == (1, [never])  # never seen alive: broken at once

    status[0] = 404
    clock.now = T + DAY
    code, out, _ = await run_cli(capsys, *args)
    assert (code, out.splitlines()[:-1]) == (1, [
        "list.md:1:3: PL110 [warning] link failing since 2026-12-01, broken after 3d: "
        "404 Not Found",
        never,
    ])  # fmt: skip

    clock.now = T + 5 * DAY
    code, out, _ = await run_cli(capsys, *args)
    assert (code, out.splitlines()[:-1]) == (1, [
        "list.md:1:3: PL101 [error] link broken: 404 Not Found",
        never,
    ])  # fmt: skip
    code, out, _ = await run_cli(capsys, *args, "--format", "json")
    assert [(item["rule"], item["failing_since"]) for item in json.loads(out)["findings"]] == [
        ("PL101", "2026-12-01T06:00:00Z"),
        ("PL101", None),
    ]

    # Without --grace the same history changes nothing.
    code, out, _ = await run_cli(capsys, *args[:-3], "list.md")
    assert out.splitlines()[0] == "list.md:1:3: PL101 [error] link broken: 404 Not Found"


async def test_a_bad_grace_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "list.md").write_text("- [Paper](https://example.org/)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert await run_cli(capsys, "check", "--grace", "3x", "list.md") == (
        2,
        "",
        "paperlint: error: command line: 'grace' must be a duration such as 3600, 30m, 12h or 1d\n",
    )
