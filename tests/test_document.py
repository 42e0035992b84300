from __future__ import annotations

from pathlib import Path

import pytest

from linter.document import Directive, Document, Entry, Link, LinkKind, Span, TextSpan, parse

SEEDS = Path(__file__).parent / "data" / "seeds"


def doc_of(text: str) -> Document:
    return parse(text, "test.md")


def where(doc: Document, line: int, column: int) -> str:
    """The source from (line, column) to the end of that line."""
    return doc.lines[line - 1][column - 1 :]


def span_text(doc: Document, span: Span) -> str:
    assert span.line == span.end_line
    return doc.lines[span.line - 1][span.column - 1 : span.end_column - 1]


def check_positions(doc: Document) -> None:
    """Every link starts with its construct and every single-line span holds the raw target."""
    starts = {
        LinkKind.INLINE: ("[", "!["),
        LinkKind.REFERENCE: ("[", "!["),
        LinkKind.AUTOLINK: ("<",),
        LinkKind.HTML: ("<a", "<A", "<img", "<IMG"),
        LinkKind.BARE: ("http", "HTTP", "www."),
    }
    for link in doc.links:
        assert where(doc, link.line, link.column).startswith(starts[link.kind]), link
        if link.image and link.kind in (LinkKind.INLINE, LinkKind.REFERENCE):
            assert where(doc, link.line, link.column).startswith("!["), link
        span = link.target_span
        if span is not None and span.line == span.end_line and "\\" not in link.target:
            raw = span_text(doc, span)
            if not any(char in raw for char in "&\\\0"):
                assert raw == link.target.removeprefix("mailto:") or raw == link.target, link
    for entry in doc.entries:
        if entry.title is not None and entry.title_line is not None:
            assert entry.title_column is not None
            head = entry.title[:3]
            assert where(doc, entry.title_line, entry.title_column).startswith(head), entry
        for text in entry.texts:
            source = where(doc, text.line, text.column)
            if text.code:
                assert source.startswith(text.text.split(" ")[0]), text
            elif len(text.text) > 1:
                assert source.startswith(text.text[:1]), text


def only(doc: Document) -> Link:
    assert len(doc.links) == 1, doc.links
    return doc.links[0]


# --- links of every kind -------------------------------------------------------------------------


def test_inline_link_position_text_and_target_span() -> None:
    doc = doc_of('See [the *paper*](https://arxiv.org/abs/1706.03762 "Title") now.\n')
    link = only(doc)
    assert link == Link(
        target="https://arxiv.org/abs/1706.03762",
        text="the paper",
        line=1,
        column=5,
        kind=LinkKind.INLINE,
        image=False,
        target_span=Span(1, 19, 1, 51),
        entry=None,
        section=None,
    )
    assert span_text(doc, Span(1, 19, 1, 51)) == "https://arxiv.org/abs/1706.03762"


def test_angle_bracket_destination_span_excludes_brackets() -> None:
    doc = doc_of("[a](<my file.pdf>)\n")
    link = only(doc)
    assert (link.target, link.target_span) == ("my file.pdf", Span(1, 6, 1, 17))


def test_reference_links_full_collapsed_and_shortcut() -> None:
    doc = doc_of(
        "Full [Attention][vaswani], collapsed [BERT][] and shortcut [GPT].\n"
        "\n"
        "[vaswani]: https://arxiv.org/abs/1706.03762\n"
        "[bert]:   <https://arxiv.org/abs/1810.04805> 'BERT paper'\n"
        "[GPT]:\n"
        "  https://arxiv.org/abs/2005.14165\n"
    )
    assert [(link.kind, link.text, link.line, link.column, link.target) for link in doc.links] == [
        (LinkKind.REFERENCE, "Attention", 1, 6, "https://arxiv.org/abs/1706.03762"),
        (LinkKind.REFERENCE, "BERT", 1, 38, "https://arxiv.org/abs/1810.04805"),
        (LinkKind.REFERENCE, "GPT", 1, 60, "https://arxiv.org/abs/2005.14165"),
    ]
    # the destination span lives in the definition
    assert [link.target_span for link in doc.links] == [
        Span(3, 12, 3, 44),
        Span(4, 12, 4, 44),
        Span(6, 3, 6, 35),
    ]
    check_positions(doc)


