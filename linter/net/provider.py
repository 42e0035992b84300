"""The link checker as a provider: every http(s) URL of the documents, checked once, except the
links a registry of this run speaks for (their pages are not fetched one by one). With
``--suggest``, the Wayback Machine is then asked about the dead ones (:mod:`linter.net.suggest`).

Imported on the offline path, so it must never import aiohttp at module level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from linter.document import Document
from linter.providers import Pending, ProviderRun
from linter.registries import active_registries
from linter.registries.wayback import WAYBACK
from linter.rules import links


class LinkChecker:
    name = "links"
    # PL109 comes from GitHub's API alone: a page fetch cannot tell an archived repository.
    codes = frozenset(rule.code for rule in links.FAMILY.rules if rule.network) - {"PL109"}

    def collect(self, documents: Sequence[Document], run: ProviderRun) -> Sequence[str]:
        registries = active_registries(run)
        # An excluded URL stays the checker's, which keeps it silent, whoever could answer for it.
        excludes = [re.compile(pattern) for pattern in run.config.exclude]
        urls = {
            url
            for document in documents
            for _, url in links.fetched_urls(document, run.memo)
            if not any(registry.claims(url) for registry in registries)
            or any(pattern.search(url) for pattern in excludes)
        }
        return sorted(urls)

    def start(self, keys: Sequence[str], run: ProviderRun) -> Pending:
        settings = run.config.checker_settings(run.cache_path, run.github_token)
        config = run.config
        if WAYBACK.enabled(config, run.github_token) and config.enabled_codes() & WAYBACK.codes:
            from linter.net.suggest import start_checks_with_snapshots

            endpoint = WAYBACK.endpoint(config)
            snapshots = start_checks_with_snapshots(
                keys, settings, endpoint, WAYBACK.record_age(config), run.progress, run.warn
            )
            return self._hinted(snapshots, run)
        from linter.net.checker import start_checks

        pending = start_checks(keys, settings, run.progress, run.warn)
        return self._hinted(pending, run)

    def _hinted(self, pending: Pending, run: ProviderRun) -> Pending:
        """Without a token, GitHub pages that GitHub rate limited say that a token avoids it."""
        if run.github_token:
            return pending
        from linter.registries.github import PageHints

        return PageHints(pending, run.warn)
