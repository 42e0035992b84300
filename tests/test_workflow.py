"""The fix -> re-check -> baseline sequence as one library call that returns data."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.baseline import read_baseline
from linter.config import Config
from linter.engine import lint
from linter.reading import Source
from linter.workflow import settle

LIST = "- Googleâ€™s [paper](None)\n"  # PL401 (fixable) and PL104 (not)


@pytest.fixture
def listed(tmp_path: Path) -> tuple[Path, list[Source]]:
    path = tmp_path / "list.md"
    path.write_bytes(LIST.encode())
    return path, [Source(str(path), path)]


def test_fix_writes_rechecks_and_says_what_it_did(listed: tuple[Path, list[Source]]) -> None:
    path, sources = listed
    report = lint(sources, Config(), offline=True)
    assert [f.rule for f in report.findings] == ["PL401", "PL104"]
    settled = settle(report, sources, Config(), fix=True)
    assert path.read_bytes() == "- Google’s [paper](None)\n".encode()
    assert [(f.rule, f.line, f.column) for f in settled.report.findings] == [("PL104", 1, 12)]
    assert (settled.fixed_count, len(settled.fixed), settled.covered, settled.recorded) == (
        1,
        1,
        0,
        None,
    )
    assert report.findings[0].rule == "PL401"  # the first report is left as it was


def test_write_then_apply_a_baseline(listed: tuple[Path, list[Source]], tmp_path: Path) -> None:
    _, sources = listed
    report = lint(sources, Config(), offline=True)
    target = tmp_path / "baseline.json"
    recorded = settle(report, sources, Config(), write_baseline=target)
    assert (recorded.recorded, recorded.report.findings, recorded.report.summary.findings) == (
        2,
        (),
        0,
    )
    applied = settle(report, sources, Config(), baseline=read_baseline(target))
    assert (applied.covered, applied.report.findings) == (2, ())


def test_a_read_only_file_is_a_notice_not_a_write(listed: tuple[Path, list[Source]]) -> None:
    path, sources = listed
    path.chmod(0o444)
    settled = settle(lint(sources, Config(), offline=True), sources, Config(), fix=True)
    assert path.read_bytes() == LIST.encode()
    assert settled.fixed == ()
    assert settled.report.notices == (f"{path}: read-only (mode 444), not fixed",)
