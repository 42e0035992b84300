"""A Wayback-shaped CDX server on 127.0.0.1: ``/cdx/search/cdx?url=URL&...`` answers from a table of
captures the way the real CDX API does (``output=json``, ``fl``, ``filter=statuscode:REGEX``,
negative ``limit`` for the newest rows), and records every request and the requests in flight."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CDX_PATH = "/cdx/search/cdx"
COLUMNS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass
class Archive:
    captures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # url: (ts, status)
    asked: list[str] = field(default_factory=list)  # the url parameter of every request
    queries: list[dict[str, str]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    status: int = 200  # what every answer's status is (a 503 to test failures)
    delay: float = 0.0  # seconds each answer takes, so that overlapping requests would show
    port: int = 0

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}{CDX_PATH}"

    def snapshot(self, timestamp: str, url: str) -> str:
        return f"http://127.0.0.1:{self.port}/web/{timestamp}/{url}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append(asyncio.get_running_loop().time())
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            query = dict(request.query)
            self.queries.append(query)
            url = query.get("url", "")
            self.asked.append(url)
            if self.status != 200:
                return web.Response(status=self.status)
            return web.json_response(cdx_rows(self.captures.get(url, []), url, query))
        finally:
            self.in_flight -= 1


def cdx_rows(captures: list[tuple[str, str]], url: str, query: dict[str, str]) -> list[Any]:
    rows = [
        dict(zip(COLUMNS, ("key", stamp, url, "text/html", status, "DIGEST", "1234"), strict=True))
        for stamp, status in sorted(captures)
    ]
    for spec in query.get("filter", "").split():
        name, _, pattern = spec.partition(":")
        rows = [row for row in rows if re.fullmatch(pattern, row[name])]
    limit = int(query.get("limit", "0") or 0)
    if limit < 0:
        rows = rows[limit:]
    elif limit > 0:
        rows = rows[:limit]
    if not rows:
        return []  # the real API sends no header row when nothing matches
    names = query["fl"].split(",") if "fl" in query else list(COLUMNS)
    return [names, *([row[name] for name in names] for row in rows)]


async def start_archive(aiohttp_server: Any, archive: Archive | None = None) -> Archive:
    archive = archive or Archive()
    app = web.Application()
    app.router.add_get(CDX_PATH, archive.handle)
    server = await aiohttp_server(app)
    archive.port = server.port
    return archive
