"""After the check: apply the fixes, check the fixed files again, apply or record a baseline.

One library function, :func:`settle`, runs the sequence the CLI's ``--fix``, ``--baseline`` and
``--write-baseline`` ask for and returns data: the report that remains and what was done. Writing
is atomic and careful: a file is replaced only if it did not change while being checked and its
mode allows writing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from linter.baseline import Baseline, build_baseline, dump_baseline, filter_baseline
from linter.config import Config
from linter.engine import Report, lint, with_findings
from linter.fix import FileFix, after_fix, plan_fixes
from linter.reading import Source, os_reason


@dataclass(frozen=True)
class Settled:
    """The report that remains, and what was done to get there."""

    report: Report
    fixed: tuple[FileFix, ...] = ()  # the files --fix wrote
    covered: int = 0  # findings the baseline accepted, not shown
    recorded: int | None = None  # findings --write-baseline recorded

    @property
    def fixed_count(self) -> int:
        return sum(len(plan.fixed_findings) for plan in self.fixed)


def settle(
    report: Report,
    sources: Sequence[Source],
    config: Config,
    *,
    fix: bool = False,
    titles: bool = False,
    baseline: Baseline | None = None,
    write_baseline: Path | None = None,
) -> Settled:
    """``--fix`` (with ``--fix-titles`` when ``titles``), then ``--write-baseline`` or
    ``--baseline``. Raises OSError when the baseline cannot be written."""
    fixed: tuple[FileFix, ...] = ()
    if fix:
        report, fixed = write_fixes(report, sources, config, titles=titles)
    if write_baseline is not None:
        recorded = build_baseline(report, write_baseline.parent)
        replace_file(write_baseline, dump_baseline(recorded).encode("utf-8"))
        return Settled(with_findings(report, ()), fixed, recorded=recorded.total)
    if baseline is not None:
        remaining, covered = filter_baseline(report, baseline)
        return Settled(with_findings(report, remaining), fixed, covered=covered)
    return Settled(report, fixed)


def write_fixes(
    report: Report, sources: Sequence[Source], config: Config, *, titles: bool = False
) -> tuple[Report, tuple[FileFix, ...]]:
    """Write each fixed file atomically, then check the fixed files again (offline; the link
    findings of the first run are carried over) so the report shows what remains."""
    written: list[FileFix] = []
    problems: list[str] = []
    notices: list[str] = []
    for plan in plan_fixes(report, titles=titles):
        if plan.path is None:
            continue  # standard input: nothing to write back to
        try:
            mode = read_only_mode(plan.path)
            if mode is not None:
                # The atomic rename would replace it anyway; its mode says it is not to be edited.
                notices.append(f"{plan.display}: read-only (mode {mode:o}), not fixed")
                continue
            if plan.path.read_bytes() != plan.original:
                problems.append(f"{plan.display}: changed while being checked, not fixed")
                continue
            replace_file(plan.path, plan.fixed)
        except OSError as error:
            problems.append(f"{plan.display}: cannot write fixes: {os_reason(error)}")
            continue
        written.append(plan)
    report = replace(
        report,
        problems=(*report.problems, *problems),
        notices=(*report.notices, *notices),
    )
    if not written:
        return report, ()
    recheck = lint(sources, config, offline=True)
    return after_fix(report, recheck, written), tuple(written)


def read_only_mode(path: Path) -> int | None:
    """The permission bits of ``path`` (of its target, through a symlink) when it is read-only,
    else None. Not access() alone: root may write any file, so a mode without write bits counts
    too."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o222 or not os.access(path, os.W_OK):
        return mode
    return None


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, renamed over the
    original (through a symlink to its target), keeping the file's permission bits."""
    target = path.resolve()
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
