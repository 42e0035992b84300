from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from linter.document import Document, Entry, Link, LinkKind, TextSpan, parse
from linter.findings import Hit, Location
from linter.identity import paper_links
from linter.rules import RULES, identifiers, rule_examples
from linter.rules.base import RuleContext, latest_date_on_earth
from linter.rules.identifiers import check_corpus, check_document

CTX = RuleContext()


def md(source: str, path: str = "list.md") -> Document:
    return parse(source, path)


def corpus(*docs: Document) -> list[tuple[str | None, str, int, int]]:
    return [(hit.path, hit.code, hit.line, hit.column) for hit in check_corpus(list(docs), CTX)]


def document_hits(doc: Document) -> list[tuple[str, int, int, str]]:
    return [(hit.code, hit.line, hit.column, hit.message) for hit in check_document(doc, CTX)]


# --------------------------------------------------------------------------------------------------
# paper_links


def test_paper_links_title_labels_and_free_arxiv_links() -> None:
    doc = md(
        "- **T**, [arxiv](http://arxiv.org/abs/2401.13160v1), [pdf](http://arxiv.org/pdf/2401.13160v1.pdf),"
        " [code](https://github.com/a/b), ![Star](https://img.shields.io/x.svg),"
        " [**3**](https://scholar.google.com/scholar?cites=1), [📄](https://arxiv.org/abs/2401.13160),"
        " [jiqizhixin](https://www.jiqizhixin.com/a), [citation](https://arxiv.org/abs/2301.00001)"
    )
    texts = [link.text for link in paper_links(doc, doc.entries[0])]
    assert texts == ["arxiv", "pdf", "📄"]


def test_paper_links_title_link_first_and_free_link_to_other_paper_excluded() -> None:
    doc = md(
        "- [LongLoRA](https://arxiv.org/abs/2309.12307) builds on [LoRA](https://arxiv.org/abs/2106.09685)"
        " and [paper](https://arxiv.org/pdf/2309.12307)"
    )
    assert [link.text for link in paper_links(doc, doc.entries[0])] == ["LongLoRA", "paper"]


def test_paper_links_free_arxiv_link_counts_when_title_link_is_a_web_page() -> None:
    doc = md(
        "- [Medusa](https://sites.google.com/view/medusa) [2401.10774](https://arxiv.org/abs/2401.10774)"
    )
    assert [link.text for link in paper_links(doc, doc.entries[0])] == ["Medusa", "2401.10774"]


def test_paper_links_free_link_to_other_paper_excluded_after_a_paper_labelled_link() -> None:
    doc = md(
        "- **QLoRA: Efficient Finetuning of Quantized LLMs**. [[paper]](https://arxiv.org/abs/2305.14314)"
        " Builds on [LoRA](https://arxiv.org/abs/2106.09685).\n"
        "- **Title**: builds on [LoRA](https://arxiv.org/abs/2106.09685) [pdf](https://arxiv.org/pdf/2305.14314)"
    )
    assert [link.text for link in paper_links(doc, doc.entries[0])] == ["[paper]"]
    assert [link.text for link in paper_links(doc, doc.entries[1])] == ["pdf"]


def test_paper_links_free_links_named_otherwise_than_a_web_page_title_are_mentions() -> None:
    doc = md(
        "- [What are Diffusion Models?](https://lilianweng.github.io/posts/2021-07-11-diffusion-models/)"
        " covers [DDPM](https://arxiv.org/abs/2006.11239) and"
        " [score matching](https://arxiv.org/abs/1907.05600).\n"
        "- [Mamba](https://github.com/state-spaces/mamba)"
        " [Mamba: Linear-Time Sequence Modeling with Selective State Spaces](https://arxiv.org/abs/2312.00752)"
    )
    assert [link.text for link in paper_links(doc, doc.entries[0])] == [
        "What are Diffusion Models?"
    ]
    assert [link.text for link in paper_links(doc, doc.entries[1])] == [
        "Mamba",
        "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
    ]


