"""The links family maps link-checker outcomes to findings; the offline import guarantee."""

from __future__ import annotations

import subprocess
import sys

import pytest

from linter.findings import Hit
from linter.net.results import LinkResult, LinkStatus
from linter.rules.links import result_hit

URL = "https://example.org/paper"


def hit(
    outcome: LinkStatus, status: int | None, reason: str, final: str | None = None
) -> Hit | None:
    return result_hit(LinkResult(URL, outcome, status, reason, final), 3, 5, URL + "#x")


@pytest.mark.parametrize(
    ("outcome", "status", "reason", "code", "message"),
    [
        (LinkStatus.BROKEN, 404, "404 Not Found", "PL101", "link broken: 404 Not Found"),
        (LinkStatus.BROKEN, 301, "redirect loop back to https://a.org/",
         "PL101", "link broken: redirect loop back to https://a.org/"),
        (LinkStatus.UNREACHABLE, None, "connection refused",
         "PL102", "link unreachable: connection refused"),
        (LinkStatus.TIMEOUT, None, "timed out after 20 s",
         "PL102", "link unreachable: timed out after 20 s"),
        (LinkStatus.RATE_LIMITED, 429, "rate limited (429 Too Many Requests after 2 retries)",
         "PL107", "link unverified: rate limited (429 Too Many Requests after 2 retries)"),
        (LinkStatus.BLOCKED, 403, "blocked by bot protection (999)",
         "PL107", "link unverified: blocked by bot protection (999)"),
        (LinkStatus.UNVERIFIED, None, "could not check (X)",
         "PL107", "link unverified: could not check (X)"),
        (LinkStatus.SKIPPED, None, "private address 10.0.0.1",
         "PL108", "link skipped: private address 10.0.0.1"),
    ],
)  # fmt: skip
def test_outcome_maps_to_code_and_message(
    outcome: LinkStatus, status: int | None, reason: str, code: str, message: str
) -> None:
    assert hit(outcome, status, reason) == Hit(
        code=code,
        line=3,
        column=5,
        message=message,
        url=URL + "#x",
        status=status,
        outcome=str(outcome),
    )


def test_redirect_carries_the_fix_and_no_edit() -> None:
    new = "https://example.org/new"
    found = hit(LinkStatus.REDIRECTED, 301, "permanently redirected", new)
    assert found is not None
    assert (
        found.code,
        found.message,
        found.suggestion,
        found.edit,
        found.status,
        found.outcome,
    ) == (
        "PL103",
        f"link redirected permanently to {new}",
        new,
        None,
        301,
        "redirected",
    )


@pytest.mark.parametrize("outcome", [LinkStatus.OK, LinkStatus.EXCLUDED])
def test_silent_outcomes(outcome: LinkStatus) -> None:
    assert hit(outcome, 200, "") is None


def test_failed_property() -> None:
    assert LinkResult(URL, LinkStatus.BROKEN, 404, "").failed
    assert not LinkResult(URL, LinkStatus.REDIRECTED, 301, "").failed
    assert not LinkResult(URL, LinkStatus.SKIPPED, None, "").failed


def test_results_and_cache_never_import_aiohttp() -> None:
    code = (
        "import sys, linter.net.results, linter.net.cache, linter.net.settings\n"
        "import linter.providers, linter.net.provider, linter.rules.links\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
