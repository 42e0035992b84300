"""Block rules tried only at the lines they can start at, and the terminator chains alike.

markdown-it tries every block rule in turn at every line, and a paragraph or a list asks every
rule of a terminator chain whether the next line ends it: some twenty rule calls per line of a
plain list, each of which logs its entry. Most of them fail at once: they need a given first
character (after the indentation), and none but "code" and "paragraph" match an indented code
line. A rule that fails at once fails without side effects, so skipping it changes nothing but
the time spent; where a rule fails only after a look at the rest of the line (a reference
label, a thematic break), an exact test of that look comes first.

The setext heading rule scans ahead exactly as the paragraph rule that follows it does, asking
the same terminator chain about the same lines: when the scan finds no underline, the paragraph
rule is given its answers instead of asking again.

Rules that this module does not know are tried everywhere; markdown-it's own loops take over when
the rule chain is not the one prepared for, or when a rule module logs at debug level (the
skipped calls would have logged).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt, rules_block
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType

from linter.document import tables

BlockRule = Callable[[StateBlock, int, int, bool], bool]


@dataclass(frozen=True, slots=True)
class _Known:
    """What a known rule needs to match at a line."""

    functions: tuple[Any, ...]  # the rule functions this holds for (a wrapper's __wrapped__)
    starts: str | None  # the line's first character (after the indentation) is one of these;
    # None: any character
    on_code: bool  # it can match on an indented code line


_KNOWN: dict[str, _Known] = {
    "table": _Known((rules_block.table, tables.table), None, False),
    "code": _Known((rules_block.code,), "", True),
    "fence": _Known((rules_block.fence,), "`~", False),
    "blockquote": _Known((rules_block.blockquote,), ">", False),
    "hr": _Known((rules_block.hr,), "*-_", False),
    "list": _Known((rules_block.list_block,), "*-+0123456789", False),
    "reference": _Known((rules_block.reference,), "[", False),
    "html_block": _Known((rules_block.html_block,), "<", False),
    "heading": _Known((rules_block.heading,), "#", False),
    "lheading": _Known((rules_block.lheading,), None, False),
    "paragraph": _Known((rules_block.paragraph,), None, True),
}

# A label runs to the first "[" or "]" that no backslash escapes (within the line).
_LABEL_RE = re.compile(r"[^\[\]\\]*(?:\\.[^\[\]\\]*)*")
# A thematic break: three or more of one marker, spaces and tabs between and after them.
_HR_RE = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")
# A setext heading underline.
_UNDERLINE_RE = re.compile(r"-+[ \t]*|=+[ \t]*")


class _BlockState(StateBlock):
    """Says whether rules may be skipped, and carries the setext scan's terminator answers to the
    paragraph rule: ``pl_memo`` is (the end line they were asked with, line -> answer)."""

    pl_fast = False
    pl_memo: tuple[int, dict[int, bool]] | None = None


def _underlying(function: Any) -> Any:
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


def _known(name: str, function: Any) -> _Known | None:
    known = _KNOWN.get(name)
    if known is None or _underlying(function) not in known.functions:
        return None
    return known


def _hr_guard(rule: BlockRule) -> BlockRule:
    """The hr rule gives up unless the whole line is a thematic break: at each "- " item of a
    list it was asked twice per line (by the paragraph's and the list's terminator chains)."""

    def guarded(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        start = state.bMarks[line] + state.tShift[line]
        if _HR_RE.fullmatch(state.src, start, state.eMarks[line]) is None:
            return False
        return rule(state, line, end_line, silent)

    return functools.wraps(rule)(guarded)


def _reference_guard(rule: BlockRule) -> BlockRule:
    """The reference rule reads the label up to the first unescaped bracket and gives up when it
    is a "[", or a "]" not followed by ":". When that bracket is on the first line it is known
    before the rule reads further lines (where the terminator chain decides what it reads)."""

    def guarded(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        src = state.src
        start = state.bMarks[line] + state.tShift[line]
        end = state.eMarks[line]
        if start < end and src[start] == "[":
            match = _LABEL_RE.match(src, start + 1, end)
            stop = match.end() if match is not None else start + 1
            if stop < end:
                bracket = src[stop]
                if bracket == "[" or (bracket == "]" and (stop + 1 >= end or src[stop + 1] != ":")):
                    return False
        return rule(state, line, end_line, silent)

    return functools.wraps(rule)(guarded)


_GUARDS: dict[str, Callable[[BlockRule], BlockRule]] = {
    "hr": _hr_guard,
    "reference": _reference_guard,
}


def _setext_scan(state: StateBlock, start_line: int, end_line: int) -> dict[int, bool] | None:
    """The loop of markdown-it's lheading rule: None when it finds an underline, else the
    terminator chain's answer at each line it asked about. Like the rule, it leaves
    state.parentType "paragraph" when it finds none."""
    old_parent = state.parentType
    state.parentType = "paragraph"
    terminators = state.md.block.ruler.getRules("paragraph")
    answers: dict[int, bool] = {}
    src = state.src
    next_line = start_line + 1
    while next_line < end_line and not state.isEmpty(next_line):
        count = state.sCount[next_line]
        if count - state.blkIndent > 3:
            next_line += 1
            continue
        if count >= state.blkIndent:
            pos = state.bMarks[next_line] + state.tShift[next_line]
            end = state.eMarks[next_line]
            if pos < end and _UNDERLINE_RE.fullmatch(src, pos, end) is not None:
                state.parentType = old_parent
                return None
        if count < 0:
            next_line += 1
            continue
        terminate = False
        for rule in terminators:
            if rule(state, next_line, end_line, True):
                terminate = True
                break
        answers[next_line] = terminate
        if terminate:
            break
        next_line += 1
    return answers


def _setext_or_paragraph(lheading: BlockRule, paragraph: BlockRule) -> BlockRule:
    """lheading, then paragraph (which always matches), the terminator chain asked once."""

    def rule(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        answers = _setext_scan(state, line, end_line)
        if answers is None:
            return lheading(state, line, end_line, silent) or paragraph(
                state, line, end_line, silent
            )
        if not isinstance(state, _BlockState):
            return paragraph(state, line, end_line, silent)
        # The paragraph rule asks with end line state.lineMax: answers for another end line are
        # no answers.
        state.pl_memo = (end_line, answers)
        try:
            return paragraph(state, line, end_line, silent)
        finally:
            state.pl_memo = None

    return rule


_Entry = tuple[BlockRule | None, str | None, BlockRule | None]  # off code, starts, on code


def _entries(
    named: list[tuple[str, BlockRule]], main: bool
) -> tuple[tuple[_Entry, ...], list[Any]]:
    """Each rule as (its call on a line that is no code block, the characters it can start at
    there, its call on a code block line), and the rule functions known."""
    entries: list[_Entry] = []
    known_functions: list[Any] = []
    index = 0
    while index < len(named):
        name, rule = named[index]
        index += 1
        known = _known(name, rule)
        if known is None:
            entries.append((rule, None, rule))
            continue
        known_functions.append(_underlying(rule))
        guard = _GUARDS.get(name)
        call = guard(rule) if guard is not None else rule
        if main and name == "lheading" and index < len(named):
            next_name, next_rule = named[index]
            if _known(next_name, next_rule) is not None and next_name == "paragraph":
                known_functions.append(_underlying(next_rule))
                entries.append((_setext_or_paragraph(rule, next_rule), None, None))
                entries.append((None, None, next_rule))
                index += 1
                continue
        entries.append((call, known.starts, call if known.on_code else None))
    return tuple(entries), known_functions


def _select(entries: tuple[_Entry, ...], char: str | None) -> tuple[BlockRule, ...]:
    """The calls to make at a line starting with ``char`` (None: a code block line)."""
    if char is None:
        return tuple(on_code for _, _, on_code in entries if on_code is not None)
    return tuple(
        call
        for call, starts, _ in entries
        if call is not None and (starts is None or char in starts)
    )


class _Dispatch:
    """The calls to make at a line, by its first character, built as characters turn up."""

    def __init__(self, entries: tuple[tuple[_Entry, ...], list[Any]]) -> None:
        self.entries = entries[0]
        self.code = _select(self.entries, None)
        self.by_char: dict[str, tuple[BlockRule, ...]] = {}

    def at(self, state: StateBlock, line: int) -> tuple[BlockRule, ...] | None:
        """None for an empty line (where every rule is tried)."""
        pos = state.bMarks[line] + state.tShift[line]
        if pos >= state.eMarks[line]:
            return None
        if state.sCount[line] - state.blkIndent >= 4 and state.is_code_block(line):
            return self.code
        char = state.src[pos]
        found = self.by_char.get(char)
        if found is None:
            found = self.by_char[char] = _select(self.entries, char)
        return found


def _terminator_chain(
    name: str, rules: list[BlockRule], dispatch: _Dispatch
) -> Callable[[StateBlock, int, int, bool], bool]:
    """One function in the place of a terminator chain: true where one of its rules is."""
    memoised = name == "paragraph"

    def chain(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        if not isinstance(state, _BlockState) or not state.pl_fast:
            return any(rule(state, line, end_line, silent) for rule in rules)
        if memoised:
            memo = state.pl_memo
            if memo is not None and memo[0] == end_line and state.parentType == "paragraph":
                answer = memo[1].get(line)
                if answer is not None:
                    return answer
        calls = dispatch.at(state, line)
        for call in rules if calls is None else calls:
            if call(state, line, end_line, silent):
                return True
        return False

    chain.__qualname__ = f"terminator_chain[{name}]"
    return chain


class PosParserBlock(ParserBlock):
    """Tries, at each line, only the block rules that can start there (see the module)."""

    # The ruler's compiled chains the dispatch was prepared for (a new dict once rules change).
    _pl_chains: dict[str, list[BlockRule]] | None = None
    _pl_dispatch: _Dispatch
    _pl_loggers: tuple[logging.Logger, ...] = ()

    def prepare_dispatch(self) -> None:
        """Build the dispatch for the current rules and put the terminator chains in place."""
        self._pl_chains = None
        ruler = self.ruler
        ruler.getRules("")  # compiles the chains if they are not
        chains = dict(ruler.__cache__ or {})
        active = [rule for rule in ruler.__rules__ if rule.enabled]
        if [rule.fn for rule in active] != chains.get(""):
            return
        main = _entries([(rule.name, rule.fn) for rule in active], main=True)
        self._pl_dispatch = _Dispatch(main)
        functions = set(main[1])
        for chain_name, rules in chains.items():
            if not chain_name or not rules:
                continue
            named = [(rule.name, rule.fn) for rule in active if chain_name in rule.alt]
            entries = _entries(named, main=False)
            functions.update(entries[1])
            chains[chain_name] = [_terminator_chain(chain_name, rules, _Dispatch(entries))]
        self._pl_loggers = tuple(
            logging.getLogger(function.__module__)
            for function in functions
            if function.__module__.startswith("markdown_it.")
        )
        ruler.__cache__ = chains
        self._pl_chains = chains

    def parse(
        self, src: str, md: MarkdownIt, env: EnvType, outTokens: list[Token]
    ) -> list[Token] | None:
        if not src:
            return None
        state = _BlockState(src, md, env, outTokens)
        chains = self._pl_chains
        state.pl_fast = (
            chains is not None
            and self.ruler.__cache__ is chains
            and not any(logger.isEnabledFor(logging.DEBUG) for logger in self._pl_loggers)
        )
        self.tokenize(state, state.line, state.lineMax)
        return state.tokens

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        chains = self._pl_chains
        if (
            chains is None
            or self.ruler.__cache__ is not chains
            or not isinstance(state, _BlockState)
            or not state.pl_fast
        ):
            super().tokenize(state, startLine, endLine)
            return
        # ParserBlock.tokenize, with the calls of each line's first character.
        dispatch = self._pl_dispatch
        every = chains[""]
        line = startLine
        max_nesting = state.md.options.maxNesting
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                # Termination condition for nested calls (blockquotes and lists).
                break
            if state.level >= max_nesting:
                state.line = endLine
                break
            calls = dispatch.at(state, line)
            ok = False
            for rule in every if calls is None else calls:
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            # An empty line before the block makes it loose (the latest one does not count).
            state.tight = not has_empty_lines
            line = state.line
            # A paragraph may "eat" one newline after it in nested lists.
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line
