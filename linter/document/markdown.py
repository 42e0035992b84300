"""The instrumented markdown-it parser, and the token metadata it records.

markdown-it-py only reports block line ranges, so the parser is instrumented: every inline rule
that creates tokens records the offsets (into the inline content) where its construct starts and
ends, pending plain text remembers where it started, list items remember their marker offset,
tables their row offsets and reference definitions their destination. The builder maps content
offsets back to source lines and columns (:mod:`linter.document.positions`).

The parser is also made faster without changing what it parses: inline rules are tried only at
the characters they can start at, block rules only at the lines they can start at
(:mod:`linter.document.blocks`), and a plain link destination is matched with one regex.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, wraps
from types import ModuleType
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference, unescapeAll
from markdown_it.helpers import parseLinkDestination
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType

from linter.document.blocks import PosParserBlock
from linter.document.tables import table as table_rule

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


# Block and inline nesting levels parsed before markdown-it stops descending (a list level takes two).
MAX_NESTING = 100


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
    mark: Callable[[list[Token], int, int, int], None] | None = None,
) -> _InlineRule:
    """Record the construct's start and end offsets on every token the rule creates (``mark``
    does it otherwise, given the tokens, the index of the first new one and the construct's
    start and end); ``record`` (given the state, that index and the start offset) notes more."""
    marker = _mark_new_tokens if mark is None else mark

    def tracked(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        start = state.pos
        count = len(state.tokens)
        if not rule(state, silent):
            return False
        marker(state.tokens, count, start, state.pos)
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


def _mark_delimiter_pieces(tokens: list[Token], first: int, start: int, end: int) -> None:
    """Emphasis rules create one text token per delimiter run piece, in source order."""
    cursor = start
    for index in range(first, len(tokens)):
        token = tokens[index]
        if _P not in token.meta:
            token.meta[_P] = cursor
            cursor += len(token.content)
            token.meta[_E] = cursor


def _track_delimiters(rule: _InlineRule) -> _InlineRule:
    return _track(rule, mark=_mark_delimiter_pieces)


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

    @wraps(rule)
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
    @wraps(rule)
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
    @wraps(rule)
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
    cell (what the tests compare linter.document.tables against)."""
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
    block = PosParserBlock()
    block.__dict__.update(md.block.__dict__)
    md.block = block
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
    # The block wrappers above keep the rule they wrap as __wrapped__ (functools.wraps): the
    # dispatch knows a rule by it.
    block.prepare_dispatch()
    return md


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
