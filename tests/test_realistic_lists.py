"""Realistic awesome-lists (model tables, nested items with code and blog links, a bilingual list,
every arXiv/DOI/OpenReview link form): every finding must be right, a false alarm is a bug.

The files in tests/data/realistic hold one broken anchor (zh.md), and zh.md lists two papers in
both its Chinese and its English half (cross-listed in one file, PL202 info); ids.md and
nested.md/venue.md share two papers (cross-listed across files)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import lint
from linter.reading import Source

DATA = Path(__file__).resolve().parent / "data" / "realistic"
NAMES = ("ids.md", "llm.md", "nested.md", "venue.md", "zh.md")
ANCHOR = ("zh.md", 55, 64, "PL106", "anchor #surveys-1 not found; did you mean #surveys?")
IN_FILE = [
    (
        "zh.md",
        41,
        7,
        "PL202",
        'cross-listed: "A Survey of Large Language Models" (arXiv:2303.18223) also listed under'
        ' "📚 综述 Surveys" at line 9',
    ),
    (
        "zh.md",
        42,
        5,
        "PL202",
        'cross-listed: "Harnessing the Power of LLMs in Practice: A Survey on ChatGPT and Beyond"'
        ' (arXiv:2304.13712) also listed under "📚 综述 Surveys" at line 10',
    ),
]
ACROSS_FILES = [
    (
        "nested.md",
        54,
        5,
        "PL202",
        'cross-listed: "LoRA: Low-Rank Adaptation of Large Language Models" (arXiv:2106.09685)'
        ' also listed under "OpenReview" at ids.md:38',
    ),
    (
        "venue.md",
        14,
        7,
        "PL202",
        'cross-listed: "Denoising Diffusion Implicit Models" (openreview:St1giarCHLP) also'
        ' listed under "OpenReview" at ids.md:36',
    ),
]
EXPECTED = {
    "section": [ANCHOR],
    "file": [*IN_FILE, ANCHOR],
    "all": [*ACROSS_FILES, *IN_FILE, ANCHOR],
}


def findings(folder: Path, config: Config | None = None) -> list[tuple[str, int, int, str, str]]:
    sources = [Source(name, folder / name) for name in NAMES]
    report = lint(sources, config or Config(), offline=True)
    assert report.problems == ()
    return [(f.path, f.line, f.column, f.rule, f.message) for f in report.findings]


@pytest.mark.parametrize("scope", ["section", "file", "all"])
def test_realistic_lists_give_only_real_findings(
    monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    monkeypatch.chdir(DATA)
    assert findings(Path("."), replace(Config(), duplicate_scope=scope)) == EXPECTED[scope]


def test_crlf_and_bom_change_no_finding_and_fix_leaves_the_files_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linter.cli import main

    for name in NAMES:
        text = (DATA / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    monkeypatch.chdir(tmp_path)
    assert findings(Path(".")) == EXPECTED["file"]
    before = {name: (tmp_path / name).read_bytes() for name in NAMES}
    with pytest.raises(SystemExit):
        main(["check", "--offline", "--fix", "--isolated", *NAMES])
    assert {name: (tmp_path / name).read_bytes() for name in NAMES} == before


def test_the_fixtures_are_the_files_described(tmp_path: Path) -> None:
    # Guards the fixture set itself: a copy elsewhere gives the same findings (no path magic).
    for name in NAMES:
        shutil.copy(DATA / name, tmp_path / name)
    sources = [Source(str(tmp_path / name), tmp_path / name) for name in NAMES]
    report = lint(sources, Config(), offline=True)
    assert [(Path(f.path).name, f.line, f.column, f.rule) for f in report.findings] == [
        (path, line, column, rule) for path, line, column, rule, _ in EXPECTED["file"]
    ]
    assert report.summary.files == len(NAMES)
