"""The rule interface: how a family describes its rules once, and what its checks receive.

A family is one module under ``linter/rules/``: its docstring is the user documentation of its
rules, and its ``FAMILY`` declares the rules (code, name, severity, whether they need the network,
the options they read) next to the checks that yield their hits. ``linter.rules`` registers the
families and assembles the catalogue, ``paperlint rules``, the documentation test and the SARIF
rule metadata from those declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from linter.document import Document
from linter.findings import Hit, Severity

_T = TypeVar("_T")


def latest_date_on_earth() -> date:
    """Today's date where it is latest (UTC+14): an ID a reader may already see is never future."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


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
    # The last day it may be anywhere on Earth: an arXiv ID from a later month cannot exist yet.
    today: date = field(default_factory=lambda: latest_date_on_earth())


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    family: str = ""  # stamped by the RuleFamily that declares the rule
    network: bool = False  # needs what a provider found out online (skipped with --offline)
    options: tuple[str, ...] = ()  # the configuration keys that change what the rule reports


class DocumentCheck(Protocol):
    """Hits about one document (the engine adds its path)."""

    def __call__(self, doc: Document, ctx: RuleContext, /) -> Iterable[Hit]: ...


class CorpusCheck(Protocol):
    """Hits about the documents of the run together; each hit names its path."""

    def __call__(self, docs: Sequence[Document], ctx: RuleContext, /) -> Iterable[Hit]: ...


class ResultsCheck(Protocol):
    """Hits from what the providers found out, by provider name; each hit names its path."""

    def __call__(
        self, docs: Sequence[Document], results: Mapping[str, Any], ctx: RuleContext, /
    ) -> Iterable[Hit]: ...


@dataclass(frozen=True)
class RuleFamily:
    """One rule family: its rules, described once, and the checks that report them."""

    name: str
    doc: str  # the user documentation: one ``PLnnn name`` section per rule, with examples
    rules: tuple[Rule, ...]
    check_document: DocumentCheck | None = None
    check_corpus: CorpusCheck | None = None
    check_results: ResultsCheck | None = None

    def __post_init__(self) -> None:
        # A rule belongs to the family that declares it: said once, not in every declaration.
        stamped = tuple(replace(rule, family=self.name) for rule in self.rules)
        object.__setattr__(self, "rules", stamped)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.rules)
