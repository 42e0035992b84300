"""Link judgement on top of the polite client: what a link's answers say about it.

Method: HEAD first; when HEAD answers an error status or the connection resets, the same slot
sends a streamed GET, and a host whose HEAD proved wrong (HEAD failed, GET succeeded) gets GET
directly from then on. When the HEAD failed as a retry would (a 5xx, a reset), that GET is the
URL's first retry: a failing URL gets ``retries`` + 1 requests in all, HEAD included. A GET never
reads more than ``body.MAX_BODY_BYTES`` of the body; a body left unread closes the connection
instead of draining it.

Redirects are followed by hand (so the address guard, the token rule and the hop limit apply to
every hop). The fix of a redirected link is the end of the leading run of permanent (301/308)
hops: ``http://a`` -301-> ``https://a`` -302-> ``https://a/login`` reports ``https://a``, and a
chain that starts with a temporary hop is fine. The settled final answer becomes a
:class:`LinkResult` (``_verdict``): accepted, blocked by bot protection, rate limited, broken.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from yarl import URL

from linter.net.classify import (
    PERMANENT_REDIRECTS,
    REDIRECTS,
    Answer,
    Chain,
    Failure,
    bot_signal,
    remember_cookies,
    retryable,
    status_text,
)
from linter.net.client import Client
from linter.net.hosts import Host
from linter.net.results import LinkResult, LinkStatus
from linter.net.urls import host_key, location_text, parse_url

# What a browser asks for: some sites answer other Accept headers with 406 or a different page.
_LINK_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
}


class LinkJudge:
    """Checks links through ``client``: one redirect chain per URL, each hop fetched HEAD-first."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.settings = client.settings
        self.excludes = [re.compile(pattern) for pattern in client.settings.exclude]

    def excluded(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.excludes)

    # -- one URL: redirect chain ---------------------------------------------------------------

    async def check(self, url: str) -> LinkResult:
        try:
            return await self._check(url)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or a hostile answer must cost one URL, not the run
            detail = f"{type(exc).__name__}: {exc}"[:100]
            return LinkResult(url, LinkStatus.UNVERIFIED, None, f"could not check ({detail})")

    async def _check(self, url: str) -> LinkResult:
        parsed = parse_url(url)
        if isinstance(parsed, LinkResult):
            return replace(parsed, url=url)
        # The chain is pending on one host at a time (counted by expect() for the first).
        on = [self.client.host(host_key(parsed))]
        try:
            return await self._follow(url, parsed, on)
        finally:
            on[0].pending -= 1

    async def _follow(self, url: str, parsed: URL, on: list[Host]) -> LinkResult:
        chain = Chain()
        # A URL may come back in a chain only after the chain received new cookies.
        visited: dict[str, int] = {str(parsed): 0}
        cookie_epoch = 0
        all_permanent = True
        permanent_target: URL | None = None
        first_status: int | None = None
        current = parsed
        hops = 0
        while True:
            answer = await self._fetch(current, chain)
            if isinstance(answer, LinkResult):
                return self._finish(answer, url, chain)
            location = answer.headers.get("Location") if answer.status in REDIRECTS else None
            if location is None:
                host = self.client.host(host_key(current))
                verdict = self._verdict(answer, host, current, parsed)
                if verdict.outcome is LinkStatus.OK and permanent_target is not None:
                    verdict = LinkResult(
                        url,
                        LinkStatus.REDIRECTED,
                        first_status,
                        f"permanently redirected to {permanent_target}",
                        final_url=str(permanent_target),
                    )
                return self._finish(verdict, url, chain)
            if remember_cookies(chain, host_key(current), answer.headers):
                cookie_epoch += 1
            target = parse_url(location_text(location), base=current)
            if isinstance(target, LinkResult):
                outcome = LinkStatus.BROKEN
                if target.outcome is LinkStatus.SKIPPED:
                    outcome = LinkStatus.UNVERIFIED  # e.g. a redirect to a login app scheme
                reason = f"redirect to {target.reason}"
                return self._finish(LinkResult(url, outcome, answer.status, reason), url, chain)
            if first_status is None:
                first_status = answer.status
            if all_permanent and answer.status in PERMANENT_REDIRECTS:
                permanent_target = target if str(target) != str(parsed) else None
            else:
                all_permanent = False
            key = str(target)
            if visited.get(key) == cookie_epoch:
                reason = f"redirect loop back to {key}"
                return self._finish(
                    LinkResult(url, LinkStatus.BROKEN, answer.status, reason), url, chain
                )
            hops += 1
            if hops > self.settings.max_redirects:
                reason = f"too many redirects (more than {self.settings.max_redirects})"
                return self._finish(
                    LinkResult(url, LinkStatus.BROKEN, answer.status, reason), url, chain
                )
            if self.excluded(key):
                # Where it leads is excluded from checking; what we saw so far is all we can say.
                if permanent_target is not None:
                    final = str(permanent_target)
                    reason = f"permanently redirected to {final}"
                    result = LinkResult(url, LinkStatus.REDIRECTED, first_status, reason, final)
                else:
                    reason = "redirects to an excluded URL"
                    result = LinkResult(url, LinkStatus.OK, answer.status, reason)
                return self._finish(result, url, chain)
            visited[key] = cookie_epoch
            current = target
            next_host = self.client.host(host_key(current))
            if next_host is not on[0]:
                on[0].pending -= 1
                next_host.pending += 1
                on[0] = next_host

    def _finish(self, result: LinkResult, url: str, chain: Chain) -> LinkResult:
        return replace(result, url=url, requests=chain.requests, bytes_read=chain.bytes_read)

    def _verdict(self, answer: Answer, host: Host, current: URL, original: URL) -> LinkResult:
        """The outcome of a settled final answer (retries are over)."""
        url = str(original)
        status = answer.status
        where = "" if str(current) == url else f" at {current}"
        if status in host.accept:
            return LinkResult(url, LinkStatus.OK, status, status_text(status))
        signal = bot_signal(answer)
        if status == 999:
            signal = "999"
        if signal is not None:
            reason = f"blocked by bot protection ({status_text(status)}, {signal})"
            if signal == "999":
                reason = "blocked by bot protection (999)"
            return LinkResult(url, LinkStatus.BLOCKED, status, reason)
        if status == 429:
            reason = f"rate limited ({status_text(status)} after {self.settings.retries} retries)"
            return LinkResult(url, LinkStatus.RATE_LIMITED, status, reason)
        if retryable(status) and self.settings.retries:
            reason = f"{status_text(status)}{where} after {self.settings.retries} retries"
            return LinkResult(url, LinkStatus.BROKEN, status, reason)
        if status in REDIRECTS:
            reason = f"{status_text(status)} without Location"
            return LinkResult(url, LinkStatus.BROKEN, status, reason)
        return LinkResult(url, LinkStatus.BROKEN, status, f"{status_text(status)}{where}")

    # -- one hop: HEAD first -----------------------------------------------------------------------

    async def _fetch(self, url: URL, chain: Chain) -> Answer | LinkResult:
        """The settled answer for one hop (after retries and the HEAD->GET fallback), or the
        result when there is no answer to judge."""
        use_get = self.settings.method == "get"

        async def exchange(url: URL, chain: Chain, host: Host) -> tuple[Answer | Failure, bool]:
            nonlocal use_get
            result, retried = await self._exchange(url, chain, host, use_get)
            use_get = use_get or result.method == "GET"  # retries go straight to GET
            return result, retried

        return await self.client.fetch(url, chain, exchange)

    async def _exchange(
        self, url: URL, chain: Chain, host: Host, use_get: bool
    ) -> tuple[Answer | Failure, bool]:
        """One HEAD (confirmed by a GET when HEAD is mishandled) or one GET, and whether the GET
        was also a retry: the HEAD failed as a retry would (a retryable status, a reset)."""
        if use_get or host.head_unreliable:
            return await self._request("GET", url, chain, host), False
        head = await self._request("HEAD", url, chain, host)
        if not self._head_mishandled(head, host):
            return head, False
        retried = retryable(head.status) if isinstance(head, Answer) else head.kind == "reset"
        result = await self._request("GET", url, chain, host)
        if isinstance(result, Answer) and (
            result.status in host.accept or result.status in REDIRECTS
        ):
            host.head_unreliable = True
        return result, retried

    def _head_mishandled(self, result: Answer | Failure, host: Host) -> bool:
        """Whether a HEAD answer must be confirmed by a GET: servers answer HEAD with 405, 404,
        403, 501, 5xx or a reset where GET works."""
        if isinstance(result, Failure):
            return result.kind in ("reset", "other")
        status = result.status
        if status < 400 or status in host.accept:
            return False
        if bot_signal(result) is not None:
            return False  # a GET meets the same wall
        # A rate limit is about us, not HEAD: wait and ask again with HEAD.
        return not (status == 429 or (retryable(status) and "Retry-After" in result.headers))

    async def _request(self, method: str, url: URL, chain: Chain, host: Host) -> Answer | Failure:
        return await self.client.request(method, url, chain, host, _LINK_HEADERS)
