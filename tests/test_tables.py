"""Tables: body rows are entries with exact positions, whatever the table's size or container."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from linter.document import Document, Span, builder, markdown, parse, tables

# Edge cases of GFM tables: each must give the same entries, links and positions whichever way
# the table is parsed.
CASES = {
    "eof_without_newline": (
        "| Paper | Code |\n| --- | --- |\n"
        "| [A **b** c](https://a.org/x) | [code](https://github.com/o/r) |"
    ),
    "followed_by_paragraph": (
        "| Paper | Year |\n|---|---|\n| [Deep Nets](https://a.org/1) | 2020 |\n"
        "\nSee [notes](https://n.org) here.\n"
    ),
    "paragraph_line_joins_table": (
        "| Paper | Year |\n|---|---|\n| [Deep Nets](https://a.org/1) | 2020 |\n"
        "Trailing [words](https://w.org) line\n"
    ),
    "escaped_pipes": (
        "| Title | Link |\n|---|---|\n| A \\| B [x\\|y](https://x.org/a\\|b) | c \\| d |\n"
    ),
    "code_with_pipes": "| Code | Note |\n|---|---|\n| `a|b` | `c\\|d` [L](https://l.org) |\n",
    "in_list_item": (
        "- Item [head](https://h.org)\n\n"
        "  | Paper [h](https://th.org) | Code |\n  | --- | --- |\n"
        "  | [Nested Title](https://t.org/1) | [code](https://c.org) |\n"
        "  | **Bold** | x |\n- Next\n"
    ),
    "in_blockquote": (
        "> | Paper | Code |\n> | --- | --- |\n> | [Quoted Title](https://q.org/1) | `x` |\n"
        ">| **B** [p](https://q.org/2) | y |\n"
    ),
    "crlf": (
        "| Paper | Code |\r\n| --- | --- |\r\n"
        "| [CRLF Title](https://c.org/1) | [code](https://g.org) |\r\n| plain words | 2021 |\r\n"
    ),
    "bold_titles": (
        "# List\n\n| Paper | Links | Year |\n| :-- | :-: | --: |\n"
        "| **Attention Is All You Need** | [arXiv](https://arxiv.org/abs/1706.03762) | 2017 |\n"
        "| [**Bold In Link**](https://arxiv.org/abs/2401.01234) | [code](https://github.com/o/r)"
        " | 2024 |\n"
    ),
    "ragged_rows": (
        "| a | b | c |\n|---|---|---|\n| [one](https://1.org) |\n"
        "| x | y | z | [extra](https://e.org) |\n|  | | [third](https://3.org) |\n"
    ),
    "indent_tabs_unicode": (
        "  | H | I |\n  |-|-|\n  |\t🎉 [Émoji Title](https://e.org/é) | ok |\n"
        "  | 😀😀 | **Ünïcode** |\n"
    ),
    "bare_html_autolink_images": (
        "| A | B |\n|---|---|\n| see https://bare.org/x, and www.w.org | <https://auto.org> |\n"
        '| <a href="https://h.org">HTML Title</a> | ![img](https://i.org/p.png)'
        " [![badge](https://b.org/b.svg)](https://b.org) |\n"
    ),
    "no_body": "| a | b |\n|---|---|\n\ntext\n",
    "reference_links": (
        "| A | B |\n|---|---|\n| [Ref Title][r] | [code][] |\n\n"
        "[r]: https://r.org/1\n[code]: <https://c.org/2>\n"
    ),
    "interrupted": (
        "| A | B |\n|---|---|\n| x | y |\n# Heading\n| c | d |\n|---|---|\n| z | w |\n- item\n"
        "| e | f |\n|-|-|\n| q | r |\n> quote\n"
    ),
    "ended_by_other_blocks": (
        "|A|B|\n|-|-|\n|a|b|\n1. one\n\n|C|D|\n|-|-|\n|c|d|\n```\ncode\n```\n"
        "|E|F|\n|-|-|\n|e|f|\n***\n|G|H|\n|-|-|\n|g|h|\n<div>\nx</div>\n"
        "|I|J|\n|-|-|\n|i|j|\n    |k|l|\n"
    ),
    "not_tables_and_interruptions": (
        "Intro [i](https://i.org)\n|a|b|\n|-|-|\n|x|y|\n\n|a|b|\n|-|\n|x|y|\n\n|a|b|\n|-|x|\n"
        "\n|a|b|\n- -|-\n\n- item\n|a|b|\n|-|-|\n|[l](https://l.org)|y|\n\n    |a|b|\n    |-|-|\n"
        "\n|a|\n|-|\n| x \\\\| y |\n\n| a |\n|:-:|\n  |  |\n"
    ),
    "no_leading_pipe": "a | b\n--|--\n[Row Title](https://r.org) | c\nd | **e**\n",
    "directive_and_entities": (
        "| A | B |\n|---|---|\n"
        "| <!-- paperlint-disable PL101 --> [T &amp; U](https://t.org?a=1&amp;b=2) | &copy; x |\n"
    ),
    "emphasis_and_strike": (
        "| A | B |\n|---|---|\n| *Em Title* ~~old~~ [p](https://p.org) | __u__ |\n"
        "| ~~[Struck](https://s.org)~~ | x |\n"
    ),
    "header_links_outside_lists": "| [H](https://h.org) | B |\n|---|---|\n| a | b |\n",
    "nested_list_table": (
        "- Outer\n  - Inner\n\n    | P | C |\n    |---|---|\n    | [Deep](https://d.org) | c |\n"
    ),
    "pipe_in_link_text": "| A | B |\n|---|---|\n| [a|b](https://x.org) | c |\n",
    "plain_cells": "|a|b|\n|-|-|\n|x|y|\n| longer words | 12 |\n|  | only second |\n|www.x.org|z|\n",
}


def summary(doc: Document) -> dict[str, Any]:
    """Everything the parser reports, as plain comparable values."""
    return {
        "entries": [
            (
                entry.kind,
                entry.line,
                entry.column,
                entry.end_line,
                entry.title,
                entry.title_line,
                entry.title_column,
                entry.title_source,
                entry.links,
                entry.title_link,
                entry.parent,
                entry.section,
                [(text.text, text.line, text.column, text.code) for text in entry.texts],
            )
            for entry in doc.entries
        ],
        "links": [
            (
                link.target,
                link.text,
                link.line,
                link.column,
                link.kind.value,
                link.image,
                link.target_span,
                link.entry,
                link.section,
            )
            for link in doc.links
        ],
        "headings": doc.headings,
        "directives": doc.directives,
    }


def rows(doc: Document) -> list[tuple[Any, ...]]:
    return [
        (e.kind, e.line, e.column, e.title, e.title_line, e.title_column, e.links, e.parent)
        for e in doc.entries
    ]


def links(doc: Document) -> list[tuple[Any, ...]]:
    return [(link.target, link.line, link.column, link.entry) for link in doc.links]


def texts(doc: Document) -> list[list[tuple[str, int, int]]]:
    return [[(text.text, text.line, text.column) for text in e.texts] for e in doc.entries]


def test_a_table_ending_at_the_end_of_the_file() -> None:
    doc = parse(CASES["eof_without_newline"], "t.md")
    assert rows(doc) == [("row", 3, 1, "A b c", 3, 4, (0, 1), None)]
    assert links(doc) == [("https://a.org/x", 3, 3, 0), ("https://github.com/o/r", 3, 34, 0)]
    assert [link.target_span for link in doc.links] == [Span(3, 15, 3, 30), Span(3, 41, 3, 63)]
    assert texts(doc) == [[("A ", 3, 4), ("b", 3, 8), (" c", 3, 11), ("code", 3, 35)]]


def test_a_blank_line_ends_a_table_and_a_paragraph_line_does_not() -> None:
    after_blank = parse(CASES["followed_by_paragraph"], "t.md")
    assert rows(after_blank) == [("row", 3, 1, "Deep Nets", 3, 4, (0,), None)]
    assert links(after_blank)[-1] == ("https://n.org", 5, 5, None)
    joined = parse(CASES["paragraph_line_joins_table"], "t.md")
    assert rows(joined)[-1] == ("row", 4, 1, "words", 4, 11, (1,), None)
    assert texts(joined)[-1] == [("Trailing ", 4, 1), ("words", 4, 11), (" line", 4, 32)]


def test_escaped_pipes_stay_in_their_cell_and_columns_count_the_backslashes() -> None:
    doc = parse(CASES["escaped_pipes"], "t.md")
    assert rows(doc) == [("row", 3, 1, "x|y", 3, 11, (0,), None)]
    assert links(doc) == [("https://x.org/a|b", 3, 10, 0)]
    assert texts(doc) == [[("A | B ", 3, 3), ("x|y", 3, 11), ("c | d", 3, 39)]]


def test_a_pipe_inside_code_or_a_link_label_still_splits_the_row() -> None:
    code = parse(CASES["code_with_pipes"], "t.md")
    assert rows(code) == [("row", 3, 1, "`a", 3, 3, (), None)]
    assert texts(code) == [[("`a", 3, 3), ("b`", 3, 6)]]
    label = parse(CASES["pipe_in_link_text"], "t.md")
    assert links(label) == [("https://x.org", 3, 9, 0)]


def test_tables_inside_list_items_and_blockquotes() -> None:
    listed = parse(CASES["in_list_item"], "t.md")
    assert rows(listed) == [
        ("item", 1, 1, "head", 1, 9, (0, 1), None),
        ("row", 5, 3, "Nested Title", 5, 6, (2, 3), 0),
        ("row", 6, 3, "Bold", 6, 7, (), 0),
        ("item", 7, 1, "Next", 7, 3, (), None),
    ]
    # The header's links and text belong to the enclosing item, which ends with the table.
    assert links(listed)[1] == ("https://th.org", 3, 11, 0)
    assert listed.entries[0].end_line == 6
    nested = parse(CASES["nested_list_table"], "t.md")
    assert rows(nested)[-1] == ("row", 6, 5, "Deep", 6, 8, (0,), 1)
    quoted = parse(CASES["in_blockquote"], "t.md")
    assert rows(quoted) == [
        ("row", 3, 3, "Quoted Title", 3, 6, (0,), None),
        ("row", 4, 2, "B", 4, 6, (1,), None),
    ]
    assert links(quoted) == [("https://q.org/1", 3, 5, 0), ("https://q.org/2", 4, 10, 1)]
    assert texts(quoted)[0] == [("Quoted Title", 3, 6), ("x", 3, 40)]


def test_crlf_tables_have_the_same_positions() -> None:
    doc = parse(CASES["crlf"], "t.md")
    assert rows(doc) == [
        ("row", 3, 1, "CRLF Title", 3, 4, (0, 1), None),
        ("row", 4, 1, "plain words", 4, 3, (), None),
    ]
    assert links(doc) == [("https://c.org/1", 3, 3, 0), ("https://g.org", 3, 35, 0)]
    assert summary(doc) == summary(parse(CASES["crlf"].replace("\r\n", "\n"), "t.md"))


def test_bold_titles_and_links_in_rows() -> None:
    doc = parse(CASES["bold_titles"], "t.md")
    assert [
        (e.title, e.title_line, e.title_column, e.title_source, e.title_link) for e in doc.entries
    ] == [
        ("Attention Is All You Need", 5, 5, "bold", None),
        ("Bold In Link", 6, 6, "bold", 1),
    ]
    assert links(doc) == [
        ("https://arxiv.org/abs/1706.03762", 5, 35, 0),
        ("https://arxiv.org/abs/2401.01234", 6, 3, 1),
        ("https://github.com/o/r", 6, 58, 1),
    ]
    assert all(e.section == 0 for e in doc.entries)


def test_ragged_rows_drop_extra_cells_and_plain_cells_are_text() -> None:
    ragged = parse(CASES["ragged_rows"], "t.md")
    assert [link.target for link in ragged.links] == ["https://1.org", "https://3.org"]
    assert texts(ragged) == [
        [("one", 3, 4)],
        [("x", 4, 3), ("y", 4, 7), ("z", 4, 11)],
        [("third", 5, 9)],
    ]
    plain = parse(CASES["plain_cells"], "t.md")
    assert rows(plain) == [
        ("row", 3, 1, "x", 3, 2, (), None),
        ("row", 4, 1, "longer words", 4, 3, (), None),
        ("row", 5, 1, "only second", 5, 6, (), None),
        ("row", 6, 1, "z", 6, 12, (0,), None),
    ]
    assert links(plain) == [("www.x.org", 6, 2, 3)]


def test_code_point_columns_after_tabs_and_astral_characters() -> None:
    doc = parse(CASES["indent_tabs_unicode"], "t.md")
    assert rows(doc) == [
        ("row", 3, 3, "Émoji Title", 3, 8, (0,), None),
        ("row", 4, 3, "Ünïcode", 4, 12, (), None),
    ]
    assert links(doc) == [("https://e.org/é", 3, 7, 0)]


def test_tables_end_where_other_blocks_start() -> None:
    doc = parse(CASES["interrupted"], "t.md")
    assert [(e.kind, e.line, e.title) for e in doc.entries] == [
        ("row", 3, "x"),
        ("row", 7, "z"),
        ("item", 8, "item | e | f | |-|-| | q | r"),
    ]
    assert [heading.line for heading in doc.headings] == [4]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_link_and_title_points_at_its_source(name: str) -> None:
    doc = parse(CASES[name], "t.md")
    for link in doc.links:
        assert doc.lines[link.line - 1][link.column - 1] in "[!<hw", link
    for entry in doc.entries:
        if entry.title is not None and entry.title_line is not None:
            assert entry.title_column is not None
            source = doc.lines[entry.title_line - 1][entry.title_column - 1 :]
            assert source.startswith(entry.title[:1]), entry


def test_a_table_is_one_block_token_however_many_rows() -> None:
    # markdown-it makes 6 block tokens, 2 inline tokens and their 2 children per two-cell row, all
    # alive at once: 1.3 GB for 200,000 rows. The table rule makes one token that only holds row offsets.
    for count in (10, 1000):
        source = "# T\n\n|a|b|\n|-|-|\n" + "|x|y|\n" * count + "\nafter\n"
        tokens = markdown._markdown().parse(source, {})
        assert [token.type for token in tokens] == [
            "heading_open",
            "inline",
            "heading_close",
            tables.TABLE_TOKEN,
            "paragraph_open",
            "inline",
            "paragraph_close",
        ]


# --- the one-token table rule against markdown-it's own ---------------------------------------------


def stock_parse(source: str, monkeypatch: pytest.MonkeyPatch) -> Document:
    """Parsed with markdown-it's table rule and a token per cell, the straightforward way."""
    with monkeypatch.context() as patch:
        patch.setattr(builder._Builder, "stock_tables", True)
        return parse(source, "t.md")


