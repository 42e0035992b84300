"""What every rule module receives: the shared context of one run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from linter.document import Document

_T = TypeVar("_T")


class RunMemo:
    """Values derived from a run's documents, computed once and shared by the rules of the run
    (several rules need an entry's paper links, two need the corpus's identifier conflicts).

    Values are keyed by a name and the identity of the objects they derive from. The memo keeps
    those objects alive, so an id cannot be reused by another object while the memo lives. One memo
    serves one run: neither the documents nor the rules' tuning constants may change meanwhile."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[tuple[str, tuple[int, ...]], tuple[tuple[object, ...], Any]] = {}

    def get(self, name: str, sources: tuple[object, ...], compute: Callable[[], _T]) -> _T:
        key = (name, tuple(map(id, sources)))
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = (sources, compute())
        value: _T = found[1]  # what compute returned for this name and these sources
        return value


@dataclass(frozen=True)
class RuleContext:
    # "section": duplicates only within one heading's section; "file": within a file; "all": across files
    duplicate_scope: str = "file"
    # Loads (and caches) another Markdown file for cross-file anchors; None when it cannot be read.
    load_document: Callable[[Path], Document | None] = field(default=lambda _path: None)
    # Shared derived values of one run (the engine passes a fresh one); None computes them afresh.
    memo: RunMemo | None = field(default=None, repr=False, compare=False)
