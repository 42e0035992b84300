"""Sources of truth asked online: what each collects from the documents, and how it is started.

A provider collects keys from the parsed documents (URLs for the link checker; arXiv IDs, DOIs or
GitHub repositories for the registries that ``linter/registries/`` will hold), answers for all of
them in the background, in batches where its source allows, and returns typed results by key. The
engine starts every provider whose rules are enabled right after parsing, runs the offline rules
meanwhile, then hands each family's ``check_results`` the results by provider name: providers find
things out, rule families turn them into findings.

Adding a provider is one module (a class with the :class:`Provider` members) and one line in
:data:`PROVIDERS`. This module and the providers' modules must not import aiohttp: a provider
imports its network code in :meth:`Provider.start`, so that ``--offline`` never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from linter.document import Document

if TYPE_CHECKING:
    from linter.config import Config
    from linter.net.results import Progress


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


class Provider(Protocol):
    name: str  # the key of its results in what check_results receives
    codes: frozenset[str]  # the rules that use its results: it runs only when one is enabled

    def collect(self, documents: Sequence[Document]) -> Sequence[str]:
        """The keys to answer for, without repeats, in a stable order."""
        ...

    def start(self, keys: Sequence[str], run: ProviderRun) -> Pending:
        """Starts answering for ``keys`` in the background."""
        ...


def _registered() -> dict[str, Provider]:
    from linter.net.provider import LinkChecker

    providers: tuple[Provider, ...] = (LinkChecker(),)
    return {provider.name: provider for provider in providers}


PROVIDERS: dict[str, Provider] = _registered()
