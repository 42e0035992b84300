"""Block rules tried only where they can start: the same tokens and documents as markdown-it's own
loops, on the constructs whose rules the dispatch skips or pre-checks."""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.token import Token

from linter.document import Span, blocks, markdown, parse

DATA = Path(__file__).parent / "data"


def block_tokens(source: str) -> list[tuple[str, list[int] | None, str]]:
    return [
        (token.type, token.map, token.markup) for token in markdown._markdown().parse(source, {})
    ]


def contents(source: str) -> list[str]:
    kinds = ("inline", "fence", "code_block")
    return [
        token.content for token in markdown._markdown().parse(source, {}) if token.type in kinds
    ]


def links(source: str) -> list[tuple[str, int, int, Span | None]]:
    doc = parse(source, "t.md")
    return [(link.target, link.line, link.column, link.target_span) for link in doc.links]


def entries(source: str) -> list[tuple[str, int, int, int, str | None]]:
    doc = parse(source, "t.md")
    return [
        (entry.kind, entry.line, entry.column, entry.end_line, entry.title) for entry in doc.entries
    ]


def dump(tokens: list[Token]) -> list[Any]:
    return [
        (
            token.type,
            token.tag,
            token.level,
            token.map,
            token.content,
            token.markup,
            token.info,
            repr(token.meta),
            token.attrs,
            token.hidden,
            dump(token.children) if token.children is not None else None,
        )
        for token in tokens
    ]


def parse_both(monkeypatch: pytest.MonkeyPatch, source: str) -> tuple[Any, Any]:
    """(tokens and env with the dispatch, the same with markdown-it's own loops)."""
    md = markdown._markdown()
    fast_env: dict[str, Any] = {}
    fast = dump(md.parse(source, fast_env))
    with monkeypatch.context() as patch:
        patch.setattr(md.block, "_pl_chains", None)
        slow_env: dict[str, Any] = {}
        slow = dump(md.parse(source, slow_env))
    for env in (fast_env, slow_env):
        env.pop(markdown._ENV_MARKERS, None)  # keyed by token identity
    return (fast, fast_env), (slow, slow_env)


# --- the constructs, as the parser saw them before the dispatch ------------------------------------


def test_reference_definitions_with_multi_line_labels() -> None:
    source = (
        "See [the label] and [back\\\nslash].\n"
        "\n"
        "[the\nlabel]: https://l.example/x 'T'\n"
        "[back\\\nslash]: https://b.example\n"
    )
    assert block_tokens(source) == [
        ("paragraph_open", [0, 2], ""),
        ("inline", [0, 2], ""),
        ("paragraph_close", None, ""),
    ]
    assert links(source) == [
        ("https://l.example/x", 1, 5, Span(5, 9, 5, 28)),
        ("https://b.example", 1, 21, Span(7, 9, 7, 26)),
    ]


def test_escaped_bracket_in_a_label() -> None:
    # "[c\]:" has no closing bracket on its line: the rule reads on, and finds none.
    source = "- [x][a\\]b]\n\n[a\\]b]: https://e.example/y\n[c\\]: https://not.example\n"
    assert block_tokens(source) == [
        ("bullet_list_open", [0, 2], "-"),
        ("list_item_open", [0, 2], "-"),
        ("paragraph_open", [0, 1], ""),
        ("inline", [0, 1], ""),
        ("paragraph_close", None, ""),
        ("list_item_close", None, "-"),
        ("bullet_list_close", None, "-"),
        ("paragraph_open", [3, 4], ""),
        ("inline", [3, 4], ""),
        ("paragraph_close", None, ""),
    ]
    assert contents(source) == ["[x][a\\]b]", "[c\\]: https://not.example"]
    assert links(source) == [
        ("https://e.example/y", 1, 3, Span(3, 9, 3, 28)),
        ("https://not.example", 4, 7, Span(4, 7, 4, 26)),
    ]
    assert entries(source) == [("item", 1, 1, 1, "x")]


def test_definition_line_right_after_a_list_item_continues_its_paragraph() -> None:
    source = "- [item](https://i.example)\n[a]: https://a.example\n\n[a]\n"
    assert block_tokens(source) == [
        ("bullet_list_open", [0, 3], "-"),
        ("list_item_open", [0, 3], "-"),
        ("paragraph_open", [0, 2], ""),
        ("inline", [0, 2], ""),
        ("paragraph_close", None, ""),
        ("list_item_close", None, "-"),
        ("bullet_list_close", None, "-"),
        ("paragraph_open", [3, 4], ""),
        ("inline", [3, 4], ""),
        ("paragraph_close", None, ""),
    ]
    assert contents(source) == ["[item](https://i.example)\n[a]: https://a.example", "[a]"]
    assert links(source) == [
        ("https://i.example", 1, 3, Span(1, 10, 1, 27)),
        ("https://a.example", 2, 6, Span(2, 6, 2, 23)),
    ]
    assert entries(source) == [("item", 1, 1, 2, "item")]


