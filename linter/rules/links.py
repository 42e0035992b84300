"""Links that are wrong before any request is sent: invalid URLs, missing files, missing anchors.

The network rules of this family (PL101 link-broken, PL102 link-unreachable, PL103 link-redirected,
PL107 link-unverified, PL108 link-skipped) are reported by the link checker, see ``linter.net``.

PL104 url-invalid
    The link target is empty, a placeholder that a generator left behind (``None``, ``null``,
    ``undefined``, ``nan``), uses an unknown scheme (``htp:``), or is an http(s) URL without a valid
    host. Such a link is broken for every reader; it is not sent to the network.

    Failing::

        - **Attention Is All You Need**, [pdf](None), [code](htp://github.com/x/y)

    Passing::

        - **Attention Is All You Need**, [pdf](https://arxiv.org/pdf/1706.03762)

PL105 file-missing
    A relative link or image (Markdown or HTML ``<a href>`` / ``<img src>``) points to a file that
    does not exist. Paths are resolved from the Markdown file's folder; a path starting with ``/``
    from the repository root (the nearest folder holding ``.git``), as GitHub does. A target such as
    ``www.example.com`` without a scheme is a relative path to GitHub too; the message says so.

    Failing::

        ![throughput](imgs/no-such-plot.png)

    Passing::

        [jump to the top](#top)

PL106 anchor-missing
    A ``#fragment`` in the same file, or ``other.md#fragment``, that matches no heading slug (as
    GitHub computes them) and no HTML ``id``/``name`` anchor there. Percent-encoding is decoded and
    ``#top`` is always valid. The message suggests the closest existing anchor. A fragment that
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
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linter.document import Document, Link
from linter.findings import Edit, Hit, Severity
from linter.rules.base import RuleContext

CODES = ("PL104", "PL105", "PL106")

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
_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|(?:[^\W_](?:[\w-]*[^\W_])?\.)*[^\W_](?:[\w-]*[^\W_])?)$")
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
    authority = re.split(r"[/?#]", after_slashes, maxsplit=1)[0]
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
    if not _HOST.match(host.rstrip(".")) or (
        "." not in host and host.lower() != "localhost" and not host.startswith("[")
    ):
        return f"invalid host '{host}' in '{url}'"
    return None


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
        path_part, _, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        if not path_part:
            if anchors is None:
                anchors = doc.anchors
            yield from _check_anchor(link, fragment, anchors, doc.path, None)
            continue
        resolved = _resolve_path(doc, path_part)
        if resolved is None:
            continue
        if not resolved.exists():
            message = f"file not found: {unquote(path_part)}"
            if _WWW_LIKE.match(path_part):
                message += " (a web address needs https:// in front, or GitHub treats it as a path)"
            yield Hit("PL105", link.line, link.column, message, url=link.target)
            continue
        if fragment and resolved.suffix.lower() in (".md", ".markdown") and resolved.is_file():
            other = ctx.load_document(resolved)
            if other is not None:
                yield from _check_anchor(link, fragment, other.anchors, doc.path, path_part)


def _resolve_path(doc: Document, path_part: str) -> Path | None:
    if doc.path == "-":
        base = Path.cwd()
    else:
        base = Path(doc.path).parent
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
            fix=f"#{exact}",
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


def _fragment_edit(link: Link, anchor: str) -> Edit | None:
    """Replace just the fragment, when the target is written on one line exactly as parsed."""
    span = link.target_span
    if span is None or span.line != span.end_line:
        return None
    if span.end_column - span.column != len(link.target):
        return None  # escapes or entities in the source: leave the fix to a human
    hash_at = link.target.find("#")
    if hash_at < 0:
        return None
    return Edit(span.line, span.column + hash_at + 1, span.line, span.end_column, anchor)
