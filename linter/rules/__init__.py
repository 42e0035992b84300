"""The rule families, registered explicitly, and the rule catalogue assembled from them.

Each family module declares its rules once, in its ``FAMILY`` (see :mod:`linter.rules.base`); its
docstring is their user documentation. Adding a family is one module and one line here.
"""

from __future__ import annotations

import re

from linter.rules import duplicates, encoding, identifiers, links, metadata
from linter.rules.base import Rule, RuleFamily

FAMILIES: dict[str, RuleFamily] = {}
# The catalogue, by code in order (codes group by family: 1xx links, 2xx duplicates, 3xx
# identifiers and metadata, 4xx encoding).
RULES: dict[str, Rule] = {}
RULES_BY_NAME: dict[str, Rule] = {}


def register(family: RuleFamily) -> None:
    """Adds a family and its rules to the catalogue."""
    FAMILIES[family.name] = family
    merged = sorted({**RULES, **{rule.code: rule for rule in family.rules}}.items())
    RULES.clear()
    RULES.update(merged)
    RULES_BY_NAME.clear()
    RULES_BY_NAME.update((rule.name, rule) for rule in RULES.values())


for _family in (
    links.FAMILY,
    duplicates.FAMILY,
    identifiers.FAMILY,
    metadata.FAMILY,
    encoding.FAMILY,
):
    register(_family)


def resolve_rule(token: str) -> list[Rule]:
    """Rules named by a code (``PL301``), a code prefix (``PL3``, ``PL``) or a name (``mojibake``).

    Raises KeyError when nothing matches."""
    key = token.strip()
    if key in RULES_BY_NAME:
        return [RULES_BY_NAME[key]]
    upper = key.upper()
    matched = [rule for code, rule in RULES.items() if code.startswith(upper)]
    if not matched or not upper.startswith("PL"):
        raise KeyError(token)
    return matched


_SECTION = re.compile(r"^(PL\d{3}) [a-z0-9-]+$", re.M)


def rule_doc(rule: Rule) -> str:
    """The section of the family's docstring that documents ``rule``, dedented."""
    text = FAMILIES[rule.family].doc
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
