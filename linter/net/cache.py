"""SQLite cache by namespace, shared safely by parallel runs: link results (``links``) and JSON
records (``metadata``: what a registry's API said about a work; ``history``: when each URL last
answered and since when it has been failing, see ``history``), each namespace a table of its own.

pre-commit runs hooks in parallel, so several processes may read and write one file at once: WAL
mode lets readers and one writer work together, and a busy timeout makes a writer wait for another
instead of failing. Only facts that stay true for a while are stored (successes and permanent
redirects, see ``results.CACHEABLE``), each with the time it was checked; a transient failure is
never stored, so the next run checks it again.

A cache that cannot be opened (corrupt file, read-only directory) never breaks a run: the cache
behaves as empty and ``LinkCache.error`` says why.

Schema versions: 1 had the ``links`` table only; 2 adds the record tables. Opening a version 1
file migrates it in place (the tables are added, links kept); a newer version is not used.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from linter.net.results import CACHEABLE, LinkResult, LinkStatus

SCHEMA_VERSION = 2
RECORD_NAMESPACES = frozenset({"metadata", "history"})  # besides links, which has its own table
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process before giving up
PRUNE_AGE = 30 * 86400.0  # rows older than this are deleted whenever a run writes
CONNECT_RETRY_DELAY = 0.05  # seconds between two attempts to open a locked new cache

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    url TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    status INTEGER,
    reason TEXT NOT NULL,
    final_url TEXT,
    checked_at REAL NOT NULL
)
"""

# One per name of RECORD_NAMESPACES (a table name cannot be an SQL parameter: names come from
# that fixed set only).
_RECORD_SCHEMA = """
CREATE TABLE IF NOT EXISTS {name} (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    checked_at REAL NOT NULL
)
"""
_TABLES = ("links", *sorted(RECORD_NAMESPACES))


class CacheError(Exception):
    """The cache file exists but cannot be changed (locked past the busy timeout, read-only)."""


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int  # database file plus its WAL and shared-memory files
    oldest: float | None  # POSIX timestamps of the oldest and newest entries
    newest: float | None
    error: str | None = None  # set when the file exists but is not a readable cache