def test_indented_code_block_inside_a_list_item() -> None:
    source = (
        "- item [x](https://x.example)\n\n      [code](https://c.example)\n"
        "  [after](https://d.example)\n"
    )
    assert block_tokens(source) == [
        ("bullet_list_open", [0, 4], "-"),
        ("list_item_open", [0, 4], "-"),
        ("paragraph_open", [0, 1], ""),
        ("inline", [0, 1], ""),
        ("paragraph_close", None, ""),
        ("code_block", [2, 3], ""),
        ("paragraph_open", [3, 4], ""),
        ("inline", [3, 4], ""),
        ("paragraph_close", None, ""),
        ("list_item_close", None, "-"),
        ("bullet_list_close", None, "-"),
    ]
    assert contents(source) == [
        "item [x](https://x.example)",
        "[code](https://c.example)\n",
        "[after](https://d.example)",
    ]
    assert links(source) == [
        ("https://x.example", 1, 8, Span(1, 12, 1, 29)),
        ("https://d.example", 4, 3, Span(4, 11, 4, 28)),
    ]
    assert entries(source) == [("item", 1, 1, 4, "x")]


def test_setext_headings_after_a_paragraph() -> None:
    source = "A [para](https://p.example)\nTitle\n---\n\nNext\n===\n"
    assert block_tokens(source) == [
        ("heading_open", [0, 3], "-"),
        ("inline", [0, 2], ""),
        ("heading_close", None, "-"),
        ("heading_open", [4, 6], "="),
        ("inline", [4, 5], ""),
        ("heading_close", None, "="),
    ]
    assert contents(source) == ["A [para](https://p.example)\nTitle", "Next"]
    assert links(source) == [("https://p.example", 1, 3, Span(1, 10, 1, 27))]
    doc = parse(source, "t.md")
    assert [(h.level, h.text, h.slug, h.line, h.column) for h in doc.headings] == [
        (2, "A para Title", "a-paratitle", 1, 1),
        (1, "Next", "next", 5, 1),
    ]


def test_spaced_thematic_break_inside_and_after_a_list() -> None:
    source = "- [one](https://1.example)\n  * * *\n- [two](https://2.example)\n* * *\n"
    assert block_tokens(source) == [
        ("bullet_list_open", [0, 3], "-"),
        ("list_item_open", [0, 2], "-"),
        ("paragraph_open", [0, 1], ""),
        ("inline", [0, 1], ""),
        ("paragraph_close", None, ""),
        ("hr", [1, 2], "****"),
        ("list_item_close", None, "-"),
        ("list_item_open", [2, 3], "-"),
        ("paragraph_open", [2, 3], ""),
        ("inline", [2, 3], ""),
        ("paragraph_close", None, ""),
        ("list_item_close", None, "-"),
        ("bullet_list_close", None, "-"),
        ("hr", [3, 4], "****"),
    ]
    assert links(source) == [
        ("https://1.example", 1, 3, Span(1, 9, 1, 26)),
        ("https://2.example", 3, 3, Span(3, 9, 3, 26)),
    ]
    assert entries(source) == [("item", 1, 1, 2, "one"), ("item", 3, 1, 3, "two")]


def test_fence_inside_a_list_item() -> None:
    source = (
        "- [a](https://a.example)\n  ```md\n  [no](https://no.example)\n  ```\n"
        "- [b](https://b.example)\n"
    )
    assert block_tokens(source) == [
        ("bullet_list_open", [0, 5], "-"),
        ("list_item_open", [0, 4], "-"),
        ("paragraph_open", [0, 1], ""),
        ("inline", [0, 1], ""),
        ("paragraph_close", None, ""),
        ("fence", [1, 4], "```"),
        ("list_item_close", None, "-"),
        ("list_item_open", [4, 5], "-"),
        ("paragraph_open", [4, 5], ""),
        ("inline", [4, 5], ""),
        ("paragraph_close", None, ""),
        ("list_item_close", None, "-"),
        ("bullet_list_close", None, "-"),
    ]
    assert contents(source) == [
        "[a](https://a.example)",
        "[no](https://no.example)\n",
        "[b](https://b.example)",
    ]
    assert links(source) == [
        ("https://a.example", 1, 3, Span(1, 7, 1, 24)),
        ("https://b.example", 5, 3, Span(5, 7, 5, 24)),
    ]
    assert entries(source) == [("item", 1, 1, 4, "a"), ("item", 5, 1, 5, "b")]


