"""A recording test site on 127.0.0.1: handlers per path, request log, in-flight peaks."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linter.net.settings import CheckerSettings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    method: str
    host: str  # Host header without port
    path: str
    at: float  # loop time when the request arrived
    headers: dict[str, str]


@dataclass
class Site:
    """Routes by path; counts everything it receives."""

    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    total_in_flight: int = 0
    total_peak: int = 0
    port: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)  # ends hanging handlers

    async def hang(self) -> None:
        """What a server that never answers does, until the test ends."""
        await self.stop.wait()

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def count(self, path: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for seen in self.seen
            if (path is None or seen.path == path) and (method is None or seen.method == method)
        )

    def first_at(self, path: str) -> float:
        """When the first request for ``path`` arrived."""
        return next(seen.at for seen in self.seen if seen.path == path)

    def methods(self, path: str) -> list[str]:
        return [seen.method for seen in self.seen if seen.path == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        host = request.host.rsplit(":", 1)[0]
        loop = asyncio.get_running_loop()
        self.seen.append(
            Seen(request.method, host, request.path, loop.time(), dict(request.headers))
        )
        self.in_flight[host] += 1
        self.total_in_flight += 1
        self.peak[host] = max(self.peak[host], self.in_flight[host])
        self.total_peak = max(self.total_peak, self.total_in_flight)
        try:
            handler = self.routes.get(request.path)
            if handler is None:
                return web.Response(status=404, text="no such page")
            return await handler(request)
        finally:
            self.in_flight[host] -= 1
            self.total_in_flight -= 1

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app


@pytest.fixture
async def site(aiohttp_server: Any) -> AsyncIterator[Site]:
    site = Site()
    server = await aiohttp_server(site.app())
    site.port = server.port
    yield site
    site.stop.set()


def settings(**changes: Any) -> CheckerSettings:
    """Test defaults: private addresses allowed (everything is on 127.0.0.1), short timeouts,
    near-zero backoff."""
    values: dict[str, Any] = {
        "allow_private": True,
        "timeout": 2.0,
        "connect_timeout": 1.0,
        "backoff_base": 0.001,
        "retries": 2,
    }
    values.update(changes)
    return CheckerSettings(**values)


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


TLS_NAMES = ("github.com", "api.github.com", "gist.github.com", "example.org")


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    """A self-signed certificate for the names the tests map to 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    san = ",".join(f"DNS:{name}" for name in TLS_NAMES)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=github.com", "-addext", f"subjectAltName={san}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    yield Tls(cert, key)
