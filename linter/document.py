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
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from operator import attrgetter
from types import ModuleType
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType

from linter.slugs import Slugger
from linter.tables import TABLE_META, TABLE_TOKEN, Cell, TableBlock, split_row
from linter.tables import table as table_rule

try:
    from markdown_it.common.utils import MD_TRIM_CHARS
except ImportError:  # markdown-it-py < 4 trims with str.strip()
    MD_TRIM_CHARS = " \t\n\x0b\x0c\r"
from markdown_it.common.utils import normalizeReference, unescapeAll


class LinkKind(StrEnum):
    INLINE = "inline"  # [text](url)
    REFERENCE = "reference"  # [text][ref], [ref][], [ref] with a [ref]: url definition
    AUTOLINK = "autolink"  # <https://...>
    BARE = "bare"  # https://... or www.... that GitHub autolinks
    HTML = "html"  # <a href> / <img src> in inline or block HTML


@dataclass(frozen=True, slots=True)
class Span:
    """A source range; the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # the destination as written, <> removed, backslash escapes and entities resolved
    text: str  # plain text of the label (alt text for images), "" for autolinks
    line: int  # start of the whole link construct
    column: int
    kind: LinkKind
    image: bool = False
    target_span: Span | None = None  # exact source range of the destination (for --fix)
    entry: int | None = None  # index into Document.entries of the innermost entry, None in prose
    section: int | None = None  # index into Document.headings of the enclosing heading


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A run of inline text of an entry (text or code span) with where it starts."""

    text: str
    line: int
    column: int
    code: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    kind: str  # "item" (list item) or "row" (table body row)
    line: int
    column: int
    end_line: int  # last source line of the entry's own content (nested items excluded)
    title: str | None
    title_line: int | None
    title_column: int | None
    title_source: str | None  # "bold", "link" or "text"
    links: tuple[int, ...]  # indices into Document.links of own links (nested items excluded)
    title_link: int | None  # index into Document.links of the link that gave the title, if any
    texts: tuple[TextSpan, ...]  # the entry's own inline text and code spans, in order
    parent: int | None = None  # enclosing entry for nested list items
    section: int | None = None  # index into Document.headings


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    slug: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Directive:
    """An inline ``<!-- paperlint-... -->`` comment."""

    action: str  # "disable", "enable" or "disable-next-line"
    codes: tuple[str, ...]  # as written; empty means every rule
    line: int
    column: int


@dataclass(slots=True)
class Document:
    path: str
    source: str
    lines: list[str]
    links: list[Link] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    html_anchors: set[str] = field(default_factory=set)
    directives: list[Directive] = field(default_factory=list)
    lossy: bool = False  # decoded with replacement characters: the file held invalid UTF-8

    @property
    def anchors(self) -> set[str]:
        return {heading.slug for heading in self.headings} | self.html_anchors


DEFAULT_GENERIC_TEXTS: frozenset[str] = frozenset(
    {
        "paper", "pdf", "arxiv", "code", "link", "here", "project", "project page", "slides",
        "video", "blog", "website", "html", "bib", "bibtex", "abs", "abstract", "doi", "github",
        "repo", "demo", "poster", "talk", "openreview", "official", "page", "homepage", "post",
        "supplementary", "data", "dataset", "model", "weights", "huggingface", "hf", "youtube",
        "tweet", "twitter", "thread", "notes", "review", "pwc", "papers with code",
        "semantic scholar",
        "google scholar", "scholar", "acl", "acm", "ieee", "springer", "pmlr", "neurips", "icml",
        "iclr", "cvpr", "citation", "cite", "cication", "star", "stars", "source", "src",
        # Chinese and Japanese labels of bilingual lists: paper, code, project (page), homepage,
        # blog, video, dataset, demo, Zhihu (write-ups).
        "论文", "論文", "代码", "コード", "项目", "项目主页", "主页", "博客", "视频", "数据集", "演示",
        "知乎",
    }
)  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Parsing machinery. markdown-it-py only reports block line ranges, so the parser is instrumented:
# every inline rule that creates tokens records the offsets (into the inline content) where its
# construct starts and ends, pending plain text remembers where it started, list items remember
# their marker offset, tables their row offsets and reference definitions their destination.
# Content offsets are then mapped back to source lines and columns.
# --------------------------------------------------------------------------------------------------

_P = "pl_pos"  # content offset where the construct of an inline token starts
_E = "pl_end"  # content offset just past it
_LABEL_END = "pl_label_end"  # offset of the "]" closing a link label (on link_open)
_DEST_START = "pl_dest_start"
_DEST_END = "pl_dest_end"
_TARGET = "pl_target"  # inline link destination, unescaped but not normalised
_REF = "pl_ref"  # normalised label of a reference link
_ENV_MARKERS = "pl_markers"  # id(list_item_open token) -> absolute offset of its marker
_ENV_ROWS = "pl_rows"  # line -> (absolute start, absolute end) of a table row's text (stock rule)
_ENV_DEFS = "pl_defs"  # normalised label -> (absolute dest start, absolute dest end, target)

_TRIM = MD_TRIM_CHARS

# Characters stripped around a link text before comparing it with the generic texts.
_WORD_RE = re.compile(r"[^\W_]+")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_GENERIC_STRIP = " \t\n[](){}<>\"'`*_~.,;:!?-–—|/\\#"
# Characters stripped from the end of a title made of leading plain text.
_TITLE_TAIL_STRIP = " \t\n:-–—|,;/·•([{"
# A list number written as text, as digests number the rows of their tables: "6) **Attention as an
# RNN** - presents ...". It is not part of the title.
_ENUMERATOR = re.compile(r"\(?\d{1,3}[.)](?:\s+|$)")
# Where a description starts after a title written as plain text: "Title - presents a new ...".
_DESCRIPTION_SEPARATOR = re.compile(r" [-–—] ")

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
_BARE_TRIGGER_RE = re.compile(r"://|www\.")
_BARE_END_RE = re.compile(r"[ \t\n\v\f\r<]")
_BARE_SCHEMES = ("http", "https")
_ASCII_SPACE = " \t\n\v\f\r"
_BARE_TRAILING = "?!.,:*_~'\""
_BARE_WWW_PREFIXES = "*_~("
# An underscore in the last two domain labels disables a bare link unless the domain has more
# labels than this (cmark-gfm's guard against quadratic behaviour).
BARE_UNDERSCORE_LABEL_LIMIT = 10


# Block and inline nesting levels parsed before markdown-it stops descending (a list level takes two).
MAX_NESTING = 100


def _normalize_newlines(text: str) -> str:
    """Every line break (CRLF, CR or LF) as LF, as markdown-it and CommonMark see them."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_host_char(char: str) -> bool:
    if char.isascii():
        return char.isalnum()
    category = unicodedata.category(char)
    return not (category[0] == "P" or category == "Zs")


class _Atom:
    """One piece of inline text, in content coordinates."""

    __slots__ = ("code", "offset", "owner", "text", "verbatim")

    def __init__(
        self, offset: int, text: str, owner: int | None, verbatim: bool, code: bool
    ) -> None:
        self.offset = offset  # -1 when unknown
        self.text = text
        self.owner = owner  # the link record whose label contains it
        self.verbatim = verbatim  # text equals the source it was read from
        self.code = code


class _LinkRecord:
    """A link found in one inline token, before it becomes a Link."""

    __slots__ = (
        "has_image",
        "has_text",
        "image",
        "image_only",
        "kind",
        "offset",
        "parts",
        "span",
        "target",
        "text",
        "text_offset",
        "token",
    )

    def __init__(
        self,
        offset: int,
        kind: LinkKind,
        target: str,
        span: Span | None,
        image: bool = False,
        token: Token | None = None,
    ) -> None:
        self.offset = offset
        self.kind = kind
        self.target = target
        self.span = span
        self.image = image
        self.token = token
        self.text = ""
        self.parts: list[str] = []
        self.text_offset: int | None = None  # first non-blank text inside the label
        self.has_text = False
        self.has_image = False
        self.image_only = False

    def add_text(self, offset: int, text: str) -> None:
        """A piece of the label's text; ``offset`` is -1 when unknown."""
        self.parts.append(text)
        if text.strip():
            self.has_text = True
            if self.text_offset is None and offset >= 0:
                self.text_offset = offset + len(text) - len(text.lstrip())

    @property
    def counts_as_first(self) -> bool:
        """Images, badge-only and emoji-only links do not count as an entry's first link."""
        if self.image or self.image_only:
            return False
        if self.kind in (LinkKind.AUTOLINK, LinkKind.BARE):
            return True
        return any(char.isalnum() for char in self.text)


