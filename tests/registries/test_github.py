"""GitHub repositories through a loopback GraphQL API in GitHub's shape: which links are claimed,
the batched queries, the findings (PL101, PL103, PL107, PL109), the rate limits, the token's
reach, and the page fetches of a run without a token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from linter.config import Config, ConfigError, apply_options
from linter.engine import Report, lint
from linter.net.client import open_client
from linter.net.settings import CheckerSettings
from linter.reading import Source
from linter.registries import driver, github
from linter.registries.base import Endpoint, RecordStatus, RegistryError
from linter.registries.github import GithubRegistry, Target, build_query, target_of
from tests.registries.fakes import serving
from tests.registries.github_fake import FakeGithub, Repo

TOKEN = "ghp_T0KEN"
REGISTRY = GithubRegistry()
# GitHub's names go to loopback, so nothing a test does can reach the real site.
LOOPBACK = {"github.com": "127.0.0.1", "www.github.com": "127.0.0.1"}


@pytest.fixture(autouse=True)
def fast_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "SECONDS_PER_SECOND", 0.01)
    original = Config.checker_settings

    def on_loopback(self: Config, cache: Path | None, token: str | None) -> CheckerSettings:
        return replace(original(self, cache, token), resolve=LOOPBACK, backoff_base=0.001)

    monkeypatch.setattr(Config, "checker_settings", on_loopback)


@pytest.fixture
def fake() -> Iterator[tuple[FakeGithub, str]]:
    api = FakeGithub()
    with serving(api.app()) as base:
        yield api, base


def run(
    tmp_path: Path,
    text: str,
    base: str,
    token: str | None = TOKEN,
    cache: Path | None = None,
    **options: Any,
) -> Report:
    path = tmp_path / "list.md"
    path.write_text(text, encoding="utf-8")
    config = apply_options(
        Config(),
        {"github-api": f"{base}/graphql", "allow-private": True, "cache": bool(cache), **options},
        "test",
        tmp_path,
    )
    return lint([Source(str(path), path)], config, cache_path=cache, github_token=token)


def findings(report: Report) -> list[tuple[int, str, str, str | None]]:
    return [(f.line, f.rule, f.message, f.suggestion) for f in report.findings]


# -- which links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://github.com/Owner/Repo", "owner/repo"),
        ("https://github.com/owner/repo/", "owner/repo"),
        ("http://www.github.com/owner/repo?tab=readme-ov-file", "owner/repo"),
        ("https://github.com/owner/repo/releases", "owner/repo"),
        ("https://github.com/owner/repo/wiki", "owner/repo"),
        ("https://github.com/owner/repo/issues/12", "owner/repo/issues/12"),
        ("https://github.com/owner/repo/pull/3/", "owner/repo/pull/3"),
        ("https://github.com/owner/repo/blob/main/src/A.py", "owner/repo/blob/main/src/A.py"),
        ("https://github.com/owner/repo/tree/v1.0", "owner/repo/tree/v1.0"),
        ("https://github.com/owner/repo/tree/main/docs/", "owner/repo/tree/main/docs"),
        ("https://github.com/owner/re.po_x-1", "owner/re.po_x-1"),
    ],
)
def test_repository_pages_are_claimed(url: str, key: str) -> None:
    assert REGISTRY.claims(url) == key


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/owner",
        "https://github.com/topics/python",
        "https://github.com/orgs/owner",
        "https://github.com/sponsors/owner",
        "https://github.com/marketplace/actions",
        "https://github.com/owner/repo.git",
        "https://github.com/owner/repo/actions",
        "https://github.com/owner/repo/commit/abc123",
        "https://github.com/owner/repo/issues",
        "https://github.com/owner/repo/blob/main",  # a blob needs a path
        "https://github.com/owner/repo/wiki/Home",
        "https://gist.github.com/owner/abc",
        "https://raw.githubusercontent.com/owner/repo/main/README.md",
        "https://example.org/owner/repo",
        "ftp://github.com/owner/repo",
    ],
)
def test_other_github_pages_are_fetched(url: str) -> None:
    assert REGISTRY.claims(url) is None


def test_a_branch_with_slashes_is_asked_every_way_it_can_be_read() -> None:
    target = target_of("https://github.com/o/r/blob/feature/x/src/a%20b.py")
    assert target == Target("o/r", "blob", "feature/x/src/a%20b.py")
    assert target.expressions() == ["feature:x/src/a b.py", "feature/x:src/a b.py",
                                    "feature/x/src:a b.py"]  # fmt: skip
    assert Target("o/r", "tree", "main").expressions() == ["main:"]


def test_one_alias_per_repository_with_nested_aliases_and_escaped_strings() -> None:
    keys = ["o/r", "o/r/blob/main/a.py", "o/r/issues/4", 'x/y/tree/main/q"\\', "o/r/blob/main/a.py"]
    query, aliases = build_query([github.parse_key(key) for key in keys])
    assert query == (
        "query {\n"
        '  r0: repository(owner: "o", name: "r") { nameWithOwner url isArchived'
        ' p0: object(expression: "main:a.py") { __typename }'
        " n1: issueOrPullRequest(number: 4) { __typename } }\n"
        '  r1: repository(owner: "x", name: "y") { nameWithOwner url isArchived'
        ' p0: object(expression: "main:q\\"\\\\") { __typename }'
        ' p1: object(expression: "main/q\\"\\\\:") { __typename } }\n'
        "}"
    )
    assert aliases["o/r"] == ("r0", {})
    assert aliases["o/r/issues/4"] == ("r0", {"4": "n1"})


# -- what the API says ---------------------------------------------------------------------------


def test_250_repositories_in_3_queries_and_no_page(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = {f"owner{n}/repo{n}": Repo(f"owner{n}/repo{n}") for n in range(250)}
    text = "".join(f"- [r{n}](https://github.com/owner{n}/repo{n})\n" for n in range(250))
    report = run(tmp_path, text, base)
    assert findings(report) == []
    assert [query.query.count("repository(") for query in api.queries] == [100, 100, 50]
    assert api.pages == []
    assert {query.headers["Authorization"] for query in api.queries} == {f"bearer {TOKEN}"}


PLANTED = """\
# Code

