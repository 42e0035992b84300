"""The polite HTTP client: every request of a run goes through one :class:`Client`.

Scheduling: one ``ClientSession`` (connection reuse, DNS cache); a global semaphore and one per
host, a minimum interval between two request starts to one host, and a host-wide pause when the
host sends ``Retry-After`` (or 429), unless the host has shown that its limits are per URL (see
``Host.limit_pauses_host``). A task takes its host slot before the global one, so tasks queued
behind a busy or hung host never hold global slots. Slots are held for one try only (one
request, or the HEAD+GET pair of a link check): backoff sleeps and redirect hops to other hosts
hold nothing. A retry whose answer may start another wait (after a rate limit, or not the URL's
last) gets the next free slot before URLs not yet requested (``Slots``), so retry chains run
alongside the first requests, not after them. Retries: resets (the first one at once: most often a stale keep-alive connection),
timeouts when the settings say so, retryable statuses, with exponential backoff or the host's
``Retry-After``, up to ``retries`` retries, and as many again for tries answered with a rate limit
(a limit says nothing about the URL).

Host memory: facts about a host, not a URL, are learned once and applied to its other URLs
without a request: a DNS failure, a private address, a host whose whole first batch of requests
timed out without any answer (``HOST_TIMEOUT_LIMIT`` timeouts, or fewer when its concurrency
limit is lower), and a host that kept rate limiting past its pause budget. Until a host has
answered once, only that first batch is sent, so one hung host costs one timeout, not one per
URL or per freed slot. Whether a host answers at all is learned per origin (scheme, name and
port): a hung demo server on one port says nothing about the site on another.

Every request: the address guard on every connection (``guard``), the GitHub token only to
GitHub hosts over https, cookies only within one chain, bodies read within a bound (``body``),
and ``Connection: close`` unless the idle pool has room for a connection that another URL of the
host will reuse (``hosts.IdlePool``).

Two ways in: the link checker (``judge``) drives :meth:`Client.fetch` with its own HEAD-first
exchange and follows redirects itself; a registry calls :meth:`Client.get`, which GETs a URL,
follows redirects (each hop guarded and scheduled like the first) and returns a
:class:`Response` or raises :class:`FetchError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from linter.net import guard
from linter.net.body import read_prefix
from linter.net.classify import (
    REDIRECTS,
    Answer,
    Chain,
    Failure,
    bot_signal,
    classify_error,
    cookie_header,
    remember_cookies,
    retry_after,
    retryable,
    status_text,
)
from linter.net.guard import GuardedResolver
from linter.net.hosts import Host, IdlePool, Origin, Slots, host_settings, idle_limit
from linter.net.results import LinkResult, LinkStatus
from linter.net.settings import CheckerSettings
from linter.net.urls import OriginKey, host_key, is_literal_ip, location_text, origin_key, parse_url

DNS_CACHE_TTL = 300  # seconds
HOST_TIMEOUT_LIMIT = 2  # silent timeouts after which a host that never answered is down
HOST_PAUSE_BUDGET = 2.0  # a host may pause us for this many times max_retry_after in total
BACKOFF_MAX = 30.0  # cap of one exponential backoff sleep, seconds
SECONDS_PER_RETRY_AFTER = 1.0  # how long one Retry-After second sleeps (tests shrink it)
MAX_HEADER_BYTES = 64 * 1024  # real sites send CSP/cookie headers past aiohttp's 8 KiB default
KEEPALIVE_TIMEOUT = 15.0  # seconds aiohttp keeps an unused idle connection open
API_BODY_BYTES = 4 * 1024 * 1024  # default bound of a body read by Client.get (API answers)
SSL_CONTEXT: ssl.SSLContext | None = None  # None: the system trust store (tests install theirs)

GITHUB_HOSTS = frozenset({"github.com", "api.github.com"})

# One try of a hop, sent while it holds its slots: its outcome, and whether it was also a retry.
Exchange = Callable[[URL, Chain, Host], Awaitable[tuple[Answer | Failure, bool]]]


@dataclass(frozen=True)
class Response:
    """The final answer to :meth:`Client.get`, whatever its status."""

    url: str  # after redirects
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes  # decoded (gzip, deflate), at most the limit of the call
    requests: int  # sent for it, retries and redirect hops included

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding, "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class FetchError(Exception):
    """:meth:`Client.get` got no answer to return: why, as a link outcome and a reason."""

    def __init__(self, outcome: LinkStatus, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.status = status


@contextlib.asynccontextmanager
async def open_client(
    settings: CheckerSettings, rng: random.Random | None = None
) -> AsyncIterator[Client]:
    """A :class:`Client` on a session of its own, closed on exit."""
    host_limits = [settings.max_per_host] + [
        host.max_concurrency for host in settings.hosts.values() if host.max_concurrency
    ]
    resolver = GuardedResolver(settings.allow_private, settings.resolve)
    connector = aiohttp.TCPConnector(
        limit=max(1, settings.max_concurrency),
        limit_per_host=max(1, *host_limits),
        ttl_dns_cache=DNS_CACHE_TTL,
        resolver=resolver,
        keepalive_timeout=KEEPALIVE_TIMEOUT,
    )
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),  # cookies live per redirect chain, see Chain
        auto_decompress=False,  # see body._Inflater
        max_line_size=MAX_HEADER_BYTES,
        max_field_size=MAX_HEADER_BYTES,
        trust_env=False,  # a proxy from the environment would bypass the address guard
    ) as session:
        # aiohttp silently resends an idempotent request once after a disconnect (for stale
        # keep-alive connections). Our own retry does that visibly (the first retry after a reset
        # is immediate), so request counts stay exact and a resetting server is not hit twice as
        # often as configured. aiohttp's own test client switches it off the same way.
        session._retry_connection = False
        yield Client(settings, session, random.Random() if rng is None else rng)


class Client:
    def __init__(
        self,
        settings: CheckerSettings,
        session: aiohttp.ClientSession,
        rng: random.Random,
    ) -> None:
        self.settings = settings
        self.session = session
        self.rng = rng
        self.global_slots = Slots(max(1, settings.max_concurrency))
        self.hosts: dict[str, Host] = {}
        self.origins: dict[OriginKey, Origin] = {}
        # aiohttp closes an unused idle connection one to two keep-alive timeouts after its use.
        self.pool = IdlePool(idle_limit(), 2 * KEEPALIVE_TIMEOUT)
        # ceil_threshold: aiohttp rounds timeouts of 5 s and more up to the next whole second
        # of the loop clock; a hung server must cost the configured time, not up to 1 s more.
        self.timeout = aiohttp.ClientTimeout(
            total=settings.timeout, sock_connect=settings.connect_timeout, ceil_threshold=math.inf
        )

    def host(self, name: str) -> Host:
        host = self.hosts.get(name)
        if host is None:
            config = host_settings(self.settings, name)
            limit = (config.max_concurrency if config else None) or self.settings.max_per_host
            interval = config.min_interval if config and config.min_interval is not None else None
            accept = config.accept if config and config.accept is not None else None
            host = Host(
                name=name,
                limit=max(1, limit),
                slots=Slots(max(1, limit)),
                interval=self.settings.min_interval if interval is None else interval,
                accept=self.settings.accept if accept is None else accept,
            )
            self.hosts[name] = host
        return host

    def origin(self, url: URL, host: Host) -> Origin:
        key = origin_key(url)
        origin = self.origins.get(key)
        if origin is None:
            origin = self.origins[key] = Origin(limit=host.limit)
        return origin

    def expect(self, url: str) -> str:
        """Counts ``url``, whose check is about to be scheduled, as pending on its host; its
        host's key ("" when it is no URL to fetch)."""
        parsed = parse_url(url)
        if not isinstance(parsed, URL):
            return ""
        name = host_key(parsed)
        self.host(name).pending += 1
        return name

    # -- one hop: slots, pauses, retries ----------------------------------------------------------

    async def fetch(self, url: URL, chain: Chain, exchange: Exchange) -> Answer | LinkResult:
        """The settled answer for one hop (after retries, pauses and backoff), or the result
        when there is no answer to judge. ``exchange`` sends the request(s) of one try while the
        try holds its host and global slots, and says whether it was also a retry."""
        name = host_key(url)
        host = self.host(name)
        guarded = not self.settings.allow_private and host.verdict is None
        if guarded and is_literal_ip(name) and guard.blocked_address(name):
            reason = f"private address {name}"
            host.verdict = LinkResult(str(url), LinkStatus.SKIPPED, None, reason)
        origin = self.origin(url, host)
        attempt = 0  # retries so far for answers about the URL: tries after the first
        # Tries answered with a rate limit: a limit is about us, not the URL, so it does not use
        # up the URL's retries (a flaky URL answered 500, 500, then 429 was called broken), but
        # has a budget of its own.
        limits = 0
        waits = 0  # backoff sleeps so far: the exponent of the next one
        failing: Answer | None = None  # the last retryable error that was no rate limit
        while True:
            verdict = host.verdict or origin.verdict
            if verdict is not None:
                return verdict
            # A try whose answer may start a wait goes before first requests (see Slots).
            urgent = limits > 0 or 0 < attempt < self.settings.retries
            if urgent and host.slots.full():
                # The host's slots may all be held by first requests queued for global slots
                # (the global limit is the bottleneck): the oldest of them goes first there, so
                # that the slot it frees comes to this request soon.
                for waiter in host.global_waits:
                    if self.global_slots.promote(waiter):
                        break
            await host.slots.acquire(urgent)
            try:
                await self._await_probes(host, origin)
                verdict = host.verdict or origin.verdict
                if verdict is not None:
                    return verdict
                await host.wait_turn()
                number = host.starts
                host.starts += 1
                host.in_flight.add(number)
                probe = not origin.answered
                origin.probes += probe
                origin.probes_started += probe
                try:
                    await self.global_slots.acquire(urgent, host.global_waits)
                    try:
                        sent = await self._send(exchange, url, chain, host, origin, probe)
                    finally:
                        self.global_slots.release()
                finally:
                    origin.probes -= probe
                    host.in_flight.discard(number)
                if isinstance(sent, LinkResult):
                    return sent
                result, head_retried = sent
                if isinstance(result, Failure):
                    host.witnesses.discard(number)  # no answer: no evidence about rate limits
                    self._learn(host, origin, result)
                else:
                    origin.answered = True
                    origin.silent_timeouts = 0
                # A GET after a HEAD that failed as a retry would (a 5xx, a reset) is a second try
                # of the URL: it is its first retry, so a failing URL gets retries + 1 requests.
                attempt += head_retried
                origin.changed.set()
                origin.changed = asyncio.Event()
            finally:
                host.slots.release()
            if isinstance(result, Failure):
                retry = result.kind == "reset" or (
                    result.kind == "timeout" and self.settings.retry_timeouts
                )
                unsettled = host.verdict is None and origin.verdict is None
                if retry and attempt < self.settings.retries and unsettled:
                    # A reset is most often a stale keep-alive connection: retry at once first.
                    immediate = attempt == 0 and result.kind == "reset"
                    if not immediate:
                        await asyncio.sleep(self._backoff(waits))
                        waits += 1
                    attempt += 1
                    continue
                if host.verdict is not None:
                    return host.verdict
                return LinkResult(str(url), result.outcome, None, result.reason)
            if result.status in host.accept or not retryable(result.status):
                host.served(number)
                return result
            if bot_signal(result) is not None:
                return result
            wait = retry_after(result.headers)
            pausing = wait is not None or result.status == 429
            if not pausing:
                host.served(number)  # a 500 is no rate limit
            if wait is not None and wait > self.settings.max_retry_after:
                reason = (
                    f"rate limited ({status_text(result.status)}, Retry-After {wait:.0f} s "
                    f"is over the {self.settings.max_retry_after:g} s cap)"
                )
                return LinkResult(str(url), LinkStatus.RATE_LIMITED, result.status, reason)
            pauses_host = pausing and host.limit_pauses_host(str(url), number)
            if not pausing:
                failing = result
            if (limits if pausing else attempt) >= self.settings.retries:
                # When the last try was only limited, the URL's own last answer (a 5xx) is
                # the verdict.
                return failing if pausing and failing is not None else result
            delay = wait * SECONDS_PER_RETRY_AFTER if wait is not None else self._backoff(waits)
            if pauses_host and not host.pause(delay, number, self._pause_budget()):
                reason = (
                    f"rate limited ({status_text(result.status)}; the host kept asking to "
                    f"wait past {HOST_PAUSE_BUDGET * self.settings.max_retry_after:g} s)"
                )
                verdict = LinkResult(str(url), LinkStatus.RATE_LIMITED, result.status, reason)
                host.verdict = verdict
                return verdict
            if pausing:
                limits += 1
            else:
                attempt += 1
            waits += wait is None
            await asyncio.sleep(delay)

    async def _send(
        self, exchange: Exchange, url: URL, chain: Chain, host: Host, origin: Origin, probe: bool
    ) -> tuple[Answer | Failure, bool] | LinkResult:
        """One try; the origin's verdict when it was a probe that the verdict cut short. The
        probes of a host's first batch start one after the other (on the link farm the last of a
        hung host's four went out 0.18 s after the first): once the first have timed out, the
        others can only time out too, and the run need not wait for them. The verdict cancels
        their tasks (see _learn), and the cancellation ends here, as asyncio.timeout ends its."""
        task = asyncio.current_task()
        if not probe or task is None:
            return await exchange(url, chain, host)
        origin.probing.add(task)
        try:
            return await exchange(url, chain, host)
        except asyncio.CancelledError:
            if task in origin.cut and task.uncancel() == 0 and origin.verdict is not None:
                return origin.verdict
            raise
        finally:
            origin.probing.discard(task)
            origin.cut.discard(task)

    async def _await_probes(self, host: Host, origin: Origin) -> None:
        """Until an origin has answered once, only its first batch of requests (up to its host's
        limit) goes out; later requests wait for that batch to settle, so a hung host costs one
        timeout instead of one per freed slot."""
        while (
            not origin.answered
            and host.verdict is None
            and origin.verdict is None
            and origin.probes > 0
            and origin.probes_started >= origin.limit
        ):
            await origin.changed.wait()

    def _learn(self, host: Host, origin: Origin, failure: Failure) -> None:
        """Records facts about the host (or the origin) that make its other URLs' requests
        pointless."""
        if host.verdict is not None or origin.verdict is not None:
            return
        if failure.kind in ("dns", "private"):
            host.verdict = LinkResult(host.name, failure.outcome, None, failure.reason)
        elif failure.kind == "timeout" and not origin.answered:
            origin.silent_timeouts += 1
            if origin.silent_timeouts >= min(HOST_TIMEOUT_LIMIT, origin.limit):
                reason = f"{failure.reason} (the host answered none of its first requests)"
                origin.verdict = LinkResult(host.name, LinkStatus.TIMEOUT, None, reason)
                for task in origin.probing:
                    origin.cut.add(task)
                    task.cancel()

    def _backoff(self, attempt: int) -> float:
        delay = self.settings.backoff_base * (2**attempt) * (0.5 + self.rng.random())
        return float(min(BACKOFF_MAX, max(0.0, delay)))

    def _pause_budget(self) -> float:
        return HOST_PAUSE_BUDGET * self.settings.max_retry_after * SECONDS_PER_RETRY_AFTER

    # -- one request ------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: URL,
        chain: Chain,
        host: Host,
        extra: Mapping[str, str] | None = None,
        limit: int | None = None,
        data: bytes | None = None,
    ) -> Answer | Failure:
        """One request, no retry, no redirect: the caller holds ``host``'s slot (see fetch).
        ``extra`` headers go after the User-Agent; a GET (or a POST of ``data``) reads at most
        ``limit`` body bytes (default ``MAX_BODY_BYTES``)."""
        chain.requests += 1
        name = host_key(url)
        headers = {
            "User-Agent": self.settings.user_agent,
            **(extra or {}),
            # What read_prefix decodes; aiohttp's default would add br when Brotli is installed.
            "Accept-Encoding": "gzip, deflate",
        }
        cookie = cookie_header(chain, name)
        if cookie:
            headers["Cookie"] = cookie
        # Only over https, so the token never crosses the network in clear text.
        if self.settings.github_token and url.scheme == "https" and name in GITHUB_HOSTS:
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
        origin = origin_key(url)
        self.pool.reuse(origin)
        host.active += 1
        keep = self._keep_alive(host, origin)
        if not keep:
            headers["Connection"] = "close"
        open_after = False
        try:
            async with self.session.request(
                method,
                url,
                headers=headers,
                allow_redirects=False,
                data=data,
                timeout=self.timeout,
                ssl=SSL_CONTEXT if SSL_CONTEXT is not None else True,
            ) as response:
                if response.status < 100:
                    # "HTTP/1.1 000" is no status at all: protocol garbage like any other.
                    response.close()
                    return Failure(LinkStatus.UNREACHABLE, "invalid HTTP response", "other", method)
                body = b""
                if method != "HEAD":
                    body, raw = await read_prefix(response, limit)
                    chain.bytes_read += raw
                # aiohttp closes a connection whose body was not read to the end.
                open_after = response.content.is_eof() and (
                    response.headers.get("Connection", "").lower() != "close"
                )
                return Answer(response.status, response.headers, body, method)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failure = replace(classify_error(exc, self.settings), method=method)
            if failure.kind == "private":
                chain.requests -= 1  # the guard stopped it before anything was sent
            return failure
        finally:
            host.active -= 1
            if keep:
                self.pool.end(origin, open_after, asyncio.get_running_loop().time())

    def _keep_alive(self, host: Host, origin: OriginKey) -> bool:
        """Whether the connection of a request about to start may stay open afterwards. Only for
        another URL of the host not in a request now (waiting for a slot, a pause, a retry), and
        while the idle pool has room; otherwise the request says ``Connection: close``. (The
        response cannot close it: aiohttp pools a connection as soon as its body has ended, for
        a HEAD before the response is even returned.) A URL's own next request to a host with
        nothing else to do, a GET after a HEAD or the next hop of a redirect, opens a new one."""
        if host.pending - host.active <= self.pool.available(origin):
            return False
        return self.pool.reserve(origin, asyncio.get_running_loop().time())

    # -- the registry API -------------------------------------------------------------------------

    async def get(
        self, url: str, headers: Mapping[str, str] | None = None, *, limit: int = API_BODY_BYTES
    ) -> Response:
        """GETs ``url`` as politely as a link check (slots, interval, pauses, retries, the guard,
        the token rule) and follows its redirects; the final answer, whatever its status, with
        at most ``limit`` bytes of body. Raises :class:`FetchError` when there is no answer to
        return: no response (DNS, refused, timeout, a private address, a host given up on), a
        bad or endless redirect, or a body past ``limit``."""
        parsed = parse_url(url)
        if isinstance(parsed, LinkResult):
            raise FetchError(parsed.outcome, parsed.reason)
        extra = dict(headers or {})

        async def exchange(target: URL, chain: Chain, host: Host) -> tuple[Answer | Failure, bool]:
            # One byte past the limit tells a body of exactly ``limit`` bytes from a longer one.
            return await self.request("GET", target, chain, host, extra, limit + 1), False

        chain = Chain()
        current = parsed
        hops = 0
        while True:
            answer = await self._fetch_answer(current, chain, exchange)
            location = answer.headers.get("Location") if answer.status in REDIRECTS else None
            if location is None:
                return _response(current, answer, chain, limit)
            remember_cookies(chain, host_key(current), answer.headers)
            target = parse_url(location_text(location), base=current)
            if isinstance(target, LinkResult):
                raise FetchError(target.outcome, f"redirect to {target.reason}", answer.status)
            hops += 1
            if hops > self.settings.max_redirects:
                reason = f"too many redirects (more than {self.settings.max_redirects})"
                raise FetchError(LinkStatus.BROKEN, reason, answer.status)
            current = target

    async def post_json(
        self,
        url: str,
        payload: Any,
        headers: Mapping[str, str] | None = None,
        *,
        limit: int = API_BODY_BYTES,
    ) -> Response:
        """POSTs ``payload`` as JSON (a GraphQL query) as politely as :meth:`get`, but follows no
        redirect: an API that answers with one is misconfigured or moved, and ``headers`` (a
        token) are meant for ``url``'s host alone. The final answer, whatever its status; raises
        :class:`FetchError` when there is none, for a redirect, or for a body past ``limit``."""
        parsed = parse_url(url)
        if isinstance(parsed, LinkResult):
            raise FetchError(parsed.outcome, parsed.reason)
        extra = {"Content-Type": "application/json", **(headers or {})}
        data = json.dumps(payload).encode("utf-8")

        async def exchange(target: URL, chain: Chain, host: Host) -> tuple[Answer | Failure, bool]:
            return await self.request("POST", target, chain, host, extra, limit + 1, data), False

        chain = Chain()
        answer = await self._fetch_answer(parsed, chain, exchange)
        if answer.status in REDIRECTS:
            location = answer.headers.get("Location", "")
            reason = f"redirected ({status_text(answer.status)}) to {location or 'nowhere'}; not followed"
            raise FetchError(LinkStatus.UNVERIFIED, reason, answer.status)
        return _response(parsed, answer, chain, limit)

    async def _fetch_answer(self, url: URL, chain: Chain, exchange: Exchange) -> Answer:
        """:meth:`fetch` for :meth:`get` and :meth:`post_json`: the request counts as pending on
        its host like a link check's hop (see _keep_alive); FetchError when there is no answer."""
        host = self.host(host_key(url))
        host.pending += 1
        try:
            answer = await self.fetch(url, chain, exchange)
        finally:
            host.pending -= 1
        if isinstance(answer, LinkResult):
            raise FetchError(answer.outcome, answer.reason, answer.status)
        return answer


def _response(url: URL, answer: Answer, chain: Chain, limit: int) -> Response:
    """The answer as the caller's :class:`Response`, or FetchError when its body is past
    ``limit`` (read one byte past it, or announced so)."""
    length = answer.headers.get("Content-Length", "")
    if len(answer.body) > limit or (length.isdigit() and int(length) > limit):
        raise FetchError(LinkStatus.UNVERIFIED, f"body larger than {limit} bytes", answer.status)
    return Response(str(url), answer.status, answer.headers, answer.body, chain.requests)
