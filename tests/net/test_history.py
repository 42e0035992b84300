"""The failure history: its update rule, its records in the cache, and check_urls dating failures
across runs on a clock the tests control."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from linter.net import history
from linter.net.cache import PRUNE_AGE, LinkCache
from linter.net.checker import check_urls
from linter.net.history import KEEP, History
from linter.net.results import LinkResult, LinkStatus
from linter.net.settings import CheckerSettings
from tests.net.conftest import Site, settings
from tests.net.test_checker import respond

T = 1_796_018_400.0  # 2026-11-30T06:00:00Z
DAY = 86400.0
GRACE = 3 * DAY
URL = "https://a.org/paper"


class Clock:
    def __init__(self, now: float = T) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def result(outcome: LinkStatus, url: str = URL, **changes: Any) -> LinkResult:
    status = {LinkStatus.OK: 200, LinkStatus.BROKEN: 404}.get(outcome)
    return LinkResult(url, outcome, status, str(status or "connection refused"), **changes)


# -- the update rule -----------------------------------------------------------------------------


def test_a_failure_after_the_url_was_alive_starts_a_run_of_failures() -> None:
    seen = History().updated(LinkStatus.OK, T)
    assert seen == History(last_alive=T)
    assert seen.failing_since is None
    failing = seen.updated(LinkStatus.BROKEN, T + DAY)
    assert failing == History(first_failed=T + DAY, last_failed=T + DAY, last_alive=T)
    assert failing.failing_since == T + DAY
    # Unreachable and timed out continue the run; its start stays.
    later = failing.updated(LinkStatus.UNREACHABLE, T + 2 * DAY).updated(
        LinkStatus.TIMEOUT, T + 3 * DAY
    )
    assert later == History(first_failed=T + DAY, last_failed=T + 3 * DAY, last_alive=T)
    assert later.failing_since == T + DAY


def test_alive_again_ends_the_run_and_the_next_failure_starts_another() -> None:
    back = History(first_failed=T + DAY, last_failed=T + 2 * DAY, last_alive=T).updated(
        LinkStatus.REDIRECTED, T + 3 * DAY
    )
    assert back == History(first_failed=T + DAY, last_failed=T + 2 * DAY, last_alive=T + 3 * DAY)
    assert back.failing_since is None
    again = back.updated(LinkStatus.BROKEN, T + 4 * DAY)
    assert again == History(
        first_failed=T + 4 * DAY, last_failed=T + 4 * DAY, last_alive=T + 3 * DAY
    )
    assert again.failing_since == T + 4 * DAY


def test_a_url_never_seen_alive_has_no_failing_since() -> None:
    never = History().updated(LinkStatus.BROKEN, T).updated(LinkStatus.UNREACHABLE, T + DAY)
    assert never == History(first_failed=T, last_failed=T + DAY)
    assert never.failing_since is None


@pytest.mark.parametrize(
    "outcome",
    [LinkStatus.RATE_LIMITED, LinkStatus.BLOCKED, LinkStatus.UNVERIFIED, LinkStatus.SKIPPED],
)
def test_outcomes_that_say_nothing_about_the_url_change_nothing(outcome: LinkStatus) -> None:
    failing = History(first_failed=T + DAY, last_failed=T + DAY, last_alive=T)
    assert failing.updated(outcome, T + 2 * DAY) == failing


@pytest.mark.parametrize(
    ("since", "now", "grace", "within"),
    [(T, T, GRACE, True), (T, T + GRACE - 1, GRACE, True), (T, T + GRACE, GRACE, False),
     (T, T, 0.0, False)],
)  # fmt: skip
def test_within_grace(since: float, now: float, grace: float, within: bool) -> None:
    assert history.within_grace(since, now, grace) is within


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "x",
        {"last_alive": "yesterday"},
        {"last_alive": True},
        {"first_failed": float("nan")},
    ],
)
def test_a_damaged_record_is_no_history(value: object) -> None:
    assert History.from_record(value) is None


def test_a_record_round_trips() -> None:
    full = History(first_failed=T + 1, last_failed=T + 2, last_alive=T)
    assert History.from_record(full.to_record()) == full
    assert History.from_record({}) == History()  # fields missing: nothing happened yet


# -- records in the cache ------------------------------------------------------------------------


def rows(path: Path) -> dict[str, tuple[str, float]]:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT key, value, checked_at FROM history").fetchall()
    finally:
        conn.close()
    return {key: (value, checked_at) for key, value, checked_at in found}


def test_record_writes_a_row_per_checked_url_and_dates_failures(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    gone, down, limited = "https://a.org/gone", "https://b.org/", "https://c.org/"
    with LinkCache(path, clock=Clock(T)) as cache:
        first = [result(LinkStatus.OK), result(LinkStatus.BROKEN, gone),
                 result(LinkStatus.OK, down), result(LinkStatus.RATE_LIMITED, limited)]  # fmt: skip
        assert history.record(cache, first, T, GRACE) == {}
    assert set(rows(path)) == {URL, gone, down}  # a rate limit teaches nothing about a new URL
    with LinkCache(path, clock=Clock(T + DAY)) as cache:
        second = [result(LinkStatus.BROKEN), result(LinkStatus.BROKEN, gone),
                  result(LinkStatus.UNREACHABLE, down),
                  result(LinkStatus.OK, "https://d.org/", from_cache=True)]  # fmt: skip
        dated = history.record(cache, second, T + DAY, GRACE)
        assert cache.error is None
    assert dated == {
        URL: result(LinkStatus.BROKEN, failing_since=T + DAY, grace=GRACE),
        down: result(LinkStatus.UNREACHABLE, down, failing_since=T + DAY, grace=GRACE),
    }  # gone was never seen alive: no date, broken at once
    assert rows(path)[URL] == (
        f'{{"first_failed": {T + DAY}, "last_alive": {T}, "last_failed": {T + DAY}}}',
        T + DAY,
    )
    assert "https://d.org/" not in rows(path)  # a cached result was not checked: nothing learned


def test_past_the_grace_a_failure_keeps_its_date_without_grace(tmp_path: Path) -> None:
    with LinkCache(tmp_path / "cache.sqlite") as cache:
        history.record(cache, [result(LinkStatus.OK)], T, GRACE)
        history.record(cache, [result(LinkStatus.BROKEN)], T + DAY, GRACE)
        assert history.record(cache, [result(LinkStatus.BROKEN)], T + 5 * DAY, GRACE) == {
            URL: result(LinkStatus.BROKEN, failing_since=T + DAY)
        }
        # Without a grace period failures are dated all the same.
        assert history.record(cache, [result(LinkStatus.BROKEN)], T + 6 * DAY, 0.0) == {
            URL: result(LinkStatus.BROKEN, failing_since=T + DAY)
        }


def test_a_url_alive_long_ago_and_failing_ever_since_keeps_its_dates(tmp_path: Path) -> None:
    """Every run rewrites the record, so it outlives the cache's prune age and KEEP (a run every 60
    days here); its times are the ones it holds, not the row's."""
    assert 60 * DAY > PRUNE_AGE and 240 * DAY > KEEP
    clock = Clock(T)
    with LinkCache(tmp_path / "cache.sqlite", clock=clock) as cache:
        history.record(cache, [result(LinkStatus.OK)], T, GRACE)
        for days in (60, 120, 180, 240):
            clock.now = T + days * DAY
            dated = history.record(cache, [result(LinkStatus.BROKEN)], clock.now, GRACE)
            assert dated[URL].failing_since == T + 60 * DAY
        assert cache.get_records("history", [URL], max_age=KEEP)[URL] == {
            "first_failed": T + 60 * DAY, "last_failed": T + 240 * DAY, "last_alive": T,
        }  # fmt: skip


