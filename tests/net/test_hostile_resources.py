"""The link checker's own resources under hostile conditions: name lookups that hang, many hosts
and few file descriptors, a hung port next to a healthy one, many URLs on one host (127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from linter.net.checker import check_urls, run_checks
from linter.net.results import LinkStatus
from tests.net.conftest import Site, settings


async def fine(request: web.Request) -> web.StreamResponse:
    return web.Response(text="fine")


# -- name lookups that hang ----------------------------------------------------------------------


@pytest.fixture
def hung_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """getaddrinfo blocks for names starting with "dead" (a name server that never answers)
    until the returned event is set; ``good.test`` is 127.0.0.1. No real lookup is ever made."""
    release = threading.Event()
    real = socket.getaddrinfo

    def fake(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        if str(host).startswith("dead"):
            release.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host != "good.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real("127.0.0.1", port, family, type, proto, 0)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield release
    release.set()


async def test_hung_lookups_do_not_starve_the_other_hosts(
    site: Site, hung_dns: threading.Event
) -> None:
    site.routes["/ok"] = fine
    # More hung lookups than aiohttp's default executor has threads (at most 32).
    urls = [f"http://dead{index}.test:{site.port}/" for index in range(40)]
    urls.append(site.url("/ok", "good.test"))
    try:
        results = await check_urls(urls, settings(timeout=0.5, connect_timeout=0.5))
    finally:
        hung_dns.set()
    assert results[urls[-1]].outcome is LinkStatus.OK
    assert {results[url].reason for url in urls[:-1]} == {"timed out after 0.5 s"}
    assert site.count() == 1


def test_a_hung_lookup_does_not_outlast_the_run(hung_dns: threading.Event) -> None:
    finished = threading.Event()

    def run() -> None:
        run_checks(["http://dead.test/"], settings(timeout=0.3, connect_timeout=0.3))
        finished.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        # The run ends at its timeout, not when the lookup gives up (nor is the process kept
        # alive by it: see test_hostile_cli).
        ended = finished.wait(2.0)
    finally:
        hung_dns.set()
        thread.join(5.0)
    assert ended


# -- file descriptors ----------------------------------------------------------------------------

# Run in a child process with a low file-descriptor limit: `headroom` descriptors beyond those
# open after the imports.
CHILD = """
import asyncio, json, os, resource, sys
from linter.net.checker import check_urls
from linter.net.settings import CheckerSettings
port, hosts, per_host, headroom, concurrency = map(int, sys.argv[1:])
names = [f"h{index}.test" for index in range(hosts)]
urls = [f"http://{name}:{port}/p{index}" for name in names for index in range(per_host)]
config = CheckerSettings(
    allow_private=True, resolve=dict.fromkeys(names, "127.0.0.1"),
    max_concurrency=concurrency, timeout=5.0,
)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + headroom, hard))
results = asyncio.run(check_urls(urls, config))
print(json.dumps(sorted({f"{r.outcome.value}: {r.reason}" for r in results.values()})))
"""

linux_only = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")


async def run_child(*args: int) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        *map(str, args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, err.decode()
    result: list[str] = json.loads(out)
    return result


@linux_only
async def test_many_hosts_do_not_run_out_of_file_descriptors(site: Site) -> None:
    for index in range(2):
        site.routes[f"/p{index}"] = fine
    # 60 hosts with 2 URLs each and 40 spare descriptors: one idle keep-alive connection per
    # host would need 60.
    outcomes = await run_child(site.port, 60, 2, 40, 8)
    assert outcomes == ["ok: 200 OK"]
    assert site.count() == 120


@linux_only
async def test_too_many_open_files_is_unverified_not_unreachable(site: Site) -> None:
    site.routes["/p0"] = fine
    # 30 requests at once and 12 spare descriptors: some cannot even get a socket.
    outcomes = await run_child(site.port, 30, 1, 12, 30)
    assert outcomes == ["ok: 200 OK", "unverified: could not check (too many open files)"]


async def test_a_host_with_nothing_left_to_check_is_asked_to_close(site: Site) -> None:
    for path in ("/a", "/b", "/c"):
        site.routes[path] = fine
    mapped = {"many.test": "127.0.0.1", "one.test": "127.0.0.1"}
    urls = [site.url(path, "many.test") for path in ("/a", "/b", "/c")]
    urls.append(site.url("/a", "one.test"))
    results = await check_urls(urls, settings(resolve=mapped, max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    connection = {(seen.host, seen.path): seen.headers.get("Connection") for seen in site.seen}
    assert connection == {
        ("many.test", "/a"): None,
        ("many.test", "/b"): None,
        ("many.test", "/c"): "close",
        ("one.test", "/a"): "close",
    }


# -- host memory ---------------------------------------------------------------------------------


async def test_a_hung_port_does_not_condemn_the_hosts_other_ports(site: Site) -> None:
    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await site.hang()
        writer.close()

    hung = await asyncio.start_server(never, "127.0.0.1", 0)
    port = hung.sockets[0].getsockname()[1]
    for index in range(3):
        site.routes[f"/paper{index}"] = fine
    demos = [f"http://uni.test:{port}/demo{index}" for index in range(4)]
    papers = [site.url(f"/paper{index}", "uni.test") for index in range(3)]
    try:
        results = await check_urls(
            demos + papers, settings(timeout=0.3, resolve={"uni.test": "127.0.0.1"})
        )
    finally:
        site.stop.set()
        hung.close()
    assert [results[url].outcome for url in demos] == [LinkStatus.TIMEOUT] * 4
    assert [results[url].outcome for url in papers] == [LinkStatus.OK] * 3
    assert site.count() == 3


# -- many URLs on one host -----------------------------------------------------------------------


async def test_many_urls_on_one_host_stay_within_the_limit_on_few_connections(site: Site) -> None:
    connections: set[int] = set()

    async def handler(request: web.Request) -> web.StreamResponse:
        connections.add(id(request.transport))
        await asyncio.sleep(0.002)
        return web.Response(text="fine")

    for index in range(400):
        site.routes[f"/p{index}"] = handler
    urls = [site.url(f"/p{index}") for index in range(400)]
    results = await check_urls(urls, settings(max_per_host=4))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert site.count() == 400
    assert site.peak["127.0.0.1"] == 4
    assert len(connections) == 4
