"""Links: dead, unreachable or moved targets, invalid URLs, missing files, missing anchors,
archived repositories.

PL104, PL105 and PL106 are checked offline, here. The others need the network: every unique URL
(fragment dropped) is checked once by the link checker in ``linter.net`` and each place it appears is
reported. They are skipped by ``--offline``.

PL101 link-broken
    The server answered that the page is gone: 404, 410, or another status that is not accepted
    (``accept``, default every 2xx) and persisted through the retries (408, 429 and 5xx are retried
    with backoff), or a redirect loop / more than 10 redirects. The status code is in the message
    and in the JSON ``status`` field. With a grace period (``--grace``), a link that answered before
    is PL110, a warning, until it has failed for that long. With ``--suggest``, the newest copy of
    the page in the Wayback Machine (one that answered 2xx) is in the message and is the fix:
    ``--fix --suggest`` puts it in place of the URL where the link has text of its own (not for
    arXiv or DOI links).

    Failing::

        - [A deleted post](https://example.com/blog/removed-post)

    Passing::

        - [Attention Is All You Need](https://arxiv.org/abs/1706.03762)

PL102 link-unreachable
    No HTTP answer at all: the host name does not resolve, the connection is refused or reset, the
    TLS handshake fails, or the server did not answer within ``--timeout`` (default 20 s, connect
    10 s). The reason is in the message. Timeouts are not retried by default: a hung server would
    cost several timeouts. With a grace period (``--grace``), a host that answered before is PL110,
    a warning, until it has failed for that long. ``--suggest`` offers an archived copy, as for
    PL101.

    Failing::

        - [Project page](https://project.no-such-domain.invalid/)

    Passing::

        - [Project page](https://github.com/facebookresearch/metaseq)

PL103 link-redirected
    The URL permanently redirects (301 or 308, possibly in a chain) to a different URL. The fix is
    the final URL (``--fix`` applies it, keeping the link's own ``#fragment``). Temporary redirects
    (302, 303, 307) are fine and not reported.

    Failing::

        - [Blog](http://example.com/old-address)

    Passing::

        - [Blog](https://example.com/new-address)

PL107 link-unverified
    The server would not let the link be verified, which does not mean it is dead: 429 Too Many
    Requests with a ``Retry-After`` beyond the cap (default 60 s), or bot protection (403/999 with a
    challenge such as Cloudflare's ``cf-mitigated`` header). Check it in a browser, or add the host's
    code to ``accept`` in ``[tool.paperlint.hosts."HOST"]``.

    Failing::

        - [A paper behind a bot wall](https://www.example-publisher.com/doi/10.1145/1234567)

    Passing::

        - [The same paper on arXiv](https://arxiv.org/abs/1706.03762)

PL108 link-skipped
    Information only: the link was not checked because its host resolves to a loopback, private,
    link-local or multicast address (so that a list cannot make paperlint probe an internal
    network; ``--allow-private`` lifts this). URLs matching ``--exclude`` are skipped silently.

    Failing::

        - [Local demo](http://127.0.0.1:8000/)

    Passing::

        - [Hosted demo](https://huggingface.co/spaces/gradio/hello_world)

PL109 repo-archived
    Information only: the linked GitHub repository is archived, so its code is read-only and no
    longer maintained; often a sign to look for a successor (the README of an archived project
    usually names it). Known from GitHub's API, so only when ``GITHUB_TOKEN`` is set.

    Failing::

        - [Code](https://github.com/an-owner/an-archived-repository)

    Passing::

        - [Code](https://github.com/pytorch/pytorch)

PL110 link-failing
    A warning, not yet an error: the link fails as PL101 or PL102 would report it, but it answered
    when checked before, and it has been failing for less than the grace period (``grace``, e.g.
    ``--grace 3d``; off by default). A server down for an afternoon, or during one scheduled
    run, is not a dead link. The message says since when the link fails and after how long it
    counts as broken: ``failing since 2026-11-30, broken after 3d``, then the reason; the JSON
    ``failing_since`` field has the time. Once the link has failed for the whole period it is
    PL101/PL102 again. A link that has never answered is broken at once, and PL107 is never
    delayed. The dates come from the history in the link cache (no cache, no grace): every run
    records when each URL last answered and when its failures began.

    Failing::

        - [Project page](https://lab.example.org/project) (down since yesterday, alive before)

    Passing::

        - [Project page](https://github.com/facebookresearch/metaseq)

PL104 url-invalid
    The link target is empty, a placeholder that a generator left behind (``None``, ``null``,
    ``undefined``, ``nan``), uses an unknown scheme (``htp:``), or is an http(s) URL without a valid
    host (a host that ends in a number, such as ``1.2.3.4.5``, must be an IPv4 address, as browsers
    require; ``127.1`` and ``2130706433`` are ones). Such a link is broken for every reader; it is
    not sent to the network.

    Failing::

        - **Attention Is All You Need**, [pdf](None), [code](htp://github.com/x/y)

    Passing::

        - **Attention Is All You Need**, [pdf](https://arxiv.org/pdf/1706.03762)

PL105 file-missing
    A relative link or image (Markdown or HTML ``<a href>`` / ``<img src>``) points to a file that
    does not exist. Paths are resolved from the Markdown file's folder; a path starting with ``/``
    from the repository root (the nearest folder holding ``.git``), as GitHub does. A target such as
    ``[site](www.example.com)`` without a scheme is a relative path to GitHub too; the message says
    so. A bare ``www.example.com`` in the text is not: GitHub links it to ``http://www.example.com``.

    Failing::

        ![throughput](imgs/no-such-plot.png)

    Passing::

        [jump to the top](#top)

PL106 anchor-missing
    A ``#fragment`` in the same file, or ``other.md#fragment``, that matches no heading slug (as
    GitHub computes them) and no HTML ``id``/``name`` anchor there. Percent-encoding is decoded and
    ``#top`` is always valid; ``other.md?plain=1#L12`` (GitHub's source view, with line anchors)
    is not checked. The message suggests the closest existing anchor. A fragment that
    matches only when case is ignored works in some browsers but not in others: that is a warning
    with the exact fix.

    Failing::

        - [Fine-tuning](#finetuning)

        ## Fine-tuning

    Passing::

        - [Fine-tuning](#fine-tuning)

        ## Fine-tuning
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from linter.document import Document, Link, LinkKind, Span
from linter.findings import Edit, Hit, Severity
from linter.hosts import ipv4_host
from linter.net.results import LinkResult, LinkStatus
from linter.registries import REGISTRIES, Record, Registry
from linter.rules.base import Rule, RuleContext, RuleFamily, RunMemo

PLACEHOLDERS = frozenset({"none", "null", "undefined", "nan", "nil", "todo", "tbd", "#todo"})
KNOWN_SCHEMES = frozenset(
    {
        "http", "https", "mailto", "ftp", "ftps", "sftp", "tel", "data", "irc", "ircs", "news",
        "git", "ssh", "file", "xmpp", "magnet", "sms", "zotero", "doi", "javascript", "vscode",
    }
)  # fmt: skip
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# A DNS name or IPv4 address: labels of letters, digits and hyphens (any script: IDNs are written in
# Unicode in Markdown), optionally an IPv6 literal in brackets, and an optional port.
_HOST = re.compile(
    r"^(?:\[[0-9A-Fa-f:.]+\]|(?:[^\W_](?:[\w-]*[^\W_])?\.)*[^\W_](?:[\w-]*[^\W_])?)$"
)
_AUTHORITY_END = re.compile(r"[/?#]")
# ?plain=1 makes GitHub show a Markdown file as source text.
_SOURCE_VIEW = re.compile(r"(?:^|&)plain=1(?:&|$)")
_WWW_LIKE = re.compile(r"^(?:www\.|[a-z0-9-]+\.(?:com|org|net|io|ai|edu|gov)(?:/|$))", re.I)


def is_remote(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def invalid_reason(target: str) -> str | None:
    """Why ``target`` cannot work, or None. Relative paths and fragments are valid here."""
    stripped = target.strip()
    if not stripped:
        return "empty link target"
    if stripped.lower() in PLACEHOLDERS:
        return f"placeholder link target '{stripped}'"
    if stripped.startswith("//"):
        return _host_problem(stripped[2:].split("/", 1)[0], stripped)
    match = _SCHEME.match(stripped)
    if not match:
        return None
    scheme = match.group(1).lower()
    if len(scheme) == 1:
        return f"'{stripped}' looks like a local Windows path, not a URL"
    if scheme not in KNOWN_SCHEMES:
        return f"unknown URL scheme '{match.group(1)}:'"
    if scheme in ("http", "https"):
        rest = stripped[match.end() :]
        if not rest.startswith("//"):
            return f"'{stripped}' has no '//' after '{match.group(1)}:'"
        return _host_problem(rest[2:], stripped)
    return None


def _host_problem(after_slashes: str, url: str) -> str | None:
    authority = _AUTHORITY_END.split(after_slashes, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        literal, _, port = host.partition("]")
        host, port = literal + "]", port.removeprefix(":")
    else:
        host, _, port = host.partition(":")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        return f"invalid port in '{url}'"
    if not host:
        return f"no host in '{url}'"
    if not _valid_host(host):
        return f"invalid host '{host}' in '{url}'"
    return None


# A list links a few hosts many times, and the host pattern is not cheap.
@lru_cache(maxsize=4096)
def _valid_host(host: str) -> bool:
    try:
        if ipv4_host(host) is not None:
            return True  # 127.1, 2130706433, 0x7f.1: addresses every browser visits
    except ValueError:
        return False  # ends in a number but is no IPv4 address (1.2.3.4.5): browsers refuse it
    return _HOST.match(host.rstrip(".")) is not None and (
        "." in host or host.lower() == "localhost" or host.startswith("[")
    )


def check_document(doc: Document, ctx: RuleContext) -> Iterator[Hit]:
    anchors: set[str] | None = None
    for link in doc.links:
        target = link.target.strip()
        reason = invalid_reason(link.target)
        if reason is not None:
            yield Hit("PL104", link.line, link.column, reason, url=link.target)
            continue
        if _SCHEME.match(target) or target.startswith("//"):
            continue
        if link.kind is LinkKind.BARE:
            continue  # a bare www.… address: GitHub links it to http://www.…, not to a file
        path_part, _, fragment = target.partition("#")
        path_part, _, query = path_part.partition("?")
        if not path_part:
            if anchors is None:
                anchors = doc.anchors
            yield from _check_anchor(link, fragment, anchors, doc.path, None)
            continue
        resolved = _resolve_path(doc, path_part)
        if resolved is None:
            continue
        if not _exists(resolved):
            message = f"file not found: {unquote(path_part)}"
            if _WWW_LIKE.match(path_part):
                message += " (a web address needs https:// in front, or GitHub treats it as a path)"
            yield Hit("PL105", link.line, link.column, message, url=link.target)
            continue
        if _SOURCE_VIEW.search(query):
            continue  # GitHub shows the file as source, with #L12 line anchors, not its headings
        if fragment and resolved.suffix.lower() in (".md", ".markdown") and _is_file(resolved):
            other = ctx.load_document(resolved)
            if other is not None:
                yield from _check_anchor(link, fragment, other.anchors, doc.path, path_part)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False  # a name too long, an embedded NUL: no such file can exist


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolve_path(doc: Document, path_part: str) -> Path | None:
    base = Path.cwd() if doc.path == "-" else Path(doc.path).parent
    decoded = unquote(path_part)
    if decoded.startswith("/"):
        root = _repository_root(base)
        return root / decoded.lstrip("/")
    return base / decoded


def _repository_root(start: Path) -> Path:
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def _check_anchor(
    link: Link, fragment: str, anchors: set[str], path: str, other: str | None
) -> Iterator[Hit]:
    decoded = unquote(fragment)
    if not decoded or decoded.lower() == "top" or decoded in anchors or fragment in anchors:
        return
    where = f" in {other}" if other else ""
    case_matches = sorted(anchor for anchor in anchors if anchor.lower() == decoded.lower())
    if case_matches:
        exact = case_matches[0]
        yield Hit(
            "PL106",
            link.line,
            link.column,
            f"anchor #{decoded}{where} matches #{exact} only when case is ignored",
            url=link.target,
            suggestion=f"#{exact}",
            edit=_fragment_edit(link, exact),
            severity=Severity.WARNING,
        )
        return
    message = f"anchor #{decoded} not found{where}"
    suggestion = _closest(decoded, anchors)
    if suggestion:
        message += f"; did you mean #{suggestion}?"
    yield Hit("PL106", link.line, link.column, message, url=link.target)


def _closest(fragment: str, anchors: set[str]) -> str | None:
    matches = difflib.get_close_matches(fragment.lower(), sorted(anchors), n=1, cutoff=0.6)
    return matches[0] if matches else None


def verbatim_target_span(link: Link) -> Span | None:
    """The source span of the link's target when it is written on one line exactly as parsed,
    so that an edit of it is safe; None when escapes or entities (or a line break) stand there:
    such fixes are left to a human."""
    span = link.target_span
    if span is None or span.line != span.end_line:
        return None
    if span.end_column - span.column != len(link.target):
        return None
    return span


def _fragment_edit(link: Link, anchor: str) -> Edit | None:
    """Replace just the fragment."""
    span = verbatim_target_span(link)
    hash_at = link.target.find("#")
    if span is None or hash_at < 0:
        return None
    return Edit(span.line, span.column + hash_at + 1, span.line, span.end_column, anchor)


def url_without_fragment(url: str) -> str:
    return url.strip().split("#", 1)[0]


def fetched_url(link: Link) -> str | None:
    """The URL a reader's browser fetches for ``link`` (fragment dropped), None if not http(s).

    GitHub links a bare ``www.`` address as ``http://www.…``, so that is what gets checked."""
    target = link.target.strip()
    if link.kind is LinkKind.BARE and target.lower().startswith("www."):
        target = f"http://{target}"
    if is_remote(target) and invalid_reason(target) is None:
        return url_without_fragment(target)
    return None


