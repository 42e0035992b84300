"""Every rule is documented, and every offline example does what its documentation says."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import Source, lint
from linter.findings import RULES, Rule
from linter.rules import families, rule_doc, rule_examples

OFFLINE_RULES = [rule for rule in RULES.values() if not rule.network]
# A file that is not UTF-8 cannot be shown as text in a docstring.
NO_FAILING_EXAMPLE = {"PL403"}


def codes_in(text: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "example.md"
    path.write_text(text, encoding="utf-8")
    report = lint([Source(str(path), path)], Config(), offline=True)
    return {finding.rule for finding in report.findings}


def test_every_rule_belongs_to_a_registered_family_that_lists_it() -> None:
    for rule in RULES.values():
        assert rule.code in families()[rule.family].CODES or rule.network, rule.code


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda rule: rule.code)
def test_every_rule_has_documentation_with_examples(rule: Rule) -> None:
    doc = rule_doc(rule)
    assert len(doc.split()) >= 15, f"{rule.code} needs a real description"
    examples = rule_examples(rule)
    assert "passing" in examples
    if rule.code not in NO_FAILING_EXAMPLE:
        assert "failing" in examples


@pytest.mark.parametrize("rule", OFFLINE_RULES, ids=lambda rule: rule.code)
def test_offline_examples_fail_and_pass_as_documented(rule: Rule, tmp_path: Path) -> None:
    examples = rule_examples(rule)
    if "failing" in examples:
        assert rule.code in codes_in(examples["failing"], tmp_path)
    assert rule.code not in codes_in(examples["passing"], tmp_path)
