"""The link checker's run: every unique URL once, politely, correctly classified, bounded in cost.

:func:`check_urls` takes the cached results, checks the rest through one polite client
(``client``) with the link judgement on top (``judge``), and stores what it learned; tasks start
each host's first URL first, in batches, so the first requests (a hung host's among them) go out
within milliseconds. :class:`PendingChecks` (:func:`start_checks`) runs it on a background thread
while the offline rules run; :func:`run_checks` is the synchronous wrapper.

The pieces: ``guard`` (the address guard and resolvers), ``hosts`` (per-host slots, pauses and
idle connections), ``classify`` (what an answer or a failure means), ``body`` (bounded body
reads), ``urls`` (URL parsing), ``client`` (the polite client a registry can use too) and
``judge`` (HEAD first, redirects, the LinkResult of a link); ``history`` dates the failures of
URLs that were alive before.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import cast

from yarl import URL

from linter.net import history
from linter.net.body import MAX_BODY_BYTES
from linter.net.cache import LinkCache
from linter.net.client import open_client
from linter.net.hosts import host_settings
from linter.net.judge import LinkJudge
from linter.net.results import LinkResult, LinkStatus, Progress
from linter.net.settings import CheckerSettings
from linter.net.urls import host_key, parse_url
from linter.providers import LAUNCHED, InBackground

LAUNCH_BATCH = 32  # tasks created between two yields to the event loop
LAUNCH_WAIT = 0.5  # seconds a background run's start waits at most for every host's first batch


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

    now = history.clock()  # one time for the whole run: its cache rows and its history
    cache: LinkCache | None = None
    if settings.cache_path is not None:
        cache = LinkCache(settings.cache_path, settings.max_cache_age, clock=lambda: now)
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
            by_key.update(history.record(cache, fresh, now, settings.grace))
    finally:
        if cache is not None:
            cache.close()
            if cache.error is not None and warn is not None:
                warn(cache.error)
    results = {}
    for url in wanted:
        result = by_key[keys[url]]
        results[url] = result if result.url == url else replace(result, url=url)
    return results


def _still_valid(result: LinkResult, settings: CheckerSettings) -> bool:
    """A cached success stays one only while its status is still accepted."""
    if result.outcome is not LinkStatus.OK or result.status is None:
        return True
    parsed = parse_url(result.url)
    host = host_key(parsed) if isinstance(parsed, URL) else ""
    config = host_settings(settings, host)
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

    fresh: list[LinkResult] = []
    async with open_client(settings) as client:
        checker = LinkJudge(client)
        tasks: list[asyncio.Task[LinkResult]] = []
        try:
            # Each host's first URL starts first, and tasks are created in batches with a yield
            # between them: the first requests (a hung host's among them) go out within
            # milliseconds instead of after every task's first step.
            ordered, first_batches = _round_robin_by_host(
                todo, client.expect, settings.max_per_host
            )
            launched = LAUNCHED.get()  # set by a background run (see PendingChecks)
            for index, key in enumerate(ordered):
                tasks.append(asyncio.create_task(checker.check(key)))
                if index % LAUNCH_BATCH == LAUNCH_BATCH - 1 or index == first_batches - 1:
                    await asyncio.sleep(0)  # the tasks so far take their first step
                    if launched is not None and index >= first_batches - 1:
                        launched()  # every host's first batch is out
                        launched = None
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
            # Only the unfinished: gathering all of them, done or not, costs a callback each.
            unfinished = [task for task in tasks if not task.done()]
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
    return fresh


def _round_robin_by_host(
    keys: list[str], host_of: Callable[[str], str], rounds: int
) -> tuple[list[str], int]:
    """The first URL of every host, then the second of every host, and so on; and how many of
    them the first ``rounds`` rounds hold."""
    queues: dict[str, list[str]] = {}
    for key in keys:
        queues.setdefault(host_of(key), []).append(key)
    ordered: list[str] = []
    depth = 0
    while len(ordered) < len(keys):
        ordered.extend(queue[depth] for queue in queues.values() if depth < len(queue))
        depth += 1
    return ordered, sum(min(rounds, len(queue)) for queue in queues.values())


class PendingChecks(InBackground):
    """:func:`check_urls` running in the background (see :class:`~linter.providers.InBackground`):
    starting returns once every host's first batch of requests is out, or after LAUNCH_WAIT."""

    def __init__(
        self,
        urls: Iterable[str],
        settings: CheckerSettings,
        progress: Callable[[Progress], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        wanted = list(urls)
        super().__init__(lambda: check_urls(wanted, settings, progress, warn), "links", LAUNCH_WAIT)

    def done(self) -> bool:
        # Only tests ask (a Ctrl-C must interrupt the wait before the run ends).
        return self._done.is_set()

    def result(self) -> dict[str, LinkResult]:
        return cast(dict[str, LinkResult], super().result())


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
