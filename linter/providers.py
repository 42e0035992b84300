"""Sources of truth asked online: what each collects from the documents, and how it is started.

A provider collects keys from the parsed documents (URLs for the link checker; arXiv IDs, DOIs or
GitHub repositories for the registries of ``linter/registries/``), answers for all of them in the
background, in batches where its source allows, and returns typed results by key. A registry
speaks for the links it can answer (an arXiv abstract page whose ID the API knows), so the link
checker leaves those out instead of fetching each page. The
engine starts every provider whose rules are enabled right after parsing, runs the offline rules
meanwhile, then hands each family's ``check_results`` the results by provider name: providers find
things out, rule families turn them into findings.

Adding a provider is one module (a class with the :class:`Provider` members) and one line in
:data:`PROVIDERS`. This module and the providers' modules must not import aiohttp: a provider
imports its network code in :meth:`Provider.start`, so that ``--offline`` never loads it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from linter.document import Document

if TYPE_CHECKING:
    from linter.config import Config
    from linter.net.results import Progress
    from linter.rules.base import RunMemo


class Pending(Protocol):
    """Work under way in the background."""

    def result(self) -> Mapping[str, Any]:
        """Waits for the answers, by key (re-raises the background work's error)."""
        ...


@dataclass(frozen=True)
class ProviderRun:
    """What a provider is started with."""

    config: Config
    cache_path: Path | None = None
    github_token: str | None = None
    progress: Callable[[Progress], None] | None = None
    warn: Callable[[str], None] = lambda _message: None
    memo: RunMemo | None = None  # the run's shared derived values (the rules get the same one)


class Provider(Protocol):
    name: str  # the key of its results in what check_results receives
    codes: frozenset[str]  # the rules that use its results: it runs only when one is enabled

    def collect(self, documents: Sequence[Document], run: ProviderRun) -> Sequence[str]:
        """The keys to answer for, without repeats, in a stable order (none: not started)."""
        ...

    def start(self, keys: Sequence[str], run: ProviderRun) -> Pending:
        """Starts answering for ``keys`` in the background."""
        ...


# Set in a background run's thread: the work calls it once its first requests are out.
LAUNCHED: ContextVar[Callable[[], None] | None] = ContextVar("paperlint_launched", default=None)
JOIN_STEP = 0.1  # seconds between two looks for Ctrl-C while waiting for a background run


class InBackground:
    """A coroutine run to completion on an event loop of its own in a background thread, so that
    the caller can run the offline rules meanwhile; :meth:`result` waits for it (and re-raises its
    error).

    With ``launch_wait``, starting returns only once the work has called :data:`LAUNCHED` (its
    first requests are out), or after that many seconds: the caller's work and the event loop
    share one interpreter lock, and until a hung host's first request is out, the loop needs it
    alone (that host's timeout ends the run)."""

    def __init__(
        self,
        work: Callable[[], Coroutine[Any, Any, Mapping[str, Any]]],
        name: str,
        launch_wait: float = 0.0,
    ) -> None:
        self._work = work
        self._result: Mapping[str, Any] | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._launched = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"paperlint-{name}", daemon=True)
        self._thread.start()
        if launch_wait > 0:
            self._launched.wait(launch_wait)

    def _run(self) -> None:
        LAUNCHED.set(self._launched.set)
        try:
            self._result = asyncio.run(self._work())
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc
        finally:
            self._launched.set()
            self._done.set()

    def result(self) -> Mapping[str, Any]:
        # In short steps: a wait without a timeout is woken by a signal only when the signal
        # lands on the waiting thread, and the system may deliver Ctrl-C to any thread that does
        # not block it (a lookup thread, the loop's); Python runs the handler, in the main
        # thread, only once that thread runs again. (Not Thread.join: in Python 3.11 an
        # interrupted join marks the thread as stopped while it still runs.)
        while not self._done.wait(JOIN_STEP):
            pass
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _registered() -> dict[str, Provider]:
    from linter.net.provider import LinkChecker
    from linter.registries import REGISTRIES
    from linter.registries.provider import RegistryProvider

    providers: tuple[Provider, ...] = (
        LinkChecker(),
        *(RegistryProvider(registry) for registry in REGISTRIES.values()),
    )
    return {provider.name: provider for provider in providers}


PROVIDERS: dict[str, Provider] = _registered()
