"""A registry as a provider: its keys are collected from the documents, and its records come
from :func:`linter.registries.driver.resolve_all` running in the background.

Imported on the offline path, so it must never import aiohttp at module level.
"""

from __future__ import annotations

from collections.abc import Sequence

from linter.document import Document
from linter.providers import InBackground, Pending, ProviderRun
from linter.registries.base import Registry


class RegistryProvider:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.name = registry.name
        self.codes = registry.codes

    def collect(self, documents: Sequence[Document], run: ProviderRun) -> Sequence[str]:
        if not self.registry.enabled(run.config, run.github_token):
            return []
        return self.registry.keys(documents, run.memo)

    def start(self, keys: Sequence[str], run: ProviderRun) -> Pending:
        from linter.registries.driver import resolve_all

        registry = self.registry
        settings = run.config.checker_settings(run.cache_path, run.github_token)
        endpoint = registry.endpoint(run.config)
        max_age = registry.record_age(run.config)
        return InBackground(
            lambda: resolve_all(
                registry,
                keys,
                endpoint,
                settings,
                settings.cache_path,
                max_age,
                run.progress,
                run.warn,
            ),
            registry.name,
        )
