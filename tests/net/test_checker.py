"""The link checker against real aiohttp servers on 127.0.0.1 (nothing leaves the machine)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from typing import Any

import pytest
from aiohttp import web

from linter.net import body, checker, client, guard
from linter.net.checker import check_urls, run_checks, start_checks
from linter.net.results import LinkResult, LinkStatus, Progress
from linter.net.settings import HostSettings
from tests.net.conftest import Site, Tls, settings


async def check_one(url: str, **changes: Any) -> LinkResult:
    return (await check_urls([url], settings(**changes)))[url]


def respond(status: int, **headers: str) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers=headers, text="body")

    return handler


def redirect(status: int, location: str) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


def sequence(*statuses: int, **headers: str) -> Any:
    """Answers the given statuses in turn, then the last one forever."""
    remaining = list(statuses)

    async def handler(request: web.Request) -> web.StreamResponse:
        status = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        extra = headers if status != 200 else {}
        return web.Response(status=status, headers=extra, text="body")

    return handler


# -- plain answers -------------------------------------------------------------------------------


async def test_200_is_ok_with_one_head_request(site: Site) -> None:
    site.routes["/ok"] = respond(200)
    result = await check_one(site.url("/ok"))
    assert (result.outcome, result.status, result.reason) == (LinkStatus.OK, 200, "200 OK")
    assert result.requests == 1
    assert site.methods("/ok") == ["HEAD"]


@pytest.mark.parametrize(("status", "reason"), [(404, "404 Not Found"), (410, "410 Gone")])
async def test_gone_is_broken_after_get_confirms_head(site: Site, status: int, reason: str) -> None:
    site.routes["/gone"] = respond(status)
    result = await check_one(site.url("/gone"))
    assert (result.outcome, result.status, result.reason) == (LinkStatus.BROKEN, status, reason)
    assert site.methods("/gone") == ["HEAD", "GET"]


async def test_get_method_sends_get_only(site: Site) -> None:
    site.routes["/gone"] = respond(404)
    result = await check_one(site.url("/gone"), method="get")
    assert (result.outcome, result.requests) == (LinkStatus.BROKEN, 1)
    assert site.methods("/gone") == ["GET"]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_transient_error_then_200_is_ok_after_one_retry(site: Site, status: int) -> None:
    site.routes["/flaky"] = sequence(status, 200)
    result = await check_one(site.url("/flaky"), method="get")
    assert (result.outcome, result.status, result.requests) == (LinkStatus.OK, 200, 2)


async def test_persistent_500_is_broken_after_exactly_the_retries(site: Site) -> None:
    site.routes["/down"] = respond(500)
    result = await check_one(site.url("/down"), method="get", retries=2)
    assert result.outcome is LinkStatus.BROKEN
    assert result.reason == "500 Internal Server Error after 2 retries"
    assert site.methods("/down") == ["GET", "GET", "GET"]


async def test_head_5xx_falls_back_to_get_which_is_the_first_retry(site: Site) -> None:
    # The GET that confirms a HEAD 5xx is a second try of a failing URL: it counts as the first
    # retry, so a failing URL is hit retries + 1 times, HEAD included.
    site.routes["/down"] = respond(503)
    result = await check_one(site.url("/down"), retries=2)
    assert (result.outcome, result.reason) == (
        LinkStatus.BROKEN,
        "503 Service Unavailable after 2 retries",
    )
    assert site.methods("/down") == ["HEAD", "GET", "GET"]


async def test_head_5xx_then_get_200_is_ok(site: Site) -> None:
    site.routes["/flaky"] = sequence(500, 200)
    result = await check_one(site.url("/flaky"), retries=1)
    assert (result.outcome, result.requests) == (LinkStatus.OK, 2)
    assert site.methods("/flaky") == ["HEAD", "GET"]


async def test_head_5xx_is_confirmed_by_get_even_without_retries(site: Site) -> None:
    # A HEAD error alone is never the verdict: servers answer HEAD with errors where GET works.
    site.routes["/down"] = respond(500)
    result = await check_one(site.url("/down"), retries=0)
    assert result.outcome is LinkStatus.BROKEN
    assert site.methods("/down") == ["HEAD", "GET"]


async def test_head_reset_falls_back_to_get_which_is_the_first_retry(site: Site) -> None:
    async def reset(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()
        return web.Response()

    site.routes["/reset"] = reset
    result = await check_one(site.url("/reset"), retries=2)
    assert result.outcome is LinkStatus.UNREACHABLE
    assert site.methods("/reset") == ["HEAD", "GET", "GET"]


async def test_retries_zero_means_one_attempt(site: Site) -> None:
    site.routes["/down"] = respond(502)
    result = await check_one(site.url("/down"), method="get", retries=0)
    assert (result.outcome, result.reason, result.requests) == (
        LinkStatus.BROKEN,
        "502 Bad Gateway",
        1,
    )


async def test_501_is_not_retried(site: Site) -> None:
    site.routes["/x"] = respond(501)
    result = await check_one(site.url("/x"), method="get")
    assert (result.outcome, result.requests) == (LinkStatus.BROKEN, 1)


async def test_accept_codes_global_and_per_host(site: Site) -> None:
    site.routes["/forbidden"] = respond(403)
    mapped = {"a.test": "127.0.0.1", "b.test": "127.0.0.1"}
    results = await check_urls(
        [site.url("/forbidden", "a.test"), site.url("/forbidden", "b.test")],
        settings(
            resolve=mapped,
            accept=frozenset({200, 403}),
            hosts={"b.test": HostSettings(accept=frozenset({200}))},
        ),
    )
    assert results[site.url("/forbidden", "a.test")].outcome is LinkStatus.OK
    assert results[site.url("/forbidden", "b.test")].outcome is LinkStatus.BROKEN


# -- HEAD mishandled -----------------------------------------------------------------------------


@pytest.mark.parametrize("head_status", [405, 404, 403, 501, 500])
async def test_head_error_but_get_200_is_ok(site: Site, head_status: int) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=head_status if request.method == "HEAD" else 200, text="x")

    site.routes["/page"] = handler
    result = await check_one(site.url("/page"))
    assert (result.outcome, result.status) == (LinkStatus.OK, 200)
    assert site.methods("/page") == ["HEAD", "GET"]


async def test_reset_on_head_falls_back_to_get(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            assert request.transport is not None
            request.transport.abort()
        return web.Response(text="x")

    site.routes["/page"] = handler
    result = await check_one(site.url("/page"))
    assert (result.outcome, result.requests) == (LinkStatus.OK, 2)


async def test_host_that_mishandles_head_gets_get_directly_afterwards(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=405 if request.method == "HEAD" else 200, text="x")

    for path in ("/a", "/b", "/c"):
        site.routes[path] = handler
    urls = [site.url(path) for path in ("/a", "/b", "/c")]
    results = await check_urls(urls, settings(max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [seen.method for seen in site.seen] == ["HEAD", "GET", "GET", "GET"]


# -- rate limits ---------------------------------------------------------------------------------


async def test_429_with_retry_after_pauses_the_whole_host_then_succeeds(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.2)
    site.routes["/limited"] = sequence(429, 200, **{"Retry-After": "1"})
    site.routes["/other"] = respond(200)
    urls = [site.url("/limited"), site.url("/other")]
    results = await check_urls(urls, settings(max_per_host=1))
    assert results[urls[0]].outcome is LinkStatus.OK
    assert results[urls[0]].requests == 2
    assert results[urls[1]].outcome is LinkStatus.OK
    limited_at = site.first_at("/limited")
    later = [seen.at for seen in site.seen[1:]]
    assert len(later) == 2
    assert min(later) >= limited_at + 0.2 - 0.01  # nothing reached the host during the pause


async def test_retry_after_as_http_date(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.01)
    site.routes["/limited"] = sequence(429, 200, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    result = await check_one(site.url("/limited"))
    assert (result.outcome, result.requests) == (LinkStatus.OK, 2)


async def test_retry_after_past_the_cap_is_rate_limited_without_waiting(site: Site) -> None:
    site.routes["/limited"] = respond(429, **{"Retry-After": "3600"})
    result = await check_one(site.url("/limited"), max_retry_after=60.0)
    assert result.outcome is LinkStatus.RATE_LIMITED
    assert result.reason == (
        "rate limited (429 Too Many Requests, Retry-After 3600 s is over the 60 s cap)"
    )
    assert site.methods("/limited") == ["HEAD"]


async def test_429_without_retry_after_is_rate_limited_after_retries(site: Site) -> None:
    site.routes["/limited"] = respond(429)
    result = await check_one(site.url("/limited"), retries=2)
    assert result.outcome is LinkStatus.RATE_LIMITED
    assert result.reason == "rate limited (429 Too Many Requests after 2 retries)"
    assert site.methods("/limited") == ["HEAD", "HEAD", "HEAD"]


async def test_failing_url_limited_on_its_last_try_is_broken_not_rate_limited(site: Site) -> None:
    # Seen on the link farm: a dead URL on a rate-limited host answered 500, 500, then 429 to its
    # last try. The 429s are about us (they have retries of their own); the answers about the URL
    # said it fails.
    site.routes["/down"] = sequence(500, 500, 429)
    result = await check_one(site.url("/down"), retries=2)
    assert (result.outcome, result.status, result.reason) == (
        LinkStatus.BROKEN,
        500,
        "500 Internal Server Error after 2 retries",
    )
    assert site.methods("/down") == ["HEAD", "GET", "GET", "GET", "GET"]


async def test_rate_limited_try_does_not_use_up_the_retries_of_a_flaky_url(site: Site) -> None:
    # Seen on the link farm: a URL that fails twice, then works, on a rate-limited host answered
    # 500, 500, then 429 to what was its last try, and was called broken.
    site.routes["/flaky"] = sequence(500, 500, 429, 200)
    result = await check_one(site.url("/flaky"), retries=2)
    assert (result.outcome, result.status) == (LinkStatus.OK, 200)
    assert site.methods("/flaky") == ["HEAD", "GET", "GET", "GET"]


async def test_a_url_limited_between_its_failures_gets_its_own_retries(site: Site) -> None:
    site.routes["/down"] = sequence(500, 500, 429, 500)
    result = await check_one(site.url("/down"), retries=2)
    assert (result.outcome, result.status) == (LinkStatus.BROKEN, 500)
    assert site.methods("/down") == ["HEAD", "GET", "GET", "GET"]


async def test_host_that_keeps_rate_limiting_stops_being_asked(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.01)
    for path in ("/a", "/b", "/c", "/d"):
        site.routes[path] = respond(429, **{"Retry-After": "50"})
    urls = [site.url(path) for path in ("/a", "/b", "/c", "/d")]
    # The host may pause us 2 x 60 s in all: two pauses of 50 s fit, the third does not.
    results = await check_urls(urls, settings(max_per_host=1, retries=5, max_retry_after=60.0))
    for url in urls:
        assert results[url].outcome is LinkStatus.RATE_LIMITED
    assert site.count() == 3
    assert sum(result.requests for result in results.values()) == 3
    reasons = {result.reason for result in results.values()}
    assert reasons == {
        "rate limited (429 Too Many Requests; the host kept asking to wait past 120 s)"
    }


def limited_once(**headers: str) -> Any:
    """429 (with the given headers) to the first request, 200 afterwards: a per-URL limit."""
    answered = [False]

    async def handler(request: web.Request) -> web.StreamResponse:
        if not answered[0]:
            answered[0] = True
            return web.Response(status=429, headers=headers, text="slow down")
        return web.Response(text="body")

    return handler


def held_back(site: Site, paths: set[str], at_least: float) -> int:
    """How many times requests to ``paths`` stopped for ``at_least`` seconds (server clock)."""
    times = [seen.at for seen in site.seen if seen.path in paths]
    return sum(1 for before, after in itertools.pairwise(times) if after - before >= at_least)


async def test_url_level_limits_pause_the_host_once(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three URLs answer 429 once. The first pauses the host; the request after the pause is
    # answered, so the limit is per URL: the next limited URLs wait alone, the host goes on.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.5)
    paths = [f"/p{number}" for number in range(12)]
    limited = {"/p2", "/p6", "/p9"}
    for path in paths:
        site.routes[path] = (
            limited_once(**{"Retry-After": "1"}) if path in limited else respond(200)
        )
    urls = [site.url(path) for path in paths]
    results = await check_urls(urls, settings(max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert {path: site.count(path) for path in paths} == {
        path: 2 if path in limited else 1 for path in paths
    }
    assert held_back(site, set(paths) - limited, 0.4) == 1  # the first pause only
    for path in limited:  # each limited URL still waited its own Retry-After
        first, second = (seen.at for seen in site.seen if seen.path == path)
        assert second - first >= 0.5 - 0.01


async def test_answer_after_the_limit_ends_the_pause_early(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /slow was sent after /limited and is answered after /limited's 429: the host still serves
    # other URLs, so the host pause ends there and /a, /b, /c need not wait the 2 s. /a, the
    # first request after that, is limited too (once): it waits alone, no new host pause.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 2.0)
    site.routes["/limited"] = limited_once(**{"Retry-After": "1"})

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.1)
        return web.Response(text="body")

    site.routes["/slow"] = slow
    site.routes["/a"] = limited_once(**{"Retry-After": "1"})
    for path in ("/b", "/c"):
        site.routes[path] = respond(200)
    urls = [site.url(path) for path in ("/limited", "/slow", "/a", "/b", "/c")]
    results = await check_urls(urls, settings(max_per_host=2))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [site.count(path) for path in ("/limited", "/slow", "/a", "/b", "/c")] == [2, 1, 2, 1, 1]
    limited_at = [seen.at for seen in site.seen if seen.path == "/limited"]
    a_at = [seen.at for seen in site.seen if seen.path == "/a"]
    others_at = [seen.at for seen in site.seen if seen.path in ("/b", "/c")]
    assert max(others_at) - limited_at[0] < 1.0  # held for neither 2 s pause
    assert limited_at[1] - limited_at[0] >= 2.0 - 0.01  # the limited URLs waited their own
    assert a_at[1] - a_at[0] >= 2.0 - 0.01


async def test_two_urls_limited_at_once_do_not_hold_back_a_host_that_serves_the_rest(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seen on the link farm: a host that limits single URLs had two of them among its four
    # requests in flight. /a's limit pauses the host; /c, in flight with it, is limited too, but
    # /b and /d, sent after /a, are answered: the limits are per URL, the pause ends there, and
    # only /a and /c wait their Retry-After.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 1.0)

    def later(delay: float, limited: bool) -> Any:
        calls = [0]

        async def handler(request: web.Request) -> web.StreamResponse:
            calls[0] += 1
            await asyncio.sleep(delay)
            if limited and calls[0] == 1:
                return web.Response(status=429, headers={"Retry-After": "1"}, text="slow down")
            return web.Response(text="body")

        return handler

    site.routes["/a"] = later(0.0, limited=True)
    site.routes["/b"] = later(0.1, limited=False)
    site.routes["/c"] = later(0.05, limited=True)
    site.routes["/d"] = later(0.1, limited=False)
    rest = [f"/r{number}" for number in range(4)]
    for path in rest:
        site.routes[path] = respond(200)
    paths = ["/a", "/b", "/c", "/d", *rest]
    results = await check_urls([site.url(path) for path in paths], settings(max_per_host=4))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [site.count(path) for path in paths] == [2, 1, 2, 1, 1, 1, 1, 1]
    a_at = [seen.at for seen in site.seen if seen.path == "/a"]
    c_at = [seen.at for seen in site.seen if seen.path == "/c"]
    rest_at = [seen.at for seen in site.seen if seen.path in rest]
    assert max(rest_at) - a_at[0] < 0.5  # the host went on after /b and /d answered
    assert a_at[1] - a_at[0] >= 1.0 - 0.01  # the limited URLs waited their own Retry-After
    assert c_at[1] - c_at[0] >= 1.0 - 0.01


async def test_dense_limits_after_a_per_url_verdict_pause_the_host_again(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /a's limit looked per URL (/b, the first request after the pause, is answered). Then /c
    # and /d are limited one after the other: three limits among the host's last answers is no
    # chance of single URLs, so /d's limit pauses the host (and /e waits), while /c's did not.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.4)
    for path in ("/a", "/c", "/d"):
        site.routes[path] = limited_once(**{"Retry-After": "1"})
    for path in ("/b", "/e"):
        site.routes[path] = respond(200)
    paths = ("/a", "/b", "/c", "/d", "/e")
    results = await check_urls([site.url(path) for path in paths], settings(max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [site.count(path) for path in paths] == [2, 1, 2, 2, 1]
    c_at = site.first_at("/c")
    d_at = site.first_at("/d")
    e_at = site.first_at("/e")
    assert d_at - c_at < 0.3  # /c waited alone
    assert e_at >= d_at + 0.4 - 0.01  # /d paused the host


async def test_limits_answered_during_a_pause_do_not_extend_it(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four requests in flight; all four answer 429, the last 0.5 s after the first. The pause
    # runs from the first 429: the later ones arrive during it and must not push it back.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.5)
    loop = asyncio.get_running_loop()
    answered: dict[str, float] = {}

    def staggered(delay: float) -> Any:
        calls = [0]

        async def handler(request: web.Request) -> web.StreamResponse:
            calls[0] += 1
            if calls[0] > 1:
                return web.Response(text="body")
            await asyncio.sleep(delay)
            answered[request.path] = loop.time()
            return web.Response(status=429, headers={"Retry-After": "1"}, text="slow down")

        return handler

    for number, delay in enumerate((0.0, 0.2, 0.35, 0.5)):
        site.routes[f"/l{number}"] = staggered(delay)
    site.routes["/other"] = respond(200)
    urls = [site.url(f"/l{number}") for number in range(4)] + [site.url("/other")]
    results = await check_urls(urls, settings(max_per_host=4))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert site.count() == 9
    other_at = site.first_at("/other")
    first = min(answered.values())
    assert other_at >= first + 0.5 - 0.01  # the pause was kept ...
    assert other_at < first + 0.5 + 0.35  # ... and not stacked (that would be first + 1.0)


async def test_limit_right_after_a_pause_keeps_the_host_pausing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /b, the first request after /a's pause, is limited too: the limit is host-wide (a token
    # bucket lets /c through after the next pause all the same). So /d's limit pauses the host
    # again instead of making only /d wait.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.3)
    for path in ("/a", "/b", "/d"):
        site.routes[path] = limited_once(**{"Retry-After": "1"})
    for path in ("/c", "/e"):
        site.routes[path] = respond(200)
    paths = ("/a", "/b", "/c", "/d", "/e")
    results = await check_urls([site.url(path) for path in paths], settings(max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [site.count(path) for path in paths] == [2, 2, 1, 2, 1]
    d_at = site.first_at("/d")
    e_at = site.first_at("/e")
    assert e_at >= d_at + 0.3 - 0.01


async def test_limit_that_outlasts_retry_after_makes_the_host_pause_again(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /a's limit was per URL (/b is answered after the pause), so /c and /d wait alone. But /c
    # is still limited after its own Retry-After: the limit is not about single URLs after all,
    # and the host pauses again, /d's retry with it.
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.4)
    site.routes["/a"] = limited_once(**{"Retry-After": "1"})
    site.routes["/b"] = respond(200)
    site.routes["/c"] = sequence(429, 429, 200, **{"Retry-After": "1"})
    site.routes["/d"] = sequence(429, 429, 200, **{"Retry-After": "1"})
    urls = [site.url(path) for path in ("/a", "/b", "/c", "/d")]
    results = await check_urls(urls, settings(max_per_host=1))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert [site.count(path) for path in ("/a", "/b", "/c", "/d")] == [2, 1, 3, 3]
    c_at = [seen.at for seen in site.seen if seen.path == "/c"]
    d_at = [seen.at for seen in site.seen if seen.path == "/d"]
    assert d_at[0] - c_at[0] < 0.3  # /c's first 429 held nothing back
    assert d_at[1] >= c_at[1] + 0.4 - 0.01  # its second paused the host


# -- redirects -----------------------------------------------------------------------------------


async def test_permanent_chain_is_redirected_to_the_final_url(site: Site) -> None:
    site.routes["/a"] = redirect(301, "/b")
    site.routes["/b"] = redirect(308, "c")  # relative Location
    site.routes["/c"] = respond(200)
    result = await check_one(site.url("/a"))
    assert result.outcome is LinkStatus.REDIRECTED
    assert (result.status, result.final_url) == (301, site.url("/c"))
    assert result.requests == 3


async def test_temporary_redirect_is_ok(site: Site) -> None:
    site.routes["/a"] = redirect(302, "/c")
    site.routes["/c"] = respond(200)
    result = await check_one(site.url("/a"))
    assert (result.outcome, result.status, result.final_url) == (LinkStatus.OK, 200, None)


async def test_fix_is_the_end_of_the_permanent_prefix(site: Site) -> None:
    site.routes["/old"] = redirect(301, "/new")
    site.routes["/new"] = redirect(302, "/login")
    site.routes["/login"] = respond(200)
    result = await check_one(site.url("/old"))
    assert (result.outcome, result.final_url) == (LinkStatus.REDIRECTED, site.url("/new"))


async def test_redirect_to_a_dead_page_is_broken(site: Site) -> None:
    site.routes["/a"] = redirect(301, "/gone")
    site.routes["/gone"] = respond(404)
    result = await check_one(site.url("/a"), method="get")
    assert result.outcome is LinkStatus.BROKEN
    assert result.reason == f"404 Not Found at {site.url('/gone')}"


async def test_redirect_loop_is_broken(site: Site) -> None:
    site.routes["/a"] = redirect(302, "/b")
    site.routes["/b"] = redirect(301, "/a")
    result = await check_one(site.url("/a"))
    assert result.outcome is LinkStatus.BROKEN
    assert result.reason == f"redirect loop back to {site.url('/a')}"
    assert result.requests == 2


async def test_too_many_redirects_is_broken(site: Site) -> None:
    for index in range(10):
        site.routes[f"/r{index}"] = redirect(302, f"/r{index + 1}")
    result = await check_one(site.url("/r0"), max_redirects=3)
    assert result.outcome is LinkStatus.BROKEN
    assert result.reason == "too many redirects (more than 3)"
    assert result.requests == 4


async def test_cookie_redirect_to_itself_is_not_a_loop(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.cookies.get("session") == "1":
            return web.Response(text="welcome")
        return web.Response(status=302, headers={"Location": "/app", "Set-Cookie": "session=1"})

    site.routes["/app"] = handler
    result = await check_one(site.url("/app"))
    assert (result.outcome, result.requests) == (LinkStatus.OK, 2)


async def test_garbage_location_is_broken(site: Site) -> None:
    site.routes["/a"] = redirect(301, "http://[::1")
    result = await check_one(site.url("/a"))
    assert (result.outcome, result.reason) == (LinkStatus.BROKEN, "redirect to invalid URL")


async def test_redirect_without_location_is_broken(site: Site) -> None:
    site.routes["/a"] = respond(301)
    result = await check_one(site.url("/a"), method="get")
    assert (result.outcome, result.reason) == (
        LinkStatus.BROKEN,
        "301 Moved Permanently without Location",
    )


# -- failures without an answer ------------------------------------------------------------------


async def test_hang_times_out_once_without_retry(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        await site.hang()
        return web.Response()

    site.routes["/hang"] = handler
    result = await check_one(site.url("/hang"), timeout=0.2)
    assert (result.outcome, result.reason) == (LinkStatus.TIMEOUT, "timed out after 0.2 s")
    assert site.count("/hang") == 1


async def test_hung_host_costs_one_timeout_not_one_per_url(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        await site.hang()
        return web.Response()

    for index in range(6):
        site.routes[f"/h{index}"] = handler
    urls = [site.url(f"/h{index}") for index in range(6)]
    results = await check_urls(urls, settings(timeout=0.2, max_per_host=2))
    assert all(result.outcome is LinkStatus.TIMEOUT for result in results.values())
    assert site.count() == 2
    later = results[urls[5]]
    assert later.requests == 0
    assert later.reason == "timed out after 0.2 s (the host answered none of its first requests)"


async def test_no_request_starts_while_a_silent_hosts_first_batch_is_pending(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        await site.hang()
        return web.Response()

    for index in range(8):
        site.routes[f"/h{index}"] = handler
    urls = [site.url(f"/h{index}") for index in range(8)]
    # Staggered starts make the first batch time out one by one; a freed slot must not send a
    # fifth request before the batch has settled.
    results = await check_urls(urls, settings(timeout=0.2, max_per_host=4, min_interval=0.03))
    assert all(result.outcome is LinkStatus.TIMEOUT for result in results.values())
    assert site.count() == 4


async def test_a_silent_hosts_verdict_cuts_its_later_probes_short(site: Site) -> None:
    # Staggered starts: the host's verdict comes with the second timeout; the third and fourth
    # probes, sent later, could only time out too, and end with the verdict instead of their own
    # timeouts (a hung host costs one timeout from its first request, not from its last).
    async def handler(request: web.Request) -> web.StreamResponse:
        await site.hang()
        return web.Response()

    for index in range(6):
        site.routes[f"/h{index}"] = handler
    urls = [site.url(f"/h{index}") for index in range(6)]
    results = await check_urls(urls, settings(timeout=0.3, max_per_host=4, min_interval=0.05))
    verdict = "timed out after 0.3 s (the host answered none of its first requests)"
    # Which of the first four start first is up to the event loop; the first two timed out.
    outcomes = sorted((results[url].requests, results[url].reason) for url in urls)
    assert outcomes == [(0, verdict)] * 2 + [(1, "timed out after 0.3 s")] * 2 + [(1, verdict)] * 2
    assert site.count() == 4


async def test_reset_is_retried_then_unreachable(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()
        return web.Response()

    site.routes["/reset"] = handler
    result = await check_one(site.url("/reset"), method="get", retries=2)
    assert (result.outcome, result.reason) == (LinkStatus.UNREACHABLE, "connection reset")
    assert site.count("/reset") == 3


async def test_refused_is_unreachable_without_retry() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await check_one(f"http://127.0.0.1:{port}/x")
    assert (result.outcome, result.reason, result.requests) == (
        LinkStatus.UNREACHABLE,
        "connection refused",
        1,
    )


class _FailingResolver:
    """Stands in for the system resolver: every name fails like NXDOMAIN."""

    calls = 0

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[Any]:
        _FailingResolver.calls += 1
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        return None


async def test_dns_failure_is_unreachable_and_learned_per_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("aiohttp.DefaultResolver", _FailingResolver)
    _FailingResolver.calls = 0
    urls = [f"http://no-such-host.test/{index}" for index in range(3)]
    results = await check_urls(urls, settings(max_per_host=1))
    for url in urls:
        assert results[url].outcome is LinkStatus.UNREACHABLE
        assert results[url].reason == "DNS lookup failed for no-such-host.test"
    assert _FailingResolver.calls == 1


async def test_garbage_response_is_unreachable() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NONSENSE\x00\x01 garbage\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await check_one(f"http://127.0.0.1:{port}/", method="get", retries=0)
    assert (result.outcome, result.reason) == (LinkStatus.UNREACHABLE, "invalid HTTP response")


async def test_huge_header_is_classified_not_raised() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await check_one(f"http://127.0.0.1:{port}/", method="get", retries=0)
    assert result.outcome is LinkStatus.UNREACHABLE
    assert result.reason == "invalid HTTP response"


# -- bot protection ------------------------------------------------------------------------------


async def test_cf_mitigated_403_is_unverified_not_broken(site: Site) -> None:
    site.routes["/paper"] = respond(403, **{"cf-mitigated": "challenge", "Server": "cloudflare"})
    result = await check_one(site.url("/paper"))
    assert result.outcome is LinkStatus.BLOCKED
    assert result.reason == "blocked by bot protection (403 Forbidden, cf-mitigated: challenge)"
    assert site.methods("/paper") == ["HEAD"]  # a GET would meet the same wall


async def test_challenge_page_found_in_the_get_body(site: Site) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        page = "<html><title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/x>"
        return web.Response(status=403, headers={"Server": "cloudflare"}, text=page)

    site.routes["/paper"] = handler
    result = await check_one(site.url("/paper"))
    assert result.outcome is LinkStatus.BLOCKED
    assert result.reason == "blocked by bot protection (403 Forbidden, challenge page)"


async def test_plain_403_is_broken(site: Site) -> None:
    site.routes["/secret"] = respond(403)
    result = await check_one(site.url("/secret"))
    assert (result.outcome, result.reason) == (LinkStatus.BROKEN, "403 Forbidden")


async def test_999_is_unverified(site: Site) -> None:
    site.routes["/in"] = respond(999)
    result = await check_one(site.url("/in"))
    assert (result.outcome, result.reason) == (
        LinkStatus.BLOCKED,
        "blocked by bot protection (999)",
    )


# -- bounded reads -------------------------------------------------------------------------------


def endless_body(site: Site, status: int, sent: list[int], *, length: bool) -> Any:
    total = 50 * 1024 * 1024
    chunk = b"x" * 65536

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status)
        if length:
            response.content_length = total
        await response.prepare(request)
        try:
            while sent[0] < total:
                await response.write(chunk)
                sent[0] += len(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    return handler


@pytest.mark.parametrize("length", [True, False])
async def test_get_never_reads_past_the_bound(site: Site, length: bool) -> None:
    sent = [0]
    site.routes["/big"] = endless_body(site, 403, sent, length=length)
    result = await check_one(site.url("/big"), method="get", retries=0)
    assert result.outcome is LinkStatus.BROKEN
    assert 0 < result.bytes_read <= checker.MAX_BODY_BYTES
    await asyncio.sleep(0.05)  # let the server notice the closed connection
    # The client hung up after its prefix: only what kernel buffers absorbed was ever sent.
    assert sent[0] < 16 * 1024 * 1024


async def test_successful_big_get_reads_nothing(site: Site) -> None:
    sent = [0]
    site.routes["/paper.pdf"] = endless_body(site, 200, sent, length=True)
    result = await check_one(site.url("/paper.pdf"), method="get")
    assert (result.outcome, result.bytes_read, result.requests) == (LinkStatus.OK, 0, 1)


async def test_read_bound_is_a_module_constant(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body, "MAX_BODY_BYTES", 1000)
    sent = [0]
    site.routes["/big"] = endless_body(site, 404, sent, length=False)
    result = await check_one(site.url("/big"), method="get", retries=0)
    assert result.bytes_read == 1000


# -- one request per unique URL, concurrency -----------------------------------------------------


async def test_each_unique_url_is_requested_once(site: Site) -> None:
    site.routes["/p"] = respond(200)
    site.routes["/q"] = respond(200)
    urls = [site.url("/p")] * 5 + [site.url("/p") + "#intro", site.url("/p") + "#x", site.url("/q")]
    results = await check_urls(urls, settings())
    assert list(results) == [site.url("/p"), site.url("/p") + "#intro", site.url("/p") + "#x",
                             site.url("/q")]  # fmt: skip
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert site.count("/p") == 1
    assert site.count("/q") == 1


def slow(delay: float = 0.03) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        return web.Response(text="ok")

    return handler


async def test_per_host_concurrency_never_above_the_limit(site: Site) -> None:
    for index in range(12):
        site.routes[f"/p{index}"] = slow()
    mapped = {"a.test": "127.0.0.1", "b.test": "127.0.0.1"}
    urls = [site.url(f"/p{index}", host) for index in range(12) for host in mapped]
    results = await check_urls(
        urls,
        settings(resolve=mapped, max_per_host=3, hosts={"b.test": HostSettings(max_concurrency=1)}),
    )
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert site.peak["a.test"] == 3
    assert site.peak["b.test"] == 1


async def test_global_concurrency_never_above_the_limit(site: Site) -> None:
    for index in range(6):
        site.routes[f"/p{index}"] = slow()
    mapped = {f"h{number}.test": "127.0.0.1" for number in range(5)}
    urls = [site.url(f"/p{index}", host) for index in range(6) for host in mapped]
    results = await check_urls(urls, settings(resolve=mapped, max_per_host=4, max_concurrency=3))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    assert site.total_peak == 3


async def test_due_retry_goes_before_queued_first_requests(site: Site) -> None:
    # One slot on the host, a queue of first requests behind it: the retry of the URL that got a
    # 500 is due long before the queue is through, and must not wait behind it.
    site.routes["/flaky"] = sequence(500, 200)
    for index in range(6):
        site.routes[f"/p{index}"] = slow(0.05)
    urls = [site.url("/flaky")] + [site.url(f"/p{index}") for index in range(6)]
    results = await check_urls(urls, settings(method="get", max_per_host=1))
    assert results[site.url("/flaky")].outcome is LinkStatus.OK
    paths = [seen.path for seen in site.seen]
    # At most the first request queued behind /flaky took the slot before the retry was due.
    assert paths.index("/flaky", 1) <= 2, paths


async def test_last_try_and_redirect_hop_queue_behind_first_requests(site: Site) -> None:
    # Only a try whose answer may start a wait goes first (a retry that is not the last): a last
    # try ends its URL's check whatever it gets, and a redirect hop is as new as a first request.
    # First requests first is what finds a host's rate limits early: on the link farm, the last
    # URL of a host limited once waited behind the hops and last tries of the others.
    site.routes["/flaky"] = sequence(500, 500, 200)
    site.routes["/moved"] = redirect(301, "/new")
    site.routes["/new"] = respond(200)
    for index in range(6):
        site.routes[f"/p{index}"] = slow(0.05)
    urls = [site.url("/flaky"), site.url("/moved")] + [site.url(f"/p{index}") for index in range(6)]
    results = await check_urls(urls, settings(method="get", max_per_host=1))
    assert results[site.url("/flaky")].outcome is LinkStatus.OK
    assert results[site.url("/moved")].outcome is LinkStatus.REDIRECTED
    paths = [seen.path for seen in site.seen]
    assert paths.index("/flaky", 1) <= 3, paths  # the retry that is not the last went first
    assert paths[-3:] == ["/p5", "/new", "/flaky"], paths


async def test_due_retry_goes_before_queued_first_requests_of_other_hosts(site: Site) -> None:
    # The global limit is the bottleneck: 24 first requests queue for the one global slot, and
    # the host's own slots are held by its first requests queued there.
    site.routes["/flaky"] = sequence(500, 200)
    for index in range(6):
        site.routes[f"/p{index}"] = slow(0.05)
    mapped = {f"h{number}.test": "127.0.0.1" for number in range(4)}
    urls = [site.url("/flaky", "h0.test")] + [
        site.url(f"/p{index}", host) for index in range(6) for host in mapped
    ]
    results = await check_urls(urls, settings(method="get", resolve=mapped, max_concurrency=1))
    assert results[site.url("/flaky", "h0.test")].outcome is LinkStatus.OK
    paths = [(seen.host, seen.path) for seen in site.seen]
    # Before the retry: the request in flight when it fell due, the oldest request of its host
    # queued for the global slot (it holds the host slot the retry needs) and the one that took
    # the global slot while that host slot changed hands; not the rest of the queue.
    assert paths.index(("h0.test", "/flaky"), 1) <= 4, paths


async def test_min_interval_spaces_request_starts(site: Site) -> None:
    for index in range(4):
        site.routes[f"/p{index}"] = respond(200)
    urls = [site.url(f"/p{index}") for index in range(4)]
    await check_urls(urls, settings(min_interval=0.05))
    starts = sorted(seen.at for seen in site.seen)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.05 - 0.005


# -- the private-address guard -------------------------------------------------------------------


async def test_private_address_is_skipped_and_nothing_is_sent(site: Site) -> None:
    site.routes["/p"] = respond(200)
    urls = [site.url("/p"), site.url("/p", "localhost"), site.url("/p", "mapped.test")]
    results = await check_urls(
        urls, settings(allow_private=False, resolve={"mapped.test": "127.0.0.1"})
    )
    for url in urls:
        assert results[url].outcome is LinkStatus.SKIPPED
        assert results[url].requests == 0
    assert results[urls[0]].reason == "private address 127.0.0.1"
    assert results[urls[2]].reason == "private address 127.0.0.1"
    assert site.count() == 0


async def test_guard_applies_to_redirect_targets(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend 127.0.0.1 is a public address; every other address stays private.
    real = guard.blocked_address
    monkeypatch.setattr(guard, "blocked_address", lambda a: a != "127.0.0.1" and real(a))
    site.routes["/to-name"] = redirect(302, f"http://inner.test:{site.port}/secret")
    site.routes["/to-ip"] = redirect(301, f"http://127.0.0.3:{site.port}/secret")
    results = await check_urls(
        [site.url("/to-name"), site.url("/to-ip")],
        settings(allow_private=False, resolve={"inner.test": "127.0.0.2"}),
    )
    assert results[site.url("/to-name")].outcome is LinkStatus.SKIPPED
    assert results[site.url("/to-name")].reason == "private address 127.0.0.2"
    assert results[site.url("/to-ip")].reason == "private address 127.0.0.3"
    assert site.count("/secret") == 0


# Every spelling of 127.0.0.1 that a browser or the resolver accepts.
LOOPBACK_SPELLINGS = ("127.1", "127.0.1", "2130706433", "0x7f000001", "017700000001", "0x7f.1",
                      "0177.0.0.01", "127.0.0.1.")  # fmt: skip


async def test_short_ipv4_spellings_of_a_private_address_are_skipped(site: Site) -> None:
    site.routes["/p"] = respond(200)
    urls = [site.url("/p", host) for host in LOOPBACK_SPELLINGS]
    results = await check_urls(urls, settings(allow_private=False))
    for url in urls:
        result = results[url]
        assert (result.outcome, result.reason, result.requests) == (
            LinkStatus.SKIPPED,
            "private address 127.0.0.1",
            0,
        ), url
    assert site.count() == 0


async def test_short_ipv4_spellings_are_sent_as_the_dotted_quad_when_allowed(site: Site) -> None:
    # aiohttp refuses 127.1 ("not a canonical IPv4 address"); a browser sends 127.0.0.1.
    site.routes["/p"] = respond(200)
    urls = [site.url("/p", host) for host in LOOPBACK_SPELLINGS]
    results = await check_urls(urls, settings(max_per_host=1))
    for url in urls:
        assert (results[url].outcome, results[url].status) == (LinkStatus.OK, 200), url
    assert {seen.host for seen in site.seen} == {"127.0.0.1"}
    # One host: the spellings share its limit and memory.
    assert site.peak["127.0.0.1"] == 1


async def test_a_redirect_cannot_reach_a_private_address_through_a_short_spelling(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend 127.0.0.1 is a public address; every other address stays private.
    real = guard.blocked_address
    monkeypatch.setattr(guard, "blocked_address", lambda a: a != "127.0.0.1" and real(a))
    site.routes["/to-short"] = redirect(302, f"http://2130706435:{site.port}/secret")
    result = await check_one(site.url("/to-short"), allow_private=False)
    assert (result.outcome, result.reason) == (LinkStatus.SKIPPED, "private address 127.0.0.3")
    assert site.count("/secret") == 0


@pytest.mark.parametrize(
    "url", ["http://1.2.3.4.5/", "http://256.1.1.1.1/", "http://999999999999/", "http://a.123/"]
)
async def test_numeric_hosts_that_are_no_ipv4_address_are_invalid(url: str) -> None:
    # Mapped, so that a regression cannot send a name lookup out.
    result = await check_one(url, allow_private=False, resolve={"a.123": "127.0.0.1"})
    assert (result.outcome, result.reason, result.requests) == (
        LinkStatus.BROKEN,
        "invalid URL (bad host name)",
        0,
    )


async def test_other_schemes_and_malformed_urls_never_raise() -> None:
    urls = ["ftp://example.org/x", "mailto:a@b.org", "http://[::1", "http://a:99999/",
            "http://exa mple.com/", "https://", "not a url"]  # fmt: skip
    results = await check_urls(urls, settings())
    assert results["ftp://example.org/x"].outcome is LinkStatus.SKIPPED
    assert results["ftp://example.org/x"].reason == "ftp: URLs are not checked"
    assert results["mailto:a@b.org"].outcome is LinkStatus.SKIPPED
    for url in urls[2:]:
        assert results[url].outcome is LinkStatus.BROKEN, url
        assert results[url].reason.startswith("invalid URL"), url
        assert results[url].requests == 0


async def test_excluded_urls_get_no_request(site: Site) -> None:
    site.routes["/p"] = respond(200)
    result = await check_one(site.url("/p"), exclude=(r":\d+/p$",))
    assert (result.outcome, result.requests) == (LinkStatus.EXCLUDED, 0)
    assert site.count() == 0


# -- GitHub token, TLS ---------------------------------------------------------------------------


@pytest.fixture
async def tls_site(aiohttp_server: Any, tls: Tls, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setattr(client, "SSL_CONTEXT", tls.client_context())
    site = Site()
    server = await aiohttp_server(site.app(), ssl=tls.server_context())
    site.port = server.port
    return site


GITHUB_MAP = {name: "127.0.0.1" for name in ("github.com", "api.github.com", "gist.github.com",
                                             "example.org")}  # fmt: skip


async def test_github_token_goes_to_github_over_https_only(tls_site: Site, site: Site) -> None:
    for target in (tls_site, site):
        for path in ("/a", "/b", "/c", "/d", "/e"):
            target.routes[path] = respond(200)
    tls_site.routes["/hop"] = redirect(302, f"https://example.org:{tls_site.port}/e")
    urls = [
        tls_site.url("/a", "github.com", "https"),
        tls_site.url("/b", "api.github.com", "https"),
        tls_site.url("/c", "gist.github.com", "https"),
        tls_site.url("/d", "example.org", "https"),
        tls_site.url("/hop", "github.com", "https"),
        site.url("/a", "github.com", "http"),
    ]
    results = await check_urls(urls, settings(resolve=GITHUB_MAP, github_token="T0KEN"))
    assert all(result.outcome is LinkStatus.OK for result in results.values())
    auth = {(seen.host, seen.path): seen.headers.get("Authorization") for seen in tls_site.seen}
    assert auth == {
        ("github.com", "/a"): "Bearer T0KEN",
        ("api.github.com", "/b"): "Bearer T0KEN",
        ("gist.github.com", "/c"): None,
        ("example.org", "/d"): None,
        ("github.com", "/hop"): "Bearer T0KEN",
        ("example.org", "/e"): None,
    }
    assert [seen.headers.get("Authorization") for seen in site.seen] == [None]


async def test_untrusted_certificate_is_a_tls_error(
    tls_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "SSL_CONTEXT", None)
    tls_site.routes["/a"] = respond(200)
    result = await check_one(tls_site.url("/a", "example.org", "https"), resolve=GITHUB_MAP)
    assert result.outcome is LinkStatus.UNREACHABLE
    assert result.reason.startswith("TLS error: ")
    assert tls_site.count() == 0


async def test_http_to_https_upgrade_is_redirected(tls_site: Site, site: Site) -> None:
    tls_site.routes["/paper"] = respond(200)
    target = tls_site.url("/paper", "example.org", "https")
    site.routes["/paper"] = redirect(301, target)
    result = await check_one(site.url("/paper", "example.org"), resolve=GITHUB_MAP)
    assert (result.outcome, result.final_url) == (LinkStatus.REDIRECTED, target)


# -- progress, user agent, sync wrapper ----------------------------------------------------------


async def test_progress_reports_every_url(site: Site) -> None:
    site.routes["/ok"] = respond(200)
    site.routes["/gone"] = respond(410)
    seen: list[Progress] = []
    urls = [site.url("/ok"), site.url("/gone"), site.url("/gone") + "#a", "ftp://x.org/"]
    await check_urls(urls, settings(), seen.append)
    assert seen[0] == Progress(0, 4, 0)
    assert seen[-1] == Progress(4, 4, 2)
    assert [progress.checked for progress in seen] == sorted(p.checked for p in seen)


async def test_user_agent_is_sent(site: Site) -> None:
    site.routes["/ok"] = respond(200)
    await check_one(site.url("/ok"), user_agent="paperlint-test/1")
    assert site.seen[0].headers["User-Agent"] == "paperlint-test/1"


def test_run_checks_is_a_sync_wrapper() -> None:
    result = run_checks(["ftp://x.org/"], settings())
    assert result["ftp://x.org/"].outcome is LinkStatus.SKIPPED


def test_start_checks_returns_once_every_hosts_first_batch_is_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The caller's offline rules wait for this (they share the interpreter lock with the loop),
    # and only for this: the run itself is far from done.
    monkeypatch.setattr(checker, "LAUNCH_WAIT", 60.0)
    with socket.socket() as one, socket.socket(socket.AF_INET6) as two:
        urls = []
        for listener, address, host in ((one, "127.0.0.1", "127.0.0.1"), (two, "::1", "[::1]")):
            listener.bind((address, 0))
            listener.listen()
            port = listener.getsockname()[1]
            urls += [f"http://{host}:{port}/paper{number}" for number in range(3)]
        pending = start_checks(urls, settings(timeout=3.0, max_per_host=2))
        assert not pending.done()
        held = []  # closed only at the end: a closed one would free its slot for the third
        for listener in (one, two):
            listener.setblocking(False)
            for _ in range(2):  # the host's first batch: already there, no wait
                held.append(listener.accept()[0])
            with pytest.raises(BlockingIOError):  # the third waits for the batch to settle
                listener.accept()
        for connection in held:
            connection.close()
    assert all(result.outcome is not LinkStatus.OK for result in pending.result().values())


async def test_start_checks_runs_in_the_background(site: Site) -> None:
    site.routes["/ok"] = respond(200)
    pending = start_checks([site.url("/ok"), "ftp://x.org/"], settings())
    # The server runs on this test's loop, so wait for the thread without blocking the loop.
    results = await asyncio.to_thread(pending.result)
    assert results[site.url("/ok")].outcome is LinkStatus.OK
    assert results["ftp://x.org/"].outcome is LinkStatus.SKIPPED
    assert site.count() == 1