def test_first_definition_of_a_label_wins() -> None:
    doc = doc_of("[x][a]\n\n[a]: /first\n[A]: /second\n")
    assert (only(doc).target, only(doc).target_span) == ("/first", Span(3, 6, 3, 12))


def test_undefined_reference_is_not_a_link() -> None:
    assert doc_of("[not a link][nowhere] and [neither]\n").links == []


def test_autolinks_and_mailto() -> None:
    doc = doc_of("Mail <someone@example.org> or <https://example.org/a?b=c> or <mailto:x@y.z>\n")
    assert [(link.kind, link.target, link.text, link.column) for link in doc.links] == [
        (LinkKind.AUTOLINK, "mailto:someone@example.org", "", 6),
        (LinkKind.AUTOLINK, "https://example.org/a?b=c", "", 31),
        (LinkKind.AUTOLINK, "mailto:x@y.z", "", 62),
    ]
    assert [link.target_span for link in doc.links] == [
        Span(1, 7, 1, 26),
        Span(1, 32, 1, 57),
        Span(1, 63, 1, 75),
    ]


def test_images_inline_and_reference() -> None:
    doc = doc_of('![Star *badge*](https://img.shields.io/x.svg "t") ![logo][l]\n\n[l]: logo.png\n')
    assert [(link.kind, link.image, link.text, link.column, link.target) for link in doc.links] == [
        (LinkKind.INLINE, True, "Star badge", 1, "https://img.shields.io/x.svg"),
        (LinkKind.REFERENCE, True, "logo", 51, "logo.png"),
    ]
    assert doc.links[0].target_span == Span(1, 17, 1, 45)


def test_html_links_inline_and_in_blocks() -> None:
    doc = doc_of(
        'Text <a href="https://a.example/x?y=1&amp;z=2">the <b>anchor</b></a> and '
        "<IMG SRC='pic.png' alt=\"A pic\">.\n"
        "\n"
        '<p align="center">\n'
        '  <a href="https://b.example"><img src="logo.svg" alt="logo"></a>\n'
        "</p>\n"
    )
    assert [
        (link.kind, link.image, link.target, link.text, link.line, link.column)
        for link in doc.links
    ] == [
        (LinkKind.HTML, False, "https://a.example/x?y=1&z=2", "the anchor", 1, 6),
        (LinkKind.HTML, True, "pic.png", "A pic", 1, 74),
        (LinkKind.HTML, False, "https://b.example", "", 4, 3),
        (LinkKind.HTML, True, "logo.svg", "logo", 4, 31),
    ]
    assert [link.target_span for link in doc.links] == [
        Span(1, 15, 1, 46),
        Span(1, 84, 1, 91),
        Span(4, 12, 4, 29),
        Span(4, 41, 4, 49),
    ]


def test_bare_urls_follow_gfm_autolink_rules() -> None:
    doc = doc_of(
        "Visit www.commonmark.org/help for more.\n"
        "Visit www.commonmark.org/a.b.\n"
        "(www.google.com/search?q=Markup+(business))\n"
        "www.google.com/search?q=Markup+(business)))\n"
        "www.google.com/search?q=(business))+ok\n"
        "www.google.com/search?q=commonmark&hl;\n"
        "www.commonmark.org/he<lp\n"
        "(Visit https://encrypted.google.com/search?q=Markup+(business))\n"
        'say "https://quoted.example/x", and xhttp://no.example, ftp://no.example\n'
        "not example.com, not www.x_y.com, but https://a_b.example.com/c_d_\n"
    )
    assert [(link.target, link.line, link.column) for link in doc.links] == [
        ("www.commonmark.org/help", 1, 7),
        ("www.commonmark.org/a.b", 2, 7),
        ("www.google.com/search?q=Markup+(business)", 3, 2),
        ("www.google.com/search?q=Markup+(business)", 4, 1),
        ("www.google.com/search?q=(business))+ok", 5, 1),
        ("www.google.com/search?q=commonmark", 6, 1),
        ("www.commonmark.org/he", 7, 1),
        ("https://encrypted.google.com/search?q=Markup+(business)", 8, 8),
        ("https://quoted.example/x", 9, 6),
        ("https://a_b.example.com/c_d", 10, 39),
    ]
    assert {link.kind for link in doc.links} == {LinkKind.BARE}
    assert doc.links[0].target_span == Span(1, 7, 1, 30)
    check_positions(doc)


