"""PL305-PL307 from registry records: exact hits, and the documented examples."""

from __future__ import annotations

from typing import Any

import pytest

from linter.document import parse
from linter.findings import FixLevel
from linter.registries.base import Record, RecordStatus
from linter.rules import RULES, rule_examples
from linter.rules.base import RuleContext, RunMemo
from linter.rules.metadata import check_results

FOUND, MISSING, MALFORMED, WITHDRAWN = (
    RecordStatus.FOUND,
    RecordStatus.MISSING,
    RecordStatus.MALFORMED,
    RecordStatus.WITHDRAWN,
)
ARXIV: dict[str, Record] = {
    "2205.01068": Record("2205.01068", FOUND, "OPT: Open Pre-trained Transformer Language Models"),
    "1706.03762": Record("1706.03762", FOUND, "Attention Is All You Need"),
    "2005.14165": Record("2005.14165", FOUND, "Language Models are Few-Shot Learners"),
    "2412.06769": Record(
        "2412.06769", FOUND, "Training Large Language Models to Reason in a Continuous Latent Space"
    ),
    "1712.00001": Record("1712.00001", WITHDRAWN, "Old", reason="This paper has been withdrawn"),
    "1801.00001": Record("1801.00001", FOUND, "Its corrected successor"),
    "2401.99999": Record("2401.99999", MISSING, reason="arXiv has no such paper"),
    "2401.12345": Record("2401.12345", MALFORMED, reason="incorrect id format for 2401.12345"),
    "2404.07143": Record(
        "2404.07143",
        FOUND,
        "Leave No Context Behind: Efficient Infinite Context Transformers with Infini-attention",
    ),
}
CROSSREF: dict[str, Record] = {
    "10.1109/cvpr.2016.90": Record(
        "10.1109/cvpr.2016.90", FOUND, "Deep Residual Learning for Image Recognition"
    ),
    "10.1126/science.1112286": Record(
        "10.1126/science.1112286", WITHDRAWN, "Gone", reason="retracted (notice: doi:10.1126/x)"
    ),
    "10.9999/nope": Record(
        "10.9999/nope", MISSING, reason="no such DOI in Crossref nor at doi.org"
    ),
    "10.1145/1": Record(
        "10.1145/1", FOUND, "Attention Mechanisms", facts={"subtitle": "A Survey of Recent Work"}
    ),
}
RESULTS: dict[str, Any] = {"arxiv": ARXIV, "crossref": CROSSREF}


def hits(source: str, results: dict[str, Any] = RESULTS) -> list[tuple[str, int, int, str]]:
    doc = parse(source, "list.md")
    found = check_results([doc], results, RuleContext(memo=RunMemo()))
    return sorted((hit.code, hit.line, hit.column, hit.message) for hit in found)


def test_a_wrong_title_is_reported_with_the_registrys_title() -> None:
    assert hits(
        "- [Language Models are Few-Shot Learners](https://arxiv.org/abs/2205.01068)\n"
    ) == [
        (
            "PL305",
            1,
            4,
            'title "Language Models are Few-Shot Learners" is not arXiv\'s title for'
            ' arXiv:2205.01068: "OPT: Open Pre-trained Transformer Language Models"',
        )
    ]


@pytest.mark.parametrize(
    "entry",
    [
        "[attention is all you need.](https://arxiv.org/abs/1706.03762)",  # case, punctuation
        "[Attention Is All You Need (NeurIPS 2017)](https://arxiv.org/pdf/1706.03762v7.pdf)",
        "[Atention Is All You Need](https://arxiv.org/abs/1706.03762)",  # a typo
        "**Google's Attention Is All You Need**, [arXiv](https://arxiv.org/abs/1706.03762)",
        "[OPT-66B](https://arxiv.org/abs/2205.01068)",  # a model name
        "[OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068)",
        "[OPT](https://arxiv.org/abs/2205.01068)",
        "[Leave No Context Behind](https://arxiv.org/abs/2404.07143)",  # before the colon
        "[Infini-attention](https://arxiv.org/abs/2404.07143)",  # a name
        "[Deep Residual Learning for Image Recognition](https://doi.org/10.1109/CVPR.2016.90)",
        "[Attention Mechanisms: A Survey of Recent Work](https://doi.org/10.1145/1)",  # subtitle
        "[Training LLMs to Reason in a Continuous Latent Space](https://arxiv.org/abs/2412.06769)",
        # A blog post's title, with the paper beside it.
        "[The Illustrated Transformer](https://jalammar.github.io/illustrated-transformer/)"
        " ([paper](https://arxiv.org/abs/1706.03762))",
        # An entry with two papers is right when its title is one of theirs.
        "[Language Models are Few-Shot Learners](https://arxiv.org/abs/2005.14165),"
        " [OPT baseline](https://arxiv.org/abs/2205.01068)",
    ],
)
def test_cosmetic_variants_and_short_names_stay_quiet(entry: str) -> None:
    assert hits(f"- {entry}\n") == []


