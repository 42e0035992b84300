"""GitHub repositories through GitHub's GraphQL API (``api.github.com/graphql``), with a token.

A link to ``github.com/OWNER/REPO`` (or its ``/tree/REF/PATH``, ``/blob/REF/PATH``, ``/releases``,
``/issues/N``, ``/pull/N`` and ``/wiki`` pages) is one key; up to :data:`BATCH_SIZE` keys go in one
query, each repository once under an alias (``r0: repository(owner: "o", name: "n") {...}``),
with a nested alias per path (``object(expression: "REF:PATH")``) or issue number
(``issueOrPullRequest(number: N)``) its keys ask about. One query at a time: GitHub asks API
users to send requests serially (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api).

The answer has GitHub's shape: ``data`` with ``null`` for a repository it cannot resolve and an
``errors`` entry of type ``NOT_FOUND`` whose ``path`` names the alias. ``nameWithOwner`` other than
the one asked (ignoring case: GitHub serves any case) is a renamed or transferred repository:
GitHub resolves the old name to the new one, and its pages redirect. Rate limits: a
``RATE_LIMITED`` error or ``x-ratelimit-remaining: 0`` waits until ``x-ratelimit-reset``; a
secondary limit (403 or 429) waits for ``retry-after``, else a minute, as GitHub's documentation
asks. Once an answer says no points remain, the next query waits for the reset before it is sent.

The token goes only to the API endpoint, in a POST that follows no redirect
(:meth:`linter.net.client.Client.post_json`). Without a token this registry is off and the pages
are fetched as links; :class:`PageHints` then says that a token would avoid GitHub's rate limits.

Imported on the offline path: no aiohttp here.
"""

from __future__ import annotations

import json
import math
import re
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from linter import __version__
from linter.document import Document
from linter.net.results import LinkResult, LinkStatus
from linter.registries.base import (
    Endpoint,
    Record,
    RecordStatus,
    RegistryError,
    unverified_link,
)

if TYPE_CHECKING:
    from linter.config import Config
    from linter.net.client import Client, Response
    from linter.providers import Pending
    from linter.rules.base import RunMemo

DEFAULT_API = "https://api.github.com/graphql"
BATCH_SIZE = 100  # keys per query, so at most 100 repositories: GitHub's cap for a connection
INTERVAL = 0.0  # seconds between two queries: serial requests are what GitHub asks for
BODY_LIMIT = 8 * 1024 * 1024
SECONDARY_WAIT = 60.0  # seconds after a secondary limit without retry-after (GitHub's advice)
MAX_SPLITS = 4  # ways of reading REF/PATH per link: a branch name may hold slashes
USER_AGENT = f"paperlint/{__version__} (reading-list linter)"

_HOSTS = frozenset({"github.com", "www.github.com"})
# GitHub's own pages at /NAME/...: never a user or an organisation, so never a repository.
_RESERVED = frozenset(
    {
        "about", "account", "apps", "blog", "codespaces", "collections", "contact", "copilot",
        "customer-stories", "dashboard", "discussions", "edu", "enterprise", "enterprises",
        "events", "explore", "features", "gist", "git-guides", "github-copilot", "issues", "join",
        "login", "logout", "marketplace", "mobile", "new", "notifications", "organizations",
        "orgs", "partners", "password_reset", "pricing", "pulls", "readme", "resources", "search",
        "security", "sessions", "settings", "signup", "site", "solutions", "sponsors", "stars",
        "team", "teams", "topics", "trending", "user-attachments", "users", "watching",
    }
)  # fmt: skip
_REPO = re.compile(
    r"^/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})"
    r"(?P<rest>/.*)?$"
)
_REPO_PAGES = re.compile(r"^(?:/releases|/wiki)?/?$")
_NUMBERED = re.compile(r"^/(?P<kind>issues|pull)/(?P<number>[1-9][0-9]{0,9})/?$")
_PATHED = re.compile(r"^/(?P<kind>blob|tree)/(?P<rest>[^/].*)$")


