from __future__ import annotations

from pathlib import Path

import pytest

from linter.document import parse
from linter.findings import Edit, Hit, Severity
from linter.rules.base import RuleContext, RunMemo
from linter.rules.links import check_document, fetched_urls, invalid_reason


def hits_for(text: str, path: Path, ctx: RuleContext | None = None) -> list[Hit]:
    path.write_text(text, encoding="utf-8")
    return list(check_document(parse(text, str(path)), ctx or RuleContext()))


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("", "empty link target"),
        ("  ", "empty link target"),
        ("None", "placeholder link target 'None'"),
        ("null", "placeholder link target 'null'"),
        ("undefined", "placeholder link target 'undefined'"),
        ("htp://github.com/x", "unknown URL scheme 'htp:'"),
        ("https://", "no host in 'https://'"),
        ("https:///path", "no host in 'https:///path'"),
        ("https:/example.com", "'https:/example.com' has no '//' after 'https:'"),
        ("http://exa mple.com/x", "invalid host 'exa mple.com' in 'http://exa mple.com/x'"),
        ("https://example", "invalid host 'example' in 'https://example'"),
        ("https://-bad-.com", "invalid host '-bad-.com' in 'https://-bad-.com'"),
        ("https://example.com:99999/", "invalid port in 'https://example.com:99999/'"),
        # A host that ends in a number is an IPv4 address to a browser, or the URL is refused.
        ("http://1.2.3.4.5/", "invalid host '1.2.3.4.5' in 'http://1.2.3.4.5/'"),
        ("http://256.1.1.1.1/", "invalid host '256.1.1.1.1' in 'http://256.1.1.1.1/'"),
        ("http://999999999999/", "invalid host '999999999999' in 'http://999999999999/'"),
        ("http://08.1.1.1:80/", "invalid host '08.1.1.1' in 'http://08.1.1.1:80/'"),
        ("https://example.123/", "invalid host 'example.123' in 'https://example.123/'"),
        ("C:\\papers\\a.pdf", "'C:\\papers\\a.pdf' looks like a local Windows path, not a URL"),
    ],
)
def test_invalid_targets(target: str, reason: str) -> None:
    assert invalid_reason(target) == reason


@pytest.mark.parametrize(
    "target",
    [
        "https://arxiv.org/abs/1706.03762",
        "http://localhost:8000/x",
        "https://[::1]:8080/",
        "https://user@example.com/a?b=c#d",
        "https://例え.jp/パス",
        "mailto:someone@example.com",
        "#section",
        "docs/file.md#part",
        "../README.md",
        "//cdn.example.com/lib.js",
        "data:image/png;base64,AAAA",
        # Short IPv4 spellings are real addresses (PL108 decides about private ones, online).
        "http://127.1:8101/j",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://127.0.1/",
        "http://0x7f.1/",
        "http://127.0.0.1./",
        "http://134744072/",
    ],
)
def test_valid_targets(target: str) -> None:
    assert invalid_reason(target) is None


def test_invalid_urls_are_reported_at_the_link(tmp_path: Path) -> None:
    text = "# List\n\n- **Paper**, [pdf](None), [code](htp://github.com/x/y)\n- [empty]()\n"
    assert hits_for(text, tmp_path / "list.md") == [
        Hit("PL104", 3, 14, "placeholder link target 'None'", url="None"),
        Hit("PL104", 3, 27, "unknown URL scheme 'htp:'", url="htp://github.com/x/y"),
        Hit("PL104", 4, 3, "empty link target", url=""),
    ]