def fetched_urls(document: Document, memo: RunMemo | None) -> list[tuple[Link, str]]:
    """Each link of ``document`` that is fetched, with its :func:`fetched_url`; once per run
    when there is a memo: the link checker collects them before its first request, and the
    results are mapped back to the links once it is done, when the run waits on nothing else."""

    def compute() -> list[tuple[Link, str]]:
        return [(link, url) for link in document.links if (url := fetched_url(link)) is not None]

    if memo is None:
        return compute()
    return memo.get("fetched_urls", (document,), compute)


_CODES: dict[LinkStatus, str] = {
    LinkStatus.BROKEN: "PL101",
    LinkStatus.UNREACHABLE: "PL102",
    LinkStatus.TIMEOUT: "PL102",
    LinkStatus.REDIRECTED: "PL103",
    LinkStatus.RATE_LIMITED: "PL107",
    LinkStatus.BLOCKED: "PL107",
    LinkStatus.UNVERIFIED: "PL107",
    LinkStatus.SKIPPED: "PL108",
}

# The codes of dead links (results.DEAD): a grace period makes them PL110, and --suggest gives
# them an archived copy as the fix.
DEAD_CODES = frozenset({"PL101", "PL102"})

_PREFIX: dict[str, str] = {
    "PL101": "link broken",
    "PL102": "link unreachable",
    "PL107": "link unverified",
    "PL108": "link skipped",
}


