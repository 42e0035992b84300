"""The Wayback registry: reading CDX answers, and asking a Wayback-shaped server on 127.0.0.1 one
URL at a time through the registry driver, with its cache."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from linter.config import Config
from linter.net.cache import LinkCache
from linter.net.client import open_client
from linter.net.results import LinkResult, LinkStatus
from linter.net.settings import CheckerSettings
from linter.net.suggest import check_with_snapshots
from linter.registries import REGISTRIES, driver, wayback
from linter.registries.base import Endpoint, Record, RecordStatus, RegistryError
from linter.registries.wayback import WAYBACK, candidates, parse_cdx
from linter.rules.base import RuleContext
from tests.registries.archive import Archive, start_archive

BASE = "https://web.archive.org/web/"
SETTINGS = CheckerSettings(allow_private=True, timeout=5.0, connect_timeout=2.0)


def cdx(*rows: list[str]) -> bytes:
    return json.dumps(list(rows)).encode()


# --- Reading answers -----------------------------------------------------------------------------


def test_the_real_answer_shape_gives_the_snapshot_url() -> None:
    body = cdx(
        ["timestamp", "original", "statuscode"],
        ["20200101000000", "https://example.com/", "200"],
    )
    record = parse_cdx(body, "https://example.com/", BASE)
    assert record == Record(
        "https://example.com/",
        RecordStatus.FOUND,
        url="https://web.archive.org/web/20200101000000/https://example.com/",
        facts={"timestamp": "20200101000000"},
    )


def test_columns_are_read_by_name_and_the_newest_good_capture_wins() -> None:
    # What a server that ignores fl, filter and limit sends: every column, every capture.
    body = cdx(
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["com,example)/a", "20150101000000", "http://example.com/a", "text/html", "200", "D", "1"],
        ["com,example)/a", "20190505120000", "https://example.com/a", "text/html", "200", "D", "1"],
        ["com,example)/a", "20210101000000", "https://example.com/a", "text/html", "404", "D", "1"],
        ["com,example)/a", "20220101000000", "https://example.com/a", "text/html", "301", "D", "1"],
        [
            "com,example)/a",
            "20230101000000",
            "https://example.com/a",
            "warc/revisit",
            "-",
            "D",
            "1",
        ],
    )
    record = parse_cdx(body, "https://example.com/a", BASE)
    assert record.status is RecordStatus.FOUND
    assert record.url == f"{BASE}20190505120000/https://example.com/a"


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"",
        b"\n",
        cdx(["timestamp", "original", "statuscode"], ["20200101000000", "https://e.org/", "404"]),
        cdx(["timestamp", "original", "statuscode"], ["20200101000000", "https://e.org/", "302"]),
    ],
    ids=["empty-table", "empty-body", "blank-body", "only-404", "only-302"],
)
def test_no_capture_that_answered_2xx_is_missing(body: bytes) -> None:
    record = parse_cdx(body, "https://e.org/", BASE)
    assert record.status is RecordStatus.MISSING
    assert record.url is None
    assert record.reason == "no archived copy that answered 2xx"


@pytest.mark.parametrize(
    "body",
    [b"<html>Service Unavailable</html>", b'{"url": "x"}', b'[["timestamp"], ["2020"]]'],
    ids=["html", "object", "no-columns"],
)
def test_an_answer_that_is_no_cdx_table_is_an_error(body: bytes) -> None:
    with pytest.raises(RegistryError):
        parse_cdx(body, "https://e.org/", BASE)


def test_the_snapshot_is_on_the_host_of_the_api_asked() -> None:
    assert wayback.archive_base(wayback.DEFAULT_API) == "https://web.archive.org/web/"
    assert wayback.archive_base("http://127.0.0.1:8080/cdx/search/cdx") == (
        "http://127.0.0.1:8080/web/"
    )


# --- Which links are asked about -----------------------------------------------------------------


def test_only_dead_links_are_asked_about_never_arxiv_doi_or_snapshots() -> None:
    def result(url: str, outcome: LinkStatus) -> tuple[str, LinkResult]:
        return url, LinkResult(url, outcome, None, "")

    results = dict(
        [
            result("https://example.com/gone", LinkStatus.BROKEN),
            result("https://down.example.org/", LinkStatus.UNREACHABLE),
            result("https://slow.example.org/", LinkStatus.TIMEOUT),
            result("https://example.com/ok", LinkStatus.OK),
            result("https://example.com/moved", LinkStatus.REDIRECTED),
            result("https://example.com/limited", LinkStatus.RATE_LIMITED),
            result("https://example.com/walled", LinkStatus.BLOCKED),
            result("https://example.com/unsure", LinkStatus.UNVERIFIED),
            result("https://arxiv.org/abs/2401.12345", LinkStatus.BROKEN),
            result("https://arxiv.org/pdf/2401.12345v9", LinkStatus.BROKEN),
            result("https://doi.org/10.1145/3290605.3300233", LinkStatus.BROKEN),
            result("https://dl.acm.org/doi/10.1145/3290605.3300233", LinkStatus.UNREACHABLE),
            result("http://web.archive.org/web/2019/https://example.com/x", LinkStatus.BROKEN),
        ]
    )
    assert candidates(results, wayback.DEFAULT_API) == [
        "https://down.example.org/",
        "https://example.com/gone",
        "https://slow.example.org/",
    ]


def test_the_registry_claims_nothing_and_is_not_asked_up_front() -> None:
    assert "wayback" not in REGISTRIES
    assert WAYBACK.claims("https://example.com/gone") is None
    assert WAYBACK.keys([]) == []
    assert not WAYBACK.enabled(Config(), None)
    assert WAYBACK.enabled(Config(suggest=True), None)
    endpoint = WAYBACK.endpoint(Config(archive_api="http://127.0.0.1:1/cdx"))
    assert endpoint.url == "http://127.0.0.1:1/cdx"
    assert endpoint.interval == wayback.INTERVAL


# --- Asking a Wayback-shaped server --------------------------------------------------------------


async def resolve(archive: Archive, keys: list[str], cache: LinkCache | None = None) -> Any:
    endpoint = Endpoint(archive.api, {"User-Agent": wayback.USER_AGENT}, wayback.INTERVAL)
    async with open_client(driver.client_settings(SETTINGS)) as client:
        return await driver.resolve(WAYBACK, keys, endpoint, client, cache)


async def test_one_request_at_a_time_each_for_one_url(
    aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wayback, "INTERVAL", 0.05)
    archive = await start_archive(aiohttp_server, Archive(delay=0.02))
    archive.captures["https://example.com/a?x=1&y=2"] = [("20200101000000", "200")]
    archive.captures["https://example.com/b"] = [("20180101000000", "200"), ("2021", "404")]
    keys = ["https://example.com/a?x=1&y=2", "https://example.com/b", "https://example.com/c"]
    records = await resolve(archive, keys)
    assert archive.asked == keys  # the URL travels whole, its own query included
    assert archive.peak == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(archive.arrivals)]
    assert min(gaps) >= 0.05 * 0.9
    assert {key: (record.status, record.url) for key, record in records.items()} == {
        keys[0]: (RecordStatus.FOUND, archive.snapshot("20200101000000", keys[0])),
        keys[1]: (RecordStatus.FOUND, archive.snapshot("20180101000000", keys[1])),
        keys[2]: (RecordStatus.MISSING, None),
    }
    (query, *_) = archive.queries
    assert query["output"] == "json"
    assert query["filter"] == "statuscode:2.."
    assert query["limit"] == "-1"


async def test_a_cached_answer_sends_no_request(
    aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wayback, "INTERVAL", 0.0)
    archive = await start_archive(aiohttp_server)
    archive.captures["https://example.com/a"] = [("20200101000000", "200")]
    keys = ["https://example.com/a", "https://example.com/none"]
    with LinkCache(tmp_path / "cache.sqlite3") as cache:
        first = await resolve(archive, keys, cache)
    assert len(archive.asked) == 2
    with LinkCache(tmp_path / "cache.sqlite3") as cache:
        again = await resolve(archive, keys, cache)
    assert len(archive.asked) == 2  # both answers, the missing one too, came from the cache
    assert again == first


async def test_a_failing_archive_leaves_the_urls_unverified_and_uncached(
    aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wayback, "INTERVAL", 0.0)
    monkeypatch.setattr(driver, "SECONDS_PER_SECOND", 0.0)
    archive = await start_archive(aiohttp_server, Archive(status=503))
    with LinkCache(tmp_path / "cache.sqlite3") as cache:
        (record,) = (await resolve(archive, ["https://example.com/a"], cache)).values()
        assert cache.get_records(driver.CACHE_NAMESPACE, ["wayback:https://example.com/a"]) == {}
    assert record.status is RecordStatus.UNVERIFIED
    assert record.reason == "Wayback Machine: 503 Service Unavailable"
    assert len(archive.asked) == 1 + driver.RETRIES


async def test_the_dead_links_get_their_snapshot_and_nothing_else_is_asked(
    aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiohttp import web

    monkeypatch.setattr(wayback, "INTERVAL", 0.0)
    archive = await start_archive(aiohttp_server)

    async def site(request: web.Request) -> web.Response:
        return web.Response(status=200 if request.path == "/ok" else 404)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", site)
    server = await aiohttp_server(app)
    base = f"http://127.0.0.1:{server.port}"
    gone, doi, ok = f"{base}/gone", f"{base}/doi/10.1145/3290605.3300233", f"{base}/ok"
    archive.captures[gone] = [("20200101000000", "200")]
    archive.captures[doi] = [("20200101000000", "200")]
    endpoint = WAYBACK.endpoint(Config(archive_api=archive.api))
    settings = CheckerSettings(allow_private=True, timeout=5.0, retries=0)
    results = await check_with_snapshots([gone, doi, ok], settings, endpoint, 3600.0)
    assert archive.asked == [gone]
    assert results[gone].snapshot == archive.snapshot("20200101000000", gone)
    assert results[doi].outcome is LinkStatus.BROKEN and results[doi].snapshot is None
    assert results[ok].snapshot is None


# --- The findings --------------------------------------------------------------------------------


def test_the_fix_replaces_the_url_only_where_the_link_has_text_of_its_own() -> None:
    from linter.document import parse
    from linter.rules import links

    source = (
        '- [ref text][r], <a href="https://e.org/gone#x">html</a>, <https://e.org/gone>,\n'
        "  https://e.org/gone and [slow](https://slow.e.org/)\n"
        "\n"
        "[r]: https://e.org/gone\n"
    )
    document = parse(source, "x.md")
    copy = f"{BASE}2019/https://e.org/gone"
    results = {
        "https://e.org/gone": LinkResult(
            "https://e.org/gone", LinkStatus.BROKEN, 404, "404 Not Found", snapshot=copy
        ),
        "https://slow.e.org/": LinkResult(
            "https://slow.e.org/", LinkStatus.TIMEOUT, None, "timed out", snapshot=copy
        ),
    }
    hits = list(links.check_results([document], {"links": results}, RuleContext()))
    assert [(hit.code, hit.message.endswith(f"; archived copy: {copy}")) for hit in hits] == [
        ("PL101", True),
        ("PL101", True),
        ("PL101", True),
        ("PL101", True),
        ("PL102", True),
    ]
    kinds = {(link.line, link.column): link.kind.value for link in document.links}
    edits = [(kinds[hit.line, hit.column], hit.edit) for hit in hits]
    assert [(kind, edit is not None and edit.replacement) for kind, edit in edits] == [
        ("reference", copy),  # the definition's URL, line 4
        ("html", f"{copy}#x"),  # the link's own fragment kept
        ("autolink", False),  # its text is its URL: no edit
        ("bare", False),
        ("inline", copy),
    ]
    assert edits[0][1] is not None and edits[0][1].line == 4
