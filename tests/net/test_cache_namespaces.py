"""The cache's record namespaces (``metadata``, ``history``) beside ``links``, and the migration of
a version 1 file (links only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from linter.net.cache import SCHEMA_VERSION, LinkCache, cache_clear, cache_info
from linter.net.results import LinkResult, LinkStatus

OK = LinkResult("https://a.org/1", LinkStatus.OK, 200, "200 OK")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def version_1_file(path: Path, checked_at: float) -> None:
    """A cache as paperlint wrote it before namespaces: the links table, user_version 1."""
    conn = sqlite3.connect(str(path))
    conn.execute(
        "CREATE TABLE links (url TEXT PRIMARY KEY, outcome TEXT NOT NULL, status INTEGER, "
        "reason TEXT NOT NULL, final_url TEXT, checked_at REAL NOT NULL)"
    )
    conn.execute(
        "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?)",
        (OK.url, "ok", 200, "200 OK", None, checked_at),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return version


def test_records_round_trip_per_namespace(tmp_path: Path) -> None:
    with LinkCache(tmp_path / "cache.sqlite") as cache:
        assert cache.put_records("metadata", {"10.1/x": {"title": "A paper", "year": 2020}}) == 1
        assert cache.put_records("history", {"10.1/x": ["20200101"]}) == 1
        cache.put_many([OK])
        assert cache.get_records("metadata", ["10.1/x", "10.1/y"]) == {
            "10.1/x": {"title": "A paper", "year": 2020}
        }
        assert cache.get_records("history", ["10.1/x"]) == {"10.1/x": ["20200101"]}
        assert cache.get_records("history", [OK.url]) == {}  # links are a namespace of their own
        assert cache.get(OK.url) is not None
        assert cache.error is None


def test_records_expire_after_max_age(tmp_path: Path) -> None:
    clock = Clock()
    with LinkCache(tmp_path / "cache.sqlite", max_age=100.0, clock=clock) as cache:
        cache.put_records("metadata", {"k": 1})
        clock.now += 101.0
        assert cache.get_records("metadata", ["k"]) == {}
        assert cache.get_records("metadata", ["k"], max_age=1000.0) == {"k": 1}


def test_an_unknown_namespace_is_refused(tmp_path: Path) -> None:
    with LinkCache(tmp_path / "cache.sqlite") as cache:
        with pytest.raises(ValueError, match="unknown cache namespace"):
            cache.put_records("links; DROP TABLE links", {"k": 1})
        with pytest.raises(ValueError, match="unknown cache namespace"):
            cache.get_records("links", ["k"])


def test_a_version_1_file_is_migrated_and_keeps_its_links(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "links.sqlite"
    version_1_file(path, checked_at=clock.now)
    with LinkCache(path, clock=clock) as cache:
        assert cache.get(OK.url) == LinkResult(
            OK.url, LinkStatus.OK, 200, "200 OK", from_cache=True
        )
        assert cache.put_records("metadata", {"k": "v"}) == 1
        assert cache.get_records("metadata", ["k"]) == {"k": "v"}
        assert cache.error is None
    assert user_version(path) == SCHEMA_VERSION == 2


def test_a_newer_schema_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "links.sqlite"
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with LinkCache(path) as cache:
        assert cache.error is not None and "not supported" in cache.error
        assert cache.get_records("metadata", ["k"]) == {}
        assert cache.put_records("metadata", {"k": 1}) == 0


def test_info_and_clear_cover_every_namespace(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "cache.sqlite"
    with LinkCache(path, clock=clock) as cache:
        cache.put_many([OK])
        clock.now += 5.0
        cache.put_records("metadata", {"a": 1, "b": 2})
        cache.put_records("history", {"a": []})
    info = cache_info(path)
    assert (info.entries, info.oldest, info.newest) == (4, 1_000_000.0, 1_000_005.0)
    assert cache_clear(path) == 4
    assert cache_info(path).entries == 0