def test_blockquote_ends_a_paragraph_and_takes_a_lazy_line() -> None:
    source = "Some [text](https://t.example)\n> [quote](https://q.example)\nlazy\n"
    assert block_tokens(source) == [
        ("paragraph_open", [0, 1], ""),
        ("inline", [0, 1], ""),
        ("paragraph_close", None, ""),
        ("blockquote_open", [1, 3], ">"),
        ("paragraph_open", [1, 3], ""),
        ("inline", [1, 3], ""),
        ("paragraph_close", None, ""),
        ("blockquote_close", None, ">"),
    ]
    assert contents(source) == [
        "Some [text](https://t.example)",
        "[quote](https://q.example)\nlazy",
    ]
    assert links(source) == [
        ("https://t.example", 1, 6, Span(1, 13, 1, 30)),
        ("https://q.example", 2, 3, Span(2, 11, 2, 28)),
    ]


# --- the same as markdown-it's own loops -----------------------------------------------------------

# Line starts of every block construct, container prefixes and indentations, for random documents.
_INDENTS = ["", "", "", " ", "  ", "   ", "    ", "     ", "\t", "      ", "        "]
_PREFIXES = ["", "", "", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "- [ ] ", "> - ", "- > ", "0. "]
_BODIES = [
    "", "text", "[a]: /url", "[a]:", "[a]: /url 'title'", "[a\\]b]: /u", "[foo", "bar]: /u",
    "[foo\\", "[[x]]: /u", "[x] y", "'ti", "tle'", "[a](b)", "[a]: /url \"t\" garbage", "[]: /x",
    "***", "* * *", "---", "- - -", "___", "**", "--", "===", "=", "-", "```", "```js", "~~~",
    "# h", "####### x", "#x", "<div>", "<!-- c -->", "<!--", "-->", "<pre>", "</pre>", "<?php",
    "| a | b |", "|---|---|", "a | b", "-|-", "|", "text [x](y) *em* `c`", "\\", "a\\", "1) x",
    "    code", "\tcode", "> [!NOTE]",
]  # fmt: skip


def _random_documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    documents = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(1, 12)):
            line = rng.choice(_INDENTS) + rng.choice(_PREFIXES)
            if rng.random() < 0.3:
                line += rng.choice(_INDENTS) + rng.choice(_PREFIXES)
            lines.append(line + rng.choice(_BODIES))
        documents.append("\n".join(lines) + ("\n" if rng.random() < 0.7 else ""))
    return documents


def test_dispatch_is_in_use() -> None:
    block = markdown._markdown().block
    assert isinstance(block, blocks.PosParserBlock)
    assert block._pl_chains is not None
    assert markdown._markdown(True).block._pl_chains is not None
    # Every rule of the chain is one the dispatch knows where it can start.
    active = [rule for rule in block.ruler.__rules__ if rule.enabled]
    assert [rule.name for rule in active if blocks._known(rule.name, rule.fn) is None] == []


@pytest.mark.parametrize("stock_tables", [False, True])
def test_random_block_structures_parse_like_markdown_it_own_loops(
    monkeypatch: pytest.MonkeyPatch, stock_tables: bool
) -> None:
    md = markdown._markdown(stock_tables)
    for source in _random_documents(1500, 7 + stock_tables):
        fast_env: dict[str, Any] = {}
        fast = dump(md.parse(source, fast_env))
        with monkeypatch.context() as patch:
            patch.setattr(md.block, "_pl_chains", None)
            slow_env: dict[str, Any] = {}
            slow = dump(md.parse(source, slow_env))
        fast_env.pop(markdown._ENV_MARKERS, None)
        slow_env.pop(markdown._ENV_MARKERS, None)
        assert (fast, fast_env) == (slow, slow_env), source


def test_realistic_lists_parse_like_markdown_it_own_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted((DATA / "realistic").glob("*.md")) + sorted((DATA / "seeds").glob("*.md"))
    assert paths
    for path in paths:
        fast, slow = parse_both(monkeypatch, path.read_text(encoding="utf-8"))
        assert fast == slow, path.name


