"""Loopback stand-ins for the registries' APIs, speaking their real formats: the arXiv API's Atom
feed (``/api/query``), Crossref's ``/works`` JSON and the DOI system's handle API
(``/api/handles/DOI``). Each logs what it received and when, so tests and the benchmark assert
on requests, parameters and pacing as the real service would see them.

They serve from pytest-aiohttp's ``aiohttp_server`` or, for the CLI and the benchmark, from a
thread of their own (:func:`serving`).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from aiohttp import web

_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_FEED_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?{query}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {title}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2026-12-03T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>
"""
_ENTRY = """  <entry>
    <id>http://arxiv.org/abs/{id}v{version}</id>
    <updated>2024-01-02T03:04:05Z</updated>
    <published>{published}T03:04:05Z</published>
    <title>{title}</title>
    <summary>  {summary}
</summary>
    <author>
      <name>A. Author</name>
    </author>
{comment}    <link href="http://arxiv.org/abs/{id}v{version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{id}v{version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""
_ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{id}</id>
    <title>Error</title>
    <summary>incorrect id format for {id}</summary>
    <updated>2026-12-03T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{id}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""


@dataclass
class Paper:
    title: str
    version: int = 1
    comment: str | None = None
    summary: str = "We study things and report findings."
    published: str = "2024-01-02"


@dataclass
class Request:
    at: float  # time.monotonic() when it arrived
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


def arrive(
    request: web.Request,
    requests: list[Request],
    failures: list[tuple[int, dict[str, str], str]] | None = None,
) -> tuple[dict[str, list[str]], web.Response | None]:
    """Logs ``request``; its query, and the next planned failure to answer with, if any."""
    query = parse_qs(request.query_string)
    requests.append(Request(time.monotonic(), request.path, query, dict(request.headers)))
    if failures:
        status, headers, body = failures.pop(0)
        return query, web.Response(status=status, headers=headers, text=body)
    return query, None


def _wrap(title: str, width: int = 50) -> str:
    """Breaks a title over lines as the arXiv API does (newline and two spaces)."""
    lines: list[str] = []
    current = ""
    for word in title.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n  ".join(lines)


@dataclass
class FakeArxiv:
    """``/api/query?id_list=...&max_results=N`` as arXiv answers it.

    ``max_results`` left out means 10, as on arXiv; ``cap`` truncates every answer (a server
    that ignores ``max_results``). ``failures`` are answered first, one per request: (status,
    headers, body). IDs in the wrong format get arXiv's ``Error`` entry and nothing else."""

    papers: dict[str, Paper] = field(default_factory=dict)
    shuffle: bool = False
    wrap: bool = False
    cap: int | None = None
    failures: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    seed: int = 7

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/query", self.query)
        return app

    async def query(self, request: web.Request) -> web.StreamResponse:
        query, failure = arrive(request, self.requests, self.failures)
        if failure is not None:
            return failure
        ids = [item for item in ",".join(query.get("id_list", [""])).split(",") if item]
        max_results = int(query.get("max_results", ["10"])[0])
        title = escape(f"search_query=&id_list={','.join(ids)}&start=0&max_results={max_results}")
        bad = [item for item in ids if not _ID.match(item)]
        if bad:
            head = _FEED_HEAD.format(query="", title=title, total=1, per_page=1)
            body = head + _ERROR_ENTRY.format(id=escape(bad[0])) + "</feed>\n"
            return web.Response(status=400, text=body, content_type="application/atom+xml")
        limit = min(max_results, self.cap) if self.cap is not None else max_results
        # arXiv counts the IDs it does not know in totalResults, and sends no entry for them.
        found = [item for item in ids if re.sub(r"v\d+$", "", item) in self.papers]
        if self.shuffle:
            random.Random(self.seed).shuffle(found)
        shown = found[:limit]
        head = _FEED_HEAD.format(query="", title=title, total=len(ids), per_page=limit)
        entries = "".join(self.entry(re.sub(r"v\d+$", "", item)) for item in shown)
        return web.Response(text=head + entries + "</feed>\n", content_type="application/atom+xml")

    def entry(self, key: str) -> str:
        paper = self.papers[key]
        title = _wrap(paper.title) if self.wrap else paper.title
        comment = (
            '    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">'
            f"{escape(paper.comment)}</arxiv:comment>\n"
            if paper.comment
            else ""
        )
        return _ENTRY.format(
            id=key,
            version=paper.version,
            published=paper.published,
            title=escape(title),
            summary=escape(paper.summary),
            comment=comment,
        )


@dataclass
class Work:
    title: str
    subtitle: str | None = None
    retracted_by: str | None = None


@dataclass
class FakeCrossref:
    """Crossref's ``/works?filter=doi:A,doi:B&rows=N`` (``rows`` left out means 20) and the DOI
    system's ``/api/handles/DOI`` for DOIs registered elsewhere (``elsewhere``)."""

    works: dict[str, Work] = field(default_factory=dict)
    elsewhere: set[str] = field(default_factory=set)
    failures: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/works", self.list_works)
        app.router.add_get("/works/{doi:.+}", self.one_work)
        app.router.add_get("/api/handles/{doi:.+}", self.handle)
        return app

    async def list_works(self, request: web.Request) -> web.StreamResponse:
        query, failure = arrive(request, self.requests, self.failures)
        if failure is not None:
            return failure
        filters = ",".join(query.get("filter", [""]))
        dois = [part[4:].lower() for part in filters.split(",") if part.startswith("doi:")]
        rows = int(query.get("rows", ["20"])[0])
        items = [self.item(doi) for doi in dois if doi in self.works][:rows]
        message = {"total-results": len(items), "items": items, "items-per-page": rows}
        return web.json_response(
            {
                "status": "ok",
                "message-type": "work-list",
                "message-version": "1.0.0",
                "message": message,
            }
        )

    async def one_work(self, request: web.Request) -> web.StreamResponse:
        arrive(request, self.requests)
        doi = request.match_info["doi"].lower()
        if doi not in self.works:
            return web.Response(status=404, text="Resource not found.")
        return web.json_response(
            {"status": "ok", "message-type": "work", "message": self.item(doi)}
        )

    def item(self, doi: str) -> dict[str, Any]:
        work = self.works[doi]
        item: dict[str, Any] = {
            "DOI": doi.upper() if doi.startswith("10.1126") else doi,  # Crossref keeps the case
            "type": "journal-article",
            "title": [work.title],
            "URL": f"https://doi.org/{doi}",
        }
        if work.subtitle:
            item["subtitle"] = [work.subtitle]
        if work.retracted_by:
            item["updated-by"] = [
                {
                    "DOI": work.retracted_by,
                    "type": "retraction",
                    "label": "Retraction",
                    "source": "publisher",
                }
            ]
        return item

    async def handle(self, request: web.Request) -> web.StreamResponse:
        arrive(request, self.requests)
        doi = request.match_info["doi"].lower()
        if doi in self.elsewhere:
            values = [
                {
                    "index": 1,
                    "type": "URL",
                    "data": {"format": "string", "value": "https://example.org/"},
                }
            ]
            return web.json_response({"responseCode": 1, "handle": doi, "values": values})
        return web.json_response({"responseCode": 100, "handle": doi}, status=404)


@contextlib.contextmanager
def serving(app: web.Application, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serves ``app`` on 127.0.0.1 (over TLS with ``tls``) from a thread of its own; yields its
    base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
        loop.run_until_complete(site.start())
        server = site._server
        assert server is not None
        port.append(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port[0]}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
