"""A loopback stand-in for GitHub: its GraphQL API (``POST /graphql``) answering in GitHub's shape,
and its repository pages (``GET /OWNER/REPO...``) for runs without a token.

The API reads the aliases of a query (``r0: repository(owner: "o", name: "n") { ... }`` with
nested ``object(expression:)`` and ``issueOrPullRequest(number:)``) and answers as GitHub does:
``nameWithOwner``, ``url`` and ``isArchived`` per repository, ``null`` plus a ``NOT_FOUND`` error
for one it cannot resolve, the new name for a renamed one. ``script`` queues answers to send
before the real ones: a ``RATE_LIMITED`` error (primary limit, with ``x-ratelimit-*`` headers), a
secondary-limit 403 with ``retry-after``, a redirect. Everything it receives is logged.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_STRING = r'"(?:[^"\\]|\\.)*"'
_REPOSITORY = re.compile(
    rf"^\s*(?P<alias>\w+): repository\(owner: (?P<owner>{_STRING}), name: (?P<name>{_STRING})\)"
    r" \{ nameWithOwner url isArchived(?P<inner>.*)\}$"
)
_OBJECT = re.compile(rf"(?P<alias>\w+): object\(expression: (?P<expression>{_STRING})\)")
_NUMBER = re.compile(r"(?P<alias>\w+): issueOrPullRequest\(number: (?P<number>\d+)\)")


@dataclass
class Repo:
    name: str  # nameWithOwner, as GitHub spells it now
    archived: bool = False
    files: frozenset[str] = frozenset({"main:README.md"})  # "REF:PATH" of every file
    numbers: frozenset[int] = frozenset()  # issues and pull requests

    def object(self, expression: str) -> str | None:
        ref, _, path = expression.partition(":")
        if expression in self.files:
            return "Blob"
        if any(file.startswith(f"{ref}:{path}/" if path else f"{ref}:") for file in self.files):
            return "Tree"
        return None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    query: str = ""


@dataclass
class FakeGithub:
    # By the name a link uses, lower case: a renamed repository is listed under its old name too.
    repos: dict[str, Repo] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)  # "rate-limited", "secondary", "redirect:URL"
    seen: list[Seen] = field(default_factory=list)
    page_status: int = 200  # what repository pages answer when they exist (429 to rate limit)
    reset_in: int = 1  # seconds to x-ratelimit-reset in a RATE_LIMITED answer
    remaining: int = 4999  # x-ratelimit-remaining of a normal answer
    api_latency: float = 0.0  # seconds before every API answer (the benchmark sets them)
    page_latency: float = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", self.graphql)
        app.router.add_route("*", "/{tail:.*}", self.page)
        return app

    @property
    def queries(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == "/graphql"]

    @property
    def pages(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.path != "/graphql"]

    async def graphql(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.seen.append(Seen("POST", request.path, dict(request.headers), body["query"]))
        if self.api_latency:
            await asyncio.sleep(self.api_latency)
        if self.script:
            return self.scripted(self.script.pop(0))
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for line in body["query"].splitlines():
            match = _REPOSITORY.match(line)
            if match is None:
                continue
            alias = match.group("alias")
            owner, name = json.loads(match.group("owner")), json.loads(match.group("name"))
            repo = self.repos.get(f"{owner}/{name}".lower())
            if repo is None:
                data[alias] = None
                errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": [alias],
                        "locations": [{"line": 2, "column": 3}],
                        "message": f"Could not resolve to a Repository with the name '{owner}/{name}'.",
                    }
                )
                continue
            answer: dict[str, Any] = {
                "nameWithOwner": repo.name,
                "url": f"https://github.com/{repo.name}",
                "isArchived": repo.archived,
            }
            for found in _OBJECT.finditer(match.group("inner")):
                kind = repo.object(json.loads(found.group("expression")))
                answer[found.group("alias")] = None if kind is None else {"__typename": kind}
            for found in _NUMBER.finditer(match.group("inner")):
                exists = int(found.group("number")) in repo.numbers
                answer[found.group("alias")] = {"__typename": "Issue"} if exists else None
            data[alias] = answer
        payload: dict[str, Any] = {"data": data}
        if errors:
            payload["errors"] = errors
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "graphql",
        }
        return web.json_response(payload, headers=headers)

    def scripted(self, what: str) -> web.StreamResponse:
        if what == "rate-limited":
            headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(time.time()) + self.reset_in),
            }
            payload = {
                "errors": [
                    {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}
                ]
            }
            return web.json_response(payload, headers=headers)
        if what.startswith("secondary"):
            _, _, wait = what.partition(":")
            payload = {
                "documentation_url": "https://docs.github.com/graphql/overview/rate-limits",
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                "before you try again.",
            }
            headers = {"retry-after": wait or "1"}
            return web.json_response(payload, status=403, headers=headers)
        if what.startswith("redirect:"):
            raise web.HTTPTemporaryRedirect(location=what.removeprefix("redirect:"))
        if what.startswith("status:"):
            return web.json_response({"message": "scripted"}, status=int(what[7:]))
        raise AssertionError(what)

    async def page(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.method, request.path, dict(request.headers)))
        if self.page_latency:
            await asyncio.sleep(self.page_latency)
        parts = request.path.strip("/").split("/")
        repo = self.repos.get("/".join(parts[:2]).lower()) if len(parts) >= 2 else None
        if repo is None:
            return web.Response(status=404, text="Not Found")
        if self.page_status != 200:
            return web.Response(status=self.page_status, text="Too many requests")
        if not self.page_exists(repo, parts[2:]):
            return web.Response(status=404, text="Not Found")
        if repo.name.lower() != "/".join(parts[:2]).lower():
            # A renamed repository's pages redirect to its new name, the rest of the path kept.
            tail = request.path_qs[len("/".join(["", *parts[:2]])) :]
            location = f"/{repo.name}{tail}"
            raise web.HTTPMovedPermanently(location=location)
        return web.Response(text=f"<title>{repo.name}</title>", content_type="text/html")

    @staticmethod
    def page_exists(repo: Repo, rest: list[str]) -> bool:
        if len(rest) >= 2 and rest[0] in ("blob", "tree"):
            # GitHub tries every way of reading REF/PATH: a branch may hold slashes.
            splits = range(2, len(rest) + 1)
            return any(
                repo.object(f"{'/'.join(rest[1:cut])}:{'/'.join(rest[cut:])}") for cut in splits
            )
        if len(rest) == 2 and rest[0] in ("issues", "pull"):
            return rest[1].isdigit() and int(rest[1]) in repo.numbers
        return True