@dataclass(frozen=True)
class Target:
    """What a key asks: a repository (``owner/name``, lower case) and maybe one thing in it."""

    repo: str
    kind: str = ""  # "", "blob", "tree", "issues" or "pull"
    rest: str = ""  # REF/PATH as written in the link, or the issue number

    @property
    def key(self) -> str:
        return f"{self.repo}/{self.kind}/{self.rest}" if self.kind else self.repo

    def expressions(self) -> list[str]:
        """``REF:PATH`` for each way of reading the link's REF/PATH (a branch may be ``a/b``)."""
        parts = unquote(self.rest).strip("/").split("/")
        found = [
            f"{'/'.join(parts[:cut])}:{'/'.join(parts[cut:])}"
            for cut in range(1, len(parts) + 1)
            if self.kind == "tree" or cut < len(parts)  # a blob is a file: its path is not empty
        ]
        return found[:MAX_SPLITS]

    def missing_reason(self) -> str:
        if self.kind in ("issues", "pull"):
            return f"{self.repo} has no issue or pull request #{self.rest}"
        ref, _, path = self.expressions()[0].partition(":") if self.expressions() else ("", "", "")
        what = f"no {path} at {ref}" if path else f"no branch, tag or commit {ref}"
        return f"{self.repo} has {what}"


def parse_key(key: str) -> Target:
    owner, name, *more = key.split("/", 3)
    kind, rest = (more[0], more[1]) if len(more) == 2 else ("", "")
    return Target(f"{owner}/{name}", kind, rest)