- [Renamed](https://github.com/old-owner/old-name)
- [Renamed file](https://github.com/old-owner/old-name/blob/main/README.md#usage)
- [Archived](https://github.com/keeper/frozen)
- [Missing](https://github.com/ghost/gone)
- [Missing file](https://github.com/keeper/alive/blob/main/docs/missing.md)
- [File](https://github.com/keeper/alive/blob/feature/x/src/app.py)
- [Folder](https://github.com/keeper/alive/tree/main/src/)
- [Issue](https://github.com/keeper/alive/issues/7)
- [Missing pull](https://github.com/keeper/alive/pull/8)
- [Other case](https://github.com/Keeper/Alive)
- [Plain http](http://github.com/keeper/alive)
"""


def planted_repos() -> dict[str, Repo]:
    files = frozenset({"main:README.md", "main:src/app.py", "feature/x:src/app.py"})
    return {
        "old-owner/old-name": Repo("new-owner/new-name"),
        "keeper/frozen": Repo("keeper/frozen", archived=True),
        "keeper/alive": Repo("keeper/alive", files=files, numbers=frozenset({7})),
    }


def test_renamed_archived_missing_and_missing_paths_are_reported(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    report = run(tmp_path, PLANTED, base)
    assert findings(report) == [
        (3, "PL103", "link redirected permanently to https://github.com/new-owner/new-name",
         "https://github.com/new-owner/new-name"),
        (4, "PL103", "link redirected permanently to "
         "https://github.com/new-owner/new-name/blob/main/README.md",
         "https://github.com/new-owner/new-name/blob/main/README.md#usage"),
        (5, "PL109", "repository keeper/frozen is archived (read-only): look for a maintained "
         "successor", None),
        (6, "PL101", "link broken: GitHub has no repository ghost/gone", None),
        (7, "PL101", "link broken: keeper/alive has no docs/missing.md at main", None),
        (11, "PL101", "link broken: keeper/alive has no issue or pull request #8", None),
        (13, "PL103", "link redirected permanently to https://github.com/keeper/alive",
         "https://github.com/keeper/alive"),
    ]  # fmt: skip
    severities = {f.rule: f.severity.value for f in report.findings}
    assert severities == {"PL101": "error", "PL103": "warning", "PL109": "info"}
    assert len(api.queries) == 1 and api.pages == []
    query = api.queries[0].query
    assert query.count("repository(") == 4  # each repository once, whatever its links
    assert "object(expression:" in query and "issueOrPullRequest(number: 8)" in query


def test_records_are_cached_as_long_as_link_results(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    cache = tmp_path / "cache.sqlite"
    for _ in range(2):
        report = run(tmp_path, PLANTED, base, cache=cache)
        assert len(report.findings) == 7
    assert len(api.queries) == 1
    run(tmp_path, PLANTED, base, cache=cache, **{"max-cache-age": 0})
    assert len(api.queries) == 2


def test_a_primary_rate_limit_is_waited_out_then_answered(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    api.script = ["rate-limited"]
    report = run(tmp_path, "- [a](https://github.com/keeper/alive)\n", base)
    assert findings(report) == []
    assert len(api.queries) == 2


def test_a_primary_rate_limit_past_the_cap_says_how_long(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.script = ["rate-limited"]
    api.reset_in = 1800
    report = run(tmp_path, "- [a](https://github.com/keeper/alive)\n", base)
    (finding,) = report.findings
    assert finding.rule == "PL107"
    assert finding.message.startswith("link unverified: GitHub API: rate limited (asked to wait 1")
    assert finding.message.endswith(" s)")
    assert len(api.queries) == 1


def test_a_secondary_rate_limit_waits_for_retry_after(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    api.script = ["secondary:2"]
    report = run(tmp_path, "- [a](https://github.com/ghost/gone)\n", base)
    assert [finding.rule for finding in report.findings] == ["PL101"]
    assert len(api.queries) == 2


def test_a_rate_limit_past_the_cap_leaves_the_links_unverified(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    api.script = ["secondary:3600"]
    report = run(tmp_path, "- [a](https://github.com/keeper/alive)\n", base)
    assert findings(report) == [
        (1, "PL107", "link unverified: GitHub API: secondary rate limit (403) (asked to wait "
         "3600 s)", None),
    ]  # fmt: skip
    assert len(api.queries) == 1


async def test_a_used_up_rate_limit_holds_the_next_query_until_the_reset() -> None:
    api = FakeGithub(repos=planted_repos(), remaining=0)
    with serving(api.app()) as base:
        endpoint = Endpoint(f"{base}/graphql")
        settings = CheckerSettings(allow_private=True, github_token=TOKEN, retries=0)
        async with open_client(settings) as client:
            first = await REGISTRY.lookup(["keeper/alive"], client, endpoint)
            with pytest.raises(RegistryError) as held:
                await REGISTRY.lookup(["keeper/frozen"], client, endpoint)
            second = await REGISTRY.lookup(["keeper/frozen"], client, endpoint)
    assert first["keeper/alive"].status is RecordStatus.FOUND
    assert held.value.reason == "rate limit used up"
    assert held.value.retry_after is not None and 3500 < held.value.retry_after <= 3600
    assert second["keeper/frozen"].facts == {"name": "keeper/frozen", "archived": True}
    assert len(api.queries) == 2  # the held query was not sent


def test_a_bad_token_is_said_once_per_link(tmp_path: Path, fake: tuple[FakeGithub, str]) -> None:
    api, base = fake
    api.script = ["status:401"]
    report = run(tmp_path, "- [a](https://github.com/keeper/alive)\n", base)
    assert findings(report) == [
        (1, "PL107", "link unverified: GitHub API: 401 Unauthorized (is GITHUB_TOKEN valid?)", None)
    ]
    assert len(api.queries) == 1


# -- where the token goes ------------------------------------------------------------------------


def test_a_redirect_from_the_api_is_not_followed_and_the_token_stays(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    other = FakeGithub(repos=planted_repos())
    with serving(other.app()) as elsewhere:
        api.script = [f"redirect:{elsewhere}/graphql"]
        report = run(tmp_path, "- [a](https://github.com/keeper/alive)\n", base)
    assert other.seen == []
    assert [seen.headers["Authorization"] for seen in api.queries] == [f"bearer {TOKEN}"]
    assert findings(report) == [
        (1, "PL107", f"link unverified: GitHub API: redirected (307 Temporary Redirect) to "
         f"{elsewhere}/graphql; not followed", None),
    ]  # fmt: skip


def test_the_api_endpoint_takes_the_token_only_over_https_or_to_this_machine() -> None:
    for url in ("https://ghe.example.org/api/graphql", "http://127.0.0.1:9/graphql",
                "http://localhost/graphql", "http://[::1]:8/graphql"):  # fmt: skip
        assert apply_options(Config(), {"github-api": url}, "t", Path()).github_api == url
    with pytest.raises(ConfigError) as error:
        apply_options(Config(), {"github-api": "http://ghe.example.org/api/graphql"}, "t", Path())
    assert str(error.value) == (
        "t: 'github-api' must be an https URL (the token goes there); http only to localhost"
    )


# -- without a token -----------------------------------------------------------------------------


def test_without_a_token_the_pages_are_fetched(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    port = base.rsplit(":", 1)[1]
    text = (
        f"- [a](http://github.com:{port}/keeper/alive)\n"
        f"- [b](http://github.com:{port}/ghost/gone)\n"
        f"- [c](http://github.com:{port}/keeper/frozen)\n"
    )
    report = run(tmp_path, text, base, token=None)
    assert [(f.line, f.rule) for f in report.findings] == [(2, "PL101")]
    assert api.queries == []
    assert sorted(seen.path for seen in api.pages if seen.method == "HEAD") == [
        "/ghost/gone", "/keeper/alive", "/keeper/frozen",
    ]  # fmt: skip
    assert all("Authorization" not in seen.headers for seen in api.pages)


def test_a_rate_limited_page_says_a_token_would_avoid_it(
    tmp_path: Path, fake: tuple[FakeGithub, str]
) -> None:
    api, base = fake
    api.repos = planted_repos()
    api.page_status = 429
    port = base.rsplit(":", 1)[1]
    text = f"- [a](http://github.com:{port}/keeper/alive)\n- [b](http://github.com:{port}/keeper/frozen)\n"
    report = run(tmp_path, text, base, token=None, retries=0)
    assert findings(report) == [
        (line, "PL107", "link unverified: rate limited (429 Too Many Requests after 0 retries); "
         "a GITHUB_TOKEN would let paperlint ask GitHub's API instead", None)
        for line in (1, 2)
    ]  # fmt: skip
    assert report.notices == (
        "GitHub rate limited 2 links (PL107): set GITHUB_TOKEN to verify repositories through "
        "GitHub's API (one request per 100 repositories)",
    )
