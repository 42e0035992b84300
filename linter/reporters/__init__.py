"""Reporters turn a Report into text; they never check or filter anything.

Each format's module is loaded when a report is rendered in it: a run needs one or two of them,
and only at its end (``sarif`` alone loads hashlib).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.engine import Report


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    show_fixes: bool = True


Renderer = Callable[["Report", RenderOptions], str]


def _module(name: str) -> Renderer:
    """The ``render`` function of ``linter.reporters.<name>``, loaded at its first call."""

    def render(report: Report, options: RenderOptions) -> str:
        renderer: Renderer = import_module(f"linter.reporters.{name}").render
        return renderer(report, options)

    return render


REPORTERS: dict[str, Renderer] = {
    "text": _module("text"),
    "json": _module("json_report"),
    "sarif": _module("sarif"),
    "github": _module("github"),
    "markdown": _module("markdown"),
}