@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_cases_parse_like_markdown_it_table_rule(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = CASES[name]
    assert summary(parse(source, "t.md")) == summary(stock_parse(source, monkeypatch))


_CELLS = (
    "[Title words {n}](https://arxiv.org/abs/2401.{n:05d})",
    "**Bold Title {n}** [pdf](https://arxiv.org/pdf/2402.{n:05d}v2.pdf)",
    "[**Bold Link {n}**](https://x.org/{n})",
    "[code](https://github.com/o/r{n})",
    "2024",
    "NeurIPS",
    "✓",
    "",
    " ",
    "\u00a0nbsp {n}",
    "x",
    "Plain Title Words {n}",
    "`a|b`",
    "a \\| b {n}",
    "[a\\|b](https://y.org/a\\|b{n})",
    "see https://bare.org/{n}, ok",
    "www.w.org/{n}",
    "<https://auto.org/{n}>",
    "![img](https://i.org/{n}.png)",
    '<a href="https://h.org/{n}">H {n}</a>',
    "&amp; entity {n}",
    "*em* text {n}",
    "~~strike~~ {n}",
    "[ref {n}][r1]",
    "🎉 emoji [Émoji {n}](https://e.org/{n})",
    "\tTabbed {n}",
    "<!-- paperlint-disable-next-line PL101 --> c",
)


# What may follow a table: some end it, some become its rows.
_ENDS = (
    *("", "\n", "\nAfter [p](https://p.org)\n", "## Next\n", "- item\n", "> q\n"),
    *("1. n\n", "2) n\n", "```\nc\n```\n", "***\n", "<div>\n", "    |i|\n", "a | b\n"),
)


def realistic_tables(count: int, seed: int) -> str:
    """Several tables of mixed cells, ragged rows and various ends, some inside containers."""
    import random

    rng = random.Random(seed)
    parts = ["# Papers\n", "[r1]: https://r.org/1\n"]
    for table in range(count):
        prefix = rng.choice(["", "", "> ", "  ", "   "])
        columns = rng.randint(1, 4)
        lines = ["| " + " | ".join(f"H{i} [h](https://head.org/{i})" for i in range(columns))]
        lines.append(
            "|" + "|".join(rng.choice(["---", ":--", "--:", ":-:"]) for _ in range(columns))
        )
        for row in range(rng.randint(0, 40)):
            cells = [
                rng.choice(_CELLS).format(n=table * 100 + row)
                for _ in range(rng.randint(1, columns + 1))
            ]
            text = rng.choice([" | ", "|", " |\t"]).join(cells)
            lead = rng.choice(["| ", "|", ""]) if text else "|"
            lines.append(rng.choice(["", " ", "  "]) + lead + text + rng.choice([" |", "|", ""]))
        end = rng.choice(_ENDS)
        if prefix == "  ":
            parts.append("- Item with a table\n\n" + "".join("  " + line + "\n" for line in lines))
        else:
            parts.append("".join(prefix + line + "\n" for line in lines))
        parts.append(end + "\n")
    return "".join(parts)


@pytest.mark.parametrize("seed", range(4))
def test_realistic_tables_parse_like_markdown_it_table_rule(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = realistic_tables(12, seed)
    fast = parse(source, "t.md")
    assert summary(fast) == summary(stock_parse(source, monkeypatch))
    assert sum(entry.kind == "row" for entry in fast.entries) > 50
    # Titles of plain cells are remembered per text: the same when the memory is full at once.
    monkeypatch.setattr(builder, "_PLAIN_TITLES_KEPT", 1)
    assert summary(parse(source, "t.md")) == summary(fast)


def test_a_table_of_many_similar_rows_parses_like_markdown_it_table_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = "".join(
        f"| [Title words {n}](https://arxiv.org/abs/2401.{n:05d}) | [code](https://github.com/o/r{n})"
        f" | {2000 + n % 25} |\n| {'x' * (n % 7)} | y{n % 3} |\n"
        for n in range(400)
    )
    source = "| Paper | Code | Year |\n| --- | --- | --- |\n" + rows + "\nEnd.\n"
    fast = parse(source, "t.md")
    assert summary(fast) == summary(stock_parse(source, monkeypatch))
    assert len(fast.entries) == 800 and len(fast.links) == 800


def test_crlf_blockquoted_and_indented_tables_in_seeds_parse_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_perf_invariants import SEEDS

    for path in sorted(SEEDS.iterdir()):
        source = path.read_text(encoding="utf-8", errors="replace")
        for variant in (source, source.replace("\n", "\r\n"), "> " + source.replace("\n", "\n> ")):
            assert summary(parse(variant, "t.md")) == summary(stock_parse(variant, monkeypatch))


def test_the_cell_limit_ends_a_table_where_markdown_it_ends_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows shorter than the header are padded; markdown-it stops after 65,536 padded cells.
    columns = 3000
    source = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + "| [r](https://r.org) |\n" * 30
    fast = parse(source, "t.md")
    assert summary(fast) == summary(stock_parse(source, monkeypatch))
    assert [entry.kind for entry in fast.entries].count("row") == 21


@pytest.mark.parametrize(
    "row",
    [
        "|x|y|",
        "| a | b |",
        "a|b",
        "|",
        "||",
        "| |",
        " |\ta\t| b |  ",
        "|a\\|b|c|",
        "| \\| |",
        "|`a\\|b`| c \\\\| d |",
        "| é 🎉 | \u00a0x |",
    ],
)
def test_split_row_matches_the_character_by_character_split(row: str) -> None:
    from linter.document.tables import _split_escaped_row, split_row

    assert split_row(row) == _split_escaped_row(row)


@pytest.mark.parametrize(
    "row",
    [
        "|x|y|",
        "| [Title words here](https://arxiv.org/abs/2401.01234) | [code](https://github.com/o/r) |",
    ],
)
def test_parsing_a_big_table_needs_little_more_memory_than_its_document_keeps(row: str) -> None:
    # All of markdown-it's tokens alive at once made the peak 8 to 11 times what the document
    # keeps (its entries, links, text spans and lines); now a row's tokens die with the row.
    source = "|a|b|\n|-|-|\n" + (row + "\n") * 3000
    parse(source[:200], "warm-up.md")
    tracemalloc.start()
    try:
        doc = parse(source, "t.md")
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(doc.entries) == 3000
    assert peak < 2.5 * kept
