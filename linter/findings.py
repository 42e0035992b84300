"""Severities, findings and the rule catalogue.

A rule module yields :class:`Hit` objects; the engine turns each into a :class:`Finding` by adding the
path (for per-document rules), the rule name and the effective severity (rule default, possibly
overridden by the hit itself or by the configuration).
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


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    family: str
    network: bool = False


@dataclass(frozen=True, slots=True, order=True)
class Location:
    path: str
    line: int
    column: int


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


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule reports; ``path`` is only set by rules that look at several documents."""

    code: str
    line: int
    column: int
    message: str
    url: str | None = None
    fix: str | None = None
    edit: Edit | None = None
    related: tuple[Location, ...] = ()
    path: str | None = None
    severity: Severity | None = None
    status: int | None = None
    outcome: str | None = None


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
    fix: str | None = None
    related: tuple[Location, ...] = ()
    edit: Edit | None = None
    status: int | None = None
    outcome: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# The catalogue. Codes group by family: 1xx links, 2xx duplicates, 3xx identifiers, 4xx encoding.
# fmt: off
RULES: dict[str, Rule] = _rules(
    Rule("PL101", "link-broken", ERR, "The link target answers 404, 410 or another error.", "links", network=True),
    Rule("PL102", "link-unreachable", ERR, "The host cannot be reached (DNS, refused, reset, TLS, timeout).", "links", network=True),
    Rule("PL103", "link-redirected", WARN, "The link permanently redirects to another URL.", "links", network=True),
    Rule("PL104", "url-invalid", ERR, "The link target is empty, a placeholder or not a valid URL.", "links"),
    Rule("PL105", "file-missing", ERR, "A relative link or image points to a file that does not exist.", "links"),
    Rule("PL106", "anchor-missing", ERR, "A #fragment matches no heading or HTML anchor.", "links"),
    Rule("PL107", "link-unverified", WARN, "The server would not let the link be verified (rate limit, bot protection).", "links", network=True),
    Rule("PL108", "link-skipped", INFO, "The link was not checked (private or loopback address).", "links", network=True),
    Rule("PL201", "duplicate-entry", ERR, "The same paper is listed twice in one section.", "duplicates"),
    Rule("PL202", "cross-listed", INFO, "The same paper is listed again in another section.", "duplicates"),
    Rule("PL301", "id-title-conflict", ERR, "One arXiv ID or DOI is listed under different titles.", "identifiers"),
    Rule("PL302", "title-id-conflict", WARN, "One title is listed with different arXiv IDs or DOIs.", "identifiers"),
    Rule("PL303", "id-invalid", ERR, "An arXiv ID that cannot exist.", "identifiers"),
    Rule("PL304", "entry-id-mismatch", ERR, "The identifiers inside one entry disagree.", "identifiers"),
    Rule("PL401", "mojibake", ERR, "UTF-8 text that was decoded with the wrong encoding.", "encoding"),
    Rule("PL402", "replacement-character", WARN, "U+FFFD: text that was already lost.", "encoding"),
    Rule("PL403", "file-not-utf8", ERR, "The file is not valid UTF-8.", "encoding"),
)
# fmt: on

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def resolve_rule(token: str) -> list[Rule]:
    """Rules named by a code (``PL301``), a code prefix (``PL3``, ``PL``) or a name (``mojibake``).

    Raises KeyError when nothing matches."""
    key = token.strip()
    if key in RULES_BY_NAME:
        return [RULES_BY_NAME[key]]
    upper = key.upper()
    matched = [rule for code, rule in RULES.items() if code.startswith(upper)]
    if not matched or not upper.startswith("PL"):
        raise KeyError(token)
    return matched