def _percent_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A plugin's rule: a line starting with "%%" (anywhere, code blocks too)."""
    if not state.src.startswith("%%", state.bMarks[start_line] + state.tShift[start_line]):
        return False
    if not silent:
        state.line = start_line + 1
        state.push("percent", "", 0).map = [start_line, state.line]
    return True


@pytest.mark.parametrize("before", ["fence", "paragraph"])
def test_rules_it_does_not_know_are_tried_at_every_line(before: str) -> None:
    stock, dispatched = MarkdownIt("commonmark"), MarkdownIt("commonmark")
    block = blocks.PosParserBlock()
    block.__dict__.update(dispatched.block.__dict__)
    dispatched.block = block
    for md in (stock, dispatched):
        md.block.ruler.before(before, "percent", _percent_rule, {"alt": ["paragraph", "list"]})
    block.prepare_dispatch()
    assert block._pl_chains is not None
    rng = random.Random(before)
    for source in _random_documents(800, 11):
        lines = source.split("\n")
        for _ in range(3):
            index = rng.randrange(len(lines))
            lines[index] = rng.choice(["", "  ", "> ", "- ", "    "]) + "%%" + lines[index]
        text = "\n".join(lines)
        assert dump(dispatched.parse(text)) == dump(stock.parse(text)), text


def test_debug_logging_turns_the_dispatch_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A rule logs its every entry at debug level: with that on, every rule is tried."""
    md = markdown._markdown()
    source = "# T\n\n- [a](https://a.example)\n- [b]: x\n\n> q\n---\n"
    with caplog.at_level(logging.DEBUG, logger="markdown_it"):
        fast = dump(md.parse(source, {}))
        fast_records = [record.getMessage() for record in caplog.records]
        caplog.clear()
        with monkeypatch.context() as patch:
            patch.setattr(md.block, "_pl_chains", None)
            slow = dump(md.parse(source, {}))
        slow_records = [record.getMessage() for record in caplog.records]
    assert fast == slow
    assert fast_records == slow_records
    assert any(message.startswith("entering lheading") for message in fast_records)


def test_rules_changed_later_turn_the_dispatch_off() -> None:
    md = markdown._markdown()
    chains = md.block.ruler.__cache__
    try:
        md.block.ruler.__cache__ = None  # what ruler.enable() or .disable() leaves
        tokens = md.parse("para\n\n- [x](y)\n", {})
        assert [token.type for token in tokens][:4] == [
            "paragraph_open",
            "inline",
            "paragraph_close",
            "bullet_list_open",
        ]
    finally:
        md.block.ruler.__cache__ = chains


# --- each pre-check against the rule it guards -----------------------------------------------------


def _state(source: str) -> StateBlock:
    return StateBlock(source, markdown._markdown(), {}, [])


@pytest.mark.parametrize(
    ("name", "rule", "pieces"),
    [
        (
            "reference",
            rules_block.reference,
            ["[", "]", "\\", ":", " ", "a", "\n", "[x]: /u", "<", ">"],
        ),
        ("hr", rules_block.hr, ["*", "-", "_", " ", "\t", "a", "\n"]),
    ],
)
def test_pre_checks_reject_only_lines_the_rule_rejects(
    name: str, rule: Any, pieces: list[str]
) -> None:
    guarded = blocks._GUARDS[name](rule)
    rng = random.Random(name)
    for _ in range(3000):
        source = "".join(rng.choices(pieces, k=rng.randint(1, 16)))
        lines = _state(source).lineMax
        for line in range(lines):
            for silent in (True, False):
                plain, checked = _state(source), _state(source)
                expected = rule(plain, line, lines, silent)
                assert guarded(checked, line, lines, silent) == expected, (source, line)
                assert dump(checked.tokens) == dump(plain.tokens)
                assert checked.env == plain.env
                assert (checked.line, checked.parentType) == (plain.line, plain.parentType)


def test_setext_scan_leaves_the_parent_type_as_lheading_does() -> None:
    for source in ["para\nmore\n- item\n", "para\n  ===\n", "> q\nlazy\n\nx\n"]:
        plain, scanned = _state(source), _state(source)
        found = rules_block.lheading(plain, 0, plain.lineMax, False)
        answers = blocks._setext_scan(scanned, 0, scanned.lineMax)
        assert (answers is None) == found
        if not found:
            assert scanned.parentType == plain.parentType == "paragraph"
