"""read -> decode -> parse -> offline rules -> network -> findings -> filter -> sort.

Checking, filtering and formatting are separate steps: rules yield every hit, :func:`filter_hits`
applies select/ignore and inline directives, and the reporters only format.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linter.config import Config
from linter.document import Directive, Document, Link, LinkKind, parse
from linter.findings import RULES, Edit, Finding, Hit, Severity, resolve_rule
from linter.rules import families
from linter.rules.base import RuleContext, RunMemo
from linter.rules.encoding import Decoded, decode, decode_hits
from linter.rules.links import invalid_reason, is_remote, verbatim_target_span

if TYPE_CHECKING:
    from linter.net.checker import PendingChecks
    from linter.net.results import LinkResult, Progress

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Folders that never hold a user's reading list but can hold thousands of Markdown files.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
)
NETWORK_CODES = frozenset(code for code, rule in RULES.items() if rule.network)
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """A file to check: ``display`` is the path as the user gave it, ``data`` is set for stdin."""

    display: str
    path: Path | None
    data: bytes | None = None


@dataclass(frozen=True)
class Summary:
    files: int
    entries: int
    links: int
    findings: int
    errors: int
    warnings: int


@dataclass
class CheckedFile:
    source: Source
    decoded: Decoded | None
    document: Document | None


@dataclass
class Report:
    findings: list[Finding]
    summary: Summary
    problems: list[str] = field(default_factory=list)  # files that could not be read
    files: list[CheckedFile] = field(default_factory=list)
    urls_checked: int = 0
    warnings: list[str] = field(default_factory=list)  # non-fatal trouble, e.g. an unusable cache


def collect_sources(
    paths: Sequence[str], exclude_path: Sequence[str] = (), exclude_root: Path | None = None
) -> tuple[list[Source], list[str]]:
    """Files named explicitly are read whatever their name; folders are walked for Markdown files.

    Returns the sources, sorted and without repeats (one file under two spellings, ``a.md`` and
    ``./a.md``, is checked once, under the first), and a message for each path that cannot be
    looked at (missing, a broken symbolic link, below a file, a name too long).
    """
    spec = None
    if exclude_path:
        import pathspec  # only here: on the way to the first request otherwise (about 15 ms)

        spec = pathspec.GitIgnoreSpec.from_lines(exclude_path)
    root = (exclude_root or Path.cwd()).resolve()
    sources: dict[str, Source] = {}
    problems: list[str] = []

    def excluded(path: Path) -> bool:
        if spec is None:
            return False
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            relative = path
        text = relative.as_posix() + ("/" if path.is_dir() else "")
        return bool(spec.match_file(text))

    def add(display: str, path: Path) -> None:
        sources.setdefault(os.path.normcase(os.path.abspath(display)), Source(display, path))

    for given in paths:
        path = Path(given)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except (OSError, ValueError) as error:
            problems.append(f"{given}: {_path_problem(path, error)}")
            continue
        if is_dir:
            for found in _walk(path, excluded):
                add(str(found), found)
        else:
            add(given, path)
    return sorted(sources.values(), key=lambda source: source.display), problems


def _path_problem(path: Path, error: OSError | ValueError) -> str:
    if isinstance(error, ValueError):
        return "invalid path"  # an embedded NUL
    if isinstance(error, FileNotFoundError) and path.is_symlink():
        return "broken symbolic link"
    return _os_reason(error)


def _walk(top: Path, excluded: Callable[[Path], bool]) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(top):
        base = Path(directory)
        subdirs[:] = sorted(
            name for name in subdirs if name not in SKIPPED_DIRS and not excluded(base / name)
        )
        for name in sorted(files):
            candidate = base / name
            if name.lower().endswith(MARKDOWN_SUFFIXES) and not excluded(candidate):
                yield candidate


class NotRegularFileError(OSError):
    """A named pipe, socket or device: reading it could block forever."""


def read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path``. Other files are refused before any read: a named
    pipe nobody writes to would block forever (it is opened without blocking, then inspected)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(str(path))
        chunks = []
        while chunk := os.read(descriptor, READ_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_source(source: Source) -> bytes:
    if source.data is not None:
        return source.data
    assert source.path is not None
    return read_file(source.path)


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


@contextmanager
def _collector_paused(pause: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting goes on) while documents are parsed
    and checked.

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
                problems.append(f"{source.display}: cannot read: {_os_reason(error)}")
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
            hits.extend((source.display, hit) for hit in decode_hits(decoded))
            document = parse(decoded.text, source.display, config.generic_texts)
            document.lossy = decoded.invalid_count > 0
            checked.append(CheckedFile(source, decoded, document))
            if source.path is not None:
                by_path[source.path.resolve()] = document

    documents = [item.document for item in checked if item.document is not None]
    warnings: list[str] = []
    pending: PendingChecks | None = None
    occurrences: dict[str, list[tuple[Document, Link]]] = {}
    if not offline and enabled & NETWORK_CODES:
        occurrences = _remote_links(documents)
        if occurrences:
            from linter.net.checker import start_checks

            # The network phase runs in the background while the offline rules run here.
            settings = config.checker_settings(cache_path, github_token)
            pending = start_checks(sorted(occurrences), settings, progress, warnings.append)

    context = RuleContext(
        duplicate_scope=config.duplicate_scope,
        load_document=_document_loader(by_path, config),
        memo=RunMemo(),
    )
    # Left running when the network phase works in the background meanwhile: that is not ours.
    with _collector_paused(pending is None):
        for module in families().values():
            if not enabled.intersection(module.CODES):
                continue
            check_document = getattr(module, "check_document", None)
            if check_document is not None:
                for document in documents:
                    hits.extend((document.path, hit) for hit in check_document(document, context))
            check_corpus = getattr(module, "check_corpus", None)
            if check_corpus is not None:
                for hit in check_corpus(documents, context):
                    hits.append((hit.path or "", hit))

    urls_checked = 0
    if pending is not None:
        results = pending.result()
        urls_checked = len(results)
        hits.extend(_network_hits(occurrences, results))

    findings = filter_hits(hits, documents, config)
    findings.sort(key=Finding.sort_key)
    summary = Summary(
        files=len(documents),
        entries=sum(len(document.entries) for document in documents),
        links=sum(len(document.links) for document in documents),
        **_severity_counts(findings),
    )
    return Report(findings, summary, problems, checked, urls_checked, warnings)


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


def url_without_fragment(url: str) -> str:
    return url.strip().split("#", 1)[0]


def _remote_links(documents: Iterable[Document]) -> dict[str, list[tuple[Document, Link]]]:
    occurrences: dict[str, list[tuple[Document, Link]]] = {}
    for document in documents:
        for link in document.links:
            url = fetched_url(link)
            if url is not None:
                occurrences.setdefault(url, []).append((document, link))
    return occurrences


def fetched_url(link: Link) -> str | None:
    """The URL a reader's browser fetches for ``link`` (fragment dropped), None if not http(s).

    GitHub links a bare ``www.`` address as ``http://www.…``, so that is what gets checked."""
    target = link.target.strip()
    if link.kind is LinkKind.BARE and target.lower().startswith("www."):
        target = f"http://{target}"
    if is_remote(target) and invalid_reason(target) is None:
        return url_without_fragment(target)
    return None


