"""What the client knows and keeps per host: its slots (:class:`Slots`), its rate-limit pauses and
minimum interval (:class:`Host`), whether each of its origins answers at all (:class:`Origin`), and
the bounded pool of idle keep-alive connections (:class:`IdlePool`).

A pause is host-wide when the host sends ``Retry-After`` (or 429), unless the host has shown that
its limits are per URL (see ``Host.limit_pauses_host``). Idle keep-alive connections are bounded
(``MAX_IDLE_CONNECTIONS``, at most a quarter of the file-descriptor limit) and kept only for hosts
with requests still to send: aiohttp bounds the connections in use, not the idle ones, and one idle
connection per host of a list with many hosts runs out of file descriptors.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from linter.net.results import LinkResult
from linter.net.settings import CheckerSettings, HostSettings
from linter.net.urls import OriginKey

MAX_IDLE_CONNECTIONS = 256  # idle keep-alive connections (fewer when file descriptors are scarce)
# A host that limits single URLs puts two limited URLs among a few answers now and then (the link
# farm: 6 of 98 URLs, neighbours in sorted order); an exhausted token bucket limits about every
# other request we send. So limits are host-wide when LIMIT_DENSE of a host's latest LIMIT_WINDOW
# answers were limits.
LIMIT_WINDOW = 8
LIMIT_DENSE = 3


class Slots:
    """A semaphore that hands a freed slot to an urgent waiter before the others. A try whose
    answer may start a wait is urgent: a retry after a rate limit, or one that is not its URL's
    last. Behind a host's queue of first requests, such a retry waited for the whole queue, so
    the retry chains of the 5xx answers found early ran at the end of the run, one backoff after
    the other. A last try and a redirect hop queue with the first requests: the last try ends
    its URL's check whatever it gets, and first requests first find a host's rate limits early
    (each costs a Retry-After from the moment it is found). A freed slot goes straight to the
    waiter it wakes (no window in which a newcomer can take it), in order within each class."""

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
class Host:
    name: str
    limit: int
    slots: Slots
    interval: float
    accept: frozenset[int]
    next_start: float = 0.0
    paused_until: float = 0.0
    pause_spent: float = 0.0
    # Rate limits (see limit_pauses_host): "url" once the host has shown that its
    # limits are about single URLs, "host" once a URL stayed limited past its own Retry-After,
    # "" until then and after limits that came too densely for single URLs.
    limit_scope: str = ""
    starts: int = 0  # requests started so far: their numbers tell what was sent after what
    in_flight: set[int] = field(default_factory=set)  # numbers of its requests in flight
    pause_began: int = 0  # ``starts`` when the last pause began: lower numbers were in flight
    pause_trigger: int = -1  # number of the request whose limit began the last pause
    # Requests sent after the limited one and in flight when its limit began the last pause:
    # their answers tell whether the host limits other URLs too.
    witnesses: set[int] = field(default_factory=set)
    witnesses_served: int = 0  # of the last pause's witnesses, those answered without a limit
    limited_together: int = 0  # other requests in flight when the last pause began, limited
    judged: bool = True  # the last pause's evidence has been weighed (see _judge)
    # The host has limited several URLs at once, or just after a pause: only clean evidence
    # (witnesses that all answered) shows a per-URL limit from then on.
    strict: bool = False
    # Its latest answers, True for a limit: how densely it limits (see limit_pauses_host).
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=LIMIT_WINDOW))
    limited: set[str] = field(default_factory=set)  # its URLs answered with a limit so far
    resumed: asyncio.Event = field(default_factory=asyncio.Event)  # set when a pause ends early
    head_unreliable: bool = False
    verdict: LinkResult | None = None  # a host-wide fact: every later URL of the host gets it
    pending: int = 0  # URLs whose current hop is on this host, started or not
    active: int = 0  # requests to this host in flight
    # Futures of its requests that hold a host slot and wait for a global one (see Client.fetch).
    global_waits: list[asyncio.Future[None]] = field(default_factory=list)

    def limit_pauses_host(self, url: str, number: int) -> bool:
        """Whether a rate limit (429, or ``Retry-After``) answered to request ``number``, for
        ``url``, pauses the whole host, or only ``url`` waits before its retry.

        A pause is right for a host-wide limit, but some hosts limit single URLs: one full pause
        per limited URL, one after the other, held back every other URL of such a host for
        seconds each. So pauses do not stack: a limit answered to a request that was in flight
        when the last pause began is covered by that pause. And the host learns which kind of
        limit it has (see _judge): when the pause's witnesses (its requests sent after the
        limited one and in flight at the time) mostly answered, or if there were none, the first
        request after the pause did, the limit was about one URL: the pause ends, and from then
        on a URL limited for the first time waits alone. Limits that come densely after that
        (``LIMIT_DENSE`` of the latest ``LIMIT_WINDOW`` answers) make the host unknown again,
        and strict (it pauses); a URL still limited after its own Retry-After makes the host
        pause on every limit for the rest of the run."""
        retried = url in self.limited
        self.limited.add(url)
        self.recent.append(True)
        if number < self.pause_began:
            # In flight when the last pause began: covered by it, and evidence about it.
            self.limited_together += 1
            if number in self.witnesses:
                self.witnesses.discard(number)
                if not self.witnesses:
                    self._judge(after_pause=False)
            return False
        if self.limit_scope == "url":
            if retried:
                self.limit_scope = "host"
                return True
            if sum(self.recent) < LIMIT_DENSE:
                return False
            self.limit_scope = ""
            self.strict = True
            return True
        if not self.limit_scope and self.pause_trigger >= 0:
            self.strict = True  # the first request after a pause is limited too
        return True

    def served(self, number: int) -> None:
        """Request ``number`` got an answer that is no rate limit: see limit_pauses_host."""
        self.recent.append(False)
        if number in self.witnesses:
            self.witnesses.discard(number)
            self.witnesses_served += 1
        if number > self.pause_trigger and not self.witnesses:
            self._judge(after_pause=number >= self.pause_began)

    def _judge(self, after_pause: bool) -> None:
        """Weighs the last pause's evidence once its witnesses have all answered (or, without
        witnesses, once the first request after it is answered): the limit was about one URL
        when more witnesses answered than requests in flight with them were limited. Two
        limited URLs among four in flight happen by chance on a host that limits single URLs;
        so only a strict host needs every witness answered."""
        if self.judged or self.limit_scope:
            return
        self.judged = True
        if self.witnesses_served == 0:
            # A limit that refills while we wait (a token bucket) lets the first request after
            # the pause through too: no evidence once the host has been strict.
            per_url = after_pause and not self.strict and self.limited_together == 0
        elif self.strict:
            per_url = self.limited_together == 0
        else:
            per_url = self.witnesses_served > self.limited_together
        if not per_url:
            self.strict = True
            return
        self.limit_scope = "url"
        now = asyncio.get_running_loop().time()
        if self.paused_until > now:  # end it early: the host serves the other URLs
            self.pause_spent -= self.paused_until - now
            self.paused_until = now
            self.resumed.set()
            self.resumed = asyncio.Event()

    def pause(self, delay: float, number: int, budget: float) -> bool:
        """Pauses the whole host for ``delay`` seconds because of the limit answered to request
        ``number``; False when that would spend more than ``budget`` seconds of pauses in all."""
        now = asyncio.get_running_loop().time()
        until = now + delay
        extension = max(0.0, until - max(self.paused_until, now))
        if self.pause_spent + extension > budget:
            return False
        self.pause_spent += extension
        self.paused_until = max(self.paused_until, until)
        self.pause_began = self.starts
        self.pause_trigger = number
        self.witnesses = {sent for sent in self.in_flight if sent > number}
        self.witnesses_served = self.limited_together = 0
        self.judged = False
        return True

    async def wait_turn(self) -> None:
        """Waits for the host's pause and minimum interval, then books the next start."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            start = max(self.next_start, self.paused_until)
            if start <= now:
                break
            if self.paused_until < self.next_start:
                await asyncio.sleep(start - now)
                continue
            # A pause can end early (see served): then go at once, not at its planned end.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.resumed.wait(), start - now)
        self.next_start = now + self.interval


