"""The shared seeds, checked together offline: the whole report is pinned.

Every line of tests/data/seeds.expected.txt was reviewed by hand: the issue's must-haves (PL301 for
2401.17555 and 2304.09858 in seed 000; PL201/PL202 for the repeats in 001 and 004; PL401 in every seed with
mojibake; PL106 for #finetuning in 004; no PL301 for 2005.14165 or 2311.08105) and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.cli import main

DATA = Path(__file__).parent / "data"


def test_seeds_report_is_exactly_the_reviewed_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA / "seeds")
    with pytest.raises(SystemExit) as exited:
        main(["check", "--offline", "--isolated", "--no-color", "."])
    assert exited.value.code == 1
    expected = (DATA / "seeds.expected.txt").read_text(encoding="utf-8")
    assert capsys.readouterr().out == expected


def test_must_haves_of_the_issue_are_in_the_pinned_report() -> None:
    lines = (DATA / "seeds.expected.txt").read_text(encoding="utf-8").splitlines()

    def codes(path: str, code: str) -> list[str]:
        return [line for line in lines if line.startswith(f"{path}:") and f" {code} " in line]

    clashes = codes("seed_000.md", "PL301")
    assert sum("arXiv:2401.17555" in line for line in clashes) == 2
    assert sum("arXiv:2304.09858" in line for line in clashes) == 1
    assert not any(
        "2005.14165" in line or "2311.08105" in line for line in lines if " PL301 " in line
    )
    # Every planted repeat is found: PL201 within a section, PL202 (info) across sections.
    assert (len(codes("seed_001.md", "PL201")), len(codes("seed_001.md", "PL202"))) == (5, 2)
    assert (len(codes("seed_004.md", "PL201")), len(codes("seed_004.md", "PL202"))) == (2, 1)
    for seed in ("seed_000.md", "seed_002.md", "seed_003.md", "seed_004.md"):
        assert codes(seed, "PL401"), seed
    assert codes("seed_001.md", "PL401") == []
    assert codes("seed_004.md", "PL106") == [
        "seed_004.md:12:4: PL106 [error] anchor #finetuning not found; did you mean #fine-tuning?"
    ]
