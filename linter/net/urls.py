"""URL text to ``yarl.URL``: parsing with the checks the checker needs, redirect ``Location``
text, and the keys hosts and origins are counted by."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from yarl import URL

from linter.hosts import ipv4_host
from linter.net.results import LinkResult, LinkStatus

OriginKey = tuple[str, str, int | None]  # scheme, host name, port

_HOSTNAME = re.compile(r"^[a-z0-9_.-]+$")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def location_text(value: str) -> str:
    """A ``Location`` header as URL text. aiohttp decodes header bytes as UTF-8 and hands bytes
    that are not UTF-8 (a Latin-1 file name, say) over as surrogate escapes, which yarl silently
    drops: ``/caf\\xe9.pdf`` became ``/caf.pdf``, a different URL, even offered as the fix.
    Browsers send such bytes percent-encoded, and so do we."""
    return _ESCAPED_BYTE.sub(lambda byte: f"%{ord(byte.group()) - 0xDC00:02X}", value.strip())


def host_key(url: URL) -> str:
    return (url.host or "").lower().rstrip(".")


def is_literal_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


# The checker parses a URL when it counts it on its host and again when it checks it.
@lru_cache(maxsize=8192)
def parse_url(text: str, base: URL | None = None) -> URL | LinkResult:
    """An absolute http(s) URL without fragment, or the result that says why not."""
    try:
        url = URL(text)
        if base is not None:
            url = base.join(url)
        url = url.with_fragment(None)
        scheme = url.scheme.lower()
        host = (url.raw_host or "").lower()
        _ = url.port  # raises for an out-of-range port
    except (ValueError, TypeError, UnicodeError):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL")
    if scheme not in ("http", "https"):
        if not scheme:
            return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL")
        return LinkResult(text, LinkStatus.SKIPPED, None, f"{scheme}: URLs are not checked")
    if not host:
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (no host)")
    try:
        address = ipv4_host(host)
    except ValueError:
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    if address is not None and str(address) != host:
        # 127.1, 2130706433, 0x7f.1 are 127.0.0.1 to a browser and to the resolver, but aiohttp
        # refuses some of them and the guard needs the address: send the dotted quad, as a
        # browser does, so the literal-address guard sees what a resolver would reach.
        host = str(address)
        url = url.with_host(host)
    if ".." in host or host.startswith("."):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    if not _HOSTNAME.match(host) and not is_literal_ip(host):
        return LinkResult(text, LinkStatus.BROKEN, None, "invalid URL (bad host name)")
    return url


def origin_key(url: URL) -> OriginKey:
    return (url.scheme.lower(), host_key(url), url.port)
