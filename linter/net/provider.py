"""The link checker as a provider: every http(s) URL of the documents, checked once.

Imported on the offline path, so it must never import aiohttp at module level.
"""

from __future__ import annotations

from collections.abc import Sequence

from linter.document import Document
from linter.providers import Pending, ProviderRun
from linter.rules import links


class LinkChecker:
    name = "links"
    codes = frozenset(rule.code for rule in links.FAMILY.rules if rule.network)

    def collect(self, documents: Sequence[Document]) -> Sequence[str]:
        urls = {
            url
            for document in documents
            for link in document.links
            if (url := links.fetched_url(link)) is not None
        }
        return sorted(urls)

    def start(self, keys: Sequence[str], run: ProviderRun) -> Pending:
        from linter.net.checker import start_checks

        settings = run.config.checker_settings(run.cache_path, run.github_token)
        return start_checks(keys, settings, run.progress, run.warn)
