"""Baselines: accept the findings a list already has, so that only new ones fail a run.

A baseline file is JSON::

    {"version": 1,
     "findings": [{"path": "README.md", "rule": "PL201",
                   "fingerprint": "duplicate entry: \\"…\\" (arXiv:1706.03762) already listed at line ?",
                   "count": 1, "context": ["5f0c4a2e"]}]}

A finding is identified by its path (relative to the baseline file's folder, with ``/``), its rule and
a fingerprint that does not depend on where it is: the message with every line and column number
replaced by ``?``, or for link-checker rules, whose messages change from run to run (a timeout one
day, a reset the next), the URL as written. Moving lines around therefore keeps the baseline valid,
while editing the text of a finding makes it a new one. Counts make the match exact: with 2 of a
fingerprint recorded and 3 found, one is reported.

Which one: ``context`` holds a short hash of the source line of each recorded finding (its text,
not its number). Findings whose line is unchanged are matched first, so the reported one is the
finding on a new line, not an old one that merely moved; when lines were edited too, the last
ones in file order are reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.engine import NETWORK_CODES, Report
from linter.findings import Finding
from linter.rules import RULES

VERSION = 1

# Positions in messages ("at line 9", "line 3 col 7", "other.md:12") change when lines move.
_POSITION = re.compile(r"\b(lines?|col|columns?) \d+|(?<=\.)(md|markdown|mdx|txt):\d+(?::\d+)?")

Key = tuple[str, str, str]  # path, rule, fingerprint


class BaselineError(Exception):
    """The baseline file cannot be read or is not a paperlint baseline (one line for the CLI)."""


@dataclass(frozen=True)
class Baseline:
    """Recorded findings, counted by (path, rule, fingerprint); paths are relative to ``base_dir``.
    ``contexts`` holds the line hashes recorded for each key (fewer than its count when a file
    was written without them)."""

    base_dir: Path
    counts: Mapping[Key, int] = field(default_factory=dict)
    contexts: Mapping[Key, tuple[str, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def fingerprint(finding: Finding) -> str:
    if finding.rule in NETWORK_CODES and finding.url:
        return finding.url
    return _POSITION.sub(_placeholder, finding.message)


def _placeholder(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)} ?"
    return f"{match.group(2)}:?"


def baseline_path(display: str, base_dir: Path) -> str:
    """The path of a finding as a baseline records it: relative to ``base_dir``, with ``/``.
    Standard input (``-``) stays as it is."""
    if display == "-":
        return display
    try:
        relative = os.path.relpath(Path(display).resolve(), base_dir.resolve())
    except ValueError:  # another drive on Windows
        return Path(display).as_posix()
    return Path(relative).as_posix()


def key(finding: Finding, base_dir: Path) -> Key:
    return (baseline_path(finding.path, base_dir), finding.rule, fingerprint(finding))


def line_context(text: str) -> str:
    """A short hash of a source line, blanks at either end ignored."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:8]


def _line_texts(report: Report) -> dict[str, list[str]]:
    return {
        checked.source.display: checked.document.lines
        for checked in report.files
        if checked.document is not None
    }


def _context(lines: dict[str, list[str]], finding: Finding) -> str:
    text = lines.get(finding.path, [])
    return line_context(text[finding.line - 1] if 0 < finding.line <= len(text) else "")


def build_baseline(report: Report, base_dir: Path) -> Baseline:
    """A baseline of every finding of ``report``."""
    lines = _line_texts(report)
    counts: Counter[Key] = Counter()
    contexts: dict[Key, list[str]] = {}
    for finding in report.findings:
        item = key(finding, base_dir)
        counts[item] += 1
        contexts.setdefault(item, []).append(_context(lines, finding))
    return Baseline(
        base_dir,
        dict(counts),
        {item: tuple(sorted(values)) for item, values in contexts.items()},
    )


