"""What every rule module receives: the shared context of one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linter.document import Document


@dataclass(frozen=True)
class RuleContext:
    # "section": duplicates only within one heading's section; "file": within a file; "all": across files
    duplicate_scope: str = "file"
    # Loads (and caches) another Markdown file for cross-file anchors; None when it cannot be read.
    load_document: Callable[[Path], Document | None] = field(default=lambda _path: None)
