"""Severities, hits and findings.

A rule family yields :class:`Hit` objects; the engine turns each into a :class:`Finding` by adding
the path (for per-document rules), the rule name and the effective severity (rule default, possibly
overridden by the hit itself or by the configuration). The rules themselves are declared by their
families and catalogued in :mod:`linter.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str
    line: int
    column: int


class FixLevel(StrEnum):
    """How sure a fix is, as in ruff: ``--fix`` applies safe fixes; unsafe ones (a title taken from
    a registry, which may be the list's deliberate short form) need ``--fix-titles`` too."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Edit:
    """A machine-applicable fix: replace the source text from (line, column) up to, not including,
    (end_line, end_column) with ``replacement``. Lines and columns are 1-based, columns count code
    points."""

    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    level: FixLevel = FixLevel.SAFE


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports; ``path`` is only set by rules that look at several documents."""

    code: str
    line: int
    column: int
    message: str
    url: str | None = None
    suggestion: str | None = None  # the replacement to show (JSON "fix"); edit applies it
    edit: Edit | None = None
    related: tuple[Location, ...] = ()
    path: str | None = None
    severity: Severity | None = None
    status: int | None = None
    outcome: str | None = None
    failing_since: str | None = None  # ISO 8601 UTC time: since when a link has been failing


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    name: str
    severity: Severity
    message: str
    url: str | None = None
    suggestion: str | None = None  # the replacement to show (JSON "fix"); edit applies it
    related: tuple[Location, ...] = ()
    edit: Edit | None = None
    status: int | None = None
    outcome: str | None = None
    failing_since: str | None = None  # ISO 8601 UTC time: since when a link has been failing

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)