def test_pl301_not_raised_for_papers_an_entry_only_mentions() -> None:
    doc = md(
        "- **QLoRA: Efficient Finetuning of Quantized LLMs**. [[paper]](https://arxiv.org/abs/2305.14314)"
        " Builds on [LoRA](https://arxiv.org/abs/2106.09685).\n"
        "- **LoRA: Low-Rank Adaptation of Large Language Models** [[paper]](https://arxiv.org/abs/2106.09685)\n"
        "- [What are Diffusion Models?](https://lilianweng.github.io/posts/2021-07-11-diffusion-models/)"
        " covers [DDPM](https://arxiv.org/abs/2006.11239).\n"
        "- [Denoising Diffusion Probabilistic Models](https://arxiv.org/abs/2006.11239)\n"
    )
    assert corpus(doc) == []


def test_paper_links_skip_fragment_links_and_nested_items() -> None:
    doc = md("- [Other](#other)\n  - [pdf](https://arxiv.org/pdf/2401.13160)")
    assert paper_links(doc, doc.entries[0]) == []
    assert [link.text for link in paper_links(doc, doc.entries[1])] == ["pdf"]


# --------------------------------------------------------------------------------------------------
# PL301 id-title-conflict


def test_pl301_one_finding_per_other_title_group() -> None:
    doc = md(
        "- [distributed training of large language models: a comprehensive survey](https://arxiv.org/abs/2401.17555)\n"
        "- [parameter-efficient fine-tuning of large language models](https://arxiv.org/abs/2401.17555)\n"
        "- [opml: optimistic machine learning on blockchain](https://arxiv.org/abs/2401.17555)\n"
        "- [opML: Optimistic Machine Learning on Blockchain](https://arxiv.org/pdf/2401.17555v2)\n"
        "- [Distributed Training of Large Language Models: A Comprehensive Survey](https://arxiv.org/pdf/2401.17555)\n"
    )
    hits = list(check_corpus([doc], CTX))
    assert [(hit.code, hit.line, hit.column) for hit in hits] == [("PL301", 2, 4), ("PL301", 3, 4)]
    assert hits[0].message == (
        'arXiv:2401.17555 is listed as "parameter-efficient fine-tuning of large language models"'
        ' here but as "distributed training of large language models: a comprehensive survey" at line 1'
    )
    assert hits[0].related == (Location("list.md", 1, 4), Location("list.md", 5, 4))
    assert hits[0].path == "list.md"
    assert hits[0].url == "https://arxiv.org/abs/2401.17555"


def test_pl301_across_files_names_the_other_file() -> None:
    first = md(
        "- [opml: optimistic machine learning on blockchain](https://arxiv.org/abs/2401.17555)",
        "a.md",
    )
    second = md("\n- [mixtral of experts](https://arxiv.org/pdf/2401.17555)", "b.md")
    hits = list(check_corpus([second, first], CTX))  # given out of order: the reference is a.md
    assert [(hit.path, hit.line, hit.column) for hit in hits] == [("b.md", 2, 4)]
    assert hits[0].message.endswith(
        'but as "opml: optimistic machine learning on blockchain" at a.md:1'
    )
    assert hits[0].related == (Location("a.md", 1, 4),)


def test_pl301_same_titles_are_no_conflict() -> None:
    doc = md(
        "- [language models are few-shot learners](https://arxiv.org/abs/2005.14165)\n"
        "- [Language Models are Few-Shot Learners (GPT-3)](https://arxiv.org/abs/2005.14165)\n"
        "- [deepmind's diloco: distributed low-communication training of language models](https://arxiv.org/pdf/2311.08105)\n"
        "- **DiLoCo: Distributed Low-Communication Training of Language Models**, [arxiv](http://arxiv.org/abs/2311.08105v1)\n"
        "- [OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068)\n"
        "- [OPT-1.3B](https://arxiv.org/abs/2205.01068)\n"
    )
    assert corpus(doc) == []