def test_a_record_left_unchecked_past_keep_is_forgotten(tmp_path: Path) -> None:
    clock = Clock(T)
    with LinkCache(tmp_path / "cache.sqlite", clock=clock) as cache:
        history.record(
            cache, [result(LinkStatus.OK), result(LinkStatus.OK, "https://b.org/")], T, GRACE
        )
        clock.now = T + KEEP - DAY  # still kept, although past the links' prune age
        assert history.record(cache, [result(LinkStatus.BROKEN)], clock.now, GRACE) != {}
        clock.now = T + KEEP + DAY
        history.record(cache, [result(LinkStatus.OK)], clock.now, GRACE)  # any write prunes
        assert cache.get_records("history", ["https://b.org/"], max_age=10 * KEEP) == {}
        # Its next failure is its first: broken at once.
        assert (
            history.record(cache, [result(LinkStatus.BROKEN, "https://b.org/")], clock.now, GRACE)
            == {}
        )


def test_a_rate_limit_keeps_a_known_record_alive_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with LinkCache(path, clock=Clock(T)) as cache:
        history.record(cache, [result(LinkStatus.OK)], T, GRACE)
    with LinkCache(path, clock=Clock(T + DAY)) as cache:
        assert history.record(cache, [result(LinkStatus.RATE_LIMITED)], T + DAY, GRACE) == {}
    assert rows(path)[URL] == (
        f'{{"first_failed": null, "last_alive": {T}, "last_failed": null}}',
        T + DAY,
    )


# -- check_urls across runs ----------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    controlled = Clock(T)
    monkeypatch.setattr(history, "clock", controlled)
    return controlled


def tuned(path: Path) -> CheckerSettings:
    # Results cached for an hour: the runs, days apart, check every URL again.
    return settings(cache_path=path, grace=GRACE, max_cache_age=3600.0)