def test_bare_url_is_cut_before_a_following_construct() -> None:
    doc = doc_of("https://a.example/x[label](https://b.example) and **https://c.example**\n")
    assert [(link.kind, link.target, link.column) for link in doc.links] == [
        (LinkKind.BARE, "https://a.example/x", 1),
        (LinkKind.INLINE, "https://b.example", 20),
        (LinkKind.BARE, "https://c.example", 53),
    ]


def test_urls_inside_links_tags_and_anchors_are_not_bare_links() -> None:
    doc = doc_of(
        "[https://label.example](https://dest.example) "
        '<a href="https://h.example">https://h.example</a> `https://code.example`\n'
    )
    assert [(link.kind, link.target) for link in doc.links] == [
        (LinkKind.INLINE, "https://dest.example"),
        (LinkKind.HTML, "https://h.example"),
    ]


def test_nothing_is_a_link_in_code_or_comments() -> None:
    doc = doc_of(
        "`[a](b)` and ``<https://x.example>`` and `https://y.example`\n"
        "\n"
        "```md\n"
        "[c](d) https://z.example <a href='e'>e</a>\n"
        "```\n"
        "\n"
        "    [indented](code) https://w.example\n"
        "\n"
        "<!-- [commented](out) <a href='f'>f</a> https://v.example -->\n"
        "x <!-- <img src='g.png'> --> y\n"
    )
    assert doc.links == []


def test_empty_and_placeholder_destinations() -> None:
    doc = doc_of("[empty]() [none](None) [spaces]( )\n")
    assert [(link.target, link.target_span) for link in doc.links] == [
        ("", Span(1, 9, 1, 9)),
        ("None", Span(1, 18, 1, 22)),
        ("", Span(1, 34, 1, 34)),
    ]


def test_target_is_as_written_not_percent_encoded() -> None:
    doc = doc_of(
        "- ðŸŒ² [classic papers](#ðŸŒ²-classic-papers)\n"
        "- [space](a%20b) [escaped](a\\_b) [entity](a&amp;b) [unicode](https://例え.jp/パス)\n"
    )
    assert [link.target for link in doc.links] == [
        "#ðŸŒ²-classic-papers",
        "a%20b",
        "a_b",
        "a&b",
        "https://例え.jp/パス",
    ]
    assert doc.links[0].column == 8
    assert doc.links[0].target_span == Span(1, 25, 1, 45)


# --- positions in awkward places ----------------------------------------------------------------


def test_positions_in_nested_items_blockquotes_tables_and_after_tabs() -> None:
    source = (
        "> - [quoted](q1) and [second](q2)\n"
        ">   - [nested in quote](q3)\n"
        "\n"
        "-\t[after tab](t1)\n"
        "\t- [nested tab](t2)\n"
        "\n"
        "1. [o](o1)\n"
        "   1) deeper [d](o2)\n"
        "\n"
        "| Näme | Lïnk |\n"
        "|------|------|\n"
        "| é [c1](c1) | [c2](c2) \\| [c3](c3) |\n"
        "  | [indented row](c4) |  |\n"
    )
    doc = doc_of(source)
    expected = {
        "q1": (1, 5),
        "q2": (1, 22),
        "q3": (2, 7),
        "t1": (4, 3),
        "t2": (5, 4),
        "o1": (7, 4),
        "o2": (8, 14),
        "c1": (12, 5),
        "c2": (12, 16),
        "c3": (12, 28),
        "c4": (13, 5),
    }
    assert {link.target: (link.line, link.column) for link in doc.links} == expected
    check_positions(doc)


def test_multi_line_labels_and_several_links_per_line() -> None:
    doc = doc_of(
        "* [swarm parallelism: training large models\n"
        "can be surprisingly communication-efficient](https://arxiv.org/pdf/2301.11913)\n"
        "* [a](1) [b](2) [c](3)\n"
    )
    assert [(link.text, link.line, link.column) for link in doc.links] == [
        (
            "swarm parallelism: training large models can be surprisingly communication-efficient",
            1,
            3,
        ),
        ("a", 3, 3),
        ("b", 3, 10),
        ("c", 3, 17),
    ]
    assert doc.links[0].target_span == Span(2, 46, 2, 78)


