"""The polite client on its own, as a registry would call it: ``open_client`` and ``Client.get``
against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
from typing import Any

import pytest
from aiohttp import web

from linter.net import client, guard
from linter.net.client import FetchError, open_client
from linter.net.results import LinkStatus
from tests.net.conftest import Site, settings


def json_answer(data: Any, delay: float = 0.0) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(data)

    return handler


async def test_get_returns_json_and_sends_the_callers_headers(site: Site) -> None:
    site.routes["/works"] = json_answer({"title": "A paper"})
    async with open_client(settings(user_agent="paperlint-test")) as polite:
        response = await polite.get(site.url("/works"), headers={"Accept": "application/json"})
    assert (response.status, response.json(), response.requests) == (200, {"title": "A paper"}, 1)
    assert response.url == site.url("/works")
    sent = site.seen[0].headers
    assert sent["Accept"] == "application/json"
    assert sent["User-Agent"] == "paperlint-test"
    assert sent["Accept-Encoding"] == "gzip, deflate"


async def test_concurrent_gets_honour_a_per_host_limit_of_one(site: Site) -> None:
    site.routes["/item"] = json_answer({"ok": True}, delay=0.05)
    async with open_client(settings(max_per_host=1)) as polite:
        responses = await asyncio.gather(
            *(polite.get(site.url("/item") + f"?n={n}") for n in range(6))
        )
    assert [response.json() for response in responses] == [{"ok": True}] * 6
    assert site.count("/item") == 6
    assert site.peak["127.0.0.1"] == 1


async def test_min_interval_spaces_the_starts_of_requests_to_one_host(site: Site) -> None:
    site.routes["/item"] = json_answer({})
    async with open_client(settings(min_interval=0.1)) as polite:
        await asyncio.gather(*(polite.get(site.url("/item") + f"?n={n}") for n in range(3)))
    starts = sorted(seen.at for seen in site.seen)
    assert all(later - earlier >= 0.09 for earlier, later in itertools.pairwise(starts))


async def test_a_503_with_retry_after_is_waited_out_then_answered(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "SECONDS_PER_RETRY_AFTER", 0.2)
    calls = [0]

    async def handler(request: web.Request) -> web.StreamResponse:
        calls[0] += 1
        if calls[0] == 1:
            return web.Response(status=503, headers={"Retry-After": "1"})
        return web.json_response({"total": 3})

    site.routes["/api"] = handler
    async with open_client(settings()) as polite:
        response = await polite.get(site.url("/api"))
    assert (response.status, response.json(), response.requests) == (200, {"total": 3}, 2)
    first, second = (seen.at for seen in site.seen)
    assert second - first >= 0.18  # one Retry-After second, shrunk to 0.2 s


async def test_an_error_status_is_returned_not_raised(site: Site) -> None:
    async def not_found(request: web.Request) -> web.StreamResponse:
        return web.json_response({"error": "not found"}, status=404)

    site.routes["/missing"] = not_found
    async with open_client(settings()) as polite:
        response = await polite.get(site.url("/missing"))
    assert (response.status, response.json(), response.requests) == (404, {"error": "not found"}, 1)


async def test_a_private_address_is_refused_without_allow_private(site: Site) -> None:
    site.routes["/api"] = json_answer({})
    async with open_client(
        settings(allow_private=False, resolve={"api.test": "127.0.0.1"})
    ) as polite:
        with pytest.raises(FetchError) as literal:
            await polite.get(site.url("/api"))
        with pytest.raises(FetchError) as named:
            await polite.get(site.url("/api", host="api.test"))
    assert (literal.value.outcome, literal.value.reason) == (
        LinkStatus.SKIPPED,
        "private address 127.0.0.1",
    )
    assert (named.value.outcome, named.value.reason) == (
        LinkStatus.SKIPPED,
        "private address 127.0.0.1",
    )
    assert site.count() == 0


async def test_redirects_are_followed_and_each_hop_is_guarded(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def moved(request: web.Request) -> web.StreamResponse:
        return web.Response(status=301, headers={"Location": "/v2/api"})

    site.routes["/api"] = moved
    site.routes["/v2/api"] = json_answer({"v": 2})
    async with open_client(settings()) as polite:
        response = await polite.get(site.url("/api"))
    assert (response.url, response.json(), response.requests) == (site.url("/v2/api"), {"v": 2}, 2)

    # Pretend 127.0.0.1 is public: a redirect from it to another loopback address is refused.
    real = guard.blocked_address
    monkeypatch.setattr(guard, "blocked_address", lambda a: a != "127.0.0.1" and real(a))

    async def inward(request: web.Request) -> web.StreamResponse:
        return web.Response(status=302, headers={"Location": f"http://127.0.0.2:{site.port}/"})

    site.routes["/inward"] = inward
    async with open_client(settings(allow_private=False)) as polite:
        with pytest.raises(FetchError) as refused:
            await polite.get(site.url("/inward"))
    assert refused.value.reason == "private address 127.0.0.2"


async def test_a_gzipped_body_is_decoded_and_a_body_past_the_limit_is_refused(
    site: Site,
) -> None:
    payload = json.dumps({"items": list(range(2000))}).encode()

    async def zipped(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=gzip.compress(payload),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    site.routes["/zipped"] = zipped
    site.routes["/big"] = json_answer({"items": list(range(2000))})
    async with open_client(settings()) as polite:
        response = await polite.get(site.url("/zipped"))
        assert response.body == payload
        with pytest.raises(FetchError) as large:
            await polite.get(site.url("/big"), limit=1000)
        small = await polite.get(site.url("/zipped"), limit=len(payload))
    assert small.body == payload  # exactly at the limit is fine
    assert (large.value.outcome, large.value.status) == (LinkStatus.UNVERIFIED, 200)
    assert large.value.reason == "body larger than 1000 bytes"


async def test_the_github_token_goes_to_no_other_host(site: Site) -> None:
    site.routes["/api"] = json_answer({})
    async with open_client(settings(github_token="secret")) as polite:
        await polite.get(site.url("/api"))
    assert "Authorization" not in site.seen[0].headers


# -- post_json -----------------------------------------------------------------------------------


async def test_post_json_sends_the_payload_and_returns_any_status(site: Site) -> None:
    bodies: list[Any] = []

    async def graphql(request: web.Request) -> web.StreamResponse:
        bodies.append(await request.json())
        if bodies[-1].get("bad"):
            return web.json_response({"message": "Problems parsing JSON"}, status=400)
        return web.json_response({"data": {"r0": None}})

    site.routes["/graphql"] = graphql
    async with open_client(settings()) as polite:
        good = await polite.post_json(
            site.url("/graphql"), {"query": "query { r0 }"}, {"Authorization": "bearer T"}
        )
        bad = await polite.post_json(site.url("/graphql"), {"bad": True})
    assert (good.status, good.json(), good.requests) == (200, {"data": {"r0": None}}, 1)
    assert (bad.status, bad.json()["message"]) == (400, "Problems parsing JSON")
    assert bodies == [{"query": "query { r0 }"}, {"bad": True}]
    first = site.seen[0]
    assert (first.method, first.headers["Content-Type"]) == ("POST", "application/json")
    assert first.headers["Authorization"] == "bearer T"
    assert "Authorization" not in site.seen[1].headers


async def test_post_json_follows_no_redirect(site: Site) -> None:
    async def moved(request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect(location="/elsewhere")

    site.routes["/graphql"] = moved
    site.routes["/elsewhere"] = json_answer({"data": {}})
    async with open_client(settings()) as polite:
        with pytest.raises(FetchError) as error:
            await polite.post_json(site.url("/graphql"), {}, {"Authorization": "bearer T"})
    assert (error.value.outcome, error.value.status) == (LinkStatus.UNVERIFIED, 308)
    assert error.value.reason == "redirected (308 Permanent Redirect) to /elsewhere; not followed"
    assert [seen.path for seen in site.seen] == ["/graphql"]


async def test_post_json_refuses_a_body_past_its_limit(site: Site) -> None:
    site.routes["/graphql"] = json_answer({"data": "x" * 5000})
    async with open_client(settings()) as polite:
        with pytest.raises(FetchError) as error:
            await polite.post_json(site.url("/graphql"), {}, limit=1000)
    assert error.value.reason == "body larger than 1000 bytes"