def result_hit(result: LinkResult, line: int, column: int, url_as_written: str) -> Hit | None:
    """The finding for one place where ``result``'s URL is written, or None when there is nothing
    to say (ok, excluded). :func:`check_results` adds the Edit for PL103 from the link's span."""
    code = _CODES.get(result.outcome)
    if code is None:
        return None
    since = result.failing_since
    if code == "PL103":
        if not result.final_url:
            return None
        message = f"link redirected permanently to {result.final_url}"
        suggestion: str | None = result.final_url
    elif code in DEAD_CODES and since is not None and result.grace is not None:
        code = "PL110"
        prefix = f"link failing since {_day(since)}, broken after {_duration(result.grace)}"
        message = f"{prefix}: {result.reason}" if result.reason else prefix
        suggestion = None
    else:
        message = f"{_PREFIX[code]}: {result.reason}" if result.reason else _PREFIX[code]
        suggestion = None
        if result.snapshot and code in DEAD_CODES:
            message = f"{message}; archived copy: {result.snapshot}"
            suggestion = result.snapshot
    return Hit(
        code=code,
        line=line,
        column=column,
        message=message,
        url=url_as_written,
        suggestion=suggestion,
        status=result.status,
        outcome=str(result.outcome),
        failing_since=None if since is None else _instant(since),
    )