def test_missing_files_markdown_and_html(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    for folder in (tmp_path / "imgs", tmp_path / "docs" / "imgs"):
        folder.mkdir(parents=True)
        (folder / "there.png").write_bytes(b"png")
    text = (
        "![ok](imgs/there.png) ![gone](imgs/gone.png)\n"
        '<img src="imgs/missing%20plot.png" width="500">\n'
        "[site](www.example.com) [root](/imgs/there.png) [root gone](/nope.md)\n"
    )
    hits = hits_for(text, tmp_path / "docs" / "list.md")
    assert [(hit.line, hit.column, hit.message) for hit in hits] == [
        (1, 23, "file not found: imgs/gone.png"),
        (2, 1, "file not found: imgs/missing plot.png"),
        (
            3,
            1,
            "file not found: www.example.com (a web address needs https:// in front,"
            " or GitHub treats it as a path)",
        ),
        (3, 49, "file not found: /nope.md"),
    ]


def test_anchors_in_the_same_file(tmp_path: Path) -> None:
    text = (
        "# Awesome List\n"
        "\n"
        "- [Fine-tuning](#finetuning)\n"
        "- [Paper & Projects](#paper--projects)\n"
        "- [Case](#Fine-Tuning)\n"
        "- [top](#top) [html](#legacy) [encoded](#caf%C3%A9-notes)\n"
        "\n"
        "## Fine-tuning\n"
        "## Paper & Projects\n"
        "## Café notes\n"
        '<a name="legacy"></a>\n'
    )
    assert hits_for(text, tmp_path / "list.md") == [
        Hit(
            "PL106",
            3,
            3,
            "anchor #finetuning not found; did you mean #fine-tuning?",
            url="#finetuning",
        ),
        Hit(
            "PL106",
            5,
            3,
            "anchor #Fine-Tuning matches #fine-tuning only when case is ignored",
            url="#Fine-Tuning",
            suggestion="#fine-tuning",
            edit=Edit(5, 11, 5, 22, "fine-tuning"),
            severity=Severity.WARNING,
        ),
    ]


def test_anchor_in_another_markdown_file(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Models\n", encoding="utf-8")
    loaded: list[Path] = []

    def load(path: Path):  # type: ignore[no-untyped-def]
        loaded.append(path)
        return parse(path.read_text(encoding="utf-8"), str(path))

    text = "[a](other.md#models) [b](other.md#datasets) [c](other.md)\n"
    hits = hits_for(text, tmp_path / "list.md", RuleContext(load_document=load))
    assert [(hit.line, hit.column, hit.message) for hit in hits] == [
        (1, 22, "anchor #datasets not found in other.md"),
    ]
    assert loaded == [tmp_path / "other.md", tmp_path / "other.md"]


def test_bare_www_addresses_are_web_links_not_files(tmp_path: Path) -> None:
    text = (
        "- www.arxiv.org/abs/1810.04805 BERT\n"
        "- see www.example.org/x, or [site](www.example.org)\n"
        "\n"
        "www.example.org/y\n"
    )
    hits = hits_for(text, tmp_path / "list.md")
    assert [(hit.code, hit.line, hit.column, hit.message) for hit in hits] == [
        (
            "PL105",
            2,
            29,
            "file not found: www.example.org (a web address needs https:// in front,"
            " or GitHub treats it as a path)",
        ),
    ]


def test_line_anchors_of_a_markdown_source_view_are_not_headings(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")

    def load(path: Path):  # type: ignore[no-untyped-def]
        return parse(path.read_text(encoding="utf-8"), str(path))

    text = (
        "[a](other.md?plain=1#L1) [b](other.md?plain=1#L1-L3) [c](other.md#L1)"
        " [d](other.md?x=1&plain=1#L2) [e](other.md?plain=10#L1)\n"
    )
    hits = hits_for(text, tmp_path / "list.md", RuleContext(load_document=load))
    assert [(hit.line, hit.column, hit.message) for hit in hits] == [
        (1, 54, "anchor #L1 not found in other.md"),
        (1, 100, "anchor #L1 not found in other.md"),
    ]


@pytest.mark.parametrize("target", ["a" * 300 + ".md", "b" * 300 + "/c.md#x", "a%00b.md"])
def test_targets_no_file_can_have_are_missing_files(tmp_path: Path, target: str) -> None:
    hits = hits_for(f"[x]({target})\n", tmp_path / "list.md")
    assert [(hit.code, hit.line, hit.column) for hit in hits] == [("PL105", 1, 1)]


def test_seed_004_reports_exactly_the_missing_toc_anchor() -> None:
    seed = next(Path(__file__).resolve().parents[1].joinpath("data", "seeds").glob("seed_004.md"))
    text = seed.read_text(encoding="utf-8")
    hits = [
        hit for hit in check_document(parse(text, str(seed)), RuleContext()) if hit.code == "PL106"
    ]
    assert hits == [
        Hit(
            "PL106",
            12,
            4,
            "anchor #finetuning not found; did you mean #fine-tuning?",
            url="#finetuning",
        )
    ]


def test_fetched_urls_are_the_http_links_without_fragment_computed_once_per_run() -> None:
    source = (
        "- [a](https://a.example/x#part) <https://b.example/> www.c.example/d\n"
        "- [local](notes.md) [mail](mailto:x@y.z) [bad](https://exa mple.com/)\n"
    )
    doc = parse(source, "x.md")
    memo = RunMemo()
    found = fetched_urls(doc, memo)
    assert [(link.line, link.column, url) for link, url in found] == [
        (1, 3, "https://a.example/x"),
        (1, 33, "https://b.example/"),
        (1, 54, "http://www.c.example/d"),
    ]
    assert fetched_urls(doc, memo) is found
    assert fetched_urls(doc, None) == found and fetched_urls(doc, None) is not found
