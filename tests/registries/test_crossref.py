"""The Crossref registry against loopback servers speaking Crossref's /works JSON and the DOI
system's handle API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.config import Config
from linter.registries import crossref, driver
from linter.registries.base import Endpoint, Record
from linter.registries.crossref import CrossrefRegistry, _records
from linter.registries.driver import resolve_all
from tests.net.conftest import settings
from tests.registries.fakes import FakeCrossref, Work

DATA = Path(__file__).parent.parent / "data" / "registries"


@pytest.fixture(autouse=True)
def fast_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "SECONDS_PER_SECOND", 0.01)


async def serve(aiohttp_server: Any, fake: FakeCrossref, mailto: str | None = None) -> Endpoint:
    server = await aiohttp_server(fake.app())
    base = f"http://127.0.0.1:{server.port}"
    config = Config(crossref_api=f"{base}/works", doi_api=f"{base}/api/handles", mailto=mailto)
    return CrossrefRegistry().endpoint(config)


async def ask(endpoint: Endpoint, keys: list[str]) -> dict[str, Record]:
    return await resolve_all(CrossrefRegistry(), keys, endpoint, settings(), None)


def test_the_real_answer_format() -> None:
    answer = json.loads((DATA / "crossref_works.json").read_text())
    wanted = ["10.1145/3065386", "10.1126/science.1112286", "10.1109/cvpr.2016.90"]
    records = _records(answer["message"]["items"], wanted)
    assert {key: (r.status.value, r.title, r.reason) for key, r in records.items()} == {
        "10.1145/3065386": (
            "found",
            "ImageNet classification with deep convolutional neural networks",
            "",
        ),
        "10.1126/science.1112286": (
            "withdrawn",
            "A constructed example of a retracted article",  # markup dropped
            "retracted (notice: doi:10.1126/science.1124926)",
        ),
        "10.1109/cvpr.2016.90": ("found", "Deep Residual Learning for Image Recognition", ""),
    }


async def test_a_batch_in_one_request_with_the_doi_system_asked_about_the_rest(
    aiohttp_server: Any,
) -> None:
    fake = FakeCrossref(
        {
            "10.1145/3065386": Work(
                "ImageNet classification with deep convolutional neural networks"
            ),
            "10.1126/science.1112286": Work("Retracted", retracted_by="10.1126/science.1124926"),
        },
        elsewhere={"10.5281/zenodo.1234567"},
    )
    endpoint = await serve(aiohttp_server, fake, mailto="lists@example.org")
    keys = ["10.1126/science.1112286", "10.1145/3065386", "10.5281/zenodo.1234567", "10.9999/nope"]
    records = await ask(endpoint, keys)
    assert {key: (r.status.value, r.reason) for key, r in records.items()} == {
        "10.1126/science.1112286": ("withdrawn", "retracted (notice: doi:10.1126/science.1124926)"),
        "10.1145/3065386": ("found", ""),
        "10.5281/zenodo.1234567": ("found", "not in Crossref"),
        "10.9999/nope": ("missing", "no such DOI in Crossref nor at doi.org"),
    }
    works, *handles = fake.requests
    assert works.query == {
        "filter": [
            "doi:10.1126/science.1112286,doi:10.1145/3065386,doi:10.5281/zenodo.1234567,doi:10.9999/nope"
        ],
        "rows": ["4"],
        "mailto": ["lists@example.org"],
    }
    # Crossref asks for the contact in the User-Agent too; the DOI system gets none of it.
    assert works.headers["User-Agent"].endswith("(reading-list linter; mailto:lists@example.org)")
    assert [(h.path, "mailto" in h.headers["User-Agent"]) for h in handles] == [
        ("/api/handles/10.5281/zenodo.1234567", False),
        ("/api/handles/10.9999/nope", False),
    ]


async def test_without_mailto_no_contact_is_sent(aiohttp_server: Any) -> None:
    fake = FakeCrossref({"10.1145/3065386": Work("ImageNet")})
    endpoint = await serve(aiohttp_server, fake)
    await ask(endpoint, ["10.1145/3065386"])
    assert "mailto" not in fake.requests[0].query
    assert "mailto" not in fake.requests[0].headers["User-Agent"]


async def test_a_429_is_waited_out_and_fifty_dois_go_in_one_request(aiohttp_server: Any) -> None:
    works = {f"10.1000/{n}": Work(f"Work {n}") for n in range(120)}
    fake = FakeCrossref(works, failures=[(429, {"Retry-After": "2"}, "slow down")])
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, sorted(works))
    assert {record.status.value for record in records.values()} == {"found"}
    assert [len(r.query["filter"][0].split(",")) for r in fake.requests] == [50, 50, 50, 20]


async def test_a_doi_with_a_comma_is_asked_on_its_own(aiohttp_server: Any) -> None:
    fake = FakeCrossref({"10.1000/a": Work("A")})
    endpoint = await serve(aiohttp_server, fake)
    records = await ask(endpoint, ["10.1000/a", "10.1002/(sici)1,2"])
    assert records["10.1000/a"].status.value == "found"
    assert [r.path for r in fake.requests] == [
        "/works",
        "/works/10.1002/(sici)1,2",
        "/api/handles/10.1002/(sici)1,2",
    ]
    assert records["10.1002/(sici)1,2"].status.value == "missing"


def test_claims_only_the_resolvers_links() -> None:
    registry = CrossrefRegistry()
    assert registry.claims("https://doi.org/10.1145/3065386") == "10.1145/3065386"
    assert registry.claims("http://dx.doi.org/10.1145/3065386") == "10.1145/3065386"
    # A publisher's page may be gone while its DOI lives on; arXiv's DOIs are arXiv's.
    assert registry.claims("https://dl.acm.org/doi/10.1145/3065386") is None
    assert registry.claims("https://doi.org/10.48550/arXiv.2205.01068") is None


def test_crossref_is_paced_within_its_public_pool() -> None:
    assert crossref.INTERVAL >= 0.2  # at most 5 requests a second