def test_columns_count_code_points_not_bytes() -> None:
    doc = doc_of("中文标题 🚀 — [链接](https://例.com) 😀\n")
    link = only(doc)
    assert (link.line, link.column) == (1, 10)
    assert where(doc, 1, 10).startswith("[链接]")
    assert link.target_span == Span(1, 15, 1, 28)


def test_crlf_and_nul_do_not_shift_positions() -> None:
    doc = doc_of("# T\r\n\r\n- a\0b [x](y)\r\n- [z](w)\r\n")
    assert doc.lines == ["# T", "", "- a\0b [x](y)", "- [z](w)"]
    assert [(link.line, link.column) for link in doc.links] == [(3, 7), (4, 3)]


# --- entries and titles ------------------------------------------------------------------------


def test_bold_title_spanning_two_lines_seed_004_style() -> None:
    doc = doc_of(
        "## Pretrain\n"
        "- **SpacTor-T5: Pre-training T5 Models with Span Corruption and Replaced\n"
        "  Token Detection**, `arXiv, 2401.13160`, [arxiv](http://arxiv.org/abs/2401.13160v1),"
        " [pdf](http://arxiv.org/pdf/2401.13160v1.pdf), cication: [**-1**](None)\n"
        "\n"
        "\t *Ke Ye, Heinrich Jiang*\n"
    )
    entry = doc.entries[0]
    assert entry == Entry(
        index=0,
        kind="item",
        line=2,
        column=1,
        end_line=5,
        title="SpacTor-T5: Pre-training T5 Models with Span Corruption and Replaced Token Detection",
        title_line=2,
        title_column=5,
        title_source="bold",
        links=(0, 1, 2),
        title_link=None,
        texts=(
            TextSpan("SpacTor-T5: Pre-training T5 Models with Span Corruption and Replaced", 2, 5),
            TextSpan("Token Detection", 3, 3),
            TextSpan(", ", 3, 20),
            TextSpan("arXiv, 2401.13160", 3, 23, code=True),
            TextSpan(", ", 3, 41),
            TextSpan("arxiv", 3, 44),
            TextSpan(", ", 3, 85),
            TextSpan("pdf", 3, 88),
            TextSpan(", cication: ", 3, 131),
            TextSpan("-1", 3, 146),
            TextSpan("Ke Ye, Heinrich Jiang", 5, 4),
        ),
        parent=None,
        section=0,
    )
    assert [link.entry for link in doc.links] == [0, 0, 0]
    assert doc.links[2].target == "None"
    check_positions(doc)


def test_bold_title_inside_a_link_and_badge_image() -> None:
    doc = doc_of(
        "- [**metaseq**](https://github.com/facebookresearch/metaseq) - facebookresearch "
        "![Star](https://img.shields.io/github/stars/facebookresearch/metaseq.svg)\n"
    )
    entry = doc.entries[0]
    assert (entry.title, entry.title_line, entry.title_column, entry.title_source) == (
        "metaseq",
        1,
        6,
        "bold",
    )
    assert entry.title_link == 0
    assert [(link.image, link.text) for link in doc.links] == [(False, "metaseq"), (True, "Star")]


