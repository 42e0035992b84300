"""The async link checker: every unique URL once, politely, correctly classified, bounded in cost.

Scheduling: one ``ClientSession`` (connection reuse, DNS cache); a global semaphore and one per
host, a minimum interval between two request starts to one host, and a host-wide pause when the
host sends ``Retry-After`` (or 429), unless the host has shown that its limits are per URL (see
``_Checker._limit_pauses_host``). A task takes its host slot before the global one, so tasks queued
behind a busy or hung host never hold global slots. Slots are held for one request (or one
HEAD+GET pair) only: backoff sleeps and redirect hops to other hosts hold nothing. A URL whose
check has begun (a retry, the next redirect hop) gets the next free slot before URLs not yet
requested (``_Slots``), so retry chains run alongside the first requests, not after them.

Method: HEAD first; when HEAD answers an error status or the connection resets, the same slot
sends a streamed GET, and a host whose HEAD proved wrong (HEAD failed, GET succeeded) gets GET
directly from then on. When the HEAD failed as a retry would (a 5xx, a reset), that GET is the
URL's first retry: a failing URL gets ``retries`` + 1 requests in all, HEAD included. A GET never
reads more than ``MAX_BODY_BYTES`` of the body; a body left unread closes the connection instead
of draining it.

Host memory: facts about a host, not a URL, are learned once and applied to its other URLs
without a request: a DNS failure, a private address, a host whose whole first batch of requests
timed out without any answer (``HOST_TIMEOUT_LIMIT`` timeouts, or fewer when its concurrency
limit is lower), and a host that kept rate limiting past its pause budget. Until a host has
answered once, only that first batch is sent, so one hung host costs one timeout, not one per
URL or per freed slot. Whether a host answers at all is learned per origin (scheme, name and
port): a hung demo server on one port says nothing about the site on another.

Resources: name lookups run in daemon threads of our own (``DNS_THREADS`` at most), so lookups
that hang on a dead name server neither starve the others nor keep the process alive after the
run or after Ctrl-C. Idle keep-alive connections are bounded (``MAX_IDLE_CONNECTIONS``, at most
a quarter of the file-descriptor limit) and kept only for hosts with requests still to send:
aiohttp bounds the connections in use, not the idle ones, and one idle connection per host of a
list with many hosts runs out of file descriptors.

Redirects are followed by hand (so the address guard, the token rule and the hop limit apply to
every hop). The fix of a redirected link is the end of the leading run of permanent (301/308)
hops: ``http://a`` -301-> ``https://a`` -302-> ``https://a/login`` reports ``https://a``, and a
chain that starts with a temporary hop is fine.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import math
import random
import re
import socket
import ssl
import sys
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDictProxy
from yarl import URL

from linter.hosts import ipv4_host
from linter.net.cache import LinkCache
from linter.net.results import LinkResult, LinkStatus, Progress
from linter.net.settings import CheckerSettings, HostSettings

MAX_BODY_BYTES = 64 * 1024  # at most this much of a response body is ever read
DNS_CACHE_TTL = 300  # seconds
HOST_TIMEOUT_LIMIT = 2  # silent timeouts after which a host that never answered is down
HOST_PAUSE_BUDGET = 2.0  # a host may pause us for this many times max_retry_after in total
BACKOFF_MAX = 30.0  # cap of one exponential backoff sleep, seconds
SECONDS_PER_RETRY_AFTER = 1.0  # how long one Retry-After second sleeps (tests shrink it)
LAUNCH_BATCH = 32  # tasks created between two yields to the event loop
MAX_HEADER_BYTES = 64 * 1024  # real sites send CSP/cookie headers past aiohttp's 8 KiB default
DNS_THREADS = 64  # name lookups in flight at once, each blocking one of our threads
KEEPALIVE_TIMEOUT = 15.0  # seconds aiohttp keeps an unused idle connection open
MAX_IDLE_CONNECTIONS = 256  # idle keep-alive connections (fewer when file descriptors are scarce)
JOIN_STEP = 0.1  # seconds between two looks for Ctrl-C while waiting for the background run
SSL_CONTEXT: ssl.SSLContext | None = None  # None: the system trust store (tests install theirs)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
GITHUB_HOSTS = frozenset({"github.com", "api.github.com"})
_ACCEPT_HEADER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _retryable(status: int) -> bool:
    # 501 Not Implemented and 505 are answers about the request, not a passing state.
    return status in (408, 429) or (500 <= status <= 599 and status not in (501, 505))


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _blocked_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _blocked_address(str(mapped))
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


class _PrivateAddressError(OSError):
    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to private address {address}")
        self.host = host
        self.address = address


def _getaddrinfo(host: str, port: int, family: int) -> list[ResolveResult]:
    """What aiohttp's threaded resolver computes, blocking: stream addresses of ``host``."""
    results: list[ResolveResult] = []
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)
    for found_family, _, proto, _, address in infos:
        if found_family == socket.AF_INET6:
            if len(address) < 4:
                continue  # IPv6 not supported by this Python build
            if address[3]:
                # A link-local address needs its scope id, which only getnameinfo spells out.
                name, service = socket.getnameinfo(
                    (str(address[0]), int(address[1]), int(address[2]), int(address[3])),
                    socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
                )
                resolved, resolved_port = name, int(service)
            else:
                resolved, resolved_port = str(address[0]), int(address[1])
        elif found_family == socket.AF_INET:
            resolved, resolved_port = str(address[0]), int(address[1])
        else:
            continue
        results.append(
            ResolveResult(
                hostname=host,
                host=resolved,
                port=resolved_port,
                family=found_family,
                proto=proto,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
        )
    return results


class _ThreadResolver(AbstractResolver):
    """``getaddrinfo`` in daemon threads of our own. aiohttp's threaded resolver uses the loop's
    default executor: a handful of threads (min(32, CPUs + 4)) that lookups hanging on a dead
    name server hold for seconds each, so healthy hosts queued behind them and timed out; and
    that executor is joined when the loop closes and at interpreter exit, so a hung lookup
    delayed the end of the run, and Ctrl-C, by the resolver's own timeout. A lookup given up at
    our timeout finishes in its thread unawaited and never keeps the process alive; a thread
    slot is freed only when its lookup really ends, so at most ``DNS_THREADS`` threads exist."""

    def __init__(self) -> None:
        self._slots = asyncio.Semaphore(DNS_THREADS)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        await self._slots.acquire()
        future: asyncio.Future[list[ResolveResult]] = loop.create_future()

        def deliver(outcome: list[ResolveResult] | BaseException) -> None:
            self._slots.release()
            if future.done():  # given up (timeout, cancellation)
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

        def work() -> None:
            outcome: list[ResolveResult] | BaseException
            try:
                outcome = _getaddrinfo(host, port, family)
            except BaseException as exc:  # handed to the awaiting task
                outcome = exc
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(deliver, outcome)

        try:
            threading.Thread(target=work, name="paperlint-dns", daemon=True).start()
        except RuntimeError as exc:  # no thread to be had
            self._slots.release()
            raise OSError(f"cannot start a lookup thread: {exc}") from exc
        return await future

    async def close(self) -> None:
        return None


class _GuardedResolver(AbstractResolver):
    """Resolves, applies the static host mapping, and drops addresses the guard forbids; the check
    is on the resolved address, so DNS cannot smuggle a private address in (redirects included)."""

    def __init__(self, allow_private: bool, static: dict[str, str]) -> None:
        # aiohttp's default is its threaded resolver (see _ThreadResolver for why not); an
        # asynchronous one (aiodns, when installed) blocks no thread and is kept.
        default = aiohttp.DefaultResolver
        self._inner: AbstractResolver = (
            _ThreadResolver() if default is aiohttp.ThreadedResolver else default()
        )
        self._allow_private = allow_private
        self._static = {host.lower().rstrip("."): address for host, address in static.items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        mapped = self._static.get(host.lower().rstrip("."))
        if mapped is not None:
            v6 = ":" in mapped
            infos: list[ResolveResult] = [
                ResolveResult(
                    hostname=host,
                    host=mapped,
                    port=port,
                    family=socket.AF_INET6 if v6 else socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        else:
            infos = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return infos
        allowed = [info for info in infos if not _blocked_address(info["host"])]
        if not allowed:
            raise _PrivateAddressError(host, infos[0]["host"] if infos else "?")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


class _Slots:
    """A semaphore that hands a freed slot to an urgent waiter before the others. A URL whose
    check has begun (a retry after its backoff, the next hop of a redirect) is urgent: behind a
    host's queue of first requests, a retry that fell due waited for the whole queue, so the
    retry chains of the 5xx answers and the redirect hops found early all ran at the end of the
    run, one backoff after the other. A freed slot goes straight to the waiter it wakes (no
    window in which a newcomer can take it), in order within each class."""

    def __init__(self, value: int) -> None:
        self._free = value
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    def full(self) -> bool:
        return self._free == 0

    async def acquire(
        self, urgent: bool, waiting: list[asyncio.Future[None]] | None = None
    ) -> None:
        """Takes a slot; while queued, the waiter's future is in ``waiting`` (for promote)."""
        if self._free > 0:  # free slots and waiters never exist together (see release)
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._normal).append(future)
        if waiting is not None:
            waiting.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed the slot in the moment it was cancelled: pass it on
            else:
                for queue in (self._urgent, self._normal):
                    with contextlib.suppress(ValueError):
                        queue.remove(future)
            raise
        finally:
            if waiting is not None:
                waiting.remove(future)

    def promote(self, future: asyncio.Future[None]) -> bool:
        """Makes a queued normal waiter urgent; False when it is not one."""
        try:
            self._normal.remove(future)
        except ValueError:
            return False
        self._urgent.append(future)
        return True

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)
                    return
        self._free += 1


@dataclass
class _Host:
    name: str
    limit: int
    slots: _Slots
    interval: float
    accept: frozenset[int]
    next_start: float = 0.0
    paused_until: float = 0.0
    pause_spent: float = 0.0
    # Rate limits (see _Checker._limit_pauses_host): "url" once the host has shown that its
    # limits are about single URLs, "host" once a URL stayed limited past its own Retry-After,
    # "" until then and after a limit that hit several URLs at once.
    limit_scope: str = ""
    starts: int = 0  # requests started so far: their numbers tell what was sent after what
    in_flight: set[int] = field(default_factory=set)  # numbers of its requests in flight
    pause_began: int = 0  # ``starts`` when the last pause began: lower numbers were in flight
    pause_trigger: int = -1  # number of the request whose limit began the last pause
    # Requests sent after a limited one and in flight when its limit arrived: their answers tell
    # whether the host limits other URLs too.
    witnesses: set[int] = field(default_factory=set)
    witness_limited: bool = False  # another URL was limited during the last pause
    host_wide_seen: bool = False  # several URLs were limited at once, or just after a pause
    limited: set[str] = field(default_factory=set)  # its URLs answered with a limit so far
    resumed: asyncio.Event = field(default_factory=asyncio.Event)  # set when a pause ends early
    head_unreliable: bool = False
    verdict: LinkResult | None = None  # a host-wide fact: every later URL of the host gets it
    pending: int = 0  # URLs whose current hop is on this host, started or not
    active: int = 0  # requests to this host in flight
    # Futures of its requests that hold a host slot and wait for a global one (see _fetch).
    global_waits: list[asyncio.Future[None]] = field(default_factory=list)


_OriginKey = tuple[str, str, int | None]  # scheme, host name, port


@dataclass
class _Origin:
    """Whether one scheme, host and port answers at all (see the module docstring)."""

    limit: int
    answered: bool = False
    silent_timeouts: int = 0
    probes: int = 0  # requests in flight while the origin has not answered yet
    probes_started: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # set when probes settle
    verdict: LinkResult | None = None  # it answered none of its first batch: later URLs get this


class _IdlePool:
    """Our account of the keep-alive connections that aiohttp holds open between requests, to
    bound them: aiohttp limits the connections in use, not the idle ones. A request that is to
    leave its connection open reserves a place when it starts (while the pool is full it asks for
    ``Connection: close`` instead); when it ends, the place becomes an idle connection, or is
    given back if the connection closed after all. A request to an origin with an idle connection
    reuses it. An idle entry older than ``lifetime`` is one aiohttp has closed by itself."""

    def __init__(self, limit: int, lifetime: float) -> None:
        self.limit = limit
        self.lifetime = lifetime
        self._idle: dict[_OriginKey, list[float]] = {}  # when each became idle
        self._reserved: dict[_OriginKey, int] = {}
        self._count = 0  # idle and reserved

    def available(self, origin: _OriginKey) -> int:
        """Connections to ``origin`` that are idle, or will be when their request ends."""
        return len(self._idle.get(origin, ())) + self._reserved.get(origin, 0)

    def reuse(self, origin: _OriginKey) -> None:
        """A request to ``origin`` starts: it takes the newest idle connection, if any."""
        idle = self._idle.get(origin)
        if idle:
            idle.pop()
            self._count -= 1

    def reserve(self, origin: _OriginKey, now: float) -> bool:
        """Whether a request to ``origin`` may leave its connection open (counted if so)."""
        if self._count >= self.limit:
            self._expire(now)
            if self._count >= self.limit:
                return False
        self._reserved[origin] = self._reserved.get(origin, 0) + 1
        self._count += 1
        return True

    def end(self, origin: _OriginKey, open_after: bool, now: float) -> None:
        """A request that had reserved a place has ended, its connection open or not."""
        self._reserved[origin] -= 1
        if open_after:
            self._idle.setdefault(origin, []).append(now)
        else:
            self._count -= 1

    def _expire(self, now: float) -> None:
        for origin, idle in list(self._idle.items()):
            fresh = [since for since in idle if now - since < self.lifetime]
            self._count -= len(idle) - len(fresh)
            if fresh:
                self._idle[origin] = fresh
            else:
                del self._idle[origin]


def _idle_limit() -> int:
    """``MAX_IDLE_CONNECTIONS``, or a quarter of the file-descriptor limit when that is lower
    (macOS shells start with 256)."""
    if sys.platform == "win32":
        return MAX_IDLE_CONNECTIONS
    import resource

    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return MAX_IDLE_CONNECTIONS
    if soft == resource.RLIM_INFINITY or soft < 0:
        return MAX_IDLE_CONNECTIONS
    return min(MAX_IDLE_CONNECTIONS, soft // 4)


def _origin_key(url: URL) -> _OriginKey:
    return (url.scheme.lower(), _host_key(url), url.port)


@dataclass
class _Answer:
    """One HTTP response, read as far as the checker ever reads one."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    method: str


@dataclass
class _Failure:
    """No HTTP response: the outcome plus what the retry logic needs to know."""

    outcome: LinkStatus
    reason: str
    kind: str  # "timeout", "reset", "dns", "refused", "private", "tls", "invalid", "local", "other"
    method: str = ""  # of the request that failed


@dataclass
class _Chain:
    """The state of one URL's check across retries and redirect hops."""

    requests: int = 0
    bytes_read: int = 0
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


def _classify_error(exc: BaseException, settings: CheckerSettings) -> _Failure:
    os_error = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if isinstance(os_error, OSError) and os_error.errno in (errno.EMFILE, errno.ENFILE):
        # Our own shortage, not the link's fault: it says nothing about the link.
        return _Failure(LinkStatus.UNVERIFIED, "could not check (too many open files)", "local")
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, _PrivateAddressError
    ):
        address = exc.os_error.address
        return _Failure(LinkStatus.SKIPPED, f"private address {address}", "private")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        reason = f"connect timed out after {settings.connect_timeout:g} s"
        return _Failure(LinkStatus.TIMEOUT, reason, "timeout")
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return _Failure(LinkStatus.TIMEOUT, f"timed out after {settings.timeout:g} s", "timeout")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return _Failure(LinkStatus.UNREACHABLE, f"DNS lookup failed for {exc.host}", "dns")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        detail = getattr(exc.certificate_error, "verify_message", "") or "certificate rejected"
        return _Failure(LinkStatus.UNREACHABLE, f"TLS error: {detail}", "tls")
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        detail = getattr(getattr(exc, "os_error", exc), "reason", None) or "handshake failed"
        return _Failure(LinkStatus.UNREACHABLE, f"TLS error: {detail}", "tls")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return _Failure(LinkStatus.UNREACHABLE, "connection refused", "refused")
        detail = exc.os_error.strerror or type(exc.os_error).__name__
        return _Failure(LinkStatus.UNREACHABLE, f"cannot connect ({detail})", "other")
    if isinstance(exc, aiohttp.ServerDisconnectedError | ConnectionResetError):
        return _Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    if isinstance(exc, aiohttp.ClientOSError) and exc.errno in (errno.ECONNRESET, errno.EPIPE):
        return _Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    if isinstance(exc, aiohttp.InvalidURL | ValueError | UnicodeError):
        return _Failure(LinkStatus.BROKEN, "invalid URL", "invalid")
    if isinstance(exc, aiohttp.ClientResponseError):
        return _Failure(LinkStatus.UNREACHABLE, "invalid HTTP response", "other")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return _Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    detail = str(exc).strip()[:80] or type(exc).__name__
    return _Failure(LinkStatus.UNREACHABLE, f"connection failed ({detail})", "other")


def _retry_after(headers: CIMultiDictProxy[str]) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # isdigit() alone accepts "²", which float() rejects
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # a year past datetime's range
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_CHALLENGE_MARKERS = (
    b"challenge-platform",
    b"cf-chl",
    b"just a moment...",
    b"attention required! | cloudflare",
    b"captcha-delivery.com",
    b"px-captcha",
    b"_incapsula_resource",
)


def _bot_signal(answer: _Answer) -> str | None:
    """What says this answer comes from bot protection rather than from the site, if anything."""
    headers = answer.headers
    if answer.status == 999:
        return None  # LinkedIn's "request denied" is itself the signal; callers handle it
    if "cf-mitigated" in headers:
        return f"cf-mitigated: {headers['cf-mitigated'][:40]}"
    if answer.status not in (403, 429, 503):
        return None
    server = headers.get("Server", "").lower()
    if "x-datadome" in headers or "datadome" in server:
        return "DataDome"
    if headers.get("x-amzn-waf-action"):
        return "AWS WAF"
    if answer.status == 403 and "akamaighost" in server:
        return "Akamai"
    body = answer.body[:MAX_BODY_BYTES].lower()
    if any(marker in body for marker in _CHALLENGE_MARKERS):
        return "challenge page"
    return None


def _host_settings(settings: CheckerSettings, host: str) -> HostSettings | None:
    """The most specific ``settings.hosts`` entry for ``host``: exact name, else a parent domain."""
    labels = host.split(".")
    for start in range(len(labels)):
        found = settings.hosts.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None


def _cookie_header(chain: _Chain, host: str) -> str | None:
    jar = chain.cookies.get(host)
    if not jar:
        return None
    return "; ".join(f"{name}={value}" for name, value in sorted(jar.items()))


def _remember_cookies(chain: _Chain, host: str, headers: CIMultiDictProxy[str]) -> bool:
    """Keeps the cookies a response sets for the rest of this URL's redirect chain (sites that
    redirect to themselves after setting a cookie would look like loops otherwise); True when
    the response set any."""
    changed = False
    for header in headers.getall("Set-Cookie", []):
        pair = header.split(";", 1)[0]
        name, sep, value = pair.partition("=")
        if sep and name.strip():
            chain.cookies.setdefault(host, {})[name.strip()] = value.strip()
            changed = True
    return changed


class _Checker:
    def __init__(
        self,
        settings: CheckerSettings,
        session: aiohttp.ClientSession,
        rng: random.Random,
    ) -> None:
        self.settings = settings
        self.session = session
        self.rng = rng
        self.global_slots = _Slots(max(1, settings.max_concurrency))
        self.hosts: dict[str, _Host] = {}
        self.origins: dict[_OriginKey, _Origin] = {}
        # aiohttp closes an unused idle connection one to two keep-alive timeouts after its use.
        self.pool = _IdlePool(_idle_limit(), 2 * KEEPALIVE_TIMEOUT)
        self.excludes = [re.compile(pattern) for pattern in settings.exclude]
        # ceil_threshold: aiohttp rounds timeouts of 5 s and more up to the next whole second
        # of the loop clock; a hung server must cost the configured time, not up to 1 s more.
        self.timeout = aiohttp.ClientTimeout(
            total=settings.timeout, sock_connect=settings.connect_timeout, ceil_threshold=math.inf
        )

    def host(self, name: str) -> _Host:
        host = self.hosts.get(name)
        if host is None:
            config = _host_settings(self.settings, name)
            limit = (config.max_concurrency if config else None) or self.settings.max_per_host
            interval = config.min_interval if config and config.min_interval is not None else None
            accept = config.accept if config and config.accept is not None else None
            host = _Host(
                name=name,
                limit=max(1, limit),
                slots=_Slots(max(1, limit)),
                interval=self.settings.min_interval if interval is None else interval,
                accept=self.settings.accept if accept is None else accept,
            )
            self.hosts[name] = host
        return host

    def origin(self, url: URL, host: _Host) -> _Origin:
        key = _origin_key(url)
        origin = self.origins.get(key)
        if origin is None:
            origin = self.origins[key] = _Origin(limit=host.limit)
        return origin

    def expect(self, url: str) -> None:
        """Counts ``url``, whose check is about to be scheduled, as pending on its host."""
        parsed = _parse(url)
        if isinstance(parsed, URL):
            self.host(_host_key(parsed)).pending += 1

    def excluded(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.excludes)

    # -- one URL: redirect chain ---------------------------------------------------------------

    async def check(self, url: str) -> LinkResult:
        try:
            return await self._check(url)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or a hostile answer must cost one URL, not the run
            detail = f"{type(exc).__name__}: {exc}"[:100]
            return LinkResult(url, LinkStatus.UNVERIFIED, None, f"could not check ({detail})")

    async def _check(self, url: str) -> LinkResult:
        parsed = _parse(url)
        if isinstance(parsed, LinkResult):
            return replace(parsed, url=url)
        # The chain is pending on one host at a time (counted by expect() for the first).
        on = [self.host(_host_key(parsed))]
        try:
            return await self._follow(url, parsed, on)
        finally:
            on[0].pending -= 1

    async def _follow(self, url: str, parsed: URL, on: list[_Host]) -> LinkResult:
        chain = _Chain()
        # A URL may come back in a chain only after the chain received new cookies.
        visited: dict[str, int] = {str(parsed): 0}
        cookie_epoch = 0
        all_permanent = True
        permanent_target: URL | None = None
        first_status: int | None = None
        current = parsed
        hops = 0
        while True:
            answer = await self._fetch(current, chain)
            if isinstance(answer, LinkResult):
                return self._finish(answer, url, chain)
            location = answer.headers.get("Location") if answer.status in REDIRECTS else None
            if location is None:
                host = self.host(_host_key(current))
                verdict = self._verdict(answer, host, current, parsed)
                if verdict.outcome is LinkStatus.OK and permanent_target is not None:
                    verdict = LinkResult(
                        url,
                        LinkStatus.REDIRECTED,
                        first_status,
                        f"permanently redirected to {permanent_target}",
                        final_url=str(permanent_target),
                    )
                return self._finish(verdict, url, chain)
            if _remember_cookies(chain, _host_key(current), answer.headers):
                cookie_epoch += 1
            target = _parse(_location_text(location), base=current)
            if isinstance(target, LinkResult):
                outcome = LinkStatus.BROKEN
                if target.outcome is LinkStatus.SKIPPED:
                    outcome = LinkStatus.UNVERIFIED  # e.g. a redirect to a login app scheme
                reason = f"redirect to {target.reason}"
                return self._finish(LinkResult(url, outcome, answer.status, reason), url, chain)
            if first_status is None:
                first_status = answer.status
            if all_permanent and answer.status in PERMANENT_REDIRECTS:
                permanent_target = target if str(target) != str(parsed) else None
            else:
                all_permanent = False
            key = str(target)
            if visited.get(key) == cookie_epoch:
                reason = f"redirect loop back to {key}"
                return self._finish(
                    LinkResult(url, LinkStatus.BROKEN, answer.status, reason), url, chain
                )
            hops += 1
            if hops > self.settings.max_redirects:
                reason = f"too many redirects (more than {self.settings.max_redirects})"
                return self._finish(
                    LinkResult(url, LinkStatus.BROKEN, answer.status, reason), url, chain
                )
            if self.excluded(key):
                # Where it leads is excluded from checking; what we saw so far is all we can say.
                if permanent_target is not None:
                    final = str(permanent_target)
                    reason = f"permanently redirected to {final}"
                    result = LinkResult(url, LinkStatus.REDIRECTED, first_status, reason, final)
                else:
                    reason = "redirects to an excluded URL"
                    result = LinkResult(url, LinkStatus.OK, answer.status, reason)
                return self._finish(result, url, chain)
            visited[key] = cookie_epoch
            current = target
            next_host = self.host(_host_key(current))
            if next_host is not on[0]:
                on[0].pending -= 1
                next_host.pending += 1
                on[0] = next_host

    def _finish(self, result: LinkResult, url: str, chain: _Chain) -> LinkResult:
        return replace(result, url=url, requests=chain.requests, bytes_read=chain.bytes_read)

    def _verdict(self, answer: _Answer, host: _Host, current: URL, original: URL) -> LinkResult:
        """The outcome of a settled final answer (retries are over)."""
        url = str(original)
        status = answer.status
        where = "" if str(current) == url else f" at {current}"
        if status in host.accept:
            return LinkResult(url, LinkStatus.OK, status, _status_text(status))
        signal = _bot_signal(answer)
        if status == 999:
            signal = "999"
        if signal is not None:
            reason = f"blocked by bot protection ({_status_text(status)}, {signal})"
            if signal == "999":
                reason = "blocked by bot protection (999)"
            return LinkResult(url, LinkStatus.BLOCKED, status, reason)
        if status == 429:
            reason = f"rate limited ({_status_text(status)} after {self.settings.retries} retries)"
            return LinkResult(url, LinkStatus.RATE_LIMITED, status, reason)
        if _retryable(status) and self.settings.retries:
            reason = f"{_status_text(status)}{where} after {self.settings.retries} retries"
            return LinkResult(url, LinkStatus.BROKEN, status, reason)
        if status in REDIRECTS:
            reason = f"{_status_text(status)} without Location"
            return LinkResult(url, LinkStatus.BROKEN, status, reason)
        return LinkResult(url, LinkStatus.BROKEN, status, f"{_status_text(status)}{where}")

    # -- one hop: method, retries, host scheduling -----------------------------------------------

    async def _fetch(self, url: URL, chain: _Chain) -> _Answer | LinkResult:
        """The settled answer for one hop (after retries and the HEAD->GET fallback), or the
        result when there is no answer to judge."""
        name = _host_key(url)
        host = self.host(name)
        guarded = not self.settings.allow_private and host.verdict is None
        if guarded and _is_literal_ip(name) and _blocked_address(name):
            reason = f"private address {name}"
            host.verdict = LinkResult(str(url), LinkStatus.SKIPPED, None, reason)
        origin = self.origin(url, host)
        attempt = 0  # retries so far: tries after the first, of either method
        waits = 0  # backoff sleeps so far: the exponent of the next one
        failing: _Answer | None = None  # the last retryable error that was no rate limit
        use_get = self.settings.method == "get"
        while True:
            verdict = host.verdict or origin.verdict
            if verdict is not None:
                return verdict
            # A retry or the next hop of a redirect goes before first requests (see _Slots).
            urgent = chain.requests > 0
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
                await self._wait_turn(host)
                number = host.starts
                host.starts += 1
                host.in_flight.add(number)
                probe = not origin.answered
                origin.probes += probe
                origin.probes_started += probe
                try:
                    await self.global_slots.acquire(urgent, host.global_waits)
                    try:
                        result, head_retried = await self._exchange(url, chain, host, use_get)
                    finally:
                        self.global_slots.release()
                finally:
                    origin.probes -= probe
                    host.in_flight.discard(number)
                if isinstance(result, _Failure):
                    host.witnesses.discard(number)  # no answer: no evidence about rate limits
                    self._learn(host, origin, result)
                else:
                    origin.answered = True
                    origin.silent_timeouts = 0
                use_get = use_get or result.method == "GET"  # retries go straight to GET
                # A GET after a HEAD that failed as a retry would (a 5xx, a reset) is a second try
                # of the URL: it is its first retry, so a failing URL gets retries + 1 requests.
                attempt += head_retried
                origin.changed.set()
                origin.changed = asyncio.Event()
            finally:
                host.slots.release()
            if isinstance(result, _Failure):
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
            if result.status in host.accept or not _retryable(result.status):
                self._served(host, number)
                return result
            if _bot_signal(result) is not None:
                return result
            wait = _retry_after(result.headers)
            pausing = wait is not None or result.status == 429
            if not pausing:
                self._served(host, number)  # a 500 is no rate limit
            if wait is not None and wait > self.settings.max_retry_after:
                reason = (
                    f"rate limited ({_status_text(result.status)}, Retry-After {wait:.0f} s "
                    f"is over the {self.settings.max_retry_after:g} s cap)"
                )
                return LinkResult(str(url), LinkStatus.RATE_LIMITED, result.status, reason)
            pauses_host = pausing and self._limit_pauses_host(host, str(url), number)
            if not pausing:
                failing = result
            if attempt >= self.settings.retries:
                # A limit is about us, not the URL: when the last try was only limited, the
                # URL's own last answer (a 5xx) is the verdict.
                return failing if pausing and failing is not None else result
            delay = wait * SECONDS_PER_RETRY_AFTER if wait is not None else self._backoff(waits)
            if pauses_host and not self._pause(host, delay, number):
                reason = (
                    f"rate limited ({_status_text(result.status)}; the host kept asking to "
                    f"wait past {HOST_PAUSE_BUDGET * self.settings.max_retry_after:g} s)"
                )
                verdict = LinkResult(str(url), LinkStatus.RATE_LIMITED, result.status, reason)
                host.verdict = verdict
                return verdict
            attempt += 1
            waits += wait is None
            await asyncio.sleep(delay)

    async def _exchange(
        self, url: URL, chain: _Chain, host: _Host, use_get: bool
    ) -> tuple[_Answer | _Failure, bool]:
        """One HEAD (confirmed by a GET when HEAD is mishandled) or one GET, and whether the GET
        was also a retry: the HEAD failed as a retry would (a retryable status, a reset)."""
        if use_get or host.head_unreliable:
            return await self._request("GET", url, chain, host), False
        head = await self._request("HEAD", url, chain, host)
        if not self._head_mishandled(head, host):
            return head, False
        retried = _retryable(head.status) if isinstance(head, _Answer) else head.kind == "reset"
        result = await self._request("GET", url, chain, host)
        if isinstance(result, _Answer) and (
            result.status in host.accept or result.status in REDIRECTS
        ):
            host.head_unreliable = True
        return result, retried

    async def _await_probes(self, host: _Host, origin: _Origin) -> None:
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

    def _head_mishandled(self, result: _Answer | _Failure, host: _Host) -> bool:
        """Whether a HEAD answer must be confirmed by a GET: servers answer HEAD with 405, 404,
        403, 501, 5xx or a reset where GET works."""
        if isinstance(result, _Failure):
            return result.kind in ("reset", "other")
        status = result.status
        if status < 400 or status in host.accept:
            return False
        if _bot_signal(result) is not None:
            return False  # a GET meets the same wall
        # A rate limit is about us, not HEAD: wait and ask again with HEAD.
        return not (status == 429 or (_retryable(status) and "Retry-After" in result.headers))

    def _learn(self, host: _Host, origin: _Origin, failure: _Failure) -> None:
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

    def _backoff(self, attempt: int) -> float:
        delay = self.settings.backoff_base * (2**attempt) * (0.5 + self.rng.random())
        return float(min(BACKOFF_MAX, max(0.0, delay)))

    def _limit_pauses_host(self, host: _Host, url: str, number: int) -> bool:
        """Whether a rate limit (429, or ``Retry-After``) answered to request ``number``, for
        ``url``, pauses the whole host, or only ``url`` waits before its retry.

        A pause is right for a host-wide limit, but some hosts limit single URLs: one full pause
        per limited URL, one after the other, held back every other URL of such a host for
        seconds each. So pauses do not stack: a limit answered to a request that was in flight
        when the last pause began is covered by that pause. And the host learns which kind of
        limit it has (``_served``): its requests sent after the limited one and in flight when
        the limit came (the witnesses) all answered, or if there were none, the first request
        after the pause did (only until the host has limited several URLs at once, see
        _served): the limit was about one URL, the pause ends, and from then on a URL limited
        for the first time waits alone. A witness of such a URL-level limit that is limited too
        makes the host unknown again (it pauses); a URL still limited after its own Retry-After
        makes the host pause on every limit for the rest of the run."""
        retried = url in host.limited
        host.limited.add(url)
        if number in host.witnesses or number < host.pause_began:
            # Another URL limited at about the same time: maybe the limit is not per URL.
            host.witnesses.discard(number)
            host.witness_limited = host.host_wide_seen = True
            if host.limit_scope == "url":
                host.limit_scope = ""
        if number < host.pause_began:
            return False
        if not host.limit_scope and host.pause_trigger >= 0:
            host.host_wide_seen = True  # the first request after a pause is limited too
        if host.limit_scope == "url":
            if retried:
                host.limit_scope = "host"
                return True
            host.witnesses.update(sent for sent in host.in_flight if sent > number)
            return False
        return True

    def _served(self, host: _Host, number: int) -> None:
        """Request ``number`` got an answer that is no rate limit: see _limit_pauses_host."""
        host.witnesses.discard(number)
        if (
            host.limit_scope
            or host.pause_trigger < 0
            or number <= host.pause_trigger
            or host.witnesses
            or host.witness_limited
        ):
            return
        if number >= host.pause_began and host.host_wide_seen:
            # A limit that refills while we wait (a token bucket) lets the first request after
            # the pause through too: once the host has limited several URLs at once, only
            # witnesses that all answered show a per-URL limit.
            return
        host.limit_scope = "url"
        now = asyncio.get_running_loop().time()
        if host.paused_until > now:  # end it early: the host serves the other URLs
            host.pause_spent -= host.paused_until - now
            host.paused_until = now
            host.resumed.set()
            host.resumed = asyncio.Event()

    def _pause(self, host: _Host, delay: float, number: int) -> bool:
        """Pauses the whole host for ``delay`` seconds because of the limit answered to request
        ``number``; False when the host's pause budget is spent."""
        now = asyncio.get_running_loop().time()
        until = now + delay
        extension = max(0.0, until - max(host.paused_until, now))
        budget = HOST_PAUSE_BUDGET * self.settings.max_retry_after * SECONDS_PER_RETRY_AFTER
        if host.pause_spent + extension > budget:
            return False
        host.pause_spent += extension
        host.paused_until = max(host.paused_until, until)
        host.pause_began = host.starts
        host.pause_trigger = number
        host.witnesses = {sent for sent in host.in_flight if sent > number}
        host.witness_limited = False
        return True

    async def _wait_turn(self, host: _Host) -> None:
        """Waits for the host's pause and minimum interval, then books the next start."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            start = max(host.next_start, host.paused_until)
            if start <= now:
                break
            if host.paused_until < host.next_start:
                await asyncio.sleep(start - now)
                continue
            # A pause can end early (see _served): then go at once, not at its planned end.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(host.resumed.wait(), start - now)
        host.next_start = now + host.interval

    # -- one request -----------------------------------------------------------------------------

    async def _request(
        self, method: str, url: URL, chain: _Chain, host: _Host
    ) -> _Answer | _Failure:
        chain.requests += 1
        name = _host_key(url)
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": _ACCEPT_HEADER,
            "Accept-Language": "en-US,en;q=0.8",
            # What _read_prefix decodes; aiohttp's default would add br when Brotli is installed.
            "Accept-Encoding": "gzip, deflate",
        }
        cookie = _cookie_header(chain, name)
        if cookie:
            headers["Cookie"] = cookie
        # Only over https, so the token never crosses the network in clear text.
        if self.settings.github_token and url.scheme == "https" and name in GITHUB_HOSTS:
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
        origin = _origin_key(url)
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
                timeout=self.timeout,
                ssl=SSL_CONTEXT if SSL_CONTEXT is not None else True,
            ) as response:
                if response.status < 100:
                    # "HTTP/1.1 000" is no status at all: protocol garbage like any other.
                    response.close()
                    return _Failure(
                        LinkStatus.UNREACHABLE, "invalid HTTP response", "other", method
                    )
                body = b""
                if method == "GET":
                    body, raw = await _read_prefix(response)
                    chain.bytes_read += raw
                # aiohttp closes a connection whose body was not read to the end.
                open_after = response.content.is_eof() and (
                    response.headers.get("Connection", "").lower() != "close"
                )
                return _Answer(response.status, response.headers, body, method)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failure = replace(_classify_error(exc, self.settings), method=method)
            if failure.kind == "private":
                chain.requests -= 1  # the guard stopped it before anything was sent
            return failure
        finally:
            host.active -= 1
            if keep:
                self.pool.end(origin, open_after, asyncio.get_running_loop().time())

    def _keep_alive(self, host: _Host, origin: _OriginKey) -> bool:
        """Whether the connection of a request about to start may stay open afterwards. Only for
        another URL of the host not in a request now (waiting for a slot, a pause, a retry), and
        while the idle pool has room; otherwise the request says ``Connection: close``. (The
        response cannot close it: aiohttp pools a connection as soon as its body has ended, for
        a HEAD before the response is even returned.) A URL's own next request to a host with
        nothing else to do, a GET after a HEAD or the next hop of a redirect, opens a new one."""
        if host.pending - host.active <= self.pool.available(origin):
            return False
        return self.pool.reserve(origin, asyncio.get_running_loop().time())


class _Inflater:
    """Bounded decoding of a gzip or deflate body prefix. The session does not decompress:
    aiohttp fails the whole response, status and all, on an encoding it cannot decode (br or
    zstd without their optional packages, sent by servers that ignore Accept-Encoding), which
    made a live page look unreachable."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._inner: zlib._Decompress | None = None

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self._inner is None:
            if self._encoding != "deflate":
                wbits = 16 + zlib.MAX_WBITS
            elif chunk[0] & 0x0F == 8:
                wbits = zlib.MAX_WBITS
            else:
                wbits = -zlib.MAX_WBITS  # raw deflate without the zlib header, as some send
            self._inner = zlib.decompressobj(wbits)
        return self._inner.decompress(chunk, room)


async def _read_prefix(response: aiohttp.ClientResponse) -> tuple[bytes, int]:
    """At most MAX_BODY_BYTES of the body, decoded, and how many body bytes were read (also at
    most MAX_BODY_BYTES): enough to recognise a challenge page, and small bodies are read to the
    end so the connection can be reused. Whatever is left unread makes the release close the
    connection instead of downloading the rest."""
    length = response.content_length
    if length is not None and length > MAX_BODY_BYTES and response.status < 400:
        return b"", 0  # a success or redirect needs no body, and this one could not be reused
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = _Inflater(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None
    body = bytearray()
    read = 0
    try:
        while read < MAX_BODY_BYTES and len(body) < MAX_BODY_BYTES:
            chunk = await response.content.read(MAX_BODY_BYTES - read)
            if not chunk:
                break
            read += len(chunk)
            body += chunk if inflater is None else inflater.feed(chunk, MAX_BODY_BYTES - len(body))
    except (TimeoutError, aiohttp.ClientError, ValueError, zlib.error):
        pass  # the status is what matters; a broken body just ends the reading
    return bytes(body), read


_HOSTNAME = re.compile(r"^[a-z0-9_.-]+$")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _location_text(value: str) -> str:
    """A ``Location`` header as URL text. aiohttp decodes header bytes as UTF-8 and hands bytes
    that are not UTF-8 (a Latin-1 file name, say) over as surrogate escapes, which yarl silently
    drops: ``/caf\\xe9.pdf`` became ``/caf.pdf``, a different URL, even offered as the fix.
    Browsers send such bytes percent-encoded, and so do we."""
    return _ESCAPED_BYTE.sub(lambda byte: f"%{ord(byte.group()) - 0xDC00:02X}", value.strip())


def _host_key(url: URL) -> str:
    return (url.host or "").lower().rstrip(".")


def _is_literal_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _parse(text: str, base: URL | None = None) -> URL | LinkResult:
    """An absolute http(s) URL without fragment, or the result that says why not."""
    try:
        url = URL(text)
        if base is not None:
            url = base.join(url)
        url = url.with_fragment(None)
        scheme = url.scheme.lower()
        host = (url.raw_host or "").lower()
        _ = url.port  # raises for an out-of-range port
    except (ValueError, TypeError, UnicodeError):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL")
    if scheme not in ("http", "https"):
        if not scheme:
            return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL")
        return LinkResult(text, LinkStatus.SKIPPED, None, f"{scheme}: URLs are not checked")
    if not host:
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (no host)")
    try:
        address = ipv4_host(host)
    except ValueError:
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    if address is not None and str(address) != host:
        # 127.1, 2130706433, 0x7f.1 are 127.0.0.1 to a browser and to the resolver, but aiohttp
        # refuses some of them and the guard needs the address: send the dotted quad, as a
        # browser does, so the literal-address guard sees what a resolver would reach.
        host = str(address)
        url = url.with_host(host)
    if ".." in host or host.startswith("."):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    if not _HOSTNAME.match(host) and not _is_literal_ip(host):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    return url


# -- the run -----------------------------------------------------------------------------------


def _defragment(url: str) -> str:
    return url.split("#", 1)[0]


async def check_urls(
    urls: Iterable[str],
    settings: CheckerSettings,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, LinkResult]:
    """Checks every unique URL once (URLs that differ only by fragment share one check) and
    returns a result for each given URL, in first-seen order. ``warn`` receives problems that
    do not stop the run (a cache that cannot be used)."""
    wanted = list(dict.fromkeys(urls))
    keys = {url: _defragment(url) for url in wanted}
    by_key: dict[str, LinkResult] = {}
    excludes = [re.compile(pattern) for pattern in settings.exclude]
    for key in dict.fromkeys(keys.values()):
        if any(pattern.search(key) for pattern in excludes):
            by_key[key] = LinkResult(key, LinkStatus.EXCLUDED, None, "excluded")

    cache: LinkCache | None = None
    if settings.cache_path is not None:
        cache = LinkCache(settings.cache_path, settings.max_cache_age)
        cache.open()
    try:
        if cache is not None:
            pending = [key for key in dict.fromkeys(keys.values()) if key not in by_key]
            for key, result in cache.get_many(pending).items():
                if _still_valid(result, settings):
                    by_key[key] = result
        todo = [key for key in dict.fromkeys(keys.values()) if key not in by_key]
        fresh = await _run(todo, settings, by_key, keys, progress)
        if cache is not None:
            cache.put_many(fresh)
    finally:
        if cache is not None:
            cache.close()
            if cache.error is not None and warn is not None:
                warn(cache.error)
    return {url: replace(by_key[keys[url]], url=url) for url in wanted}


def _still_valid(result: LinkResult, settings: CheckerSettings) -> bool:
    """A cached success stays one only while its status is still accepted."""
    if result.outcome is not LinkStatus.OK or result.status is None:
        return True
    parsed = _parse(result.url)
    host = _host_key(parsed) if isinstance(parsed, URL) else ""
    config = _host_settings(settings, host)
    accept = config.accept if config and config.accept is not None else settings.accept
    return result.status in accept


async def _run(
    todo: list[str],
    settings: CheckerSettings,
    by_key: dict[str, LinkResult],
    keys: dict[str, str],
    progress: Callable[[Progress], None] | None,
) -> list[LinkResult]:
    per_key = {key: 0 for key in todo}
    for key in keys.values():
        if key in per_key:
            per_key[key] += 1
    total = len(keys)
    checked = total - sum(per_key.values())
    failures = sum(1 for url, key in keys.items() if key in by_key and by_key[key].failed)
    if progress is not None:
        progress(Progress(checked, total, failures))
    if not todo:
        return []

    host_limits = [settings.max_per_host] + [
        host.max_concurrency for host in settings.hosts.values() if host.max_concurrency
    ]
    resolver = _GuardedResolver(settings.allow_private, settings.resolve)
    connector = aiohttp.TCPConnector(
        limit=max(1, settings.max_concurrency),
        limit_per_host=max(1, *host_limits),
        ttl_dns_cache=DNS_CACHE_TTL,
        resolver=resolver,
        keepalive_timeout=KEEPALIVE_TIMEOUT,
    )
    fresh: list[LinkResult] = []
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),  # cookies live per redirect chain, see _Chain
        auto_decompress=False,  # see _Inflater
        max_line_size=MAX_HEADER_BYTES,
        max_field_size=MAX_HEADER_BYTES,
        trust_env=False,  # a proxy from the environment would bypass the address guard
    ) as session:
        # aiohttp silently resends an idempotent request once after a disconnect (for stale
        # keep-alive connections). Our own retry does that visibly (the first retry after a reset
        # is immediate), so request counts stay exact and a resetting server is not hit twice as
        # often as configured. aiohttp's own test client switches it off the same way.
        session._retry_connection = False
        checker = _Checker(settings, session, random.Random())
        tasks: list[asyncio.Task[LinkResult]] = []
        try:
            # Each host's first URL starts first, and tasks are created in batches with a yield
            # between them: the first requests (a hung host's among them) go out within
            # milliseconds instead of after every task's first step.
            ordered = _round_robin_by_host(todo)
            for key in ordered:
                checker.expect(key)
            for index, key in enumerate(ordered):
                tasks.append(asyncio.create_task(checker.check(key)))
                if index % LAUNCH_BATCH == LAUNCH_BATCH - 1:
                    await asyncio.sleep(0)
            for done in asyncio.as_completed(tasks):
                result = await done
                by_key[result.url] = result
                fresh.append(result)
                checked += per_key[result.url]
                if result.failed:
                    failures += per_key[result.url]
                if progress is not None:
                    progress(Progress(checked, total, failures))
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return fresh


def _round_robin_by_host(keys: list[str]) -> list[str]:
    """The first URL of every host, then the second of every host, and so on."""
    queues: dict[str, list[str]] = {}
    for key in keys:
        try:
            host = (urlsplit(key).hostname or "").lower()
        except ValueError:
            host = ""
        queues.setdefault(host, []).append(key)
    ordered: list[str] = []
    depth = 0
    while len(ordered) < len(keys):
        ordered.extend(queue[depth] for queue in queues.values() if depth < len(queue))
        depth += 1
    return ordered


class PendingChecks:
    """:func:`check_urls` running on its own event loop in a background thread, so the caller can
    run the offline rules meanwhile; :meth:`result` waits for it (and re-raises its error)."""

    def __init__(
        self,
        urls: Iterable[str],
        settings: CheckerSettings,
        progress: Callable[[Progress], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self._urls = list(urls)
        self._settings = settings
        self._progress = progress
        self._warn = warn
        self._result: dict[str, LinkResult] | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paperlint-links", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = asyncio.run(
                check_urls(self._urls, self._settings, self._progress, self._warn)
            )
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> dict[str, LinkResult]:
        # In short steps: a wait without a timeout is woken by a signal only when the signal
        # lands on the waiting thread, and the system may deliver Ctrl-C to any thread that does
        # not block it (a lookup thread, the loop's); Python runs the handler, in the main
        # thread, only once that thread runs again. (Not Thread.join: in Python 3.11 an
        # interrupted join marks the thread as stopped while it still runs.)
        while not self._done.wait(JOIN_STEP):
            pass
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def start_checks(
    urls: Iterable[str],
    settings: CheckerSettings,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> PendingChecks:
    """Starts :func:`check_urls` in the background; the callbacks are called from that thread."""
    return PendingChecks(urls, settings, progress, warn)


def run_checks(
    urls: Iterable[str],
    settings: CheckerSettings,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, LinkResult]:
    """Synchronous wrapper of :func:`check_urls` (runs its own event loop)."""
    return asyncio.run(check_urls(urls, settings, progress, warn))


__all__ = ["MAX_BODY_BYTES", "PendingChecks", "check_urls", "run_checks", "start_checks"]
