"""The arXiv registry against a loopback server speaking the arXiv API's Atom format."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from linter.net.cache import LinkCache
from linter.registries import arxiv, driver
from linter.registries.arxiv import ArxivRegistry, parse_feed
from linter.registries.base import Endpoint, Record, RecordStatus
from linter.registries.driver import resolve_all
from tests.net.conftest import settings
from tests.registries.fakes import FakeArxiv, Paper

DATA = Path(__file__).parent.parent / "data" / "registries"
SCALE = 0.02  # one second of pacing or Retry-After lasts 20 ms here
INTERVAL = arxiv.INTERVAL * SCALE


@pytest.fixture(autouse=True)
def fast_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "SECONDS_PER_SECOND", SCALE)


async def serve(aiohttp_server: Any, fake: FakeArxiv) -> Endpoint:
    server = await aiohttp_server(fake.app())
    return Endpoint(
        f"http://127.0.0.1:{server.port}/api/query", {"User-Agent": "t"}, arxiv.INTERVAL
    )


async def ask(endpoint: Endpoint, keys: list[str], cache: Path | None = None) -> dict[str, Record]:
    return await resolve_all(ArxivRegistry(), keys, endpoint, settings(), cache)


def statuses(records: dict[str, Record]) -> dict[str, str]:
    return {key: record.status.value for key, record in records.items()}


# --------------------------------------------------------------------------------------------------
# The Atom feed


def test_a_real_feed_is_matched_by_id_not_by_position() -> None:
    batch = ["2205.01068", "1706.03762", "hep-th/9711200", "1712.00001", "2401.99999"]
    records = parse_feed((DATA / "arxiv_feed.xml").read_bytes(), batch)
    assert {key: (r.status.value, r.title) for key, r in records.items()} == {
        "1706.03762": ("found", "Attention Is All You Need"),
        "hep-th/9711200": (
            "found",
            "The Large N Limit of Superconformal Field Theories and Supergravity",
        ),
        "1712.00001": ("withdrawn", "A Constructed Example of a Withdrawn Preprint"),
        "2205.01068": ("found", "OPT: Open Pre-trained Transformer Language Models"),
        "2401.99999": ("missing", None),
    }
    assert records["1706.03762"].facts == {"version": 7, "published": "2017-06-12"}
    assert records["1712.00001"].reason == (
        "This paper has been withdrawn by the author due to an error in the proof of the main"
        " theorem"
    )
    assert records["2401.99999"].reason == "arXiv has no such paper"


def test_a_wrapped_title_is_one_line() -> None:
    records = parse_feed((DATA / "arxiv_feed.xml").read_bytes(), ["1911.02116"])
    assert records["1911.02116"].title == (
        "Unsupervised Cross-lingual Representation Learning at Scale (an example of a title the"
        " API wraps)"
    )


def test_an_error_entry_marks_its_id_malformed_and_leaves_the_others_to_ask_again() -> None:
    records = parse_feed((DATA / "arxiv_error.xml").read_bytes(), ["1706.03762", "1234.1234v"])
    assert statuses(records) == {"1234.1234v": "malformed"}
    assert records["1234.1234v"].reason == "incorrect id format for 1234.1234v"


@pytest.mark.parametrize(
    ("comment", "summary", "status"),
    [
        ("Withdrawn: the data were wrong", "We study X.", "withdrawn"),
        (
            "12 pages; this version has been withdrawn by arXiv administrators",
            "We study X.",
            "withdrawn",
        ),
        ("12 pages", "This paper has been withdrawn by the author.", "withdrawn"),
        # An abstract may speak of withdrawals without being one.
        ("12 pages", "We model how a drug that has been withdrawn affects trials.", "found"),
        ("Accepted at ICLR; code withdrawn from the appendix", "We study X.", "found"),
    ],
)
def test_withdrawals_are_read_from_the_comment_or_the_start_of_the_abstract(
    comment: str, summary: str, status: str
) -> None:
    fake = FakeArxiv({"2401.00001": Paper("T", comment=comment, summary=summary)})
    feed = fake.entry("2401.00001")
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        '<opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1'
        "</opensearch:itemsPerPage>" + feed + "</feed>"
    ).encode()
    assert parse_feed(body, ["2401.00001"])["2401.00001"].status.value == status


# --------------------------------------------------------------------------------------------------
# The API, batched and paced


async def test_known_unknown_malformed_and_withdrawn_ids_in_two_requests(
    aiohttp_server: Any,
) -> None:
    fake = FakeArxiv(
        {
            "1706.03762": Paper("Attention Is All You Need", version=7),
            "1712.00001": Paper("A Withdrawn One", comment="This paper has been withdrawn"),
            "hep-th/9711200": Paper("The Large N Limit", version=3),
        },
        shuffle=True,
        wrap=True,
    )
    endpoint = await serve(aiohttp_server, fake)
    keys = ["1706.03762", "1712.00001", "2401.99999", "hep-th/9711200", "2401.1234x"]
    records = await ask(endpoint, keys)
    assert statuses(records) == {
        "1706.03762": "found",
        "1712.00001": "withdrawn",
        "2401.99999": "missing",
        "hep-th/9711200": "found",
        "2401.1234x": "malformed",
    }
    # The malformed ID spoilt the first answer; the rest were asked again, once.
    assert [request.query["id_list"] for request in fake.requests] == [
        [",".join(keys)],
        ["1706.03762,1712.00001,2401.99999,hep-th/9711200"],
    ]
    assert [request.query["max_results"] for request in fake.requests] == [["5"], ["4"]]


async def test_max_results_is_always_sent_so_nothing_is_truncated(aiohttp_server: Any) -> None:
    papers = {f"2401.{n:05d}": Paper(f"Paper number {n}") for n in range(1, 31)}
    fake = FakeArxiv(papers, shuffle=True)  # left out, max_results would be 10
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, sorted(papers))
    assert set(statuses(records).values()) == {"found"}
    assert len(fake.requests) == 1
    assert fake.requests[0].query["max_results"] == ["30"]


async def test_a_server_that_truncates_anyway_gets_the_rest_asked_again(
    aiohttp_server: Any,
) -> None:
    papers = {f"2401.{n:05d}": Paper(f"Paper number {n}") for n in range(1, 16)}
    fake = FakeArxiv(papers, cap=10)
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, sorted(papers))
    assert set(statuses(records).values()) == {"found"}
    assert [len(r.query["id_list"][0].split(",")) for r in fake.requests] == [15, 5]


async def test_a_503_is_waited_out_then_answered(aiohttp_server: Any) -> None:
    fake = FakeArxiv(
        {"1706.03762": Paper("Attention Is All You Need")},
        failures=[(503, {"Retry-After": "5"}, "Service Unavailable")],
    )
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, ["1706.03762"])
    assert statuses(records) == {"1706.03762": "found"}
    first, second = (request.at for request in fake.requests)
    assert second - first >= 5 * SCALE * 0.95  # Retry-After, not just the 3 s interval


async def test_rate_exceeded_in_a_200_body_is_a_rate_limit(aiohttp_server: Any) -> None:
    fake = FakeArxiv(
        {"1706.03762": Paper("Attention Is All You Need")},
        failures=[(200, {}, "Rate exceeded.\n")],
    )
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, ["1706.03762"])
    assert statuses(records) == {"1706.03762": "found"}
    assert len(fake.requests) == 2


async def test_an_api_that_keeps_failing_leaves_the_ids_unverified_never_missing(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    fake = FakeArxiv(
        {"1706.03762": Paper("Attention Is All You Need")},
        failures=[(503, {}, "down")] * (driver.RETRIES + 1),
    )
    endpoint = await serve(aiohttp_server, fake)
    cache = tmp_path / "cache.sqlite3"
    records = await ask(endpoint, ["1706.03762"], cache)
    assert statuses(records) == {"1706.03762": "unverified"}
    assert records["1706.03762"].reason == "arXiv API: 503 Service Unavailable"
    assert len(fake.requests) == driver.RETRIES + 1
    # A failure is never cached: the next run asks again, and learns.
    assert statuses(await ask(endpoint, ["1706.03762"], cache)) == {"1706.03762": "found"}
    assert len(fake.requests) == driver.RETRIES + 2


async def test_an_api_that_cannot_be_reached_is_not_asked_batch_after_batch(
    aiohttp_server: Any,
) -> None:
    server = await aiohttp_server(FakeArxiv().app())
    port = server.port
    await server.close()  # nothing listens there any more: connection refused
    endpoint = Endpoint(f"http://127.0.0.1:{port}/api/query", {}, arxiv.INTERVAL)
    warnings: list[str] = []
    keys = [f"2401.{n:05d}" for n in range(1, 501)]
    records = await resolve_all(
        ArxivRegistry(), keys, endpoint, settings(), None, warn=warnings.append
    )
    assert {record.status.value for record in records.values()} == {"unverified"}
    assert records["2401.00500"].reason == records["2401.00001"].reason
    assert records["2401.00001"].reason.startswith("arXiv API: ")
    assert warnings == [
        f"{records['2401.00001'].reason}: 500 of 500 not verified (their links are PL107)"
    ]


async def test_requests_are_three_seconds_apart_measured_on_the_server(aiohttp_server: Any) -> None:
    papers = {f"2401.{n:05d}": Paper(f"Paper {n}") for n in range(1, 1001)}
    fake = FakeArxiv(papers, failures=[(503, {}, "busy")])
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, sorted(papers))
    assert len(records) == 1000 and set(statuses(records).values()) == {"found"}
    # 1,000 IDs: five batches of 200, plus the retry of the 503.
    assert len(fake.requests) == 6
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(fake.requests)]
    assert min(gaps) >= INTERVAL * 0.95


async def test_a_warm_cache_sends_no_request(aiohttp_server: Any, tmp_path: Path) -> None:
    fake = FakeArxiv({"1706.03762": Paper("Attention Is All You Need")})
    endpoint = await serve(aiohttp_server, fake)
    cache = tmp_path / "cache.sqlite3"
    first = await ask(endpoint, ["1706.03762", "2401.99999"], cache)
    second = await ask(endpoint, ["1706.03762", "2401.99999"], cache)
    assert first == second
    assert statuses(second) == {"1706.03762": "found", "2401.99999": "missing"}
    assert len(fake.requests) == 1
    with LinkCache(cache) as stored:
        assert sorted(stored.get_records("metadata", ["arxiv:1706.03762", "arxiv:2401.99999"])) == [
            "arxiv:1706.03762",
            "arxiv:2401.99999",
        ]


async def test_records_past_the_metadata_age_are_asked_again(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    fake = FakeArxiv({"1706.03762": Paper("Attention Is All You Need")})
    endpoint = await serve(aiohttp_server, fake)
    cache = tmp_path / "cache.sqlite3"
    await ask(endpoint, ["1706.03762"], cache)
    await resolve_all(ArxivRegistry(), ["1706.03762"], endpoint, settings(), cache, max_age=0.0)
    assert len(fake.requests) == 2


# --------------------------------------------------------------------------------------------------
# Which links the registry speaks for


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://arxiv.org/abs/2205.01068", "2205.01068"),
        ("http://arxiv.org/pdf/2205.01068v2.pdf", "2205.01068"),
        ("https://export.arxiv.org/abs/hep-th/9711200v3", "hep-th/9711200"),
        ("https://doi.org/10.48550/arXiv.2205.01068", "2205.01068"),
        # Not every paper has an HTML rendering, and mirrors may be down on their own.
        ("https://arxiv.org/html/2205.01068v2", None),
        ("https://ar5iv.org/abs/2205.01068", None),
        ("https://huggingface.co/papers/2205.01068", None),
        ("https://arxiv.org/list/cs.CL/recent", None),
    ],
)
def test_claims(url: str, key: str | None) -> None:
    assert ArxivRegistry().claims(url) == key


def test_a_link_to_a_version_past_the_latest_is_broken() -> None:
    record = Record("2205.01068", RecordStatus.FOUND, "OPT", facts={"version": 4})
    registry = ArxivRegistry()
    dead = registry.link_result("https://arxiv.org/pdf/2205.01068v9.pdf", record)
    assert dead is not None
    assert (dead.outcome.value, dead.reason) == (
        "broken",
        "arXiv has no v9 of 2205.01068 (the latest is v4)",
    )
    assert registry.link_result("https://arxiv.org/abs/2205.01068v4", record) is None
    assert registry.link_result("https://arxiv.org/abs/2205.01068", record) is None
    missing = Record("2205.01068", RecordStatus.MISSING)
    assert registry.link_result("https://arxiv.org/abs/2205.01068", missing) is None  # PL306's