@pytest.mark.parametrize(
    ("item", "title", "column", "source"),
    [
        (
            "- Title: [arXiv](https://arxiv.org/abs/1) [code](https://github.com/x)",
            "Title",
            3,
            "text",
        ),
        (
            "- Attention Is All You Need [[paper]](https://a.b/c)",
            "Attention Is All You Need",
            3,
            "text",
        ),
        ("- Some Paper ([pdf](https://a.b/c.pdf), [code](x))", "Some Paper", 3, "text"),
        ("- [PDF](https://a.b/c.pdf) Lonely words", None, None, None),
        ("- (code) | [(Code)](x) Real title", None, None, None),
        ("- [Real Title](https://a.b/c) [pdf](x)", "Real Title", 4, "link"),
        ("- ![badge](https://img/x.svg) [Titled](https://a.b/c)", "Titled", 32, "link"),
        ("- [![Star](https://img/x.svg)](https://g/h) [Named](https://a.b/c)", "Named", 46, "link"),
        ("- [🔥](https://x) Hot paper — [paper](https://a.b/c)", "Hot paper", 18, "text"),
        ("- Paper title https://arxiv.org/abs/1706.03762", "Paper title", 3, "text"),
        ("- <https://arxiv.org/abs/1706.03762>", None, None, None),
        ("- Just a note without links.", "Just a note without links.", 3, "text"),
        ("- `model-x`: a model [repo](https://g/x)", "model-x: a model", 4, "text"),
        ("- __Underscored Bold__ [x](y)", "Underscored Bold", 5, "bold"),
        ('- <a href="https://a.b">HTML Title</a> [pdf](x)', "HTML Title", 25, "link"),
        # Where the text title ends: a description after a spaced dash is not part of it.
        (
            "- Attention Is All You Need – Vaswani et al. [pdf](x)",
            "Attention Is All You Need",
            3,
            "text",
        ),
        ("- Well-known - title with a dash [paper](x)", "Well-known", 3, "text"),
    ],
)
def test_title_rules(item: str, title: str | None, column: int | None, source: str | None) -> None:
    doc = doc_of(item + "\n")
    entry = doc.entries[0]
    assert (entry.title, entry.title_column, entry.title_source) == (title, column, source)
    assert entry.title_line == (1 if title is not None else None)
    check_positions(doc)


def test_title_link_index_and_generic_texts_are_configurable() -> None:
    doc = parse("- [Paper](https://a.b/c) rest\n", "t.md", frozenset({"rest"}))
    assert (doc.entries[0].title, doc.entries[0].title_link) == ("Paper", 0)
    doc = parse("- [Paper](https://a.b/c) rest\n", "t.md")
    assert (doc.entries[0].title, doc.entries[0].title_source) == (None, None)


def test_digest_table_rows_take_the_bold_title_without_number_and_blurb() -> None:
    doc = doc_of(
        "| **Paper** | **Links** |\n"
        "| --- | --- |\n"
        "| 1) **Attention as an RNN** - presents a new attention mechanism. | [Paper](https://arxiv.org/abs/2405.13956), [Tweet](https://x.com/a/status/1) |\n"
        "| 2) Extracting Concepts from GPT-4 - a new method. | [Paper](https://openai.com/index/x/) |\n"
    )
    assert [(e.title, e.title_line, e.title_column, e.title_source) for e in doc.entries] == [
        ("Attention as an RNN", 3, 8, "bold"),
        ("Extracting Concepts from GPT-4", 4, 6, "text"),
    ]
    check_positions(doc)


@pytest.mark.parametrize(
    ("cell", "title", "column", "source"),
    [
        # A digest numbers its table rows: the number goes, the bold span is the title, the blurb
        # after it is not. (In a list, "6) " would start a nested ordered list.)
        ("6) **Attention as an RNN** - presents a new", "Attention as an RNN", 8, "bold"),
        ("(12) **Attention as an RNN**: presents a new", "Attention as an RNN", 10, "bold"),
        ("12) Extracting Concepts - proposes a method", "Extracting Concepts", 7, "text"),
        ("2) `code` title", "code title", 7, "text"),
        ("2) [Linked Title](https://a.b/c) - blurb", "Linked Title", 7, "link"),
        ("2024) A year, not a list number", "2024) A year, not a list number", 3, "text"),
        ("3)", None, None, None),
    ],
)
def test_numbered_table_cells(
    cell: str, title: str | None, column: int | None, source: str | None
) -> None:
    doc = doc_of(f"| Paper | Links |\n| --- | --- |\n| {cell} | [paper](x) |\n")
    entry = doc.entries[0]
    assert (entry.title, entry.title_column, entry.title_source) == (title, column, source)
    check_positions(doc)


@pytest.mark.parametrize(
    ("item", "title", "column"),
    [
        (
            "- ⭐ **Attention Is All You Need** [Paper PDF](https://a.b/c)",
            "Attention Is All You Need",
            7,
        ),
        ("- 🔥 Tree of Thoughts [[arXiv paper]](https://a.b/c)", "🔥 Tree of Thoughts", 3),
        ("- Chain of Thought [[arXiv 2022]](https://a.b/c)", "Chain of Thought", 3),
        ("- 🔥 **LoRA** [[论文]](https://a.b/c) [[代码]](https://g/h)", "LoRA", 7),
        ("- [Code Llama](https://a.b/c) [code](https://g/h)", "Code Llama", 4),
        ("- [Paper 1](https://a.b/c)", "Paper 1", 4),  # a number, not a year
    ],
)
def test_link_texts_made_of_labels_are_not_titles(item: str, title: str, column: int) -> None:
    entry = doc_of(item + "\n").entries[0]
    assert (entry.title, entry.title_line, entry.title_column) == (title, 1, column)


