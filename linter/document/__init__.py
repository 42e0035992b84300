"""markdown-it-py -> Document: entries, titles, links, headings and directives, with exact
positions.

Lines and columns are 1-based; columns count Unicode code points of the source line.

The Markdown dialect is GitHub's: CommonMark with tables, strikethrough, task list checkboxes and
bare-URL autolinks (``http://``, ``https://``, ``www.``, with cmark-gfm's trailing punctuation
and parenthesis rules). Link targets are reported as written: without ``<>``, with backslash
escapes and entities resolved, never percent-encoded; an email autolink gets ``mailto:``.

An entry is a list item (its own content, nested lists excluded) or a table body row. Its title
is, in order: the leading bold text (also inside a leading link); else the first link's text
unless that text is generic (badge images, image-only and emoji-only links are skipped); else
the plain text before the first link, without trailing separators. Generic or letterless
results give no title.

The package, one idea a module:

* ``model``: the public dataclasses (:class:`Document` and what it holds);
* ``markdown``: markdown-it instrumented to record where each construct is;
* ``blocks``: markdown-it's block rules tried only at the lines they can start at;
* ``tables``: GitHub tables as one block token, and a row's cells;
* ``positions``: content offsets -> source lines and columns;
* ``autolinks``: the bare URLs GitHub links (cmark-gfm's rules);
* ``html``: tags, attributes and directive comments;
* ``records``: the atoms and link records of an inline content, before they become the model;
* ``titles``: which text of an entry is its title;
* ``inline`` and ``builder``: the builder, its inline half and its block walk, and :func:`parse`.

Other modules import from here only.
"""

from __future__ import annotations

from linter.document.builder import parse
from linter.document.model import (
    Directive,
    Document,
    Entry,
    Heading,
    Link,
    LinkKind,
    Span,
    TextSpan,
)
from linter.document.titles import DEFAULT_GENERIC_TEXTS

__all__ = [
    "DEFAULT_GENERIC_TEXTS",
    "Directive",
    "Document",
    "Entry",
    "Heading",
    "Link",
    "LinkKind",
    "Span",
    "TextSpan",
    "parse",
]
