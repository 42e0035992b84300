"""Bounded reading of a response body: at most ``MAX_BODY_BYTES``, gzip and deflate decoded
within the same bound, and nothing of a large successful body."""

from __future__ import annotations

import zlib

import aiohttp

MAX_BODY_BYTES = 64 * 1024  # at most this much of a response body is ever read (by default)


class _Inflater:
    """Bounded decoding of a gzip or deflate body prefix. The session does not decompress:
    aiohttp fails the whole response, status and all, on an encoding it cannot decode (br or
    zstd without their optional packages, sent by servers that ignore Accept-Encoding), which
    made a live page look unreachable."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._inner: zlib._Decompress | None = None

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self._inner is None:
            if self._encoding != "deflate":
                wbits = 16 + zlib.MAX_WBITS
            elif chunk[0] & 0x0F == 8:
                wbits = zlib.MAX_WBITS
            else:
                wbits = -zlib.MAX_WBITS  # raw deflate without the zlib header, as some send
            self._inner = zlib.decompressobj(wbits)
        return self._inner.decompress(chunk, room)


async def read_prefix(
    response: aiohttp.ClientResponse, limit: int | None = None
) -> tuple[bytes, int]:
    """At most ``limit`` (default MAX_BODY_BYTES) of the body, decoded, and how many body bytes
    were read (also at most ``limit``): enough to recognise a challenge page, and small bodies
    are read to the end so the connection can be reused. Whatever is left unread makes the
    release close the connection instead of downloading the rest."""
    if limit is None:
        limit = MAX_BODY_BYTES  # looked up per call: tests shrink it
    length = response.content_length
    if length is not None and length > limit and response.status < 400:
        return b"", 0  # a success or redirect needs no body, and this one could not be reused
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = _Inflater(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None
    body = bytearray()
    read = 0
    try:
        while read < limit and len(body) < limit:
            chunk = await response.content.read(limit - read)
            if not chunk:
                break
            read += len(chunk)
            body += chunk if inflater is None else inflater.feed(chunk, limit - len(body))
    except (TimeoutError, aiohttp.ClientError, ValueError, zlib.error):
        pass  # the status is what matters; a broken body just ends the reading
    return bytes(body), read
