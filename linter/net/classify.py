"""What one request yields and what it means: an :class:`Answer` (a response, read as far as it
is ever read) or a :class:`Failure` (no response, classified); the :class:`Chain` of one URL's
requests across retries and redirect hops, with the cookies it carries; and the readings of an
answer that decide what happens next: retryable statuses, ``Retry-After``, bot-protection walls.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import aiohttp
from multidict import CIMultiDictProxy

from linter.net import body as bodies
from linter.net.guard import PrivateAddressError
from linter.net.results import LinkStatus
from linter.net.settings import CheckerSettings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


def retryable(status: int) -> bool:
    # 501 Not Implemented and 505 are answers about the request, not a passing state.
    return status in (408, 429) or (500 <= status <= 599 and status not in (501, 505))


def status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


@dataclass
class Answer:
    """One HTTP response, read as far as the checker ever reads one."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    method: str


@dataclass
class Failure:
    """No HTTP response: the outcome plus what the retry logic needs to know."""

    outcome: LinkStatus
    reason: str
    kind: str  # "timeout", "reset", "dns", "refused", "private", "tls", "invalid", "local", "other"
    method: str = ""  # of the request that failed


@dataclass
class Chain:
    """The state of one URL's check across retries and redirect hops."""

    requests: int = 0
    bytes_read: int = 0
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


def classify_error(exc: BaseException, settings: CheckerSettings) -> Failure:
    os_error = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if isinstance(os_error, OSError) and os_error.errno in (errno.EMFILE, errno.ENFILE):
        # Our own shortage, not the link's fault: it says nothing about the link.
        return Failure(LinkStatus.UNVERIFIED, "could not check (too many open files)", "local")
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, PrivateAddressError
    ):
        address = exc.os_error.address
        return Failure(LinkStatus.SKIPPED, f"private address {address}", "private")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        reason = f"connect timed out after {settings.connect_timeout:g} s"
        return Failure(LinkStatus.TIMEOUT, reason, "timeout")
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return Failure(LinkStatus.TIMEOUT, f"timed out after {settings.timeout:g} s", "timeout")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return Failure(LinkStatus.UNREACHABLE, f"DNS lookup failed for {exc.host}", "dns")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        detail = getattr(exc.certificate_error, "verify_message", "") or "certificate rejected"
        return Failure(LinkStatus.UNREACHABLE, f"TLS error: {detail}", "tls")
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        detail = getattr(getattr(exc, "os_error", exc), "reason", None) or "handshake failed"
        return Failure(LinkStatus.UNREACHABLE, f"TLS error: {detail}", "tls")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return Failure(LinkStatus.UNREACHABLE, "connection refused", "refused")
        detail = exc.os_error.strerror or type(exc.os_error).__name__
        return Failure(LinkStatus.UNREACHABLE, f"cannot connect ({detail})", "other")
    if isinstance(exc, aiohttp.ServerDisconnectedError | ConnectionResetError):
        return Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    if isinstance(exc, aiohttp.ClientOSError) and exc.errno in (errno.ECONNRESET, errno.EPIPE):
        return Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    if isinstance(exc, aiohttp.InvalidURL | ValueError | UnicodeError):
        return Failure(LinkStatus.BROKEN, "invalid URL", "invalid")
    if isinstance(exc, aiohttp.ClientResponseError):
        return Failure(LinkStatus.UNREACHABLE, "invalid HTTP response", "other")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Failure(LinkStatus.UNREACHABLE, "connection reset", "reset")
    detail = str(exc).strip()[:80] or type(exc).__name__
    return Failure(LinkStatus.UNREACHABLE, f"connection failed ({detail})", "other")


def retry_after(headers: CIMultiDictProxy[str]) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # isdigit() alone accepts "²", which float() rejects
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # a year past datetime's range
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_CHALLENGE_MARKERS = (
    b"challenge-platform",
    b"cf-chl",
    b"just a moment...",
    b"attention required! | cloudflare",
    b"captcha-delivery.com",
    b"px-captcha",
    b"_incapsula_resource",
)


def bot_signal(answer: Answer) -> str | None:
    """What says this answer comes from bot protection rather than from the site, if anything."""
    headers = answer.headers
    if answer.status == 999:
        return None  # LinkedIn's "request denied" is itself the signal; callers handle it
    if "cf-mitigated" in headers:
        return f"cf-mitigated: {headers['cf-mitigated'][:40]}"
    if answer.status not in (403, 429, 503):
        return None
    server = headers.get("Server", "").lower()
    if "x-datadome" in headers or "datadome" in server:
        return "DataDome"
    if headers.get("x-amzn-waf-action"):
        return "AWS WAF"
    if answer.status == 403 and "akamaighost" in server:
        return "Akamai"
    body = answer.body[: bodies.MAX_BODY_BYTES].lower()
    if any(marker in body for marker in _CHALLENGE_MARKERS):
        return "challenge page"
    return None


def cookie_header(chain: Chain, host: str) -> str | None:
    jar = chain.cookies.get(host)
    if not jar:
        return None
    return "; ".join(f"{name}={value}" for name, value in sorted(jar.items()))


def remember_cookies(chain: Chain, host: str, headers: CIMultiDictProxy[str]) -> bool:
    """Keeps the cookies a response sets for the rest of this URL's redirect chain (sites that
    redirect to themselves after setting a cookie would look like loops otherwise); True when
    the response set any."""
    changed = False
    for header in headers.getall("Set-Cookie", []):
        pair = header.split(";", 1)[0]
        name, sep, value = pair.partition("=")
        if sep and name.strip():
            chain.cookies.setdefault(host, {})[name.strip()] = value.strip()
            changed = True
    return changed