def test_nested_items_are_their_own_entries() -> None:
    doc = doc_of(
        "# Papers\n"
        "- [Outer](o) intro\n"
        "  more text\n"
        "  - [Inner one](i1)\n"
        "    - [Innermost](i2)\n"
        "  - [Inner two](i3)\n"
        "\n"
        "  back in outer [x](o2)\n"
        "- [Next](n)\n"
    )
    summary = [
        (e.index, e.line, e.column, e.end_line, e.title, e.parent, e.links, e.section)
        for e in doc.entries
    ]
    assert summary == [
        (0, 2, 1, 8, "Outer", None, (0, 4), 0),
        (1, 4, 3, 4, "Inner one", 0, (1,), 0),
        (2, 5, 5, 5, "Innermost", 1, (2,), 0),
        (3, 6, 3, 6, "Inner two", 0, (3,), 0),
        (4, 9, 1, 9, "Next", None, (5,), 0),
    ]
    # links stay in source order, and each knows its innermost entry
    assert [link.target for link in doc.links] == ["o", "i1", "i2", "i3", "o2", "n"]
    assert [link.entry for link in doc.links] == [0, 1, 2, 3, 0, 4]


def test_table_body_rows_are_entries_and_header_is_not() -> None:
    doc = doc_of(
        "## Table\n"
        "\n"
        "| Year | Paper | Code |\n"
        "| ---- | ----- | ---- |\n"
        "| [pdf](p0) | **Bold Row** | [code](c0) |\n"
        "|  | [Linked Row](p1) | [code](c1) |\n"
        "| 2023 | plain |\n"
        "\n"
        "[Prose](x) after.\n"
    )
    rows = [
        (e.kind, e.line, e.column, e.title, e.title_column, e.title_source, e.links)
        for e in doc.entries
    ]
    assert rows == [
        ("row", 5, 1, "Bold Row", 17, "bold", (0, 1)),
        ("row", 6, 1, "Linked Row", 7, "link", (2, 3)),
        ("row", 7, 1, "2023", 3, "text", ()),
    ]
    assert doc.links[-1].entry is None
    assert all(entry.section == 0 and entry.parent is None for entry in doc.entries)
    check_positions(doc)


def test_prose_links_belong_to_no_entry_and_sections_follow_headings() -> None:
    doc = doc_of("Intro [a](a)\n\n# One\n\nPara [b](b)\n\nTwo\n===\n\n- [c](c)\n")
    assert [(link.target, link.entry, link.section) for link in doc.links] == [
        ("a", None, None),
        ("b", None, 0),
        ("c", 0, 1),
    ]
    assert doc.entries[0].section == 1


def test_texts_keep_escapes_and_entities_as_separate_spans() -> None:
    doc = doc_of("- A \\*star\\* &amp; `arXiv:2401.13160` done\n")
    assert doc.entries[0].texts == (
        TextSpan("A ", 1, 3),
        TextSpan("*", 1, 5),
        TextSpan("star", 1, 7),
        TextSpan("*", 1, 11),
        TextSpan(" ", 1, 13),
        TextSpan("&", 1, 14),
        TextSpan(" ", 1, 19),
        TextSpan("arXiv:2401.13160", 1, 21, code=True),
        TextSpan(" done", 1, 38),
    )


def test_empty_item_and_item_with_only_a_nested_list() -> None:
    doc = doc_of("-\n- - [x](y)\n")
    assert [(e.line, e.column, e.title, e.parent, e.links) for e in doc.entries] == [
        (1, 1, None, None, ()),
        (2, 1, None, None, ()),
        (2, 3, "x", 1, (0,)),
    ]


# --- headings, anchors and directives --------------------------------------------------------------