_record_offset = attrgetter("offset")


class _ContentMap:
    """Maps offsets in an inline content string to 1-based source (line, column)."""

    __slots__ = ("_columns", "_lines", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._lines: list[int] = []
        self._columns: list[int] = []  # 0-based column of the segment start

    def add(self, offset: int, line: int, column: int) -> None:
        if self._starts and offset <= self._starts[-1]:
            self._starts.pop()
            self._lines.pop()
            self._columns.pop()
        self._starts.append(offset)
        self._lines.append(line)
        self._columns.append(max(column, 0))

    def at(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        if not starts:
            return 1, 1
        index = bisect_right(starts, offset) - 1 if len(starts) > 1 else 0
        if index < 0:
            index = 0
        column = self._columns[index] + offset - starts[index]
        return self._lines[index], (column if column > 0 else 0) + 1


def _align(line: str, text: str, trimmed_end: bool) -> int:
    """Column where ``text`` sits at the end of ``line`` (-1 if it does not)."""
    if not trimmed_end:
        return len(line) - len(text) if line.endswith(text) else -1
    index = line.rfind(text)
    if index < 0 or line[index + len(text) :].strip():
        return -1
    return index


def _block_map(
    content: str, first_line: int, line_count: int, lines: list[str], trimmed_end: bool
) -> _ContentMap:
    """Content made of source line suffixes: paragraphs, setext headings, HTML blocks.

    ``first_line`` is 0-based and the block has ``line_count`` source lines. Container markers
    and indentation cut from the front of each line are what the suffix alignment skips; a
    partially consumed tab shows up as spaces that do not exist in the source, which is why a
    failed alignment is retried without leading spaces.
    """
    cmap = _ContentMap()
    offset = 0
    parts = content.split("\n")
    last = len(parts) - 1
    if trimmed_end and len(parts) < line_count:
        # Trimming the content removed whole lines of exotic blanks (U+00A0, U+3000...) that
        # markdown-it does not count as blank lines: find the line the content starts on.
        head = parts[0].lstrip(" ")
        for skipped in range(line_count - len(parts) + 1):
            line_no = first_line + skipped
            line = lines[line_no] if line_no < len(lines) else ""
            if _align(line, head, last == 0) >= 0:
                first_line = line_no
                break
    for index, text in enumerate(parts):
        line_no = first_line + index
        line = lines[line_no] if line_no < len(lines) else ""
        lead = 0
        column = _align(line, text, trimmed_end and index == last)
        if column < 0:
            stripped = text.lstrip(" ")
            lead = len(text) - len(stripped)
            column = _align(line, stripped, trimmed_end and index == last)
            if column < 0:
                column = max(len(line) - len(text), 0)
                lead = 0
            elif lead:
                cmap.add(offset, line_no + 1, column - lead)
        cmap.add(offset + lead, line_no + 1, column)
        offset += len(text) + 1
    return cmap


# --- instrumented markdown-it ---------------------------------------------------------------------


class _PosStateInline(StateInline):
    """Remembers where pending plain text started."""

    _pl_start: int | None = None

    def append_pending(self, text: str) -> None:
        if self._pl_start is None:
            self._pl_start = self.pos
        super().append_pending(text)

    def pushPending(self) -> Token:
        start = self._pl_start
        token = super().pushPending()
        self._pl_start = None
        if start is not None:
            token.meta[_P] = start
        return token


_InlineRule = Callable[[StateInline, bool], bool]
_BlockRule = Callable[[StateBlock, int, int, bool], bool]

# The characters each inline rule can start at (anywhere else it fails at once, changing nothing).
# "text" starts at any character that is not a terminator, and always succeeds there.
_INLINE_TRIGGERS = {
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[",
    "image": "!",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
}


class _PosParserInline(ParserInline):
    """Tries, at each position, only the rules that can start at its character.

    markdown-it tries every rule in turn at every stop; the rules that cannot start at the
    character fail without side effects, so skipping them changes nothing but the time spent.
    Rules of unknown triggers are tried everywhere; markdown-it's own loops take over when the
    rule chain is not the one this was prepared for.
    """

    # The ruler's compiled chains the dispatch table was built from (a new dict once rules change).
    _pl_chains: dict[str, list[_InlineRule]] | None = None
    _pl_text: _InlineRule | None = None
    _pl_others: tuple[tuple[_InlineRule, str | None], ...] = ()
    _pl_table: dict[str, tuple[_InlineRule, ...]]

    def prepare_dispatch(self) -> None:
        self._pl_chains = None
        rules = self.ruler.getRules("")
        active = [rule for rule in self.ruler.__rules__ if rule.enabled]
        if (
            [rule.fn for rule in active] != rules
            or not active
            or active[0].name != "text"
            or not isinstance(getattr(self, "terminator_re", None), re.Pattern)
        ):
            return
        self._pl_text = active[0].fn
        self._pl_others = tuple((rule.fn, _INLINE_TRIGGERS.get(rule.name)) for rule in active[1:])
        self._pl_table = {}
        self._pl_chains = self.ruler.__cache__

    def _rules_at(self, char: str) -> tuple[_InlineRule, ...]:
        found = self._pl_table.get(char)
        if found is None:
            if self.terminator_re.match(char) is None:
                assert self._pl_text is not None
                found = (self._pl_text,)
            else:
                found = tuple(
                    rule for rule, chars in self._pl_others if chars is None or char in chars
                )
            self._pl_table[char] = found
        return found

    def parse(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = _PosStateInline(src, md, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens

    def tokenize(self, state: StateInline) -> None:
        tokens = state.tokens
        if tokens and tokens[-1].type == "link_open":
            # The link rule tokenizes the label right after pushing link_open, with posMax at
            # the label's closing "]". (A block's inline content starts with no tokens.)
            tokens[-1].meta[_LABEL_END] = state.posMax
        chains = self._pl_chains
        if chains is None or self.ruler.__cache__ is not chains:
            super().tokenize(state)
            return
        # ParserInline.tokenize, with the rules of the character at each stop.
        table = self._pl_table
        src = state.src
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                char = src[pos]
                rules = table.get(char)
                if rules is None:
                    rules = self._rules_at(char)
                for rule in rules:
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                if state.pos >= end:
                    break
                continue
            state.append_pending(src[pos])
            state.pos += 1
        if state.pending:
            state.pushPending()

    def skipToken(self, state: StateInline) -> None:
        pos = state.pos
        chains = self._pl_chains
        if chains is None or self.ruler.__cache__ is not chains or pos >= len(state.src):
            super().skipToken(state)
            return
        # ParserInline.skipToken, with the rules of the character at pos.
        cache = state.cache
        if pos in cache:
            state.pos = cache[pos]
            return
        ok = False
        if state.level < state.md.options["maxNesting"]:
            char = state.src[pos]
            rules = self._pl_table.get(char)
            if rules is None:
                rules = self._rules_at(char)
            for rule in rules:
                state.level += 1
                ok = rule(state, True)
                state.level -= 1
                if ok:
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    break
        else:
            state.pos = state.posMax
        if not ok:
            state.pos += 1
        cache[pos] = state.pos


def _track(
    rule: _InlineRule,
    record: Callable[[StateInline, int, int], None] | None = None,
) -> _InlineRule:
    """Record the construct's start and end offsets on every token the rule creates; ``record``
    (given the state, the index of the first new token and the start offset) notes more."""

    def tracked(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start = state.pos
        count = len(state.tokens)
        if not rule(state, silent):
            return False
        _mark_new_tokens(state.tokens, count, start, state.pos)
        if record is not None:
            record(state, count, start)
        return True

    return tracked


def _mark_new_tokens(tokens: list[Token], first: int, start: int, end: int) -> None:
    """Give the tokens from index ``first`` on, that have no offsets yet, the construct's span."""
    for index in range(first, len(tokens)):
        meta = tokens[index].meta
        if _P not in meta:
            meta[_P] = start
            meta[_E] = end


def _track_delimiters(rule: _InlineRule) -> _InlineRule:
    """Emphasis rules create one text token per delimiter run piece, in source order."""

    def tracked(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        cursor = state.pos
        count = len(state.tokens)
        if not rule(state, silent):
            return False
        tokens = state.tokens
        for index in range(count, len(tokens)):
            token = tokens[index]
            if _P not in token.meta:
                token.meta[_P] = cursor
                cursor += len(token.content)
                token.meta[_E] = cursor
        return True

    return tracked


# A destination without "<", "(" or "\\" ends at the first space, control character or ")".
_PLAIN_DESTINATION_RE = re.compile(r"[^ \x00-\x1f\x7f()\\<]*")


def _parse_destination(src: str, pos: int, limit: int) -> tuple[int, str] | None:
    """(end, unescaped destination) as markdown-it's parseLinkDestination finds it, or None."""
    match = _PLAIN_DESTINATION_RE.match(src, pos, limit)
    end = match.end() if match else pos
    if end < limit and src[end] in "(\\<":
        result = parseLinkDestination(src, pos, limit)
        return (result.pos, result.str) if result.ok else None
    if end == pos:
        return None
    return end, unescapeAll(src[pos:end])


_LinkResult = type(parseLinkDestination("", 0, 0))


def _link_destination(string: str, pos: int, maximum: int) -> Any:
    """markdown-it's parseLinkDestination, with a destination without "<", "(" or "\\" matched at
    once: its character loop was a sixth of the time of a table of links."""
    match = _PLAIN_DESTINATION_RE.match(string, pos, maximum)
    end = match.end() if match else pos
    if end == pos or (end < maximum and string[end] in "(\\<"):
        return parseLinkDestination(string, pos, maximum)
    result = _LinkResult()
    result.ok, result.pos, result.str = True, end, unescapeAll(string[pos:end])
    return result


def _destination(
    state: StateInline, meta: dict[Any, Any], label_start: int, label_end: int
) -> None:
    """Record where an inline link's destination is, or which reference label it uses."""
    src = state.src
    end = meta[_E]
    pos = label_end + 1
    if end > pos and src[end - 1] == ")" and src[pos] == "(":
        pos += 1
        limit = state.posMax
        while pos < limit and src[pos] in " \t\n":
            pos += 1
        found = _parse_destination(src, pos, limit)
        if found is not None:
            start, stop = pos, found[0]
            if src[pos] == "<":
                start, stop = start + 1, stop - 1
            meta[_DEST_START], meta[_DEST_END], meta[_TARGET] = start, stop, found[1]
        else:
            meta[_DEST_START], meta[_DEST_END], meta[_TARGET] = pos, pos, ""
        return
    label = src[pos + 1 : end - 1] if end > pos and src[pos] == "[" else ""
    if not label:
        label = src[label_start:label_end]
    meta[_REF] = normalizeReference(label)


def _record_link_destination(state: StateInline, first: int, start: int) -> None:
    """Where the link's destination is (or its reference)."""
    opening = closing = None
    for index in range(first, len(state.tokens)):
        token = state.tokens[index]
        kind = token.type
        if kind == "link_open" and opening is None and token.meta[_P] == start:
            opening = token
        elif kind == "link_close":
            closing = token
    if opening is not None and closing is not None:
        _destination(state, opening.meta, start + 1, opening.meta.get(_LABEL_END, start))


def _track_newline(rule: _InlineRule) -> _InlineRule:
    """The newline rule may trim the pending text to nothing: text after it starts afresh.

    (It is the only rule of the chain that changes the pending text other than by appending.)"""

    def tracked(state: StateInline, silent: bool) -> bool:
        if not rule(state, silent):
            return False
        if not silent and isinstance(state, _PosStateInline):
            state._pl_start = None
        return True

    return tracked


def _record_image_destination(state: StateInline, first: int, start: int) -> None:
    """Where the image's destination is (or its reference)."""
    for index in range(first, len(state.tokens)):
        token = state.tokens[index]
        if token.type == "image" and token.meta.get(_P) == start:
            label_end = start + 2 + len(token.content)
            _destination(state, token.meta, start + 2, label_end)
            break


def _track_list(rule: _BlockRule) -> _BlockRule:
    """Record the source offset of every list item marker.

    The marker is where the item's first line starts (after container markers) when the list
    rule pushes the item, which is again the case when the rule returns: it moves that line's
    start past the marker only while it parses the item. A nested list's items are recorded when
    their own rule call returns, while the enclosing item still shifts their line, so the items
    recorded already are left alone. Keyed by token identity: the rule replaces token.meta when
    it finds a task checkbox.
    """

    def tracked(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        count = len(state.tokens)
        if not rule(state, start_line, end_line, silent):
            return False
        if not silent:
            markers = state.env.setdefault(_ENV_MARKERS, {})
            tokens = state.tokens
            for index in range(count, len(tokens)):
                token = tokens[index]
                if token.type == "list_item_open" and token.map and id(token) not in markers:
                    line = token.map[0]
                    markers[id(token)] = state.bMarks[line] + state.tShift[line]
        return True

    return tracked


def _track_table(rule: _BlockRule) -> _BlockRule:
    def tracked(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not rule(state, start_line, end_line, silent):
            return False
        if not silent:
            rows = state.env.setdefault(_ENV_ROWS, {})
            for line in range(start_line, state.line):
                rows[line] = (state.bMarks[line] + state.tShift[line], state.eMarks[line])
        return True

    return tracked


def _record_definition(state: StateBlock, start_line: int) -> None:
    """Find the destination of the reference definition that spans start_line..state.line."""
    src = state.src
    text = ""
    pieces: list[tuple[int, int]] = []  # (offset in text, absolute offset)
    for line in range(start_line, state.line):
        begin = state.bMarks[line] + state.tShift[line]
        pieces.append((len(text), begin))
        text += src[begin : state.eMarks[line] + 1]
    pos = 1
    label_end = -1
    while pos < len(text):
        char = text[pos]
        if char == "]":
            label_end = pos
            break
        if char == "\\":
            pos += 1
        pos += 1
    if label_end < 0 or not text.startswith("]:", label_end):
        return
    pos = label_end + 2
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    result = parseLinkDestination(text, pos, len(text))
    if not result.ok:
        return
    start, stop = pos, result.pos
    if text[pos] == "<":
        start, stop = start + 1, stop - 1

    def absolute(offset: int) -> int:
        base_text, base_abs = pieces[0]
        for piece_text, piece_abs in pieces:
            if piece_text > offset:
                break
            base_text, base_abs = piece_text, piece_abs
        return base_abs + offset - base_text

    definitions = state.env.setdefault(_ENV_DEFS, {})
    label = normalizeReference(text[1:label_end])
    if label not in definitions:  # the first definition of a label wins
        definitions[label] = (absolute(start), absolute(stop), result.str)


def _track_reference(rule: _BlockRule) -> _BlockRule:
    def tracked(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not rule(state, start_line, end_line, silent):
            return False
        if not silent:
            _record_definition(state, start_line)
        return True

    return tracked


def _replace_rule(ruler: Any, name: str, wrap: Callable[[Any], Any]) -> None:
    index = ruler.__find__(name)
    if index < 0:
        return
    rule = ruler.__rules__[index]
    ruler.at(name, wrap(rule.fn), {"alt": list(rule.alt)})


class _AsWrittenMarkdownIt(MarkdownIt):
    """Keeps URLs as written: the document reports targets verbatim, and percent-encoding every
    href (markdown-it's default) would only cost time."""

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


@cache
def _markdown(stock_tables: bool = False) -> MarkdownIt:
    """The instrumented parser; ``stock_tables`` keeps markdown-it's table rule and its token per
    cell (what the tests compare linter.tables against)."""
    md = _AsWrittenMarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.options["strikethrough_single_tilde"] = True  # GitHub accepts ~one~ tilde
    md.options["tasklists"] = True  # "- [x] " is a checkbox, not part of the item's text
    # The commonmark preset stops at 20 levels (a list item takes two), so the content of the
    # tenth nested list vanished without a word. markdown-it's own default is 100; deeper input
    # is still cut there, well before Python's recursion limit.
    md.options["maxNesting"] = MAX_NESTING
    # Both rules merge text tokens, which would lose the recorded positions.
    md.core.ruler.disable("text_join", ignoreInvalid=True)
    # The builder hands over text whose newlines and NULs are already normalised the same way.
    md.core.ruler.disable("normalize", ignoreInvalid=True)
    md.inline.ruler2.disable("fragments_join", ignoreInvalid=True)
    # The rules call the helpers through md.helpers (markdown-it's module): a copy of it.
    helpers = ModuleType("paperlint_markdown_helpers")
    helpers.__dict__.update(md.helpers.__dict__)
    helpers.__dict__["parseLinkDestination"] = _link_destination
    md.helpers = helpers
    inline = _PosParserInline()
    inline.__dict__.update(md.inline.__dict__)
    md.inline = inline
    for name in ("escape", "backticks", "autolink", "html_inline", "entity"):
        _replace_rule(md.inline.ruler, name, _track)
    _replace_rule(md.inline.ruler, "strikethrough", _track_delimiters)
    _replace_rule(md.inline.ruler, "emphasis", _track_delimiters)
    _replace_rule(md.inline.ruler, "link", lambda rule: _track(rule, _record_link_destination))
    _replace_rule(md.inline.ruler, "newline", _track_newline)
    _replace_rule(md.inline.ruler, "image", lambda rule: _track(rule, _record_image_destination))
    _replace_rule(md.block.ruler, "list", _track_list)
    if stock_tables:
        _replace_rule(md.block.ruler, "table", _track_table)
    else:
        _replace_rule(md.block.ruler, "table", lambda rule: table_rule)
    _replace_rule(md.block.ruler, "reference", _track_reference)
    inline.prepare_dispatch()
    return md


# --- bare URLs (GFM extended autolinks, as cmark-gfm finds them) ----------------------------------


def _check_domain(data: str, start: int, allow_short: bool) -> int:
    """End of the domain starting at ``start``, or -1; cmark-gfm's check_domain."""
    size = len(data) - start
    if size < 2:
        return -1
    periods = underscores_last = underscores_current = 0
    index = 1
    while index < size - 1:
        char = data[start + index]
        if char == "\\" and index < size - 2:
            index += 1
            char = data[start + index]
        if char == "_":
            underscores_current += 1
        elif char == ".":
            underscores_last = underscores_current
            underscores_current = 0
            periods += 1
        elif char != "-" and not _is_host_char(char):
            break
        index += 1
    if (underscores_last or underscores_current) and periods <= BARE_UNDERSCORE_LABEL_LIMIT:
        return -1
    if not allow_short and not periods:
        return -1
    return start + index


def _trim_bare(candidate: str) -> int:
    """Length of a bare URL after GFM's trailing punctuation rules; cmark-gfm's autolink_delim."""
    end = len(candidate)
    opening = candidate.count("(")
    closing = candidate.count(")")
    while end > 0:
        char = candidate[end - 1]
        if char == ")":
            if closing <= opening:
                return end
            closing -= 1
            end -= 1
        elif char in _BARE_TRAILING:
            end -= 1
        elif char == ";":
            if end < 2:
                return 0
            cut = end - 2
            while cut > 0 and candidate[cut].isascii() and candidate[cut].isalpha():
                cut -= 1
            end = cut if cut < end - 2 and candidate[cut] == "&" else end - 1
        else:
            return end
    return end


def _trigger_outside(content: str, skips: list[tuple[int, int]]) -> bool:
    """Whether a bare URL trigger ("://" or "www.") starts outside the sorted, disjoint ranges."""
    gap_start = 0
    for gap_end, next_start in [*skips, (len(content), len(content))]:
        # A trigger starting in [gap_start, gap_end) may end past gap_end.
        if gap_start < gap_end and (
            content.find("://", gap_start, gap_end + 2) >= 0
            or content.find("www.", gap_start, gap_end + 3) >= 0
        ):
            return True
        gap_start = next_start
    return False


def _bare_urls(content: str, skips: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the bare URLs GitHub links in ``content``, outside the skipped ranges."""
    found: list[tuple[int, int]] = []
    merged: list[tuple[int, int]] = []
    for start, end in sorted(skips):  # nested ranges (an image in a link) must not hide the outer
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    skips = merged
    if not _trigger_outside(content, skips):
        return found  # the usual case: every URL of the content is inside a link or code span
    skip_starts = [start for start, _ in skips]
    resume = 0
    for match in _BARE_TRIGGER_RE.finditer(content):
        trigger = match.start()
        if trigger < resume:
            continue
        # inside a code span, link, tag...?
        index = bisect_right(skip_starts, trigger) - 1
        if index >= 0 and skips[index][0] <= trigger < skips[index][1]:
            continue
        if match.group() == "://":
            begin = trigger
            while begin > 0 and content[begin - 1].isascii() and content[begin - 1].isalpha():
                begin -= 1
            scheme = content[begin:trigger].lower()
            if scheme not in _BARE_SCHEMES:
                continue
            host = trigger + 3
            if host >= len(content) or not _is_host_char(content[host]):
                continue
            domain_end = _check_domain(content, host, allow_short=True)
            minimum = host + 1
        else:
            begin = trigger
            if begin > 0 and not (
                content[begin - 1] in _ASCII_SPACE or content[begin - 1] in _BARE_WWW_PREFIXES
            ):
                continue
            domain_end = _check_domain(content, begin, allow_short=False)
            minimum = begin + 5
        if domain_end < 0:
            continue
        limit = skip_starts[index + 1] if index + 1 < len(skip_starts) else len(content)
        stop = _BARE_END_RE.search(content, domain_end, limit)
        end = stop.start() if stop else limit
        end = begin + _trim_bare(content[begin:end])
        if end < minimum:
            continue
        found.append((begin, end))
        resume = end
    return found


# --- HTML -----------------------------------------------------------------------------------------


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


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_generic(text: str, generic_texts: frozenset[str]) -> bool:
    normalized = _collapse(text).strip(_GENERIC_STRIP).lower()
    return not normalized or normalized in generic_texts


def _is_label(text: str, generic_texts: frozenset[str]) -> bool:
    """A link text made of generic words and years only ("Paper PDF", "[arXiv 2023]", "Code &
    Data"): a label, not a title. Other numbers keep a text a title ("Paper 1")."""
    words = _WORD_RE.findall(text.lower())
    return any(word in generic_texts for word in words) and all(
        word in generic_texts or _YEAR_RE.fullmatch(word) for word in words
    )


def _alt_text(tokens: list[Token] | None) -> str:
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_alt_text(token.children))
    return "".join(parts)


def _code_start(token: Token, content: str) -> int:
    """Offset of a code span's first content character (-1 if unknown)."""
    start: int = token.meta.get(_P, -1)
    if start < 0:
        return -1
    ticks = len(token.markup)
    inner = start + ticks
    end: int = token.meta.get(_E, start)
    raw = content[inner : end - ticks].replace("\n", " ")
    if raw.startswith(" ") and raw.endswith(" ") and raw.strip(" "):
        inner += 1  # markdown-it strips one space from each side
    return inner


def _significant(children: list[Token], start: int) -> int | None:
    """Index of the first child from ``start`` that is not blank text."""
    for index in range(start, len(children)):
        token = children[index]
        if token.type == "text" and not token.content.strip():
            continue
        return index
    return None


# --- the document builder -------------------------------------------------------------------------

# Inline token types the builder reads (emphasis and strikethrough delimiters it skips).
_BUILT_INLINE_KINDS = frozenset(
    {
        "text_special",
        "code_inline",
        "softbreak",
        "hardbreak",
        "link_open",
        "link_close",
        "image",
        "html_inline",
    }
)


@dataclass(slots=True)
class _EntryBuilder:
    index: int
    kind: str
    line: int
    column: int
    parent: int | None
    section: int | None
    end_line: int
    links: list[int] = field(default_factory=list)
    # The atoms of each inline block of the entry's own content, with the block's map.
    atoms: list[tuple[list[_Atom], _ContentMap]] = field(default_factory=list)
    title: tuple[str, int, int, str, int | None] | None = None
    title_tried: bool = False
    # The text spans, once the entry is complete (a table row): its atoms are dropped then.
    texts: tuple[TextSpan, ...] | None = None


@dataclass
class _InlineResult:
    title: tuple[str, int, int, str, int | None] | None


# Distinct plain cell texts whose title is remembered (enough for a table's repeated values).
_PLAIN_TITLES_KEPT = 4096


class _Builder:
    # markdown-it's own table rule and tokens instead of linter.tables (the tests compare them).
    stock_tables = False

    def __init__(self, source: str, path: str, generic_texts: frozenset[str]) -> None:
        self.generic_texts = generic_texts
        # A byte order mark would hide a first-line heading from markdown-it; a space keeps
        # every column where it is.
        text = " " + source[1:] if source.startswith("\ufeff") else source
        self.normalized = _normalize_newlines(text).replace("\0", "\ufffd")
        self.norm_lines = self.normalized.split("\n")
        lines = _normalize_newlines(source).split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()
        self.doc = Document(path=path, source=source, lines=lines)
        self.line_starts: list[int] = []
        offset = 0
        for line in self.norm_lines:
            self.line_starts.append(offset)
            offset += len(line) + 1
        self.env: dict[str, Any] = {}
        self.entries: list[_EntryBuilder | Entry] = []  # an Entry when made at once
        self.item_stack: list[_EntryBuilder] = []
        self.row: _EntryBuilder | None = None
        self.row_cells: dict[int, list[tuple[str, list[tuple[int, int]]]]] = {}
        # Plain cell text -> (title, its column from the text's start, source) or None.
        self.plain_titles: dict[str, tuple[str, int, str] | None] = {}
        self.section: int | None = None
        self.slugger = Slugger()

    # positions ------------------------------------------------------------------------------------

    def absolute(self, offset: int) -> tuple[int, int]:
        index = max(bisect_right(self.line_starts, offset) - 1, 0)
        return index + 1, offset - self.line_starts[index] + 1

    def current_entry(self) -> _EntryBuilder | None:
        if self.row is not None:
            return self.row
        return self.item_stack[-1] if self.item_stack else None

    # block walk -----------------------------------------------------------------------------------

    def build(self) -> Document:
        tokens = _markdown(self.stock_tables).parse(self.normalized, self.env)
        in_tbody = False
        cell_index = 0
        container: Token | None = None  # the block token that owns the next inline token
        heading: Token | None = None
        item_stack = self.item_stack
        for token in tokens:
            kind = token.type
            # self.current_entry(), inlined: this runs for every block token.
            entry = self.row if self.row is not None else item_stack[-1] if item_stack else None
            if (
                entry is not None
                and token.map is not None
                and entry.kind == "item"
                and kind not in ("bullet_list_open", "ordered_list_open", "list_item_open")
            ):
                entry.end_line = max(entry.end_line, token.map[1])
            if kind == "list_item_open":
                self.open_item(token)
            elif kind == "list_item_close":
                if self.item_stack:
                    self.item_stack.pop()
            elif kind == "tbody_open":
                in_tbody = True
            elif kind == "tbody_close":
                in_tbody = False
            elif kind == "tr_open":
                cell_index = 0
                if in_tbody and token.map is not None:
                    self.open_row(token.map[0])
            elif kind == "tr_close":
                self.row = None
            elif kind in ("th_open", "td_open", "paragraph_open"):
                container = token
            elif kind == "heading_open":
                container = heading = token
            elif kind == "inline":
                if container is not None and container.type in ("th_open", "td_open"):
                    self.cell_inline(token, cell_index)
                    cell_index += 1
                elif heading is not None and container is heading:
                    self.heading_inline(heading, token)
                    heading = None
                else:
                    self.paragraph_inline(token)
                container = None
            elif kind == "html_block":
                self.html_block(token)
            elif kind == TABLE_TOKEN:
                self.table(token.meta[TABLE_META])
        return self.finish()

    def open_item(self, token: Token) -> None:
        marker = self.env.get(_ENV_MARKERS, {}).get(id(token))
        line0 = token.map[0] if token.map else 0
        line, column = self.absolute(marker) if marker is not None else (line0 + 1, 1)
        parent = self.item_stack[-1].index if self.item_stack else None
        entry = _EntryBuilder(len(self.entries), "item", line, column, parent, self.section, line)
        self.entries.append(entry)
        self.item_stack.append(entry)

    def open_row(self, line0: int, start: int | None = None) -> _EntryBuilder:
        row = self.env.get(_ENV_ROWS, {}).get(line0) if start is None else (start,)
        line, column = self.absolute(row[0]) if row else (line0 + 1, 1)
        parent = self.item_stack[-1].index if self.item_stack else None
        entry = _EntryBuilder(len(self.entries), "row", line, column, parent, self.section, line)
        self.entries.append(entry)
        self.row = entry
        return entry

    def table(self, block: TableBlock) -> None:
        """The header's cells belong to the enclosing item, if any; each body row is an entry.

        Cells are parsed one at a time and their tokens dropped at once, and a row's text spans
        are made when the row ends, so that a table costs no more memory than its entries.
        """
        columns = block.columns
        plain = self.plain_text_re()
        rows = block.rows()
        for line0, start, end in rows:
            text = self.normalized[start:end]
            cells = split_row(text)
            if len(cells) > columns:
                del cells[columns:]
            if line0 == block.first_line:
                self.cells(cells, line0, start, self.current_entry())
            elif plain is not None and plain.search(text) is None and "www." not in text:
                self.entries.append(self.plain_row(cells, line0, start))
            else:
                row = self.open_row(line0, start)
                self.cells(cells, line0, start, row)
                row.texts = self.texts(row.atoms)
                row.atoms = []
                self.row = None

    def cells(self, cells: list[Cell], line0: int, start: int, entry: _EntryBuilder | None) -> None:
        column = start - self.line_starts[line0]  # 0-based, where the row starts
        for content, segments in cells:
            if not content:
                continue  # no inline content: nothing to find
            cmap = _ContentMap()
            for content_offset, row_offset in segments:
                cmap.add(content_offset, line0 + 1, column + row_offset)
            wanted = entry is not None and entry.kind == "row" and entry.title is None
            title = self.cell(content, cmap, entry, wanted)
            if entry is not None and wanted:
                entry.title = title

    def plain_row(self, cells: list[Cell], line0: int, start: int) -> Entry:
        """The entry of a row whose cells are all plain text: what open_row(), self.cells() and
        finish() make of it, made at once (a row without links needs nothing from the rest of
        the document), without the intermediate atoms and builder (most rows of big tables of
        names and numbers)."""
        line = line0 + 1
        column = start - self.line_starts[line0]  # 0-based
        spans: list[TextSpan] = []
        title: tuple[str, int, int, str, int | None] | None = None
        for content, segments in cells:
            if not content:
                continue
            cell_column = column + segments[0][1]  # one segment: the row has no backslash
            if title is None:
                title = self.plain_cell_title(content, line, cell_column)
            spans.append(TextSpan(content, line, cell_column + 1))
        return Entry(
            index=len(self.entries),
            kind="row",
            line=line,
            column=column + 1,
            end_line=line,
            title=title[0] if title else None,
            title_line=title[1] if title else None,
            title_column=title[2] if title else None,
            title_source=title[3] if title else None,
            links=(),
            title_link=None,
            texts=tuple(spans),
            parent=self.item_stack[-1].index if self.item_stack else None,
            section=self.section,
        )

    def plain_cell_title(
        self, content: str, line: int, column: int
    ) -> tuple[str, int, int, str, int | None] | None:
        """The title a one-line plain text cell gives, at 0-based ``column`` of ``line``.

        Such a title depends on the text alone, up to where it is, and big tables repeat their
        cells' texts (a year, a venue, a mark): it is worked out once per text.
        """
        if content not in self.plain_titles:
            cmap = _ContentMap()
            cmap.add(0, line, column)
            title = self.plain_title(content, cmap)
            if title is not None and (title[1] != line or title[4] is not None):
                return title  # not of the expected shape: nothing to reuse
            if len(self.plain_titles) < _PLAIN_TITLES_KEPT:
                self.plain_titles[content] = (
                    None if title is None else (title[0], title[2] - column, title[3])
                )
            return title
        known = self.plain_titles[content]
        if known is None:
            return None
        text, shift, source = known
        return text, line, column + shift, source, None

    def plain_text_re(self) -> re.Pattern[str] | None:
        """Matches where an inline rule other than "text" can start; None when that is unknown.

        Text where it never matches and that has no bare URL (no "www." without "://", and
        "://" has a ":") is one text token to markdown-it, and one verbatim atom to inline().
        """
        inline = _markdown(self.stock_tables).inline
        if isinstance(inline, _PosParserInline) and inline._pl_chains is not None:
            return inline.terminator_re
        return None

    def plain_title(
        self, content: str, cmap: _ContentMap
    ) -> tuple[str, int, int, str, int | None] | None:
        text = Token("text", "", 0, content=content)
        text.meta[_P] = 0
        return self.title([text], [_Atom(0, content, None, True, False)], [], cmap, content)

    def cell(
        self, content: str, cmap: _ContentMap, entry: _EntryBuilder | None, want_title: bool
    ) -> tuple[str, int, int, str, int | None] | None:
        """Parse one table cell's inline content and build what it holds."""
        plain = self.plain_text_re()
        if plain is not None and plain.search(content) is None and "www." not in content:
            if entry is not None:
                entry.atoms.append(([_Atom(0, content, None, True, False)], cmap))
            return self.plain_title(content, cmap) if want_title else None
        md = _markdown(self.stock_tables)
        children: list[Token] = []
        md.inline.parse(content, md, self.env, children)
        token = Token("inline", "", 0, content=content, children=children)
        return self.inline(token, cmap, entry, want_title).title

    # inline content -------------------------------------------------------------------------------

    def paragraph_inline(self, token: Token) -> None:
        if token.map is None:
            return
        first, stop = token.map
        cmap = _block_map(token.content, first, stop - first, self.norm_lines, trimmed_end=True)
        entry = self.current_entry()
        wanted = entry is not None and entry.kind == "item" and not entry.title_tried
        result = self.inline(token, cmap, entry, wanted)
        if entry is not None and wanted:
            entry.title_tried = True
            entry.title = result.title

    def cell_inline(self, token: Token, cell_index: int) -> None:
        if token.map is None:
            return
        line0 = token.map[0]
        cmap = _ContentMap()
        row = self.env.get(_ENV_ROWS, {}).get(line0)
        placed = False
        if row is not None:
            row_line, row_column = self.absolute(row[0])
            cells = self.row_cells.get(line0)
            if cells is None:
                cells = self.row_cells[line0] = split_row(self.normalized[row[0] : row[1]])
            if cell_index < len(cells) and cells[cell_index][0] == token.content:
                for content_offset, row_offset in cells[cell_index][1]:
                    cmap.add(content_offset, row_line, row_column - 1 + row_offset)
                placed = True
        if not placed:
            line = self.norm_lines[line0] if line0 < len(self.norm_lines) else ""
            cmap.add(0, line0 + 1, max(line.find(token.content), 0))
        entry = self.current_entry()
        wanted = entry is not None and entry.kind == "row" and entry.title is None
        result = self.inline(token, cmap, entry, wanted)
        if entry is not None and wanted:
            entry.title = result.title

    def heading_inline(self, heading: Token, token: Token) -> None:
        if token.map is None or heading.map is None:
            return
        line0 = heading.map[0]
        content = token.content
        if heading.markup.startswith("#"):
            line = self.norm_lines[line0] if line0 < len(self.norm_lines) else ""
            hash_column = max(line.find("#"), 0)
            cmap = _ContentMap()
            found = line.find(content, hash_column + len(heading.markup)) if content else -1
            cmap.add(0, line0 + 1, found if found >= 0 else hash_column + len(heading.markup) + 1)
            column = hash_column + 1
        else:
            count = token.map[1] - token.map[0]
            cmap = _block_map(content, line0, count, self.norm_lines, trimmed_end=True)
            column = cmap.at(0)[1]
        level = int(heading.tag[1:]) if heading.tag[1:].isdigit() else 1
        slug_text, text = self.heading_text(token.children or [])
        index = len(self.doc.headings)
        self.section = index
        self.doc.headings.append(
            Heading(level, text, self.slugger.slug(slug_text), line0 + 1, column)
        )
        entry = self.current_entry()
        wanted = entry is not None and entry.kind == "item" and not entry.title_tried
        result = self.inline(token, cmap, entry, wanted)
        if entry is not None and wanted:
            entry.title_tried = True
            entry.title = result.title

    @staticmethod
    def heading_text(children: list[Token]) -> tuple[str, str]:
        """(text github-slugger sees, readable text): the heading's rendered text content."""
        parts: list[str] = []
        for token in children:
            if token.type in ("text", "text_special", "code_inline"):
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append("\n")
        raw = "".join(parts)
        return raw, _collapse(raw)

    def inline(
        self, token: Token, cmap: _ContentMap, entry: _EntryBuilder | None, want_title: bool
    ) -> _InlineResult:
        """Links, text atoms and (when ``want_title``: the entry has none yet) the title."""
        children = token.children or []
        content = token.content
        atoms: list[_Atom] = []
        records: list[_LinkRecord] = []
        skips: list[tuple[int, int]] = []
        link_stack: list[int] = []
        html_anchor: int | None = None  # record of an open inline <a>
        html_anchor_start = 0
        autolink_depth = 0

        for child in children:
            kind = child.type
            # The record of the link whose label holds the child, if any.
            owner = link_stack[-1] if link_stack else html_anchor
            if kind == "text":
                text = child.content
                if text and not autolink_depth:
                    start = child.meta.get(_P, -1)
                    atoms.append(_Atom(start, text, owner, True, False))
                    if owner is not None:
                        records[owner].add_text(start, text)
                continue
            if kind not in _BUILT_INLINE_KINDS:
                continue  # emphasis and strikethrough delimiters
            meta = child.meta
            start = meta.get(_P, -1)
            if kind == "text_special":
                text = child.content
                atoms.append(_Atom(start, text, owner, False, False))
                if owner is not None:
                    records[owner].add_text(start, text)
            elif kind == "code_inline":
                inner = _code_start(child, content)
                text = child.content
                atoms.append(_Atom(inner, text, owner, True, True))
                if owner is not None:
                    records[owner].add_text(inner, text)
                if start >= 0:
                    skips.append((start, meta.get(_E, start)))
            elif kind in ("softbreak", "hardbreak"):
                atoms.append(_Atom(-1, " ", owner, False, False))
                if owner is not None:
                    records[owner].add_text(-1, " ")
            elif kind == "link_open":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                if child.markup == "autolink":
                    autolink_depth += 1
                    raw = content[start + 1 : end - 1] if start >= 0 else ""
                    href = str(child.attrs.get("href", ""))
                    target = raw
                    if href.startswith("mailto:") and not raw.lower().startswith("mailto:"):
                        target = "mailto:" + raw
                    span = self.span(cmap, start + 1, end - 1) if start >= 0 else None
                    records.append(_LinkRecord(start, LinkKind.AUTOLINK, target, span))
                    continue
                record = self.link_record(child, cmap, start)
                records.append(record)
                link_stack.append(len(records) - 1)
            elif kind == "link_close":
                if child.markup == "autolink":
                    autolink_depth = max(autolink_depth - 1, 0)
                elif link_stack:
                    link_stack.pop()
            elif kind == "image":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                alt = _alt_text(child.children)
                record = self.link_record(child, cmap, start)
                record.image = True
                record.text = _collapse(alt)
                records.append(record)
                if owner is not None:
                    records[owner].parts.append(alt)
                    records[owner].has_image = True
            elif kind == "html_inline":
                end = meta.get(_E, start)
                if start >= 0:
                    skips.append((start, end))
                opened = self.html_inline(child, cmap, start, records)
                if opened == "open" and start >= 0:
                    html_anchor = len(records) - 1
                    html_anchor_start = start
                elif opened == "close" and html_anchor is not None:
                    if start >= 0:
                        skips.append((html_anchor_start, start))
                    html_anchor = None
                elif opened == "image" and owner is not None:
                    records[owner].parts.append(records[-1].text)
                    records[owner].has_image = True
        if html_anchor is not None:
            skips.append((html_anchor_start, len(content)))
        for record in records:
            if not record.image and record.kind is not LinkKind.AUTOLINK:
                record.text = _collapse("".join(record.parts))
                record.image_only = record.has_image and not record.has_text
        if "://" in content or "www." in content:
            for begin, end in _bare_urls(content, skips):
                target = unescapeAll(content[begin:end])
                records.append(
                    _LinkRecord(begin, LinkKind.BARE, target, self.span(cmap, begin, end))
                )
        if len(records) > 1:
            records.sort(key=_record_offset)
        title = self.title(children, atoms, records, cmap, content) if want_title else None
        links = self.doc.links
        first_index = len(links)
        link_indices = list(range(first_index, first_index + len(records)))
        entry_index = entry.index if entry is not None else None
        section = self.section
        for record in records:
            line, column = cmap.at(max(record.offset, 0))
            links.append(
                Link(
                    target=record.target,
                    text=record.text,
                    line=line,
                    column=column,
                    kind=record.kind,
                    image=record.image,
                    target_span=record.span,
                    entry=entry_index,
                    section=section,
                )
            )
        if title is not None and title[4] is not None:
            title = (*title[:4], link_indices[title[4]])
        if entry is not None:
            entry.links.extend(link_indices)
            entry.atoms.append((atoms, cmap))
        return _InlineResult(title)

    def span(self, cmap: _ContentMap, start: int, end: int) -> Span:
        line, column = cmap.at(start)
        end_line, end_column = cmap.at(end) if end > start else (line, column)
        return Span(line, column, end_line, end_column)

    def link_record(self, token: Token, cmap: _ContentMap, start: int) -> _LinkRecord:
        meta = token.meta
        if _TARGET in meta:
            span = self.span(cmap, meta[_DEST_START], meta[_DEST_END])
            return _LinkRecord(start, LinkKind.INLINE, meta[_TARGET], span, token=token)
        definition = self.env.get(_ENV_DEFS, {}).get(meta.get(_REF))
        if definition is not None:
            dest_start, dest_end, target = definition
            line, column = self.absolute(dest_start)
            end_line, end_column = self.absolute(dest_end)
            span = Span(line, column, end_line, end_column)
            return _LinkRecord(start, LinkKind.REFERENCE, target, span, token=token)
        href = token.attrs.get("href", token.attrs.get("src", ""))
        return _LinkRecord(start, LinkKind.REFERENCE, str(href), None, token=token)

    def html_inline(
        self, token: Token, cmap: _ContentMap, start: int, records: list[_LinkRecord]
    ) -> str | None:
        """Links, anchors and directives of one inline HTML tag.

        Returns "open" / "close" for <a href> / </a>, "image" for <img src>, else None.
        """
        content = token.content
        if content.startswith("<!--"):
            directive = _directive(content[4:].removesuffix("-->"))
            if directive is not None and start >= 0:
                line, column = cmap.at(start)
                self.doc.directives.append(Directive(directive[0], directive[1], line, column))
            return None
        match = _HTML_OPEN_RE.match(content)
        if match is None:
            return None
        name = match.group(2).lower()
        if match.group(1):
            return "close" if name == "a" else None
        attrs = _attributes(match.group(3), match.start(3))
        self.anchors(attrs)
        base = max(start, 0)
        if name == "a" and "href" in attrs:
            value, value_start, value_end = attrs["href"]
            span = self.span(cmap, base + value_start, base + value_end)
            records.append(_LinkRecord(start, LinkKind.HTML, value, span, token=token))
            return "open"
        if name == "img" and "src" in attrs:
            value, value_start, value_end = attrs["src"]
            span = self.span(cmap, base + value_start, base + value_end)
            record = _LinkRecord(start, LinkKind.HTML, value, span, image=True, token=token)
            record.text = _collapse(attrs.get("alt", ("", 0, 0))[0])
            records.append(record)
            return "image"
        return None

    def anchors(self, attrs: dict[str, tuple[str, int, int]]) -> None:
        for name in ("id", "name"):
            if name in attrs and attrs[name][0]:
                self.doc.html_anchors.add(attrs[name][0])

    def html_block(self, token: Token) -> None:
        if token.map is None:
            return
        content = token.content.removesuffix("\n")
        first, stop = token.map
        cmap = _block_map(content, first, stop - first, self.norm_lines, trimmed_end=False)
        entry = self.current_entry()
        records: list[_LinkRecord] = []
        pos = 0
        # The next "</a>" at or after pos, remembered so that many unclosed anchors stay linear.
        close_match: re.Match[str] | None = _HTML_A_CLOSE_RE.search(content)
        while True:
            match = _HTML_SCAN_RE.search(content, pos)
            if match is None:
                break
            start = match.start()
            if match.group() == "<!--":
                close = content.find("-->", start + 4)
                if close < 0:
                    break  # the comment runs to the end of the block
                directive = _directive(content[start + 4 : close])
                if directive is not None:
                    line, column = cmap.at(start)
                    self.doc.directives.append(Directive(directive[0], directive[1], line, column))
                pos = close + 3
                continue
            tag = _HTML_OPEN_RE.match(content, start)
            if tag is None:
                pos = start + 1
                continue
            pos = tag.end()
            if tag.group(1):
                continue
            name = tag.group(2).lower()
            attrs = _attributes(tag.group(3), tag.start(3))
            self.anchors(attrs)
            if name == "a" and "href" in attrs:
                value, value_start, value_end = attrs["href"]
                record = _LinkRecord(
                    start, LinkKind.HTML, value, self.span(cmap, value_start, value_end)
                )
                if close_match is not None and close_match.start() < pos:
                    close_match = _HTML_A_CLOSE_RE.search(content, pos)
                inner = content[pos : close_match.start()] if close_match else ""
                record.text = _collapse(html.unescape(_HTML_STRIP_TAGS_RE.sub("", inner)))
                record.image_only = not record.text and "<img" in inner.lower()
                records.append(record)
            elif name == "img" and "src" in attrs:
                value, value_start, value_end = attrs["src"]
                record = _LinkRecord(
                    start, LinkKind.HTML, value, self.span(cmap, value_start, value_end), True
                )
                record.text = _collapse(attrs.get("alt", ("", 0, 0))[0])
                records.append(record)
        entry_index = entry.index if entry is not None else None
        for record in records:
            line, column = cmap.at(record.offset)
            if entry is not None:
                entry.links.append(len(self.doc.links))
            self.doc.links.append(
                Link(
                    target=record.target,
                    text=record.text,
                    line=line,
                    column=column,
                    kind=record.kind,
                    image=record.image,
                    target_span=record.span,
                    entry=entry_index,
                    section=self.section,
                )
            )

    # titles ---------------------------------------------------------------------------------------

    def title(
        self,
        children: list[Token],
        atoms: list[_Atom],
        records: list[_LinkRecord],
        cmap: _ContentMap,
        content: str,
    ) -> tuple[str, int, int, str, int | None] | None:
        """(text, line, column, source, index into records of the title's link)."""
        bold = self.bold_title(children, records, cmap, content)
        if bold is not None:
            return bold
        first = next((record for record in records if record.counts_as_first), None)
        if (
            first is not None
            and first.kind in (LinkKind.INLINE, LinkKind.REFERENCE, LinkKind.HTML)
            and not _is_generic(first.text, self.generic_texts)
            and not _is_label(first.text, self.generic_texts)
        ):
            offset = first.text_offset if first.text_offset is not None else first.offset
            line, column = cmap.at(max(offset, 0))
            return first.text, line, column, "link", records.index(first)
        boundary = first.offset if first is not None else None
        parts: list[str] = []
        start: int | None = None
        for atom in atoms:
            if atom.owner is not None:
                continue
            text = atom.text
            offset = atom.offset
            if boundary is not None and offset >= 0:
                if offset >= boundary:
                    break
                if atom.verbatim and offset + len(text) > boundary:
                    text = text[: boundary - offset]
            if start is None and text.strip() and offset >= 0:
                lead = len(text) - len(text.lstrip())
                number = _ENUMERATOR.match(text, lead) if atom.verbatim else None
                if number is not None:
                    text, offset = text[number.end() :], offset + number.end()
                    if not text.strip():
                        continue
                start = offset + len(text) - len(text.lstrip())
            parts.append(text)
        title = _collapse("".join(parts))
        description = _DESCRIPTION_SEPARATOR.search(title)
        if description is not None and any(char.isalnum() for char in title[: description.start()]):
            title = title[: description.start()]
        title = title.rstrip(_TITLE_TAIL_STRIP)
        if start is None or not any(char.isalnum() for char in title):
            return None
        if _is_generic(title, self.generic_texts):
            return None
        line, column = cmap.at(start)
        return title, line, column, "text", None

    def bold_title(
        self, children: list[Token], records: list[_LinkRecord], cmap: _ContentMap, content: str
    ) -> tuple[str, int, int, str, int | None] | None:
        first = _significant(children, 0)
        if first is not None and children[first].type == "text":
            # A list number or an emoji before the bold title: "6) **Title**", "🔥 **Title**".
            lead = children[first].content.lstrip()
            number = _ENUMERATOR.match(lead)
            if not any(char.isalnum() for char in lead[number.end() if number else 0 :]):
                first = _significant(children, first + 1)
        if first is None:
            return None
        link_token: Token | None = None
        if children[first].type == "link_open" and children[first].markup != "autolink":
            link_token = children[first]
            first = _significant(children, first + 1)
            if first is None:
                return None
        if children[first].type != "strong_open":
            return None
        depth = 0
        close = len(children)
        for index in range(first, len(children)):
            if children[index].type == "strong_open":
                depth += 1
            elif children[index].type == "strong_close":
                depth -= 1
                if depth == 0:
                    close = index
                    break
        parts: list[str] = []
        start: int | None = None
        for token in children[first + 1 : close]:
            if token.type in ("text", "text_special", "code_inline"):
                text = token.content
                position = token.meta.get(_P, -1)
                if start is None and text.strip() and position >= 0:
                    if token.type == "text":
                        start = position + len(text) - len(text.lstrip())
                    elif token.type == "code_inline":
                        start = _code_start(token, content)
                    else:
                        start = position
                parts.append(text)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        title = _collapse("".join(parts))
        if not any(char.isalnum() for char in title) or start is None:
            return None
        link_index = None
        if link_token is not None:
            link_index = next(
                (index for index, record in enumerate(records) if record.token is link_token),
                None,
            )
        line, column = cmap.at(start)
        return title, line, column, "bold", link_index

    # result ---------------------------------------------------------------------------------------

    def finish(self) -> Document:
        doc = self.doc
        positions = [(link.line, link.column) for link in doc.links]
        order = sorted(range(len(positions)), key=positions.__getitem__)
        remap = {old: new for new, old in enumerate(order)}
        doc.links = [doc.links[i] for i in order]
        # Each builder is let go once its entry is made: both at once were a fifth of the peak
        # memory of a big table.
        builders = self.entries
        builders.reverse()
        while builders:
            builder = builders.pop()
            if isinstance(builder, Entry):
                doc.entries.append(builder)
                continue
            texts = builder.texts if builder.texts is not None else self.texts(builder.atoms)
            title = builder.title
            title_link = remap.get(title[4]) if title is not None and title[4] is not None else None
            doc.entries.append(
                Entry(
                    index=builder.index,
                    kind=builder.kind,
                    line=builder.line,
                    column=builder.column,
                    end_line=builder.end_line,
                    title=title[0] if title else None,
                    title_line=title[1] if title else None,
                    title_column=title[2] if title else None,
                    title_source=title[3] if title else None,
                    links=tuple(sorted(remap[i] for i in builder.links)) if builder.links else (),
                    title_link=title_link,
                    texts=texts,
                    parent=builder.parent,
                    section=builder.section,
                )
            )
        return doc

    @staticmethod
    def texts(blocks: list[tuple[list[_Atom], _ContentMap]]) -> tuple[TextSpan, ...]:
        """Merge adjacent verbatim text pieces (emphasis delimiters split them) into spans."""
        spans: list[TextSpan] = []
        pending: list[str] = []  # the verbatim pieces of the span being merged
        pending_start = pending_end = -1
        pending_map: _ContentMap | None = None
        for atoms, cmap in blocks:
            for atom in atoms:
                offset = atom.offset
                text = atom.text
                if offset < 0 or not text:
                    continue
                if atom.code or not atom.verbatim:
                    if pending and pending_map is not None:
                        line, column = pending_map.at(pending_start)
                        spans.append(TextSpan("".join(pending), line, column))
                    pending = []
                    line, column = cmap.at(offset)
                    spans.append(TextSpan(text, line, column, atom.code))
                    continue
                if pending and cmap is pending_map and offset == pending_end:
                    pending.append(text)
                else:
                    if pending and pending_map is not None:
                        line, column = pending_map.at(pending_start)
                        spans.append(TextSpan("".join(pending), line, column))
                    pending = [text]
                    pending_start = offset
                    pending_map = cmap
                pending_end = offset + len(text)
        if pending and pending_map is not None:
            line, column = pending_map.at(pending_start)
            spans.append(TextSpan("".join(pending), line, column))
        return tuple(spans)


def parse(
    source: str, path: str, generic_texts: frozenset[str] = DEFAULT_GENERIC_TEXTS
) -> Document:
    """Parse a Markdown reading list into a Document with exact source positions."""
    return _Builder(source, path, generic_texts).build()
