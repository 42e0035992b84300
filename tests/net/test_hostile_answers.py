"""The link checker against servers that answer, but badly: garbage status lines, unusable
Retry-After values, encodings it cannot decode, non-UTF-8 redirect targets (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linter.net import body, guard
from linter.net.cache import LinkCache
from linter.net.checker import check_urls
from linter.net.results import LinkResult, LinkStatus
from tests.net.conftest import Site, Tls, settings

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


async def check_one(url: str, **changes: Any) -> LinkResult:
    return (await check_urls([url], settings(**changes)))[url]


def raw_server(reply: Callable[[str, str], bytes]) -> contextlib.AbstractAsyncContextManager[str]:
    return raw_server_on("127.0.0.1", reply)


@contextlib.asynccontextmanager
async def raw_server_on(address: str, reply: Callable[[str, str], bytes]) -> AsyncIterator[str]:
    """A keep-alive HTTP server that writes ``reply(method, path)`` verbatim; yields its base URL."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                writer.write(reply(method, path))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, address, 0)
    host = f"[{address}]" if ":" in address else address
    async with server:
        yield f"http://{host}:{server.sockets[0].getsockname()[1]}"


# -- status lines --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["head", "get"])
async def test_status_000_is_an_invalid_response_not_a_broken_link(method: str) -> None:
    async with raw_server(
        lambda m, p: b"HTTP/1.1 000 Nothing\r\nContent-Length: 0\r\n\r\n"
    ) as base:
        result = await check_one(f"{base}/x", method=method, retries=0)
    assert (result.outcome, result.status, result.reason) == (
        LinkStatus.UNREACHABLE,
        None,
        "invalid HTTP response",
    )


# -- Retry-After ---------------------------------------------------------------------------------


def limited_once(value: str) -> Any:
    """429 with the given Retry-After, then 200."""
    answers = [429]

    async def handler(request: web.Request) -> web.StreamResponse:
        if answers:
            answers.pop()
            return web.Response(status=429, headers={"Retry-After": value})
        return web.Response(text="fine")

    return handler


@pytest.mark.parametrize(
    "value",
    [
        "Wed, 21 Oct 99999999999 07:28:00 GMT",  # a year past datetime's range: OverflowError
        "²",  # str.isdigit() says yes, float() says no
    ],
)
async def test_unusable_retry_after_falls_back_to_backoff(site: Site, value: str) -> None:
    site.routes["/limited"] = limited_once(value)
    result = await check_one(site.url("/limited"))
    assert (result.outcome, result.status, result.requests) == (LinkStatus.OK, 200, 2)


async def test_retry_after_in_the_past_retries_at_once(site: Site) -> None:
    site.routes["/limited"] = limited_once("Mon, 01 Jan 0001 00:00:00 GMT")
    result = await check_one(site.url("/limited"))
    assert (result.outcome, result.requests) == (LinkStatus.OK, 2)


# -- content encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["head", "get"])
@pytest.mark.parametrize("encoding", ["br", "zstd"])
async def test_an_encoding_that_cannot_be_decoded_does_not_hide_the_status(
    site: Site, method: str, encoding: str
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        # Sent although the request never offered it, as some static hosts do.
        return web.Response(body=b"\x1b\x03\x00compressed", headers={"Content-Encoding": encoding})

    site.routes["/page"] = handler
    result = await check_one(site.url("/page"), method=method)
    assert (result.outcome, result.status, result.requests) == (LinkStatus.OK, 200, 1)
    assert site.seen[0].headers["Accept-Encoding"] == "gzip, deflate"


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


CHALLENGE = b"<html><title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/x>"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", raw_deflate)],
)
async def test_a_compressed_challenge_page_is_recognised(
    site: Site, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Encoding": encoding, "Server": "cloudflare"}
        return web.Response(status=403, body=encode(CHALLENGE), headers=headers)

    site.routes["/paper"] = handler
    result = await check_one(site.url("/paper"))
    assert result.outcome is LinkStatus.BLOCKED
    assert result.reason == "blocked by bot protection (403 Forbidden, challenge page)"


async def test_a_compressed_body_is_read_and_decoded_within_the_bound(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body, "MAX_BODY_BYTES", 1000)
    # 2 MB of zeros, then the marker: beyond the decoded bound, so never seen.
    bomb = gzip.compress(b"\0" * 2_000_000 + CHALLENGE)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=403, body=bomb, headers={"Content-Encoding": "gzip"})

    site.routes["/bomb"] = handler
    result = await check_one(site.url("/bomb"), method="get")
    assert (result.outcome, result.reason) == (LinkStatus.BROKEN, "403 Forbidden")
    assert 0 < result.bytes_read <= 1000


async def test_a_corrupt_gzip_body_keeps_the_status(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=403, body=b"not gzip at all", headers={"Content-Encoding": "gzip"}
        )

    site.routes["/x"] = handler
    result = await check_one(site.url("/x"), method="get")
    assert (result.outcome, result.reason) == (LinkStatus.BROKEN, "403 Forbidden")