def test_pl301_ignores_one_word_names_urls_and_openreview() -> None:
    doc = md(
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "- [GPT-3](https://arxiv.org/abs/2401.04088)\n"
        "- [metaseq](https://arxiv.org/abs/2401.04088)\n"
        "- [A blog post about things](https://example.com/post)\n"
        "- [Another blog post entirely](https://example.com/post)\n"
        "- [Outrageously Large Neural Networks](https://openreview.net/pdf?id=B1ckMDqlg)\n"
        "- [Something else entirely here](https://openreview.net/forum?id=B1ckMDqlg)\n"
    )
    assert corpus(doc) == []


def test_pl301_code_and_citation_links_are_not_the_entry_paper() -> None:
    doc = md(
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "- [Some Other Paper Title](https://example.com/x) [citation](https://arxiv.org/abs/2401.04088)"
        " [code](https://arxiv.org/abs/2401.04088)\n"
        "  - [A nested item about it](https://arxiv.org/abs/2401.04088)\n"
    )
    assert corpus(doc) == [("list.md", "PL301", 3, 6)]  # the nested item is an entry of its own


def test_pl301_dois_conflict_too() -> None:
    doc = md(
        "- [On the Dangers of Stochastic Parrots](https://dl.acm.org/doi/10.1145/3442188.3445922)\n"
        "- [Something Completely Different](https://doi.org/10.1145/3442188.3445922)\n"
    )
    hits = list(check_corpus([doc], CTX))
    assert [(hit.code, hit.line) for hit in hits] == [("PL301", 2)]
    assert hits[0].message.startswith("doi:10.1145/3442188.3445922 is listed as")


def test_pl301_entries_without_title_take_no_part() -> None:
    doc = md(
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n- https://arxiv.org/abs/2401.04088\n"
    )
    assert doc.entries[1].title is None
    assert corpus(doc) == []


# --------------------------------------------------------------------------------------------------
# PL302 title-id-conflict


def test_pl302_same_title_different_ids() -> None:
    doc = md(
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
        "- [Attention is all you need](https://arxiv.org/abs/1706.03726)\n"
        "- [Attention is all you need.](https://arxiv.org/pdf/1706.03762v5)\n"
        "- [Atention is all you need](x) [pdf](https://arxiv.org/pdf/1706.03999)\n"
    )
    hits = list(check_corpus([doc], CTX))
    assert [(hit.code, hit.line, hit.column) for hit in hits] == [("PL302", 2, 3), ("PL302", 4, 33)]
    assert hits[0].message == (
        '"Attention is all you need" is listed with arXiv:1706.03726 here but with arXiv:1706.03762 at line 1'
    )
    assert hits[0].related == (Location("list.md", 1, 3), Location("list.md", 3, 3))
    assert hits[1].url == "https://arxiv.org/pdf/1706.03999"


def test_pl302_arxiv_next_to_doi_and_short_titles_are_fine() -> None:
    doc = md(
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
        "- [Attention is all you need](https://doi.org/10.5555/3295222.3295349)\n"
        "- [Survey](https://arxiv.org/abs/2310.19852)\n"
        "- [Survey](https://arxiv.org/abs/2308.10792)\n"
        "- [Deep Learning](https://arxiv.org/abs/2310.19853)\n"
        "- [Deep Learning](https://arxiv.org/abs/2308.10793)\n"
    )
    assert corpus(doc) == []


