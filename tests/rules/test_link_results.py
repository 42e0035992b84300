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


SINCE = 1_796_018_400.0  # 2026-11-30T06:00:00Z
DAYS_3 = 3 * 86400.0


@pytest.mark.parametrize(
    ("outcome", "status", "reason"),
    [(LinkStatus.BROKEN, 404, "404 Not Found"), (LinkStatus.UNREACHABLE, None, "connection refused"),
     (LinkStatus.TIMEOUT, None, "timed out after 20 s")],
)  # fmt: skip
def test_a_failure_within_its_grace_period_is_pl110(
    outcome: LinkStatus, status: int | None, reason: str
) -> None:
    result = LinkResult(URL, outcome, status, reason, failing_since=SINCE, grace=DAYS_3)
    assert result_hit(result, 3, 5, URL) == Hit(
        code="PL110",
        line=3,
        column=5,
        message=f"link failing since 2026-11-30, broken after 3d: {reason}",
        url=URL,
        status=status,
        outcome=str(outcome),
        failing_since="2026-11-30T06:00:00Z",
    )


def test_past_its_grace_period_a_failure_is_pl101_and_keeps_its_date() -> None:
    result = LinkResult(URL, LinkStatus.BROKEN, 404, "404 Not Found", failing_since=SINCE)
    assert result_hit(result, 3, 5, URL) == Hit(
        code="PL101",
        line=3,
        column=5,
        message="link broken: 404 Not Found",
        url=URL,
        status=404,
        outcome="broken",
        failing_since="2026-11-30T06:00:00Z",
    )


@pytest.mark.parametrize("outcome", [LinkStatus.RATE_LIMITED, LinkStatus.BLOCKED])
def test_a_grace_period_never_changes_pl107(outcome: LinkStatus) -> None:
    result = LinkResult(URL, outcome, 429, "rate limited", failing_since=SINCE, grace=DAYS_3)
    found = result_hit(result, 3, 5, URL)
    assert found is not None and (found.code, found.message) == (
        "PL107",
        "link unverified: rate limited",
    )


@pytest.mark.parametrize(
    ("grace", "written"),
    [(3 * 86400.0, "3d"), (7 * 86400.0, "7d"), (36 * 3600.0, "36h"), (90 * 60.0, "90m"),
     (45.0, "45s"), (1.5, "1.5s")],
)  # fmt: skip
def test_the_grace_period_is_written_as_options_are(grace: float, written: str) -> None:
    result = LinkResult(URL, LinkStatus.BROKEN, 410, "", failing_since=SINCE, grace=grace)
    found = result_hit(result, 1, 1, URL)
    assert found is not None
    assert found.message == f"link failing since 2026-11-30, broken after {written}"


def test_failed_property() -> None:
    assert LinkResult(URL, LinkStatus.BROKEN, 404, "").failed
    assert not LinkResult(URL, LinkStatus.REDIRECTED, 301, "").failed
    assert not LinkResult(URL, LinkStatus.SKIPPED, None, "").failed


def test_results_and_cache_never_import_aiohttp() -> None:
    code = (
        "import sys, linter.net.results, linter.net.cache, linter.net.settings\n"
        "import linter.net.history\n"
        "import linter.providers, linter.net.provider, linter.rules.links\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