def _day(timestamp: float) -> str:
    """``2026-11-30``: the UTC date of a POSIX time."""
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


def _instant(timestamp: float) -> str:
    """``2026-11-30T06:00:00Z``: a POSIX time in UTC, to the second."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_UNITS = (("d", 86400.0), ("h", 3600.0), ("m", 60.0))


def _duration(seconds: float) -> str:
    """A duration as options are written: ``3d``, ``36h``, ``90m``, ``45s``."""
    for unit, size in _UNITS:
        if seconds >= size and (seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return f"{seconds:g}s"


def check_results(
    docs: Sequence[Document], results: Mapping[str, object], ctx: RuleContext
) -> Iterator[Hit]:
    """PL101-PL103, PL107, PL108, PL110 at every place each checked URL is written, from the
    link checker's result or, for a link a registry claims, from the registry's record."""
    checked = results.get("links")
    if not isinstance(checked, Mapping):
        checked = {}
    claimants = [
        (registry, records)
        for name, registry in REGISTRIES.items()
        if isinstance(records := results.get(name), Mapping)
    ]
    for doc in docs:
        for link, url in fetched_urls(doc, ctx.memo):
            result = checked.get(url)
            if result is None:
                result, record = _registry_result(url, claimants)
                if record is not None and record.facts.get("archived") is True:
                    yield replace(_repo_archived_hit(record, link), path=doc.path)
            if not isinstance(result, LinkResult):
                continue
            hit = result_hit(result, link.line, link.column, link.target)
            if hit is None:
                continue
            if hit.suggestion is not None and hit.code == "PL103":
                hit = _redirect_fix(hit, link)
            elif hit.suggestion is not None and hit.code in DEAD_CODES:
                hit = _archive_fix(hit, link)
            yield replace(hit, path=doc.path)


def _registry_result(
    url: str, claimants: Sequence[tuple[Registry, Mapping[str, object]]]
) -> tuple[LinkResult | None, Record | None]:
    for registry, records in claimants:
        key = registry.claims(url)
        record = records.get(key) if key is not None else None
        if isinstance(record, Record):
            return registry.link_result(url, record), record
    return None, None


def _repo_archived_hit(record: Record, link: Link) -> Hit:
    name = record.facts.get("name") or record.key
    message = f"repository {name} is archived (read-only): look for a maintained successor"
    return Hit("PL109", link.line, link.column, message, url=link.target)


def _redirect_fix(hit: Hit, link: Link) -> Hit:
    """Keep the link's own #fragment on the new URL and make the fix applicable in place."""
    assert hit.suggestion is not None
    new_url = hit.suggestion
    _, has_fragment, fragment = link.target.partition("#")
    if has_fragment and "#" not in new_url:
        new_url = f"{new_url}#{fragment}"
    span = verbatim_target_span(link)
    edit = (
        None if span is None else Edit(span.line, span.column, span.line, span.end_column, new_url)
    )
    return replace(hit, suggestion=new_url, edit=edit)