@dataclass
class Origin:
    """Whether one scheme, host and port answers at all (see the module docstring)."""

    limit: int
    answered: bool = False
    silent_timeouts: int = 0
    probes: int = 0  # requests in flight while the origin has not answered yet
    probes_started: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # set when probes settle
    verdict: LinkResult | None = None  # it answered none of its first batch: later URLs get this
    # The tasks of its probes in flight, and those its verdict cut short (see Client._send).
    probing: set[asyncio.Task[Any]] = field(default_factory=set)
    cut: set[asyncio.Task[Any]] = field(default_factory=set)


class IdlePool:
    """Our account of the keep-alive connections that aiohttp holds open between requests, to
    bound them: aiohttp limits the connections in use, not the idle ones. A request that is to
    leave its connection open reserves a place when it starts (while the pool is full it asks for
    ``Connection: close`` instead); when it ends, the place becomes an idle connection, or is
    given back if the connection closed after all. A request to an origin with an idle connection
    reuses it. An idle entry older than ``lifetime`` is one aiohttp has closed by itself."""

    def __init__(self, limit: int, lifetime: float) -> None:
        self.limit = limit
        self.lifetime = lifetime
        self._idle: dict[OriginKey, list[float]] = {}  # when each became idle
        self._reserved: dict[OriginKey, int] = {}
        self._count = 0  # idle and reserved

    def available(self, origin: OriginKey) -> int:
        """Connections to ``origin`` that are idle, or will be when their request ends."""
        return len(self._idle.get(origin, ())) + self._reserved.get(origin, 0)

    def reuse(self, origin: OriginKey) -> None:
        """A request to ``origin`` starts: it takes the newest idle connection, if any."""
        idle = self._idle.get(origin)
        if idle:
            idle.pop()
            self._count -= 1

    def reserve(self, origin: OriginKey, now: float) -> bool:
        """Whether a request to ``origin`` may leave its connection open (counted if so)."""
        if self._count >= self.limit:
            self._expire(now)
            if self._count >= self.limit:
                return False
        self._reserved[origin] = self._reserved.get(origin, 0) + 1
        self._count += 1
        return True

    def end(self, origin: OriginKey, open_after: bool, now: float) -> None:
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


def idle_limit() -> int:
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


def host_settings(settings: CheckerSettings, host: str) -> HostSettings | None:
    """The most specific ``settings.hosts`` entry for ``host``: exact name, else a parent domain."""
    labels = host.split(".")
    for start in range(len(labels)):
        found = settings.hosts.get(".".join(labels[start:]))
        if found is not None:
            return found
    return None
