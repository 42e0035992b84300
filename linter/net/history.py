"""Failure history: when each URL was last seen alive and since when it has been failing, so that
a link that fails for one scheduled run is a warning (PL110) during a grace period, not an error.

One record per URL (fragment dropped) in the cache's ``history`` namespace, a JSON object of POSIX
times, each null until it happens:

- ``last_alive``: the last check that got an answer (a success or a permanent redirect);
- ``first_failed``, ``last_failed``: the first and the last failure (broken, unreachable, timeout)
  of the latest run of failures. A failure after the URL was seen alive starts a new run.

Other outcomes (rate limited, blocked, skipped) say nothing about the URL and change nothing. A URL
is *failing since* ``first_failed`` when that run of failures began after it was last seen alive; a
URL never seen alive has no such date, so its failure is an error at once.

The results themselves are cached as before (failures never): history is what a run learned, not a
verdict to reuse. Every URL a run checks gets its record rewritten, so a record lives as long as its
URL is checked at least once every ``KEEP`` seconds; a URL left unchecked longer (gone from the
lists, or no run for three months) is forgotten, and its next failure counts as its first.

Only this module reads or writes the namespace; ``clock`` is the time the link checker's runs take
(tests replace it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from linter.net.cache import LinkCache
from linter.net.results import DEAD, LinkResult, LinkStatus

NAMESPACE = "history"
# Longer than the cache's results: a list checked monthly must still find last month's record.
KEEP = 90 * 86400.0
ALIVE = frozenset({LinkStatus.OK, LinkStatus.REDIRECTED})
_FIELDS = ("first_failed", "last_failed", "last_alive")


def clock() -> float:
    """The time of a run of the link checker."""
    return time.time()


@dataclass(frozen=True)
class History:
    first_failed: float | None = None
    last_failed: float | None = None
    last_alive: float | None = None

    @classmethod
    def from_record(cls, value: Any) -> History | None:
        """The history stored as ``value``; None for a value that is not one (a damaged row
        counts as no history, which only makes the next failure an error at once)."""
        if not isinstance(value, Mapping):
            return None
        times: dict[str, float | None] = {}
        for name in _FIELDS:
            item = value.get(name)
            if item is None:
                times[name] = None
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                if not math.isfinite(item):
                    return None
                times[name] = float(item)
            else:
                return None
        return cls(**times)

    def to_record(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in _FIELDS}

    def updated(self, outcome: LinkStatus, now: float) -> History:
        """This history after a check at ``now`` that had ``outcome``."""
        if outcome in ALIVE:
            return replace(self, last_alive=now)
        if outcome not in DEAD:
            return self
        failing = self.first_failed is not None and (
            self.last_alive is None or self.first_failed > self.last_alive
        )
        return replace(self, first_failed=self.first_failed if failing else now, last_failed=now)

    @property
    def failing_since(self) -> float | None:
        """When the present run of failures began, if the URL was seen alive before it."""
        if self.first_failed is None or self.last_alive is None:
            return None
        return self.first_failed if self.first_failed > self.last_alive else None


def within_grace(failing_since: float, now: float, grace: float) -> bool:
    """Whether a URL failing since ``failing_since`` is still within a ``grace`` (0: none) at
    ``now``."""
    return grace > 0 and now - failing_since < grace


def record(
    cache: LinkCache, results: Iterable[LinkResult], now: float, grace: float
) -> dict[str, LinkResult]:
    """Writes what the checks of ``results`` (made at ``now``, keyed by their URL) teach the
    history, and returns, by URL, the failures it dates: with ``failing_since``, and ``grace``
    while within it."""
    checked = [result for result in results if not result.from_cache]
    known = cache.get_records(NAMESPACE, [result.url for result in checked], max_age=KEEP)
    records: dict[str, dict[str, float | None]] = {}
    dated: dict[str, LinkResult] = {}
    for result in checked:
        before = History.from_record(known.get(result.url))
        if before is None and result.outcome not in ALIVE | DEAD:
            continue  # nothing learned, nothing to keep alive
        after = (before or History()).updated(result.outcome, now)
        # Rewritten even when unchanged: a record lives while its URL is checked.
        records[result.url] = after.to_record()
        since = after.failing_since
        if result.outcome in DEAD and since is not None:
            in_grace = within_grace(since, now, grace)
            dated[result.url] = replace(
                result, failing_since=since, grace=grace if in_grace else None
            )
    if records:
        cache.put_records(NAMESPACE, records, keep=KEEP)
    return dated