def test_pl302_min_words_can_be_shrunk(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = md(
        "- [Deep Learning](https://arxiv.org/abs/2310.19853)\n- [Deep Learning](https://arxiv.org/abs/2308.10793)\n"
    )
    monkeypatch.setattr(identifiers, "SAME_TITLE_MIN_WORDS", 2)
    assert corpus(doc) == [("list.md", "PL302", 2, 3)]


def test_pl302_across_files() -> None:
    first = md("- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)", "a.md")
    second = md("- [Mixtral of experts](https://huggingface.co/papers/2401.04089)", "b.md")
    hits = list(check_corpus([first, second], CTX))
    assert [(hit.path, hit.code, hit.line) for hit in hits] == [("b.md", "PL302", 1)]
    assert hits[0].message.endswith("with arXiv:2401.04088 at a.md:1")


# --------------------------------------------------------------------------------------------------
# PL303 id-invalid


def test_pl303_in_links_and_text() -> None:
    doc = md(
        "- [Scaling Laws](https://arxiv.org/abs/2013.08361)\n"
        "- **T**, `arXiv, 2401.1234`, [x](https://example.com)\n"
        "- see arXiv:0612.1234\n"
        "- [abs](https://arxiv.org/abs/hep-th/9913001) and arXiv:2401.12345\n"
        "- [Fine](https://arxiv.org/abs/2001.08361) arXiv:2001.08361\n"
    )
    assert document_hits(doc) == [
        ("PL303", 1, 3, "arXiv ID 2013.08361 has month 13"),
        (
            "PL303",
            2,
            18,
            "arXiv ID 2401.1234 has 4 digits after the dot; IDs from 1501 (January 2015) on have 5",
        ),
        (
            "PL303",
            3,
            13,
            "arXiv ID 0612.1234 is older than new-style IDs, which start at 0704 (April 2007)",
        ),
        ("PL303", 4, 3, "arXiv ID hep-th/9913001 has month 13"),
        (
            "PL304",
            4,
            57,
            "arXiv:2401.12345 here disagrees with arXiv:hep-th/9913001 at line 4, column 3 of the same entry",
        ),
    ]


def test_pl303_the_same_id_in_a_link_and_in_its_text_is_reported_once() -> None:
    doc = md("- [arXiv:2313.01234](https://arxiv.org/abs/2313.01234) and arXiv:2313.01234")
    assert document_hits(doc) == [("PL303", 1, 3, "arXiv ID 2313.01234 has month 13")]


def test_pl303_links_outside_entries() -> None:
    doc = md("x")
    doc.links.append(Link("https://arxiv.org/pdf/2300.12345v2.pdf", "pdf", 1, 1, LinkKind.INLINE))
    assert document_hits(doc) == [("PL303", 1, 1, "arXiv ID 2300.12345 has month 00")]


def test_pl303_an_id_from_a_month_that_has_not_begun() -> None:
    doc = md(
        "- [Next month](https://arxiv.org/abs/2701.00001)\n"
        "- [This month](https://arxiv.org/abs/2612.00001)\n"
        "- **Written**, arXiv:2801.00002\n"
    )
    ctx = replace(CTX, today=date(2026, 12, 3))
    hits = [(hit.code, hit.line, hit.column, hit.message) for hit in check_document(doc, ctx)]
    assert hits == [
        ("PL303", 1, 3, "arXiv ID 2701.00001 is from 2027-01, a month that has not begun yet"),
        ("PL303", 3, 22, "arXiv ID 2801.00002 is from 2028-01, a month that has not begun yet"),
    ]
    # A day later in the calendar it may exist: the context's date decides, not the clock.
    later = replace(CTX, today=date(2027, 1, 1))
    assert [hit.line for hit in check_document(doc, later)] == [3]


def test_latest_date_on_earth_is_never_behind_utc() -> None:
    from datetime import UTC, datetime

    assert latest_date_on_earth() >= datetime.now(UTC).date()


# --------------------------------------------------------------------------------------------------
# PL304 entry-id-mismatch


def test_pl304_text_disagrees_with_links() -> None:
    doc = md(
        "- **T**, `arXiv, 2310.55555`, [arxiv](http://arxiv.org/abs/2310.55556v1), [pdf](http://arxiv.org/pdf/2310.55556v2.pdf)"
    )
    assert document_hits(doc) == [
        (
            "PL304",
            1,
            18,
            "arXiv:2310.55555 here disagrees with arXiv:2310.55556 at line 1, column 31 of the same entry",
        )
    ]


def test_pl304_one_wrong_link_among_agreeing_text_and_link() -> None:
    doc = md(
        "- **T**, `arXiv, 2310.01889`, [arxiv](https://arxiv.org/abs/2310.01898v1), [pdf](https://arxiv.org/pdf/2310.01889v1.pdf)"
    )
    assert [hit[:3] for hit in document_hits(doc)] == [("PL304", 1, 31)]


def test_pl304_tie_trusts_the_title_link_then_links() -> None:
    doc = md("- [T](https://arxiv.org/abs/2310.00001) [pdf](https://arxiv.org/pdf/2310.00002)")
    assert document_hits(doc) == [
        (
            "PL304",
            1,
            41,
            "arXiv:2310.00002 here disagrees with arXiv:2310.00001 at line 1, column 3 of the same entry",
        )
    ]
    doc = md("- **T** arXiv:2310.00001 [pdf](https://arxiv.org/pdf/2310.00002)")
    assert [hit[:3] for hit in document_hits(doc)] == [("PL304", 1, 15)]


def test_pl304_versions_free_links_and_other_kinds_do_not_count() -> None:
    doc = md(
        "- **T**, `arXiv, 2310.01889`, [arxiv](https://arxiv.org/abs/2310.01889v1),"
        " [pdf](https://arxiv.org/pdf/2310.01889v4.pdf), based on [LoRA](https://arxiv.org/abs/2106.09685),"
        " [doi](https://doi.org/10.1145/3442188.3445922), [code](https://arxiv.org/abs/2106.09686)\n"
        "- **T**, `ICML, 2023`, [arxiv](http://arxiv.org/abs/2304.01373v2)\n"
    )
    assert document_hits(doc) == []


def test_pl304_dois_disagree() -> None:
    doc = md("- **T** doi:10.1145/1111111.1111111 [doi](https://doi.org/10.1145/2222222.2222222)")
    assert [hit[:3] for hit in document_hits(doc)] == [("PL304", 1, 13)]


def test_pl304_text_position_on_a_later_occurrence() -> None:
    doc = md(
        "- **T** arXiv:2310.00001 [arxiv](https://arxiv.org/abs/2310.00002) [pdf](https://arxiv.org/pdf/2310.00002) (arXiv:2310.00001)"
    )
    assert [hit[:3] for hit in document_hits(doc)] == [("PL304", 1, 15), ("PL304", 1, 115)]


# --------------------------------------------------------------------------------------------------
# Robustness


def test_odd_input_never_raises() -> None:
    doc = md(
        "- [](http://[)\n- [\x00](https://arxiv.org/abs/9999.99999)\n- **"
        + "x" * 10_000
        + "** arXiv:0000.0000\n"
    )
    doc.entries.append(
        Entry(
            99,
            "item",
            50,
            1,
            50,
            None,
            None,
            None,
            None,
            (),
            None,
            (TextSpan("arXiv:2313.01234", 50, 1),),
        )
    )
    hits: list[Hit] = [*check_document(doc, CTX), *check_corpus([doc], CTX)]
    # The last entry's text points past the end of the file: reported at the span's own position.
    assert [(hit.code, hit.line, hit.column, hit.message) for hit in hits] == [
        ("PL303", 2, 3, "arXiv ID 9999.99999 has month 99"),
        ("PL303", 3, 10_014, "arXiv ID 0000.0000 has month 00"),
        ("PL303", 50, 1, "arXiv ID 2313.01234 has month 13"),
    ]


def test_fuzzy_title_grouping_has_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = md(
        "- [Attention is all you need](https://arxiv.org/abs/1706.03762)\n"
        "- [Atention is all you need](https://arxiv.org/abs/1706.03762)\n"
    )
    assert [hit.code for hit in check_corpus([doc], CTX)] == []
    monkeypatch.setattr(identifiers, "FUZZY_MAX_TITLES", 1)
    assert [hit.code for hit in check_corpus([doc], CTX)] == ["PL301"]


# --------------------------------------------------------------------------------------------------
# The seeds; every finding below was reviewed by hand against the files.

DATA = Path(__file__).parents[1] / "data" / "seeds"


def seed(prefix: str) -> Document:
    # Byte-exact copies of /work/shared/seeds/<prefix>_*.txt
    return parse((DATA / f"seed_{prefix}.md").read_text(encoding="utf-8"), f"seed_{prefix}.md")


def all_hits(docs: list[Document]) -> list[Hit]:
    found = [*check_corpus(docs, CTX)]
    for doc in docs:
        found += [replace(hit, path=doc.path) for hit in check_document(doc, CTX)]
    return sorted(found, key=lambda hit: (hit.path or "", hit.line, hit.column, hit.code))


def test_seeds_together() -> None:
    found = all_hits([seed(prefix) for prefix in ("000", "001", "002", "003", "004")])
    assert [(hit.path, hit.code, hit.line, hit.column) for hit in found] == [
        ("seed_000.md", "PL301", 100, 4),
        ("seed_000.md", "PL301", 110, 4),  # opML, also listed so in 001 and 002
        ("seed_000.md", "PL301", 124, 4),
    ]
    assert [hit.message for hit in found] == [
        'arXiv:2401.17555 is listed as "parameter-efficient fine-tuning of large language models" here'
        ' but as "distributed training of large language models: a comprehensive survey" at line 52',
        'arXiv:2401.17555 is listed as "opml: optimistic machine learning on blockchain" here but as'
        ' "distributed training of large language models: a comprehensive survey" at line 52',
        'arXiv:2304.09858 is listed as "secure aggregation for federated learning: a survey" here but'
        ' as "blockchain-based federated learning: a comprehensive survey" at line 112',
    ]
    assert [hit.related for hit in found] == [
        (Location("seed_000.md", 52, 4),),
        (Location("seed_000.md", 52, 4),),
        (Location("seed_000.md", 112, 4),),
    ]


def test_seeds_without_000_agree_on_opml_and_diloco() -> None:
    # opML in 001 and 002, diloco over two lines in 001, on one in 002 and as "DiLoCo: ..." in 004
    assert all_hits([seed(prefix) for prefix in ("001", "002", "003", "004")]) == []


def test_seed_004_with_a_mistyped_identifier() -> None:
    doc = seed("004")
    source = doc.source.replace("`arXiv, 2401.13160`", "`arXiv, 2401.13106`")
    source = source.replace(
        "http://arxiv.org/abs/2310.10638v3", "http://arxiv.org/abs/2313.10638v3"
    )
    found = all_hits([parse(source, "seed_004.md")])
    assert [(hit.code, hit.line, hit.column, hit.message) for hit in found] == [
        (
            "PL304",
            26,
            30,
            "arXiv:2401.13106 here disagrees with arXiv:2401.13160 at line 26, column 43 of the same entry",
        ),
        ("PL303", 33, 98, "arXiv ID 2313.10638 has month 13"),
        (
            "PL304",
            33,
            98,
            "arXiv:2313.10638 here disagrees with arXiv:2310.10638 at line 33, column 142 of the same entry",
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Documentation examples


def test_codes() -> None:
    assert identifiers.FAMILY.codes == ("PL301", "PL302", "PL303", "PL304")


@pytest.mark.parametrize("code", ["PL301", "PL302", "PL303", "PL304"])
def test_documentation_examples(code: str) -> None:
    examples = rule_examples(RULES[code])
    assert sorted(examples) == ["failing", "passing"]
    failing = all_hits([md(examples["failing"])])
    assert [hit.code for hit in failing] == [code]
    assert all_hits([md(examples["passing"])]) == []


def test_model_table_rows_do_not_conflict_with_their_paper() -> None:
    doc = md(
        "- [OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068)\n"
        "- [Language Models are Few-Shot Learners](https://arxiv.org/abs/2005.14165)\n"
        "\n"
        "| Model | Paper |\n"
        "|---|---|\n"
        "| OPT-1.3B | [paper](https://arxiv.org/abs/2205.01068) |\n"
        "| OPT | [arXiv](https://arxiv.org/abs/2205.01068) |\n"
        "| [GPT-3](https://arxiv.org/abs/2005.14165) | a one-word name takes no part |\n"
        "| Switch Transformers | [paper](https://arxiv.org/abs/2205.01068) |\n"
    )
    assert [entry.kind for entry in doc.entries] == ["item", "item", "row", "row", "row", "row"]
    assert [(hit.code, hit.line, hit.column) for hit in all_hits([doc])] == [("PL301", 9, 3)]
