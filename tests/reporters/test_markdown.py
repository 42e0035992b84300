from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from linter.engine import Report, Summary
from linter.findings import Finding, Severity
from linter.reporters import REPORTERS, RenderOptions, markdown
from linter.reporters.markdown import code, escape


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "path": "a.md",
        "line": 4,
        "column": 3,
        "rule": "PL104",
        "name": "url-invalid",
        "severity": Severity.ERROR,
        "message": "placeholder link target 'None'",
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def report(findings: list[Finding], problems: list[str] | None = None, files: int = 2) -> Report:
    errors = sum(1 for item in findings if item.severity is Severity.ERROR)
    warnings = sum(1 for item in findings if item.severity is Severity.WARNING)
    return Report(findings, Summary(files, 9, 12, len(findings), errors, warnings), problems or [])


def render(value: Report) -> str:
    return REPORTERS["markdown"](value, RenderOptions())


FINDINGS = [
    finding(),
    finding(line=7, rule="PL106", name="anchor-missing", severity=Severity.WARNING,
            message="anchor #Top matches #top only when case is ignored"),
    finding(path="b.md", line=2, rule="PL104", message="unknown URL scheme 'htp:'"),
    finding(path="b.md", line=3, rule="PL108", name="link-skipped", severity=Severity.INFO,
            message="link skipped: private address"),
]  # fmt: skip


def test_tables_per_rule_and_per_file_then_the_findings() -> None:
    assert render(report(FINDINGS)) == (
        "## paperlint\n"
        "\n"
        "**Found 4 problems (2 errors, 1 warning, 1 note) in 2 files.**\n"
        "\n"
        "### By rule\n"
        "\n"
        "| rule | errors | warnings | notes | total |\n"
        "| --- | ---: | ---: | ---: | ---: |\n"
        "| PL104 url-invalid | 2 | 0 | 0 | 2 |\n"
        "| PL106 anchor-missing | 0 | 1 | 0 | 1 |\n"
        "| PL108 link-skipped | 0 | 0 | 1 | 1 |\n"
        "\n"
        "### By file\n"
        "\n"
        "| file | errors | warnings | notes | total |\n"
        "| --- | ---: | ---: | ---: | ---: |\n"
        "| `a.md` | 1 | 1 | 0 | 2 |\n"
        "| `b.md` | 1 | 0 | 1 | 2 |\n"
        "\n"
        "### Findings\n"
        "\n"
        "| location | rule | severity | message |\n"
        "| --- | --- | --- | --- |\n"
        "| `a.md:4:3` | PL104 url-invalid | error | placeholder link target 'None' |\n"
        "| `a.md:7:3` | PL106 anchor-missing | warning | anchor \\#Top matches \\#top only when"
        " case is ignored |\n"
        "| `b.md:2:3` | PL104 url-invalid | error | unknown URL scheme 'htp\\:' |\n"
        "| `b.md:3:3` | PL108 link-skipped | info | link skipped\\: private address |\n"
    )


def test_clean_report_and_unreadable_files() -> None:
    assert render(report([], ["gone.md: no such file or directory"], files=1)) == (
        "## paperlint\n"
        "\n"
        "**No problems found in 1 file (9 entries, 12 links).**\n"
        "\n"
        "Not checked:\n"
        "\n"
        "- gone.md\\: no such file or directory\n"
    )


def test_escape_and_code_spans() -> None:
    assert escape("a|b *c* _d_ <b>x</b> @me #12 ~s~ $x$ [l](u) `c` \\ & :+1:") == (
        "a\\|b \\*c\\* \\_d\\_ \\<b\\>x\\</b\\> \\@me \\#12 \\~s\\~ \\$x\\$ \\[l\\]\\(u\\) "
        "\\`c\\` \\\\ \\& \\:+1\\:"
    )
    assert escape("two\nlines\r\n") == "two lines  "
    assert code("a.md:1:2") == "`a.md:1:2`"
    assert code("we`ird|.md") == "``we`ird\\|.md``"
    assert code("`x") == "`` `x ``"


def text_of_cells(rendered: str) -> list[list[str]]:
    """The plain text of every table body cell, as a Markdown renderer shows it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(rendered)
    rows: list[list[str]] = []
    in_body = False
    for token in tokens:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline":
            rows[-1].append(
                "".join(
                    child.content
                    for child in token.children or []
                    if child.type in ("text", "code_inline")
                )
            )
    return rows


def test_hostile_messages_render_as_written_without_breaking_the_table() -> None:
    message = "title | with *stars* <script>x</script> [link](http://x) `tick` \\ end"
    path = "odd|name`.md"
    rendered = render(report([finding(path=path, message=message)], files=1))
    rows = text_of_cells(rendered)
    assert rows[-1] == [f"{path}:4:3", "PL104 url-invalid", "error", message]
    assert rows[1] == [path, "1", "0", "0", "1"]
    assert "<script>" not in rendered


def test_long_reports_are_cut_but_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_FINDINGS", 2)
    rendered = render(report([finding(line=line) for line in range(1, 6)], files=1))
    assert "| PL104 url-invalid | 5 | 0 | 0 | 5 |" in rendered
    assert rendered.count("| `a.md:") == 2
    assert rendered.endswith("\n… and 3 more (see the full report).\n")
