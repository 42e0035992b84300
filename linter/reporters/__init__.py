"""Reporters turn a Report into text; they never check or filter anything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from linter.engine import Report
from linter.reporters import github, json_report, markdown, sarif, text


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    show_fixes: bool = True


Renderer = Callable[[Report, RenderOptions], str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
}