def test_headings_slugs_duplicates_and_unicode() -> None:
    doc = doc_of(
        "# Awesome *LLM* training\n"
        "## Paper & Projects\n"
        "### Other\n"
        "### Other\n"
        "### Other-1\n"
        "  ## `code` and [link](x) ![img](y) <b>tag</b> :rocket:  \n"
        "Setext ☃ Привет\n"
        "---\n"
        "> # Quoted #\n"
        "#\n"
    )
    assert [(h.level, h.text, h.slug, h.line, h.column) for h in doc.headings] == [
        (1, "Awesome LLM training", "awesome-llm-training", 1, 1),
        (2, "Paper & Projects", "paper--projects", 2, 1),
        (3, "Other", "other", 3, 1),
        (3, "Other", "other-1", 4, 1),
        (3, "Other-1", "other-1-1", 5, 1),
        (2, "code and link tag :rocket:", "code-and-link--tag-rocket", 6, 3),
        (2, "Setext ☃ Привет", "setext--привет", 7, 1),
        (1, "Quoted", "quoted", 9, 3),
        (1, "", "", 10, 1),
    ]
    assert doc.anchors >= {"other", "other-1", "other-1-1"}


def test_html_anchors_from_id_and_name() -> None:
    doc = doc_of(
        '<a name="top"></a>\n'
        "\n"
        "Text <span id='inline-id'>x</span> <a name=\"n&amp;m\">\n"
        "\n"
        '<h2 id="custom">Custom</h2>\n'
        "\n"
        "`<a name='in-code'>`\n"
    )
    assert doc.html_anchors == {"top", "inline-id", "n&m", "custom"}
    assert "custom" in doc.anchors


def test_directives_in_blocks_and_inline_not_in_code() -> None:
    doc = doc_of(
        "<!-- paperlint-disable-next-line PL201 -->\n"
        "- [a](b)\n"
        "\n"
        "<!-- paperlint-disable PL401, link-broken -- vendored list -->\n"
        "Text <!--paperlint-enable--> more <!-- paperlint-disable -->\n"
        "\n"
        "```\n"
        "<!-- paperlint-disable PL999 -->\n"
        "```\n"
        "<!-- paperlint-disabled PL1 --> <!-- just a comment -->\n"
    )
    assert doc.directives == [
        Directive("disable-next-line", ("PL201",), 1, 1),
        Directive("disable", ("PL401", "link-broken"), 4, 1),
        Directive("enable", (), 5, 6),
        Directive("disable", (), 5, 35),
    ]


# --- robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n\n",
        "[",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[foo]()",
        "![[](]",
        "<a href=",
        "<a " + "b " * 5000,
        "<!--",
        "| a |\n| - |\n| \\|",
        "- " * 200 + "x",
        "> " * 200 + "[x](y)",
        "x" * 200_000 + " https://a.example/" + "(" * 5000,
        "[x](<unterminated\n",
        "www._.a_b_c.d www. http:// https://_",
        "\t\t- \t[x](y)\n\t \t  [z](w)",
        "\ufeff# BOM heading\n- [x](\x00)",
        "[a]: <>\n[a]",
        "```\nunclosed fence [x](y)",
        "*" * 1000 + "text" + "_" * 1000,
    ],
)
def test_bad_input_never_raises(source: str) -> None:
    doc = doc_of(source)
    check_positions(doc)


def test_pathological_html_tag_is_linear() -> None:
    # A tag regex with nested quantifiers could backtrack for ever on this.
    doc = doc_of("<div>\n<a " + 'b="c" ' * 3000 + "\n</div>\n")
    assert doc.links == []


# --- the seeds -----------------------------------------------------------------------------------


def test_seed_001_entries_and_links() -> None:
    doc = parse((SEEDS / "seed_001.md").read_text(encoding="utf-8"), "seed_001.md")
    assert (len(doc.entries), len(doc.links), len(doc.headings)) == (23, 23, 5)
    multi = doc.entries[1]
    assert (multi.title, multi.line, multi.end_line, multi.title_column) == (
        "swarm parallelism: training large models can be surprisingly communication-efficient",
        20,
        21,
        4,
    )
    assert doc.links[1].target == "https://arxiv.org/pdf/2301.11913"
    check_positions(doc)