def _archive_fix(hit: Hit, link: Link) -> Hit:
    """The archived copy in place of the dead URL, as a redirect's fix is, but only where the link
    has text of its own: an autolink or a bare URL shows the URL as its text, which would change
    too (the suggestion stays)."""
    fixed = _redirect_fix(hit, link)
    if link.kind in (LinkKind.AUTOLINK, LinkKind.BARE):
        return replace(fixed, edit=None)
    return fixed


_ERR, _WARN, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
FAMILY = RuleFamily(
    "links",
    __doc__ or "",
    (
        Rule("PL101", "link-broken", _ERR, "The link target answers 404, 410 or another error.", network=True, options=("grace",)),
        Rule("PL102", "link-unreachable", _ERR, "The host cannot be reached (DNS, refused, reset, TLS, timeout).", network=True, options=("grace",)),
        Rule("PL103", "link-redirected", _WARN, "The link permanently redirects to another URL.", network=True),
        Rule("PL104", "url-invalid", _ERR, "The link target is empty, a placeholder or not a valid URL."),
        Rule("PL105", "file-missing", _ERR, "A relative link or image points to a file that does not exist."),
        Rule("PL106", "anchor-missing", _ERR, "A #fragment matches no heading or HTML anchor."),
        Rule("PL107", "link-unverified", _WARN, "The server would not let the link be verified (rate limit, bot protection).", network=True),
        Rule("PL108", "link-skipped", _INFO, "The link was not checked (private or loopback address).", network=True),
        Rule("PL109", "repo-archived", _INFO, "The linked GitHub repository is archived (read-only).", network=True),
        Rule("PL110", "link-failing", _WARN, "A link that answered before fails, for less than the grace period so far.", network=True, options=("grace",)),
    ),
    check_document=check_document,
    check_results=check_results,
)  # fmt: skip
