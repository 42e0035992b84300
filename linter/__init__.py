"""paperlint: a link-health and dedup linter for Markdown reading lists of research papers."""

from __future__ import annotations

__version__ = "0.1.0"