# -- redirect targets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "path"),
    [
        (b"/caf\xe9.pdf", "/caf%E9.pdf"),  # Latin-1: percent-encoded byte for byte, as browsers do
        ("/café.pdf".encode(), "/caf%C3%A9.pdf"),  # UTF-8
    ],
)
async def test_a_non_ascii_location_keeps_every_byte(location: bytes, path: str) -> None:
    def reply(method: str, requested: str) -> bytes:
        if requested == "/old":
            return b"HTTP/1.1 301 Moved\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"
        return OK if requested == path else NOT_FOUND

    async with raw_server(reply) as base:
        result = await check_one(f"{base}/old")
    assert (result.outcome, result.final_url) == (LinkStatus.REDIRECTED, base + path)


# -- the cache -----------------------------------------------------------------------------------


async def test_only_lasting_outcomes_reach_the_cache(site: Site, tmp_path: Path) -> None:
    async def reset(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()
        return web.Response()

    async def hang(request: web.Request) -> web.StreamResponse:
        await site.hang()
        return web.Response()

    async def ok(request: web.Request) -> web.StreamResponse:
        return web.Response(text="fine")

    async def moved(request: web.Request) -> web.StreamResponse:
        return web.Response(status=301, headers={"Location": "/ok"})

    async def wall(request: web.Request) -> web.StreamResponse:
        return web.Response(status=403, headers={"cf-mitigated": "challenge"})

    site.routes.update({"/ok": ok, "/moved": moved, "/reset": reset, "/hang": hang, "/wall": wall})
    site.routes["/limited"] = lambda request: _status(429)
    site.routes["/busy"] = lambda request: _status(503)
    paths = ["/ok", "/moved", "/reset", "/hang", "/wall", "/limited", "/busy", "/gone"]
    urls = [site.url(path, "a.test" if path == "/hang" else "127.0.0.1") for path in paths]
    path = tmp_path / "links.sqlite"
    config = settings(
        cache_path=path, timeout=0.3, retries=1, resolve={"a.test": "127.0.0.1"}, method="get"
    )
    results = await check_urls(urls, config)
    assert [results[url].outcome for url in urls] == [
        LinkStatus.OK,
        LinkStatus.REDIRECTED,
        LinkStatus.UNREACHABLE,
        LinkStatus.TIMEOUT,
        LinkStatus.BLOCKED,
        LinkStatus.RATE_LIMITED,
        LinkStatus.BROKEN,
        LinkStatus.BROKEN,
    ]
    with LinkCache(path) as cache:
        assert sorted(cache.get_many(urls)) == sorted(urls[:2])


async def _status(status: int) -> web.StreamResponse:
    return web.Response(status=status)


async def test_a_redirect_loop_with_a_changing_query_stops_after_ten_hops(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        step = int(request.query.get("n", "0"))
        return web.Response(status=301, headers={"Location": f"/loop?n={step + 1}"})

    site.routes["/loop"] = handler
    result = await check_one(site.url("/loop"))
    assert (result.outcome, result.status, result.reason, result.requests) == (
        LinkStatus.BROKEN,
        301,
        "too many redirects (more than 10)",
        11,
    )


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("//inner.test:{port}/secret", "127.0.0.2"),  # protocol-relative, name mapped
        ("http://127.0.0.2.:{port}/secret", "127.0.0.2"),
        ("http://[::ffff:127.0.0.2]:{port}/secret", "::ffff:7f00:2"),
        ("http://0.0.0.0:{port}/secret", "0.0.0.0"),
        ("http://[::1]:{port}/secret", "::1"),
        ("http://user:pw@127.0.0.2:{port}/secret", "127.0.0.2"),
    ],
)
async def test_a_public_page_cannot_redirect_into_a_private_address(
    site: Site, monkeypatch: pytest.MonkeyPatch, target: str, address: str
) -> None:
    # Pretend 127.0.0.1 is a public address; every other address stays private.
    real = guard.blocked_address
    monkeypatch.setattr(guard, "blocked_address", lambda a: a != "127.0.0.1" and real(a))
    location = target.format(port=site.port)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": location})

    site.routes["/public"] = handler
    site.routes["/secret"] = _ok
    result = await check_one(
        site.url("/public"), allow_private=False, resolve={"inner.test": "127.0.0.2"}
    )
    assert (result.outcome, result.reason) == (LinkStatus.SKIPPED, f"private address {address}")
    assert site.count("/secret") == 0


async def _ok(request: web.Request) -> web.StreamResponse:
    return web.Response(text="fine")


# -- TLS and IPv6 --------------------------------------------------------------------------------


async def test_https_url_to_a_plain_http_port_is_a_tls_error(site: Site) -> None:
    site.routes["/x"] = _ok
    result = await check_one(site.url("/x", scheme="https"))
    assert result.outcome is LinkStatus.UNREACHABLE
    assert result.reason.startswith("TLS error: ")
    assert site.count() == 0


async def test_http_url_to_a_tls_port_is_unreachable(aiohttp_server: Any, tls: Tls) -> None:
    site = Site()
    site.routes["/x"] = _ok
    server = await aiohttp_server(site.app(), ssl=tls.server_context())
    result = await check_one(f"http://127.0.0.1:{server.port}/x", retries=1)
    assert (result.outcome, result.status) == (LinkStatus.UNREACHABLE, None)
    assert site.count() == 0


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")
async def test_ipv6_literal_url() -> None:
    async with raw_server_on("::1", lambda m, p: OK) as base:
        result = await check_one(f"{base}/paper")
    assert (result.outcome, result.status) == (LinkStatus.OK, 200)