def switch(status: list[int]) -> Any:
    """Answers with ``status[0]``, which the test changes between runs."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status[0], text="body")

    return handler


async def test_a_link_alive_then_failing_is_in_grace_then_past_it(
    site: Site, clock: Clock, tmp_path: Path
) -> None:
    status = [200]
    site.routes["/paper"] = switch(status)
    site.routes["/never"] = respond(404)
    urls = [site.url("/paper"), site.url("/never")]
    path = tmp_path / "cache.sqlite"
    runs = tuned(path)

    first = await check_urls(urls, runs)
    assert first[urls[0]].outcome is LinkStatus.OK
    assert (first[urls[1]].outcome, first[urls[1]].failing_since) == (LinkStatus.BROKEN, None)

    status[0] = 404
    clock.now = T + DAY
    second = await check_urls(urls, runs)
    assert second[urls[0]] == LinkResult(
        urls[0], LinkStatus.BROKEN, 404, "404 Not Found", requests=2, bytes_read=4,
        failing_since=T + DAY, grace=GRACE,
    )  # fmt: skip
    assert (second[urls[1]].failing_since, second[urls[1]].grace) == (None, None)

    clock.now = T + 5 * DAY
    third = await check_urls(urls, runs)
    assert (third[urls[0]].outcome, third[urls[0]].failing_since, third[urls[0]].grace) == (
        LinkStatus.BROKEN,
        T + DAY,
        None,
    )
    assert site.count("/paper") == 1 + 2 + 2  # HEAD; then HEAD + GET, twice


async def test_failures_are_still_never_reused_as_results(
    site: Site, clock: Clock, tmp_path: Path
) -> None:
    status = [200]
    site.routes["/paper"] = switch(status)
    path = tmp_path / "cache.sqlite"
    runs = tuned(path)
    await check_urls([site.url("/paper")], runs)
    status[0] = 404
    clock.now = T + 2 * DAY
    await check_urls([site.url("/paper")], runs)
    clock.now += 60.0
    again = await check_urls([site.url("/paper")], runs)
    assert (again[site.url("/paper")].from_cache, again[site.url("/paper")].grace) == (False, GRACE)
    assert site.count("/paper") == 1 + 2 + 2
    with LinkCache(path, clock=clock) as cache:
        assert cache.get(site.url("/paper")) is None
        assert cache.get_records("history", [site.url("/paper")], max_age=KEEP) == {
            site.url("/paper"): {"first_failed": T + 2 * DAY, "last_failed": T + 2 * DAY + 60.0,
                                 "last_alive": T},
        }  # fmt: skip


async def test_a_host_that_stops_answering_is_in_grace(
    aiohttp_server: Any, clock: Clock, tmp_path: Path
) -> None:
    app = web.Application()

    async def fine(request: web.Request) -> web.StreamResponse:
        return web.Response(text="fine")

    app.router.add_get("/", fine)
    server = await aiohttp_server(app)
    url = f"http://127.0.0.1:{server.port}/"
    runs = tuned(tmp_path / "cache.sqlite")
    assert (await check_urls([url], runs))[url].outcome is LinkStatus.OK
    await server.close()
    clock.now = T + 7 * DAY
    down = (await check_urls([url], runs))[url]
    assert (down.outcome, down.reason, down.failing_since, down.grace) == (
        LinkStatus.UNREACHABLE, "connection refused", T + 7 * DAY, GRACE,
    )  # fmt: skip


async def test_a_fragment_shares_its_urls_history(site: Site, clock: Clock, tmp_path: Path) -> None:
    status = [200]
    site.routes["/paper"] = switch(status)
    runs = tuned(tmp_path / "cache.sqlite")
    await check_urls([site.url("/paper")], runs)
    status[0] = 410
    clock.now = T + DAY
    found = await check_urls([site.url("/paper#results")], runs)
    assert found[site.url("/paper#results")].failing_since == T + DAY


async def test_a_rate_limited_link_is_not_dated(site: Site, clock: Clock, tmp_path: Path) -> None:
    status = [200]

    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Retry-After": "3600"} if status[0] == 429 else {}
        return web.Response(status=status[0], headers=headers, text="body")

    site.routes["/paper"] = handler
    runs = tuned(tmp_path / "cache.sqlite")
    await check_urls([site.url("/paper")], runs)
    status[0] = 429
    clock.now = T + DAY
    limited = (await check_urls([site.url("/paper")], runs))[site.url("/paper")]
    assert (limited.outcome, limited.failing_since, limited.grace) == (
        LinkStatus.RATE_LIMITED, None, None,
    )  # fmt: skip


async def test_without_a_cache_there_is_no_history(site: Site, clock: Clock) -> None:
    site.routes["/gone"] = respond(404)
    found = (await check_urls([site.url("/gone")], settings(grace=GRACE)))[site.url("/gone")]
    assert (found.outcome, found.failing_since, found.grace) == (LinkStatus.BROKEN, None, None)