def test_unknown_rejected_and_withdrawn_ids() -> None:
    source = (
        "- [A Paper](https://arxiv.org/abs/2401.99999)\n"
        "- **Another**, arXiv:2401.99999, [pdf](https://arxiv.org/pdf/2401.99999)\n"
        "- [Old](https://arxiv.org/abs/1712.00001)\n"
        "- [Gone](https://doi.org/10.1126/science.1112286)\n"
        "- [Nope](https://doi.org/10.9999/nope)\n"
        "\n"
        "See arXiv:2401.99999 in prose: only entries' text is read, links anywhere.\n"
    )
    assert hits(source) == [
        ("PL306", 1, 3, "arXiv:2401.99999 not found: arXiv has no such paper"),
        ("PL306", 2, 22, "arXiv:2401.99999 not found: arXiv has no such paper"),
        ("PL306", 5, 3, "doi:10.9999/nope not found: no such DOI in Crossref nor at doi.org"),
        ("PL307", 3, 3, "arXiv:1712.00001 is withdrawn: This paper has been withdrawn"),
        (
            "PL307",
            4,
            3,
            "doi:10.1126/science.1112286 is withdrawn: retracted (notice: doi:10.1126/x)",
        ),
    ]


def test_a_rejected_id() -> None:
    assert hits("- [X](https://arxiv.org/abs/2401.12345)\n") == [
        (
            "PL306",
            1,
            3,
            "arXiv:2401.12345 rejected by the arXiv API: incorrect id format for 2401.12345",
        )
    ]


def test_unverified_records_say_nothing_here() -> None:
    unverified = {
        "arxiv": {"2205.01068": Record("2205.01068", RecordStatus.UNVERIFIED, reason="x")}
    }
    assert hits("- [Wrong Title Here](https://arxiv.org/abs/2205.01068)\n", unverified) == []


def test_no_registry_results_no_hits() -> None:
    assert hits("- [A Paper](https://arxiv.org/abs/2401.99999)\n", {"links": {}}) == []


def test_the_title_fix_is_unsafe_and_replaces_the_written_title() -> None:
    doc = parse("- [Language Models Are Great](https://arxiv.org/abs/2205.01068) - x\n", "l.md")
    (hit,) = check_results([doc], RESULTS, RuleContext(memo=RunMemo()))
    assert hit.suggestion == "OPT: Open Pre-trained Transformer Language Models"
    assert hit.edit is not None
    assert (hit.edit.line, hit.edit.column, hit.edit.end_line, hit.edit.end_column) == (1, 4, 1, 29)
    assert hit.edit.level is FixLevel.UNSAFE


def test_a_title_with_markup_gets_a_suggestion_but_no_edit() -> None:
    doc = parse("- [Language *Models* Are Great](https://arxiv.org/abs/2205.01068)\n", "l.md")
    (hit,) = check_results([doc], RESULTS, RuleContext(memo=RunMemo()))
    assert hit.suggestion == "OPT: Open Pre-trained Transformer Language Models"
    assert hit.edit is None


@pytest.mark.parametrize("code", ["PL305", "PL306", "PL307"])
def test_documented_examples(code: str) -> None:
    examples = rule_examples(RULES[code])
    assert code in {hit[0] for hit in hits(examples["failing"])}
    assert code not in {hit[0] for hit in hits(examples["passing"])}
