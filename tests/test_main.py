"""The program's entry (linter/__main__.py): the ``paperlint`` command and ``python -m linter``."""

from __future__ import annotations

import subprocess
import sys

from linter import __version__


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linter", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"paperlint, version {__version__}\n")


def test_entry_loads_the_program_with_the_collector_off_and_turns_it_back_on() -> None:
    # Collections that start once linter.cli is being loaded (it is in sys.modules from then on).
    probe = (
        "import gc, sys\n"
        "during = []\n"
        "gc.callbacks.append(lambda phase, info: during.append("
        "phase == 'start' and 'linter.cli' in sys.modules))\n"
        "import linter.__main__\n"
        "print(gc.isenabled(), gc.get_freeze_count(), sum(during), 'click' in sys.modules)\n"
    )
    assert _python(probe) == "True 0 0 True"


def test_entry_leaves_a_collector_that_was_off_alone() -> None:
    assert _python("import gc\ngc.disable()\nimport linter.__main__\nprint(gc.isenabled())") == (
        "False"
    )
