"""The address guard: no request reaches a loopback, private, link-local or otherwise
non-public address unless the settings allow it.

Every connection, redirect hops included, resolves through :class:`GuardedResolver`, so the check
is on the address actually dialled and DNS cannot smuggle a private address in. Name lookups run
in daemon threads of our own (``DNS_THREADS`` at most), so lookups that hang on a dead name server
neither starve the others nor keep the process alive after the run or after Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

DNS_THREADS = 64  # name lookups in flight at once, each blocking one of our threads


def blocked_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return blocked_address(str(mapped))
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified


class PrivateAddressError(OSError):
    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to private address {address}")
        self.host = host
        self.address = address


def _getaddrinfo(host: str, port: int, family: int) -> list[ResolveResult]:
    """What aiohttp's threaded resolver computes, blocking: stream addresses of ``host``."""
    results: list[ResolveResult] = []
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)
    for found_family, _, proto, _, address in infos:
        if found_family == socket.AF_INET6:
            if len(address) < 4:
                continue  # IPv6 not supported by this Python build
            if address[3]:
                # A link-local address needs its scope id, which only getnameinfo spells out.
                name, service = socket.getnameinfo(
                    (str(address[0]), int(address[1]), int(address[2]), int(address[3])),
                    socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
                )
                resolved, resolved_port = name, int(service)
            else:
                resolved, resolved_port = str(address[0]), int(address[1])
        elif found_family == socket.AF_INET:
            resolved, resolved_port = str(address[0]), int(address[1])
        else:
            continue
        results.append(
            ResolveResult(
                hostname=host,
                host=resolved,
                port=resolved_port,
                family=found_family,
                proto=proto,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
        )
    return results


class _ThreadResolver(AbstractResolver):
    """``getaddrinfo`` in daemon threads of our own. aiohttp's threaded resolver uses the loop's
    default executor: a handful of threads (min(32, CPUs + 4)) that lookups hanging on a dead
    name server hold for seconds each, so healthy hosts queued behind them and timed out; and
    that executor is joined when the loop closes and at interpreter exit, so a hung lookup
    delayed the end of the run, and Ctrl-C, by the resolver's own timeout. A lookup given up at
    our timeout finishes in its thread unawaited and never keeps the process alive; a thread
    slot is freed only when its lookup really ends, so at most ``DNS_THREADS`` threads exist."""

    def __init__(self) -> None:
        self._slots = asyncio.Semaphore(DNS_THREADS)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        await self._slots.acquire()
        future: asyncio.Future[list[ResolveResult]] = loop.create_future()

        def deliver(outcome: list[ResolveResult] | BaseException) -> None:
            self._slots.release()
            if future.done():  # given up (timeout, cancellation)
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

        def work() -> None:
            outcome: list[ResolveResult] | BaseException
            try:
                outcome = _getaddrinfo(host, port, family)
            except BaseException as exc:  # handed to the awaiting task
                outcome = exc
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(deliver, outcome)

        try:
            threading.Thread(target=work, name="paperlint-dns", daemon=True).start()
        except RuntimeError as exc:  # no thread to be had
            self._slots.release()
            raise OSError(f"cannot start a lookup thread: {exc}") from exc
        return await future

    async def close(self) -> None:
        return None


class GuardedResolver(AbstractResolver):
    """Resolves, applies the static host mapping, and drops addresses the guard forbids; the check
    is on the resolved address, so DNS cannot smuggle a private address in (redirects included)."""

    def __init__(self, allow_private: bool, static: dict[str, str]) -> None:
        # aiohttp's default is its threaded resolver (see _ThreadResolver for why not); an
        # asynchronous one (aiodns, when installed) blocks no thread and is kept.
        default = aiohttp.DefaultResolver
        self._inner: AbstractResolver = (
            _ThreadResolver() if default is aiohttp.ThreadedResolver else default()
        )
        self._allow_private = allow_private
        self._static = {host.lower().rstrip("."): address for host, address in static.items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        mapped = self._static.get(host.lower().rstrip("."))
        if mapped is not None:
            v6 = ":" in mapped
            infos: list[ResolveResult] = [
                ResolveResult(
                    hostname=host,
                    host=mapped,
                    port=port,
                    family=socket.AF_INET6 if v6 else socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        else:
            infos = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return infos
        allowed = [info for info in infos if not blocked_address(info["host"])]
        if not allowed:
            raise PrivateAddressError(host, infos[0]["host"] if infos else "?")
        return allowed

    async def close(self) -> None:
        await self._inner.close()