def target_of(url: str) -> Target | None:
    """The repository (and the path or number in it) that a link's page shows, when its page
    exists exactly when the API can find that; None for any other URL."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or host not in _HOSTS:
        return None
    match = _REPO.match(parts.path)
    if match is None:
        return None
    owner, name, rest = match.group("owner", "name", "rest")
    if owner.lower() in _RESERVED or name in (".", "..") or name.lower().endswith(".git"):
        return None
    repo = f"{owner}/{name}".lower()
    rest = rest or ""
    if _REPO_PAGES.match(rest):
        return Target(repo)
    if numbered := _NUMBERED.match(rest):
        return Target(repo, numbered.group("kind"), numbered.group("number"))
    if (pathed := _PATHED.match(rest)) and "//" not in pathed.group("rest"):
        target = Target(repo, pathed.group("kind"), pathed.group("rest").rstrip("/"))
        return target if target.expressions() else None
    return None


class GithubRegistry:
    name = "github"
    label = "GitHub API"
    codes = frozenset({"PL101", "PL103", "PL107", "PL109"})
    batch_size = BATCH_SIZE

    def enabled(self, config: Config, github_token: str | None) -> bool:
        return bool(github_token)

    def record_age(self, config: Config) -> float:
        # A repository is deleted, renamed or archived any day: its record is a link check's
        # answer and stays fresh as long as the link cache's (--max-cache-age), not a paper's.
        return min(config.max_cache_age, config.max_metadata_age)

    def keys(self, documents: Sequence[Document], memo: RunMemo | None = None) -> Sequence[str]:
        from linter.rules.links import fetched_urls  # links imports the registries

        return sorted(
            {
                key
                for document in documents
                for _, url in fetched_urls(document, memo)
                if (key := self.claims(url))
            }
        )

    def claims(self, url: str) -> str | None:
        target = target_of(url)
        return target.key if target is not None else None

    def link_result(self, url: str, record: Record) -> LinkResult | None:
        if record.status in (RecordStatus.MISSING, RecordStatus.MALFORMED):
            return LinkResult(url, LinkStatus.BROKEN, None, record.reason)
        if record.status is RecordStatus.UNVERIFIED:
            return unverified_link(url, record)
        current = record.facts.get("name")
        final = canonical_url(url, current if isinstance(current, str) else None)
        if final is not None and final != url:
            reason = f"permanently redirected to {final}"
            return LinkResult(url, LinkStatus.REDIRECTED, None, reason, final_url=final)
        return None

    def endpoint(self, config: Config) -> Endpoint:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        return Endpoint(config.github_api, headers, INTERVAL)

    async def lookup(
        self, batch: Sequence[str], client: Client, endpoint: Endpoint
    ) -> Mapping[str, Record]:
        targets = [parse_key(key) for key in batch]
        query, aliases = build_query(targets)
        limits = _LIMITS.setdefault(client, {})
        reset = limits.pop(endpoint.url, None)
        if reset is not None and reset > time.time():
            # The last answer said no points remain: asking before the reset would be refused.
            # Once: after the wait the API says itself whether it is still limited.
            raise RegistryError("rate limit used up", reset - time.time())
        headers = dict(endpoint.headers)
        if client.settings.github_token:
            headers["Authorization"] = f"bearer {client.settings.github_token}"
        response = await client.post_json(endpoint.url, {"query": query}, headers, limit=BODY_LIMIT)
        answer = _json(response)
        limited = rate_limit(response, answer)
        if limited is not None:
            raise limited
        if response.headers.get("x-ratelimit-remaining", "").strip() == "0":
            limits[endpoint.url] = _reset_time(response) or time.time() + SECONDARY_WAIT
        if response.status != 200:
            from linter.registries.driver import status_error

            error = status_error(response)
            if response.status == 401:
                error = RegistryError(f"{error.reason} (is GITHUB_TOKEN valid?)")
            raise error
        return parse_answer(answer, targets, aliases)


# Per client (one run): when the endpoint's points come back, once an answer said none remain.
_LIMITS: weakref.WeakKeyDictionary[Client, dict[str, float]] = weakref.WeakKeyDictionary()


def canonical_url(url: str, name: str | None) -> str | None:
    """``url`` as GitHub's redirects would end it: https, no ``www.``, and the repository's
    current ``owner/name`` when it was renamed or moved (the rest of the path kept)."""
    parts = urlsplit(url)
    match = _REPO.match(parts.path)
    if match is None:
        return None
    written = f"{match.group('owner')}/{match.group('name')}"
    path = parts.path
    if name and name.lower() != written.lower():
        path = f"/{name}{match.group('rest') or ''}"
    netloc = parts.netloc
    if (parts.hostname or "").lower() == "www.github.com":
        netloc = netloc.lower().replace("www.github.com", "github.com", 1)
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{netloc}{path}{query}"


def build_query(targets: Sequence[Target]) -> tuple[str, dict[str, tuple[str, dict[str, str]]]]:
    """One GraphQL query for ``targets``: each repository once, with the objects and numbers its
    targets ask about. Returns the query and, per key, its repository alias and its sub-aliases
    by expression (or number)."""
    repos: dict[str, str] = {}
    inner: dict[str, dict[str, str]] = {}
    aliases: dict[str, tuple[str, dict[str, str]]] = {}
    for target in targets:
        alias = repos.setdefault(target.repo, f"r{len(repos)}")
        fields = inner.setdefault(alias, {})
        asked: dict[str, str] = {}
        if target.kind in ("issues", "pull"):
            selection = f"issueOrPullRequest(number: {int(target.rest)}) {{ __typename }}"
            asked[target.rest] = fields.setdefault(selection, f"n{len(fields)}")
        elif target.kind:
            for expression in target.expressions():
                selection = f"object(expression: {_string(expression)}) {{ __typename }}"
                asked[expression] = fields.setdefault(selection, f"p{len(fields)}")
        aliases[target.key] = (alias, asked)
    lines = ["query {"]
    for repo, alias in repos.items():
        owner, name = repo.split("/", 1)
        selections = ["nameWithOwner url isArchived"]
        selections += [f"{sub}: {selection}" for selection, sub in inner[alias].items()]
        lines.append(
            f"  {alias}: repository(owner: {_string(owner)}, name: {_string(name)}) "
            f"{{ {' '.join(selections)} }}"
        )
    lines.append("}")
    return "\n".join(lines), aliases


def _string(value: str) -> str:
    # JSON's string escapes are all valid in GraphQL.
    return json.dumps(value, ensure_ascii=False)


def parse_answer(
    answer: Any, targets: Sequence[Target], aliases: Mapping[str, tuple[str, Mapping[str, str]]]
) -> dict[str, Record]:
    """The records an answer gives. A key whose alias the answer leaves out is left out (the
    driver asks it again); one that an error other than NOT_FOUND names is unverified."""
    data = answer.get("data") if isinstance(answer, dict) else None
    errors = [
        error
        for error in (answer.get("errors") if isinstance(answer, dict) else None) or []
        if isinstance(error, dict)
    ]
    if not isinstance(data, dict):
        message = _message(errors[0]) if errors else "the answer has no data"
        raise RegistryError(message, 0.0 if not errors else None)
    by_path: dict[tuple[str, ...], dict[str, Any]] = {}
    for error in errors:
        path = error.get("path")
        if isinstance(path, list):
            by_path.setdefault(tuple(str(part) for part in path), error)
    records: dict[str, Record] = {}
    for target in targets:
        alias, asked = aliases[target.key]
        if alias not in data:
            continue
        record = _record(target, alias, asked, data[alias], by_path)
        if record is not None:
            records[target.key] = record
    return records


def _record(
    target: Target,
    alias: str,
    asked: Mapping[str, str],
    repo: Any,
    errors: Mapping[tuple[str, ...], Mapping[str, Any]],
) -> Record | None:
    key = target.key
    if repo is None:
        error = errors.get((alias,))
        if error is None or error.get("type") == "NOT_FOUND":
            reason = f"GitHub has no repository {target.repo}"
            return Record(key, RecordStatus.MISSING, reason=reason)
        return Record(key, RecordStatus.UNVERIFIED, reason=f"GitHub API: {_message(error)}")
    if not isinstance(repo, dict) or not isinstance(repo.get("nameWithOwner"), str):
        return None
    name = repo["nameWithOwner"]
    facts = {"name": name, "archived": repo.get("isArchived") is True}
    url = repo.get("url") if isinstance(repo.get("url"), str) else None
    found: list[bool] = []
    for sub in asked.values():
        if sub not in repo:
            return None  # not answered: asked again
        error = errors.get((alias, sub))
        if repo[sub] is None and error is not None and error.get("type") != "NOT_FOUND":
            return Record(key, RecordStatus.UNVERIFIED, reason=f"GitHub API: {_message(error)}")
        found.append(repo[sub] is not None)
    if found and not any(found):
        return Record(
            key, RecordStatus.MISSING, url=url, reason=target.missing_reason(), facts=facts
        )
    moved = name.lower() != target.repo
    status = RecordStatus.MOVED if moved else RecordStatus.FOUND
    reason = f"{target.repo} is now {name}" if moved else ""
    return Record(key, status, None, url, reason, facts)


def _message(error: Mapping[str, Any]) -> str:
    text = " ".join(str(error.get("message") or error.get("type") or "error").split())
    return text if len(text) <= 200 else text[:197] + "..."


def _json(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def rate_limit(response: Response, answer: Any) -> RegistryError | None:
    """The wait GitHub asks for, when the answer is a rate limit (primary or secondary)."""
    from linter.net.classify import retry_after

    errors = answer.get("errors") if isinstance(answer, dict) else None
    typed = isinstance(errors, list) and any(
        isinstance(error, dict) and error.get("type") == "RATE_LIMITED" for error in errors
    )
    if not typed and response.status not in (403, 429):
        return None
    used_up = response.headers.get("x-ratelimit-remaining", "").strip() == "0"
    wait = retry_after(response.headers)
    if wait is None and used_up:
        reset = _reset_time(response)
        wait = float(max(0, math.ceil(reset - time.time()))) if reset is not None else None
    message = answer.get("message") if isinstance(answer, dict) else None
    secondary = isinstance(message, str) and "secondary rate limit" in message.lower()
    if not (typed or used_up or secondary or wait is not None):
        return None  # a 403 for other reasons (a token without access): no waiting helps
    kind = "secondary rate limit" if secondary else "rate limited"
    if response.status != 200:
        kind = f"{kind} ({response.status})"
    return RegistryError(kind, SECONDARY_WAIT if wait is None else wait)


def _reset_time(response: Response) -> float | None:
    value = response.headers.get("x-ratelimit-reset", "").strip()
    return float(value) if value.isdigit() else None


TOKEN_HINT = "a GITHUB_TOKEN would let paperlint ask GitHub's API instead"


class PageHints:
    """The link checker's results when there is no token: a GitHub page that GitHub rate limited
    says that a token would have avoided it, and the run gets one notice about it."""

    def __init__(self, pending: Pending, warn: Callable[[str], None]) -> None:
        self._pending = pending
        self._warn = warn

    def result(self) -> Mapping[str, Any]:
        results = dict(self._pending.result())
        limited = 0
        for url, result in results.items():
            if (
                isinstance(result, LinkResult)
                and result.outcome is LinkStatus.RATE_LIMITED
                and target_of(url) is not None
            ):
                results[url] = replace(result, reason=f"{result.reason}; {TOKEN_HINT}")
                limited += 1
        if limited:
            links = "link" if limited == 1 else "links"
            self._warn(
                f"GitHub rate limited {limited} {links} (PL107): set GITHUB_TOKEN to verify "
                "repositories through GitHub's API (one request per 100 repositories)"
            )
        return results
