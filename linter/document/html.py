"""HTML in Markdown: tags, their attributes and paperlint's directive comments.

The builder scans inline and block HTML for ``<a href>`` and ``<img src>`` (links), ``id`` and
``name`` attributes (anchors) and ``<!-- paperlint-... -->`` comments (directives). These are the
patterns and the small parsers it uses; where the results go is the builder's business.
"""

from __future__ import annotations

import html
import re

_HTML_OPEN_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z_:][-A-Za-z0-9_.:]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)"
    r"\s*/?>"
)
_HTML_ATTR_RE = re.compile(
    r"([A-Za-z_:][-A-Za-z0-9_.:]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)
_HTML_SCAN_RE = re.compile(r"<!--|<(/?)[A-Za-z]")
_HTML_A_CLOSE_RE = re.compile(r"</a\s*>", re.IGNORECASE)
_HTML_STRIP_TAGS_RE = re.compile(r"<[^>]*>")
_DIRECTIVE_RE = re.compile(r"\s*paperlint-(disable-next-line|disable|enable)(?![\w-])(.*)", re.S)
_DIRECTIVE_SPLIT_RE = re.compile(r"[\s,]+")


def _attributes(attrs: str, base: int) -> dict[str, tuple[str, int, int]]:
    """Attribute name (lower case) -> (unescaped value, value start, value end); first one wins."""
    result: dict[str, tuple[str, int, int]] = {}
    for match in _HTML_ATTR_RE.finditer(attrs):
        name = match.group(1).lower()
        if name in result:
            continue
        for group in (2, 3, 4):
            if match.group(group) is not None:
                value = match.group(group)
                result[name] = (
                    html.unescape(value),
                    base + match.start(group),
                    base + match.end(group),
                )
                break
        else:
            result[name] = ("", base + match.end(), base + match.end())
    return result


def _directive(comment_body: str) -> tuple[str, tuple[str, ...]] | None:
    match = _DIRECTIVE_RE.match(comment_body)
    if match is None:
        return None
    rest = match.group(2).split("--", 1)[0]  # "-- reason" may follow the codes
    codes = tuple(code for code in _DIRECTIVE_SPLIT_RE.split(rest) if code)
    return match.group(1), codes
