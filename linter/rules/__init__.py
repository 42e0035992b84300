"""The rule families, registered explicitly. Each module's docstring is its user documentation."""

from __future__ import annotations

import importlib
import re
from functools import cache
from types import ModuleType

from linter.findings import RULES, Rule

_FAMILY_NAMES = ("links", "duplicates", "identifiers", "encoding")


@cache
def families() -> dict[str, ModuleType]:
    """The rule families by name. Imported on first use, not with the package: the engine reads
    and parses with a few of these modules, starts the link checks, and only then imports the
    heavy rules (rapidfuzz, the identity tables) while the first requests are under way."""
    return {name: importlib.import_module(f"linter.rules.{name}") for name in _FAMILY_NAMES}


_SECTION = re.compile(r"^(PL\d{3}) [a-z0-9-]+$", re.M)


def rule_doc(rule: Rule) -> str:
    """The section of the family's docstring that documents ``rule``, dedented."""
    module = families()[rule.family]
    text = module.__doc__ or ""
    sections = list(_SECTION.finditer(text))
    for index, match in enumerate(sections):
        if match.group(1) != rule.code:
            continue
        end = sections[index + 1].start() if index + 1 < len(sections) else len(text)
        body = text[match.end() : end].strip("\n")
        lines = [line[4:] if line.startswith("    ") else line for line in body.splitlines()]
        return "\n".join(lines).rstrip() + "\n"
    return RULES[rule.code].summary + "\n"


def rule_examples(rule: Rule) -> dict[str, str]:
    """The ``Failing::`` / ``Passing::`` examples of a rule's documentation, dedented."""
    examples: dict[str, str] = {}
    current: str | None = None
    collected: list[str] = []
    for line in rule_doc(rule).splitlines():
        label = line.strip()
        if label in ("Failing::", "Passing::") and not line.startswith(" "):
            if current:
                examples[current] = _dedent_block(collected)
            current, collected = label[:-2].lower(), []
        elif current is not None:
            if line and not line.startswith("    "):
                examples[current] = _dedent_block(collected)
                current, collected = None, []
            else:
                collected.append(line[4:])
    if current:
        examples[current] = _dedent_block(collected)
    return examples


def _dedent_block(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"