def dump_baseline(baseline: Baseline) -> str:
    """The baseline as JSON text, sorted, one finding per object, ending in a newline."""
    entries = [
        {
            "path": path,
            "rule": rule,
            "fingerprint": text,
            "count": count,
            "context": list(baseline.contexts.get((path, rule, text), ())),
        }
        for (path, rule, text), count in sorted(baseline.counts.items())
    ]
    payload = {"version": VERSION, "findings": entries}
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def load_baseline(text: str, base_dir: Path, origin: str = "baseline") -> Baseline:
    """Parse baseline JSON text; ``origin`` names the file in error messages."""
    try:
        payload = json.loads(text)
    except ValueError as error:
        raise BaselineError(f"{origin}: not valid JSON ({error})") from None
    if not isinstance(payload, dict) or "findings" not in payload:
        raise BaselineError(f"{origin}: not a paperlint baseline (no 'findings')")
    version = payload.get("version")
    if version != VERSION:
        raise BaselineError(
            f"{origin}: unsupported baseline version {version!r} (expected {VERSION})"
        )
    entries = payload["findings"]
    if not isinstance(entries, list):
        raise BaselineError(f"{origin}: 'findings' must be a list")
    counts: Counter[Key] = Counter()
    contexts: dict[Key, list[str]] = {}
    for index, entry in enumerate(entries):
        item = _entry_key(entry, index, origin)
        counts[item] += _entry_count(entry, index, origin)
        contexts.setdefault(item, []).extend(_entry_context(entry, index, origin))
    return Baseline(
        base_dir,
        dict(counts),
        {item: tuple(sorted(values)) for item, values in contexts.items()},
    )


def _entry_key(entry: Any, index: int, origin: str) -> Key:
    if not isinstance(entry, dict):
        raise BaselineError(f"{origin}: findings[{index}] must be an object")
    path, rule, text = (entry.get(name) for name in ("path", "rule", "fingerprint"))
    if not (isinstance(path, str) and isinstance(rule, str) and isinstance(text, str)):
        raise BaselineError(
            f"{origin}: findings[{index}] needs string 'path', 'rule', 'fingerprint'"
        )
    if rule not in RULES:
        raise BaselineError(f"{origin}: findings[{index}] has unknown rule {rule!r}")
    return (path, rule, text)


def _entry_count(entry: dict[str, Any], index: int, origin: str) -> int:
    count = entry.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BaselineError(f"{origin}: findings[{index}] 'count' must be a positive integer")
    return count


def _entry_context(entry: dict[str, Any], index: int, origin: str) -> list[str]:
    context = entry.get("context", [])
    if not isinstance(context, list) or not all(isinstance(value, str) for value in context):
        raise BaselineError(f"{origin}: findings[{index}] 'context' must be a list of strings")
    return context


def read_baseline(path: Path) -> Baseline:
    """Read a baseline file; paths in it are relative to its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BaselineError(f"{path}: cannot read baseline: {reason.lower()}") from None
    return load_baseline(text, path.parent, str(path))


def filter_baseline(report: Report, baseline: Baseline) -> tuple[list[Finding], int]:
    """The findings of ``report`` not covered by ``baseline`` (in report order) and how many were
    covered. Findings on a recorded line are matched first, then any others up to the count."""
    lines = _line_texts(report)
    left = Counter(baseline.counts)
    exact: Counter[tuple[Key, str]] = Counter(
        (item, context) for item, values in baseline.contexts.items() for context in values
    )
    keys = [key(finding, baseline.base_dir) for finding in report.findings]
    covered_at: set[int] = set()
    for index, finding in enumerate(report.findings):
        pair = (keys[index], _context(lines, finding))
        if exact[pair] > 0 and left[keys[index]] > 0:
            exact[pair] -= 1
            left[keys[index]] -= 1
            covered_at.add(index)
    for index in range(len(report.findings)):
        if index not in covered_at and left[keys[index]] > 0:
            left[keys[index]] -= 1
            covered_at.add(index)
    remaining = [
        finding for index, finding in enumerate(report.findings) if index not in covered_at
    ]
    return remaining, len(covered_at)