def _connect(path: Path) -> sqlite3.Connection:
    """Opens (creating if need be) the cache. Two processes creating the same new file at once can
    meet a lock that SQLite's busy handler does not wait for (switching a fresh file to WAL), so a
    locked database is tried again until the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return _connect_once(path)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(CONNECT_RETRY_DELAY)


def _connect_once(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so a writer takes the lock up
    # front and waits (busy timeout) instead of failing half-way on a lock upgrade.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, SCHEMA_VERSION):
            raise sqlite3.DatabaseError(f"cache schema version {version} is not supported")
        conn.execute(_SCHEMA)
        for name in sorted(RECORD_NAMESPACES):
            conn.execute(_RECORD_SCHEMA.format(name=name))
        if version != SCHEMA_VERSION:  # new (0), or links only (1): the tables above migrate it
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.close()
        raise
    return conn


def _files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


class LinkCache:
    """``with LinkCache(path, max_age) as cache: cache.get_many(urls); cache.put_many(results)``;
    registries: ``cache.get_records("metadata", keys)``, ``cache.put_records("metadata", ...)``."""

    def __init__(
        self,
        path: Path,
        max_age: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.max_age = max_age
        self.error: str | None = None
        self._clock = clock
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> LinkCache:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        if self._conn is not None:
            return
        try:
            self._conn = _connect(self.path)
        except (sqlite3.Error, OSError) as exc:
            self.error = f"cannot use cache {self.path}: {exc}"

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def get(self, url: str) -> LinkResult | None:
        return self.get_many([url]).get(url)

    def get_many(self, urls: Iterable[str]) -> dict[str, LinkResult]:
        """Fresh cached results of those ``urls`` that have one."""
        if self._conn is None:
            return {}
        oldest = self._clock() - self.max_age
        found: dict[str, LinkResult] = {}
        try:
            rows = self._select_fresh(
                "SELECT url, outcome, status, reason, final_url FROM links "
                "WHERE checked_at >= ? AND url IN ({marks})",
                urls,
                oldest,
            )
            for url, outcome, status, reason, final_url in rows:
                try:
                    status_enum = LinkStatus(outcome)
                except ValueError:
                    continue
                if status_enum not in CACHEABLE:
                    continue
                found[url] = LinkResult(
                    url=url,
                    outcome=status_enum,
                    status=status,
                    reason=reason,
                    final_url=final_url,
                    from_cache=True,
                )
        except sqlite3.Error as exc:
            self.error = f"cannot read cache {self.path}: {exc}"
            return {}
        return found

    def _select_fresh(self, query: str, keys: Iterable[str], oldest: float) -> list[Any]:
        """The rows of ``query`` (``{marks}`` stands for the keys' placeholders) for ``keys``, in
        chunks that stay under SQLite's limit of variables per statement."""
        assert self._conn is not None
        wanted = list(dict.fromkeys(keys))
        rows: list[Any] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            statement = query.format(marks=",".join("?" * len(chunk)))
            rows.extend(self._conn.execute(statement, [oldest, *chunk]).fetchall())
        return rows

    def put(self, result: LinkResult) -> bool:
        return self.put_many([result]) == 1

    def put_many(self, results: Iterable[LinkResult]) -> int:
        """Store the cacheable results, forget the others' old entries; returns how many were
        stored. Results that came from the cache are not rewritten (their age must not reset)."""
        if self._conn is None:
            return 0
        now = self._clock()
        store: list[tuple[str, str, int | None, str, str | None, float]] = []
        forget: list[tuple[str]] = []
        for result in results:
            if result.from_cache:
                continue
            if result.outcome in CACHEABLE:
                store.append(
                    (result.url, str(result.outcome), result.status, result.reason,
                     result.final_url, now)
                )  # fmt: skip
            else:
                forget.append((result.url,))

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO links (url, outcome, status, reason, final_url, checked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                store,
            )
            conn.executemany("DELETE FROM links WHERE url = ?", forget)
            conn.execute("DELETE FROM links WHERE checked_at < ?", (now - PRUNE_AGE,))

        return len(store) if self._write(write) else 0

    def _write(self, write: Callable[[sqlite3.Connection], None]) -> bool:
        """Runs ``write`` in one immediate transaction (a parallel run waits for the lock rather
        than failing half-way); False, with ``error`` set, when SQLite refuses."""
        assert self._conn is not None
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                write(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.error = f"cannot write cache {self.path}: {exc}"
            return False
        return True

    def get_records(
        self, namespace: str, keys: Iterable[str], max_age: float | None = None
    ) -> dict[str, Any]:
        """Fresh records (JSON values) of ``namespace`` stored under those ``keys``; fresh means
        younger than ``max_age`` (default: the cache's)."""
        table = _record_table(namespace)
        if self._conn is None:
            return {}
        oldest = self._clock() - (self.max_age if max_age is None else max_age)
        found: dict[str, Any] = {}
        try:
            rows = self._select_fresh(
                f"SELECT key, value FROM {table} WHERE checked_at >= ? AND key IN ({{marks}})",
                keys,
                oldest,
            )
            for key, value in rows:
                with contextlib.suppress(ValueError):  # not JSON: as good as missing
                    found[key] = json.loads(value)
        except sqlite3.Error as exc:
            self.error = f"cannot read cache {self.path}: {exc}"
            return {}
        return found

    def put_records(
        self, namespace: str, records: Mapping[str, Any], keep: float = PRUNE_AGE
    ) -> int:
        """Stores ``records`` (key to a JSON-serialisable value) in ``namespace``, checked now;
        returns how many were stored. The namespace's records not stored for ``keep`` seconds
        (default ``PRUNE_AGE``, as links) are deleted."""
        table = _record_table(namespace)
        if self._conn is None:
            return 0
        now = self._clock()
        rows = [(key, json.dumps(value, sort_keys=True), now) for key, value in records.items()]

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"INSERT OR REPLACE INTO {table} (key, value, checked_at) VALUES (?, ?, ?)", rows
            )
            conn.execute(f"DELETE FROM {table} WHERE checked_at < ?", (now - keep,))

        return len(rows) if self._write(write) else 0


def _record_table(namespace: str) -> str:
    if namespace not in RECORD_NAMESPACES:
        raise ValueError(f"unknown cache namespace {namespace!r}")
    return namespace


def cache_info(path: Path) -> CacheInfo:
    size = sum(file.stat().st_size for file in _files(path) if file.is_file())
    if not path.is_file():
        return CacheInfo(path=path, entries=0, bytes=size, oldest=None, newest=None)
    try:
        conn = _connect(path)
        try:
            every = " UNION ALL ".join(f"SELECT checked_at FROM {table}" for table in _TABLES)
            entries, oldest, newest = conn.execute(
                f"SELECT COUNT(*), MIN(checked_at), MAX(checked_at) FROM ({every})"
            ).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        return CacheInfo(path=path, entries=0, bytes=size, oldest=None, newest=None, error=str(exc))
    size = sum(file.stat().st_size for file in _files(path) if file.is_file())
    return CacheInfo(path=path, entries=entries, bytes=size, oldest=oldest, newest=newest)


def cache_clear(path: Path) -> int:
    """Delete every entry; returns how many there were. A file that is not a usable cache is
    removed (it is ours and holds nothing worth keeping). Raises CacheError when the file cannot
    be changed."""
    if not path.exists():
        return 0
    try:
        conn = _connect(path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            count = 0
            for table in _TABLES:
                count += conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                conn.execute(f"DELETE FROM {table}")
            conn.execute("COMMIT")
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
        finally:
            conn.close()
    except (sqlite3.OperationalError, OSError) as exc:
        # Locked or read-only: the file may be a healthy cache in use, so it must not be removed.
        raise CacheError(f"cannot clear cache {path}: {exc}") from exc
    except sqlite3.Error:
        for file in _files(path):
            with contextlib.suppress(OSError):
                file.unlink()
        return 0
    return count