def test_seed_004_titles_and_positions() -> None:
    doc = parse((SEEDS / "seed_004.md").read_text(encoding="utf-8"), "seed_004.md")
    assert (len(doc.entries), len(doc.links), len(doc.headings)) == (184, 506, 22)
    by_line = {entry.line: entry for entry in doc.entries}
    spactor = by_line[25]
    assert (spactor.title, spactor.title_line, spactor.title_column, spactor.end_line) == (
        "SpacTor-T5: Pre-training T5 Models with Span Corruption and Replaced Token Detection",
        25,
        5,
        28,
    )
    assert TextSpan("arXiv, 2401.13160", 26, 23, code=True) in spactor.texts
    metaseq = by_line[40]
    assert (metaseq.title, metaseq.title_column, metaseq.title_source) == ("metaseq", 6, "bold")
    assert doc.links[metaseq.title_link or 0].target.startswith(
        "https://github.com/facebookresearch/metaseq/"
    )
    toc_pretrain_other = by_line[5]
    assert (toc_pretrain_other.column, toc_pretrain_other.parent) == (3, 1)
    check_positions(doc)


def test_seed_004_toc_misses_exactly_one_anchor() -> None:
    doc = parse((SEEDS / "seed_004.md").read_text(encoding="utf-8"), "seed_004.md")
    toc = [link for link in doc.links if link.target.startswith("#")]
    assert len(toc) == 19
    missing = [link.target for link in toc if link.target[1:] not in doc.anchors]
    assert missing == ["#finetuning"]
    slugs = [heading.slug for heading in doc.headings]
    assert "paper--projects" in slugs
    assert [slug for slug in slugs if slug.startswith("other")] == [
        "other",
        "other-1",
        "other-2",
        "other-3",
        "other-4",
        "other-5",
        "other-6",
    ]


def test_seed_000_mojibake_anchor_targets_are_kept_verbatim() -> None:
    doc = parse((SEEDS / "seed_000.md").read_text(encoding="utf-8"), "seed_000.md")
    assert doc.links[0].target == "#ðŸŒ²-classic-papers"
    assert doc.headings[2].slug == "ðÿœ-classic-papers"
    check_positions(doc)


def test_byte_order_mark_does_not_hide_the_first_heading() -> None:
    doc = doc_of("\ufeff# Reading list\n- [x](y)\n")
    assert [(h.text, h.slug, h.line, h.column) for h in doc.headings] == [
        ("Reading list", "reading-list", 1, 2)
    ]
    assert doc.lines[0] == "\ufeff# Reading list"


def test_task_list_checkbox_is_not_part_of_the_title() -> None:
    doc = doc_of("- [ ] Read this paper\n- [x] [Done Paper](https://a.b/c)\n")
    assert [(e.column, e.title, e.title_column, e.title_source) for e in doc.entries] == [
        (1, "Read this paper", 7, "text"),
        (1, "Done Paper", 8, "link"),
    ]


def test_definitions_inside_containers_and_exotic_blank_lines() -> None:
    doc = doc_of(
        "> [quoted][q]\n"
        ">\n"
        ">   [q]: https://q.example\n"
        "\n"
        "- [listed][l]\n"
        "\n"
        "  [l]:\thttps://l.example\n"
        "\n"
        "\u00a0\n"
        "\u3000[after blanks](https://b.example)\n"
    )
    assert [(link.target, link.line, link.column, link.target_span) for link in doc.links] == [
        ("https://q.example", 1, 3, Span(3, 10, 3, 27)),
        ("https://l.example", 5, 3, Span(7, 8, 7, 25)),
        ("https://b.example", 10, 2, Span(10, 17, 10, 34)),
    ]


def test_unclosed_inline_anchor_takes_the_rest_of_the_paragraph() -> None:
    doc = doc_of('<span>x</span> <a href="https://a.example">open https://b.example\n')
    assert [(link.kind, link.target, link.text) for link in doc.links] == [
        (LinkKind.HTML, "https://a.example", "open https://b.example"),
    ]


def test_html_image_inside_a_link_label_is_a_badge() -> None:
    doc = doc_of(
        '- [<img src="https://img/star.svg" alt="Star">](https://g/h) [Named](https://a.b/c)\n'
    )
    assert [(link.kind, link.image, link.text) for link in doc.links] == [
        (LinkKind.INLINE, False, "Star"),
        (LinkKind.HTML, True, "Star"),
        (LinkKind.INLINE, False, "Named"),
    ]
    assert (doc.entries[0].title, doc.entries[0].title_link) == ("Named", 2)
