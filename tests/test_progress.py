from __future__ import annotations

import io

import pytest

from linter import cli
from linter.net.results import Progress


def test_progress_bar_redraws_one_line_and_clears_it(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.05, 0.2, 0.3])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    stream = io.StringIO()
    bar = cli._ProgressBar(stream)
    bar(Progress(checked=1, total=4, failures=0))
    bar(Progress(checked=2, total=4, failures=1))  # 50 ms later: not redrawn
    bar(Progress(checked=3, total=4, failures=1))
    bar(Progress(checked=4, total=4, failures=1))
    bar.close()
    assert stream.getvalue() == (
        "\r[#######-----------------------] 1/4 links checked, 0 failing"
        "\r[######################--------] 3/4 links checked, 1 failing"
        "\r[##############################] 4/4 links checked, 1 failing"
        "\r\x1b[K"
    )


def test_progress_bar_counts_registry_batches_after_the_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([0.0, 0.5, 1.0, 1.5])
    monkeypatch.setattr(cli.time, "monotonic", lambda: next(clock))
    stream = io.StringIO()
    bar = cli._ProgressBar(stream)
    bar(Progress(0, 2, 0, "arXiv API"))
    bar(Progress(1, 4, 0))
    bar(Progress(2, 2, 1, "arXiv API"))
    bar(Progress(4, 4, 0))
    assert stream.getvalue().split("\r")[1:] == [
        "[------------------------------] arXiv API 0/2 batches",
        "[#######-----------------------] 1/4 links checked, 0 failing; arXiv API 0/2 batches",
        "[#######-----------------------] 1/4 links checked, 0 failing; arXiv API 2/2 batches, 1 failed",
        "[##############################] 4/4 links checked, 0 failing; arXiv API 2/2 batches, 1 failed",
    ]


def test_a_bar_that_never_drew_leaves_nothing() -> None:
    stream = io.StringIO()
    cli._ProgressBar(stream).close()
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, False),
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "0"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: bool
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli._use_color(False, io.StringIO()) is expected
