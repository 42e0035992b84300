"""Registries: sources of truth asked through a documented API, many keys per request.

One module per registry (``arxiv``, ``crossref``, ``github``), each a class with the
:class:`~linter.registries.base.Registry` members, registered in :data:`REGISTRIES`. Each runs as a
provider of its own (:mod:`linter.registries.provider`); the shared batching, pacing, retries and
cache are :mod:`linter.registries.driver`'s. A registry that speaks for a link (``claims``) spares
the link checker that page: the links family reads the registry's record for it instead.

Nothing here imports aiohttp: ``--offline`` loads this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.registries.arxiv import ArxivRegistry
from linter.registries.base import Record, RecordStatus, Registry
from linter.registries.crossref import CrossrefRegistry
from linter.registries.github import GithubRegistry

if TYPE_CHECKING:
    from linter.providers import ProviderRun

REGISTRIES: dict[str, Registry] = {
    registry.name: registry for registry in (ArxivRegistry(), CrossrefRegistry(), GithubRegistry())
}


def active_registries(run: ProviderRun) -> list[Registry]:
    """The registries this run asks: one of their rules is enabled and they are switched on."""
    enabled = run.config.enabled_codes()
    return [
        registry
        for registry in REGISTRIES.values()
        if enabled & registry.codes and registry.enabled(run.config, run.github_token)
    ]


__all__ = ["REGISTRIES", "Record", "RecordStatus", "Registry", "active_registries"]