def _network_hits(
    occurrences: dict[str, list[tuple[Document, Link]]], results: dict[str, LinkResult]
) -> Iterator[tuple[str, Hit]]:
    from linter.net.results import result_hit

    for url, places in occurrences.items():
        result = results.get(url)
        if result is None:
            continue
        for document, link in places:
            hit = result_hit(result, link.line, link.column, link.target)
            if hit is None:
                continue
            if hit.fix is not None and hit.code == "PL103":
                hit = _redirect_fix(hit, link)
            yield document.path, hit


def _redirect_fix(hit: Hit, link: Link) -> Hit:
    """Keep the link's own #fragment on the new URL and make the fix applicable in place."""
    from dataclasses import replace

    assert hit.fix is not None
    new_url = hit.fix
    _, has_fragment, fragment = link.target.partition("#")
    if has_fragment and "#" not in new_url:
        new_url = f"{new_url}#{fragment}"
    span = verbatim_target_span(link)
    edit = (
        None if span is None else Edit(span.line, span.column, span.line, span.end_column, new_url)
    )
    return replace(hit, fix=new_url, edit=edit)


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
                fix=hit.fix,
                related=hit.related,
                edit=None if path in lossy else hit.edit,
                status=hit.status,
                outcome=hit.outcome,
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


def with_findings(report: Report, findings: list[Finding]) -> Report:
    """A copy of ``report`` with other findings (after --fix or a baseline) and their counts."""
    from dataclasses import replace

    summary = replace(report.summary, **_severity_counts(findings))
    return replace(report, findings=findings, summary=summary, problems=list(report.problems))
