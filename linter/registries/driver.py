"""Asks a registry for keys in batches, the way every registry is asked: cached records first,
then one batch at a time with at least the endpoint's interval between two requests (retries
included), honouring Retry-After and backing off, and storing what it learnt but never a failure.

Imports aiohttp (through the client): only a started provider loads this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from linter.net.cache import LinkCache
from linter.net.classify import retry_after, status_text
from linter.net.client import Client, FetchError, Response, open_client
from linter.net.results import LinkStatus, Progress
from linter.net.settings import CheckerSettings
from linter.registries.base import (
    CACHEABLE,
    MAX_AGE,
    Endpoint,
    Record,
    RecordStatus,
    Registry,
    RegistryError,
)

CACHE_NAMESPACE = "metadata"
RETRIES = 3  # further tries of a batch after a rate limit or a 5xx
NO_ANSWER_RETRIES = 1  # after no answer at all (DNS, refused, timeout): offline, it will not come
BACKOFF_BASE = 3.0  # seconds before the first retry without Retry-After; doubles each time
SECONDS_PER_SECOND = 1.0  # how long one second of pacing or Retry-After sleeps (tests shrink it)
# Outcomes of a request without an answer that may pass (a later try can succeed).
_TRANSIENT = frozenset({LinkStatus.TIMEOUT, LinkStatus.UNREACHABLE, LinkStatus.RATE_LIMITED})


class _Pacer:
    """At least ``interval`` seconds from the end of one request to the start of the next (one
    connection at a time: the driver sends one request after the other). Counted from the end,
    not the start, so that the server sees the gap too: a request that waited for its connection
    must not arrive right behind the previous one."""

    def __init__(self, interval: float) -> None:
        self.interval = interval * SECONDS_PER_SECOND
        self._last: float | None = None

    async def wait(self, extra: float = 0.0) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.time() + extra * SECONDS_PER_SECOND
        if self._last is not None:
            ready = max(ready, self._last + self.interval)
        delay = ready - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)

    def done(self) -> None:
        self._last = asyncio.get_running_loop().time()


def cache_key(registry: Registry, key: str) -> str:
    return f"{registry.name}:{key}"


async def resolve(
    registry: Registry,
    keys: Sequence[str],
    endpoint: Endpoint,
    client: Client,
    cache: LinkCache | None = None,
    progress: Callable[[Progress], None] | None = None,
    max_retry_after: float = 60.0,
    max_age: float = MAX_AGE,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Record]:
    """A record for every key: from the cache when fresh, else from the registry, batch after
    batch. Keys the registry could not be asked about are ``unverified`` with the reason."""
    wanted = list(dict.fromkeys(keys))
    records: dict[str, Record] = {}
    if cache is not None:
        stored = cache.get_records(
            CACHE_NAMESPACE, [cache_key(registry, key) for key in wanted], max_age
        )
        for key in wanted:
            value = stored.get(cache_key(registry, key))
            record = Record.from_json(key, value) if value is not None else None
            if record is not None and record.status in CACHEABLE:
                records[key] = record
    todo = [key for key in wanted if key not in records]
    size = max(1, registry.batch_size)
    queue = [todo[start : start + size] for start in range(0, len(todo), size)]
    asked_again: set[str] = set()
    done = failures = 0
    if progress is not None:
        progress(Progress(0, len(queue), 0, registry.label))
    pacer = _Pacer(endpoint.interval)
    down: RegistryError | None = None
    while queue:
        batch = queue.pop(0)
        if down is None:
            try:
                found = await _ask(registry, batch, endpoint, client, pacer, max_retry_after)
            except RegistryError as error:
                # Past its retries: the registry is down or refuses us for this run, and the
                # other batches are not sent to find that out again.
                down = error
        if down is not None:
            found = {key: Record(key, RecordStatus.UNVERIFIED, reason=down.reason) for key in batch}
        fresh = {key: record for key in batch if (record := found.get(key)) is not None}
        # A key the answer left out (after an ID the API rejected, past a truncation) is asked
        # again once, in a batch of its own kind; then it is unverified.
        left = [key for key in batch if key not in fresh]
        again = [key for key in left if key not in asked_again] if fresh else []
        asked_again.update(again)
        for key in left:
            if key not in again:
                fresh[key] = _unanswered(key)
        if again:
            queue.append(again)
        records.update(fresh)
        if cache is not None:
            learnt = {
                cache_key(registry, key): record.to_json()
                for key, record in fresh.items()
                if record.status in CACHEABLE
            }
            if learnt:
                cache.put_records(CACHE_NAMESPACE, learnt)
        done += 1
        if any(record.status is RecordStatus.UNVERIFIED for record in fresh.values()):
            failures += 1
        if progress is not None:
            progress(Progress(done, done + len(queue), failures, registry.label))
    if down is not None and warn is not None:
        unverified = sum(
            1 for record in records.values() if record.status is RecordStatus.UNVERIFIED
        )
        warn(f"{down.reason}: {unverified} of {len(wanted)} not verified (their links are PL107)")
    return {key: records[key] for key in wanted}


def _unanswered(key: str) -> Record:
    return Record(key, RecordStatus.UNVERIFIED, reason="the answer did not mention it")


async def _ask(
    registry: Registry,
    batch: Sequence[str],
    endpoint: Endpoint,
    client: Client,
    pacer: _Pacer,
    max_retry_after: float,
) -> Mapping[str, Record]:
    """One batch's records, retried after rate limits and server errors; raises RegistryError
    (its reason names the registry) when the registry did not answer usably past the retries."""
    delay = 0.0
    reason = ""
    for attempt in range(RETRIES + 1):
        await pacer.wait(delay)
        try:
            return await registry.lookup(batch, client, endpoint)
        except RegistryError as error:
            reason = error.reason
            if error.retry_after is None:
                break
            if error.retry_after > max_retry_after:
                reason = f"{reason} (asked to wait {error.retry_after:g} s)"
                break
            delay = max(error.retry_after, BACKOFF_BASE * 2**attempt)
        except FetchError as error:
            reason = error.reason
            if error.outcome not in _TRANSIENT or attempt >= NO_ANSWER_RETRIES:
                break
            delay = BACKOFF_BASE * 2**attempt
        finally:
            pacer.done()
    raise RegistryError(f"{registry.label}: {reason}")


def status_error(response: Response) -> RegistryError:
    """What an answer other than 200 means for the batch: a rate limit or a server error is asked
    again (after Retry-After, or a backoff); any other status will not get better."""
    text = status_text(response.status)
    if response.status == 429 or response.status >= 500:
        wait = retry_after(response.headers)
        return RegistryError(text, 0.0 if wait is None else wait)
    return RegistryError(text)


def client_settings(base: CheckerSettings) -> CheckerSettings:
    """The link checker's settings for asking an API: one connection, and no retries of the
    client's own, since the driver retries batches at the API's pace."""
    return replace(base, max_per_host=1, max_concurrency=1, retries=0, cache_path=None)


async def resolve_all(
    registry: Registry,
    keys: Sequence[str],
    endpoint: Endpoint,
    settings: CheckerSettings,
    cache_path: Path | None,
    max_age: float = MAX_AGE,
    progress: Callable[[Progress], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Record]:
    """:func:`resolve` with a client and a cache of its own."""
    cache = LinkCache(cache_path) if cache_path is not None else None
    if cache is not None:
        cache.open()
    try:
        async with open_client(client_settings(settings)) as client:
            return await resolve(
                registry,
                keys,
                endpoint,
                client,
                cache,
                progress,
                settings.max_retry_after,
                max_age,
                warn,
            )
    finally:
        if cache is not None:
            cache.close()
            if cache.error is not None and warn is not None:
                warn(cache.error)
