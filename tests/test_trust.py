"""Real-shaped reading lists where almost every offline finding used to be a false alarm.

tests/data/trust holds four lists written in the shape of large public ones:

* weekly.md: a weekly digest ("Top ML Papers of the Week"): a table of contents of links to its own
  anchors, numbered table rows ``1) **Title** - blurb``, papers featured again in later weeks with
  other blurbs or a shortened title ("Scaling Laws").
* long_context.md: a topic list whose "News / Week Papers / Month Papers" digest repeats papers that
  are filed again under the topics, nested date items, a paper filed under two topics.
* trending.md: a "Trending projects" section repeating repositories listed under their family.
* models.md: model names ("DeepSeek-v2-236B-MoE", "Qwen2 72B Instruct", "OPT-66B") linking the
  papers whose full titles long_context.md lists.

Every finding below was read against the files: the defects planted in the same shapes are found,
and nothing else is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.cli import main

DATA = Path(__file__).parent / "data" / "trust"

EXPECTED = """\
long_context.md:29:13: PL201 [error] duplicate entry: "Accelerating Diffusion Language Model Inference via Efficient KV Caching and Guided Diffusion" (arXiv:2505.21467) already listed at line 27
long_context.md:35:13: PL301 [error] arXiv:2505.14183 is listed as "Video Compression Commander: Plug-and-Play Inference Acceleration for Video Large Language Models" here but as "ThinkSwitcher: When to Think Hard, When to Think Fast" at line 33
long_context.md:72:7: PL202 [info] cross-listed: "Efficient Streaming Language Models with Attention Sinks." (arXiv:2309.17453) also listed under "2.1 Sparse Attention" at line 58
long_context.md:80:7: PL201 [error] duplicate entry: "RULER: What's the Real Context Size of Your Long-Context Language Models?" (arXiv:2404.06654) already listed at line 76
trending.md:17:4: PL201 [error] duplicate entry: "unsloth" (github.com/unslothai/unsloth) already listed at line 15
weekly.md:49:8: PL301 [error] arXiv:2408.05109 is listed as "Agentic Retrieval-Augmented Generation: A Survey" here but as "A Survey of NL2SQL with Large Language Models" at line 39
weekly.md:74:105: PL105 [error] file not found: [https://arxiv.org/abs/2306.05685
Found 7 problems (6 errors, 0 warnings, 1 note) in 4 files.
"""


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | str | None, str]:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--offline", "--isolated", "--no-color", *args])
    return exited.value.code, capsys.readouterr().out


def placed(out: str) -> list[str]:
    """``path:line:column CODE`` of each finding line of a text report."""
    return [line.split(": ")[0] + " " + line.split()[1] for line in out.splitlines()[:-1]]


def test_real_shaped_lists_report_only_their_real_defects(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA)
    assert check(capsys, ".") == (1, EXPECTED)


def test_section_scope_keeps_only_the_repeats_within_a_section(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA)
    code, out = check(capsys, "--duplicate-scope", "section", "--select", "PL2", ".")
    assert code == 1
    assert placed(out) == [
        "long_context.md:29:13 PL201",
        "long_context.md:80:7 PL201",
        "trending.md:17:4 PL201",
    ]


def test_all_scope_compares_the_lists_but_not_their_digests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # weekly.md's papers are in digest sections (weeks): none of them is compared with another
    # file; models.md's names are not the titles long_context.md lists, so nothing is repeated.
    monkeypatch.chdir(DATA)
    code, out = check(capsys, "--duplicate-scope", "all", "--select", "PL2", ".")
    assert code == 1
    assert placed(out) == [
        "long_context.md:29:13 PL201",
        "long_context.md:72:7 PL202",
        "long_context.md:80:7 PL201",
        "trending.md:17:4 PL201",
    ]


def test_the_table_of_contents_and_numbered_rows_parse_as_a_reader_sees_them() -> None:
    from linter.document import parse
    from linter.identity import paper_links

    doc = parse((DATA / "weekly.md").read_text(encoding="utf-8"), "weekly.md")
    toc = [entry for entry in doc.entries if entry.line <= 20]
    assert len(toc) == 6
    assert all(paper_links(doc, entry) == [] for entry in toc)
    rows = [entry.title for entry in doc.entries if entry.kind == "row"]
    assert rows[:4] == [
        "The AI Scientist V2",
        "Attention as an RNN",
        "Scaling Laws for Neural Language Models",
        "PaperBench",
    ]
    assert rows.count("MusicGen") == 2
