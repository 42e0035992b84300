"""read -> decode -> parse -> providers (background) + offline rules -> results rules -> filter -> sort.

Checking, filtering and formatting are separate steps: rules yield every hit, :func:`filter_hits`
applies select/ignore and inline directives, and the reporters only format. The providers
(:mod:`linter.providers`) find things out online while the offline rules run; the rule families
turn what they found into hits.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter.config import Config
from linter.document import Directive, Document, parse
from linter.findings import Finding, Hit, Severity
from linter.reading import (
    Decoded,
    NotRegularFileError,
    Source,
    decode,
    os_reason,
    read_file,
    read_source,
)
from linter.registries.papers import PaperReport, paper_reports
from linter.rules import FAMILIES, RULES, resolve_rule
from linter.rules.base import RuleContext, RunMemo

if TYPE_CHECKING:
    from linter.net.results import Progress
    from linter.providers import Pending

# The rules whose findings come from providers, not from the documents alone.
NETWORK_CODES = frozenset(code for code, rule in RULES.items() if rule.network)


@dataclass(frozen=True)
class Summary:
    files: int
    entries: int
    links: int
    findings: int
    errors: int
    warnings: int


@dataclass(frozen=True)
class CheckedFile:
    source: Source
    decoded: Decoded | None
    document: Document | None


@dataclass(frozen=True)
class Report:
    """The result of a check. ``problems`` are files that could not be read or written (exit 2);
    ``notices`` is non-fatal trouble worth a line (an unusable cache, a read-only file not fixed)."""

    findings: tuple[Finding, ...]
    summary: Summary
    problems: tuple[str, ...] = ()
    files: tuple[CheckedFile, ...] = ()
    urls_checked: int = 0
    notices: tuple[str, ...] = ()
    papers: tuple[PaperReport, ...] = ()  # what the registries said about each cited paper


@contextmanager
def _collector_paused(pause: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting goes on) while documents are parsed
    and checked, and while the network checks start.

    Parsing allocates heaps of short-lived markdown-it tokens while every document parsed so far
    stays alive, and each full collection walks all of them: a third of the offline run on a few
    MB of lists, growing with the corpus. Parsing and the rules leave no reference cycles behind,
    so nothing piles up meanwhile. On resuming, what was allocated meanwhile (the documents,
    mostly) joins the oldest generation unscanned (gc.freeze() then gc.unfreeze()), or the next
    young collections would walk all of it once more; not when the caller keeps objects frozen
    itself. A collector that was already off stays off.
    """
    enabled = pause and gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def lint(
    sources: Sequence[Source],
    config: Config,
    *,
    offline: bool = False,
    cache_path: Path | None = None,
    github_token: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Report:
    enabled = config.enabled_codes()
    problems: list[str] = []
    checked: list[CheckedFile] = []
    hits: list[tuple[str, Hit]] = []
    by_path: dict[Path, Document] = {}

    with _collector_paused():
        for source in sources:
            try:
                data = read_source(source)
            except IsADirectoryError:
                problems.append(f"{source.display}: is a directory")
                continue
            except NotRegularFileError:
                problems.append(
                    f"{source.display}: not a regular file (a pipe, socket or device), not checked"
                )
                continue
            except OSError as error:
                problems.append(f"{source.display}: cannot read: {os_reason(error)}")
                continue
            decoded = decode(data)
            if decoded.binary:
                if decoded.guess == "UTF-16":
                    problem = "UTF-16 text, not UTF-8 (re-save it as UTF-8), not checked"
                else:
                    problem = "binary file (contains NUL bytes), not checked"
                problems.append(f"{source.display}: {problem}")
                checked.append(CheckedFile(source, decoded, None))
                continue
            document = parse(
                decoded.text,
                source.display,
                config.generic_texts,
                lossy=decoded.invalid_count > 0,
                decoded=decoded,
            )
            checked.append(CheckedFile(source, decoded, document))
            if source.path is not None:
                by_path[source.path.resolve()] = document

        documents = [item.document for item in checked if item.document is not None]
        warnings: list[str] = []
        pending: dict[str, Pending] = {}
        memo = RunMemo()  # the providers' collect, the rules and the papers table share it
        if not offline:
            # Still paused: the network stack loads here, and the collections its import would
            # make only walk objects that live to the end.
            from linter.providers import PROVIDERS, ProviderRun

            run = ProviderRun(config, cache_path, github_token, progress, warnings.append, memo)
            for provider in PROVIDERS.values():
                if enabled & provider.codes and (keys := provider.collect(documents, run)):
                    # Runs in the background while the offline rules run here.
                    pending[provider.name] = provider.start(keys, run)

    context = RuleContext(
        duplicate_scope=config.duplicate_scope,
        load_document=_document_loader(by_path, config),
        memo=memo,
    )
    # Left running when the network phase works in the background meanwhile: that is not ours.
    with _collector_paused(not pending):
        for family in FAMILIES.values():
            if not enabled.intersection(family.codes):
                continue
            if family.check_document is not None:
                for document in documents:
                    hits.extend(
                        (document.path, hit) for hit in family.check_document(document, context)
                    )
            if family.check_corpus is not None:
                for hit in family.check_corpus(documents, context):
                    hits.append((hit.path or "", hit))

    results = {name: work.result() for name, work in sorted(pending.items())}
    if results:
        for family in FAMILIES.values():
            if family.check_results is not None and enabled.intersection(family.codes):
                for hit in family.check_results(documents, results, context):
                    hits.append((hit.path or "", hit))
    urls_checked = len(results.get("links", {}))
    papers = paper_reports(documents, results, memo) if results else ()

    findings = filter_hits(hits, documents, config)
    findings.sort(key=Finding.sort_key)
    summary = Summary(
        files=len(documents),
        entries=sum(len(document.entries) for document in documents),
        links=sum(len(document.links) for document in documents),
        **_severity_counts(findings),
    )
    return Report(
        tuple(findings),
        summary,
        tuple(problems),
        tuple(checked),
        urls_checked,
        tuple(warnings),
        papers,
    )


def _document_loader(
    known: dict[Path, Document], config: Config
) -> Callable[[Path], Document | None]:
    cache: dict[Path, Document | None] = {}

    def load(path: Path) -> Document | None:
        resolved = path.resolve()
        if resolved in known:
            return known[resolved]
        if resolved not in cache:
            try:
                decoded = decode(read_file(resolved))
            except OSError:
                cache[resolved] = None
            else:
                cache[resolved] = (
                    None if decoded.binary else parse(decoded.text, str(path), config.generic_texts)
                )
        return cache[resolved]

    return load


def filter_hits(
    hits: Iterable[tuple[str, Hit]], documents: Sequence[Document], config: Config
) -> list[Finding]:
    enabled = config.enabled_codes()
    suppressions = {document.path: _Suppressions(document) for document in documents}
    # --fix never writes a file that was not valid UTF-8: its findings offer no edit (the repaired
    # text stays in ``fix``).
    lossy = {document.path for document in documents if document.lossy}
    findings: list[Finding] = []
    for path, hit in hits:
        if hit.code not in enabled:
            continue
        suppression = suppressions.get(path)
        if suppression is not None and suppression.suppressed(hit.code, hit.line):
            continue
        rule = RULES[hit.code]
        severity = config.severities.get(hit.code) or hit.severity or rule.severity
        findings.append(
            Finding(
                path=path,
                line=hit.line,
                column=hit.column,
                rule=hit.code,
                name=rule.name,
                severity=severity,
                message=hit.message,
                url=hit.url,
                suggestion=hit.suggestion,
                related=hit.related,
                edit=None if path in lossy else hit.edit,
                status=hit.status,
                outcome=hit.outcome,
                failing_since=hit.failing_since,
            )
        )
    return findings


_ALL = "*"


class _Suppressions:
    """Which codes the inline ``<!-- paperlint-... -->`` comments switch off on which lines."""

    def __init__(self, document: Document) -> None:
        self._ranges: list[tuple[int, int, frozenset[str]]] = []  # first line, last line, codes
        self._next_line: dict[int, frozenset[str]] = {}
        open_ranges: dict[str, int] = {}
        for directive in document.directives:
            codes = _directive_codes(directive)
            if directive.action == "disable-next-line":
                target = _next_content_line(document.lines, directive.line)
                self._next_line[target] = self._next_line.get(target, frozenset()) | codes
            elif directive.action == "disable":
                for code in codes:
                    open_ranges.setdefault(code, directive.line)
            elif directive.action == "enable":
                closing = set(open_ranges) if _ALL in codes else codes
                for code in closing:
                    start = open_ranges.pop(code, None)
                    if start is not None:
                        self._ranges.append((start, directive.line, frozenset({code})))
        for code, start in open_ranges.items():
            self._ranges.append((start, len(document.lines) + 1, frozenset({code})))

    def suppressed(self, code: str, line: int) -> bool:
        codes = self._next_line.get(line)
        if codes is not None and (code in codes or _ALL in codes):
            return True
        return any(
            first <= line <= last and (code in codes or _ALL in codes)
            for first, last, codes in self._ranges
        )


def _directive_codes(directive: Directive) -> frozenset[str]:
    if not directive.codes:
        return frozenset({_ALL})
    codes: set[str] = set()
    for token in directive.codes:
        try:
            codes.update(rule.code for rule in resolve_rule(token))
        except KeyError:
            continue  # an unknown code in a comment must not break the run
    return frozenset(codes)


def _next_content_line(lines: Sequence[str], comment_line: int) -> int:
    """The first non-blank line after the comment (which may span several lines)."""
    index = comment_line - 1
    while index < len(lines) and "-->" not in lines[index]:
        index += 1
    index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index + 1


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {
        "files": summary.files,
        "entries": summary.entries,
        "links": summary.links,
        "findings": summary.findings,
        "errors": summary.errors,
        "warnings": summary.warnings,
    }


def _severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {
        "findings": len(findings),
        "errors": sum(1 for finding in findings if finding.severity is Severity.ERROR),
        "warnings": sum(1 for finding in findings if finding.severity is Severity.WARNING),
    }


def with_findings(report: Report, findings: Sequence[Finding]) -> Report:
    """A copy of ``report`` with other findings (after --fix or a baseline) and their counts."""
    from dataclasses import replace

    summary = replace(report.summary, **_severity_counts(findings))
    return replace(report, findings=tuple(findings), summary=summary)
