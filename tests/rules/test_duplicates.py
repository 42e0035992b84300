from __future__ import annotations

from pathlib import Path

from linter.document import Document, parse
from linter.findings import Location
from linter.rules import RULES, duplicates, rule_examples
from linter.rules.base import RuleContext
from linter.rules.duplicates import check_corpus

DATA = Path(__file__).parents[1] / "data" / "seeds"
SEEDS = ("000", "001", "002", "003", "004")


def md(source: str, path: str = "list.md") -> Document:
    return parse(source, path)


def seeds() -> list[Document]:
    # Byte-exact copies of /work/shared/seeds/<prefix>_*.txt
    return [
        parse((DATA / f"seed_{prefix}.md").read_text(encoding="utf-8"), f"seed_{prefix}.md")
        for prefix in SEEDS
    ]


def hits(*docs: Document, scope: str = "file") -> list[tuple[str | None, int, int, str]]:
    return [
        (hit.path, hit.line, hit.column, hit.message)
        for hit in check_corpus(list(docs), RuleContext(duplicate_scope=scope))
    ]


def test_same_paper_same_title_in_other_url_form() -> None:
    doc = md(
        "- [Attention is all you need](https://arxiv.org/abs/1706.03762)\n"
        "- [Attention Is All You Need](https://arxiv.org/pdf/1706.03762v5)\n"
    )
    found = list(check_corpus([doc], RuleContext()))
    assert [(hit.code, hit.path, hit.line, hit.column) for hit in found] == [
        ("PL201", "list.md", 2, 4)
    ]
    assert found[0].message == (
        'duplicate entry: "Attention Is All You Need" (arXiv:1706.03762) already listed at line 1'
    )
    assert found[0].related == (Location("list.md", 1, 4),)


def test_abs_and_pdf_links_of_one_entry_are_one_paper() -> None:
    doc = md(
        "- [Attention is all you need](https://arxiv.org/abs/1706.03762) ([pdf](https://arxiv.org/pdf/1706.03762))\n"
        "- **Mixtral of Experts**, `arXiv, 2401.04088`, [arxiv](http://arxiv.org/abs/2401.04088v1), [pdf](http://arxiv.org/pdf/2401.04088v1.pdf)\n"
    )
    assert hits(doc) == []


def test_every_repeat_points_to_the_first_listing() -> None:
    doc = md(
        "- [deepmind's dipaco: distributed path composition](https://arxiv.org/pdf/2403.10616)\n"
        "- [lo-fi: distributed fine-tuning without communication](https://arxiv.org/pdf/2210.11948)\n"
        "- [deepmind's dipaco: distributed path composition](https://arxiv.org/pdf/2403.10616)\n"
        "- [DiPaCo: Distributed Path Composition](https://arxiv.org/abs/2403.10616v1)\n"
    )
    assert hits(doc) == [
        (
            "list.md",
            3,
            4,
            'duplicate entry: "deepmind\'s dipaco: distributed path composition" (arXiv:2403.10616) already listed at line 1',
        ),
        (
            "list.md",
            4,
            4,
            'duplicate entry: "DiPaCo: Distributed Path Composition" (arXiv:2403.10616) already listed at line 1',
        ),
    ]


def test_same_link_different_titles_is_no_duplicate() -> None:
    doc = md(
        "- [Blog post one about scaling](https://example.com/post)\n"
        "- [A different write-up entirely](https://example.com/post/)\n"
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "- [Mixtral](https://arxiv.org/abs/2401.04088)\n"
    )
    assert hits(doc) == []  # "Mixtral" is no title before a colon of "Mixtral of Experts"


def test_same_title_different_papers_is_no_duplicate() -> None:
    doc = md(
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03763)\n"
    )
    assert hits(doc) == []


def test_web_pages_repeat_too() -> None:
    doc = md(
        "- [Teach Llamas to Talk: Recent Progress in Instruction Tuning](https://gaotianyu.xyz/blog/2023/11/30/instruction-tuning/)\n"
        "- [Teach Llamas to Talk: Recent Progress in Instruction Tuning](http://www.gaotianyu.xyz/blog/2023/11/30/instruction-tuning?utm_source=x#top)\n"
        "# Other\n"
        "- [Teach Llamas to Talk: Recent Progress in Instruction Tuning](https://gaotianyu.xyz/blog/2023/11/30/instruction-tuning)\n"
    )
    listed = '"Teach Llamas to Talk: Recent Progress in Instruction Tuning" (gaotianyu.xyz/blog/2023/11/30/instruction-tuning)'
    assert hits(doc) == [
        ("list.md", 2, 4, f"duplicate entry: {listed} already listed at line 1"),
        ("list.md", 4, 4, f"cross-listed: {listed} also listed at line 1"),
    ]


def test_code_badge_and_citation_links_never_make_a_duplicate() -> None:
    doc = md(
        "- [Paper one about things](https://a.example/1) [code](https://github.com/x/y) ![Star](https://img.shields.io/x.svg)"
        " [citation](https://arxiv.org/abs/2401.04088)\n"
        "- [Paper one about things](https://b.example/2) [code](https://github.com/x/y) ![Star](https://img.shields.io/x.svg)"
        " [citation](https://arxiv.org/abs/2401.04088)\n"
    )
    assert hits(doc) == []


def test_entries_without_title_or_key_are_never_duplicates() -> None:
    doc = md(
        "- [Other](#other)\n- [Other](#other)\n- https://arxiv.org/abs/2401.04088\n- https://arxiv.org/abs/2401.04088\n"
    )
    assert hits(doc) == []


def test_scopes() -> None:
    first = md(
        "# A\n"
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "# B\n"
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "- [Mixtral of Experts](https://arxiv.org/pdf/2401.04088)\n",
        "b.md",
    )
    second = md("- [Mixtral of experts](https://arxiv.org/abs/2401.04088)\n", "a.md")
    listed = '"Mixtral of Experts" (arXiv:2401.04088)'
    duplicate = f"duplicate entry: {listed} already listed at line 4"
    assert hits(first, second, scope="section") == [("b.md", 5, 4, duplicate)]
    # The repeat in its own section is PL201 although the paper is also listed under "A".
    assert hits(first, second, scope="file") == [
        ("b.md", 4, 4, f'cross-listed: {listed} also listed under "A" at line 2'),
        ("b.md", 5, 4, duplicate),
    ]
    assert hits(first, second, scope="all") == [
        ("b.md", 2, 4, f"cross-listed: {listed} also listed at a.md:1"),
        ("b.md", 4, 4, f"cross-listed: {listed} also listed at a.md:1"),
        ("b.md", 5, 4, duplicate),
    ]
    assert hits(first, second, scope="bogus") == hits(first, second, scope="file")


def test_identifier_in_a_title_conflict_is_reported_as_pl301_only() -> None:
    doc = md(
        "- [opml: optimistic machine learning on blockchain](https://arxiv.org/abs/2401.17555)\n"
        "- [opML: Optimistic Machine Learning on Blockchain](https://arxiv.org/pdf/2401.17555)\n"
        "- [parameter-efficient fine-tuning of large language models](https://arxiv.org/abs/2401.17555)\n"
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
        "- [Mixtral of Experts](https://arxiv.org/abs/2401.04088)\n"
    )
    assert [line for _, line, _, _ in hits(doc)] == [5]
    # the conflict may be in another file of the run
    other = md("- [Mixtral: something else entirely](https://arxiv.org/abs/2401.04088)\n", "z.md")
    assert hits(doc, other) == []


# --------------------------------------------------------------------------------------------------
# The seeds, checked together; every finding below was reviewed by hand against the files.


def seed_hits(scope: str) -> list[tuple[str, str, int, int, str, int]]:
    found = check_corpus(seeds(), RuleContext(duplicate_scope=scope))
    return [
        (hit.code, hit.path or "", hit.line, hit.column, hit.related[0].path, hit.related[0].line)
        for hit in found
    ]


S0, S1, S2, S3, S4 = (f"seed_{prefix}.md" for prefix in SEEDS)


def test_seeds_file_scope() -> None:
    assert seed_hits("file") == [
        # the same two papers under "parallel and decentralized training" and under "models"
        ("PL202", S0, 84, 4, S0, 50),
        ("PL202", S0, 85, 4, S0, 49),
        # one section lists dipaco, decentralized training (three times), swarm, crowdsourced twice
        ("PL201", S1, 29, 4, S1, 26),
        ("PL201", S1, 30, 4, S1, 24),
        ("PL201", S1, 32, 4, S1, 20),
        ("PL201", S1, 41, 4, S1, 24),
        ("PL201", S1, 43, 4, S1, 27),
        ("PL202", S1, 67, 4, S1, 56),
        ("PL202", S1, 68, 4, S1, 55),
        ("PL202", S4, 187, 4, S4, 90),  # the same blog post under "Paper & Projects" and "Other"
        ("PL201", S4, 419, 5, S4, 408),  # MoE-Mamba
        ("PL201", S4, 456, 5, S4, 443),  # Mixture-of-Experts Meets Instruction Tuning
    ]


def test_seeds_section_scope() -> None:
    assert seed_hits("section") == [
        ("PL201", S1, 29, 4, S1, 26),
        ("PL201", S1, 30, 4, S1, 24),
        ("PL201", S1, 32, 4, S1, 20),
        ("PL201", S1, 41, 4, S1, 24),
        ("PL201", S1, 43, 4, S1, 27),
        ("PL201", S4, 419, 5, S4, 408),
        ("PL201", S4, 456, 5, S4, 443),
    ]


def test_seeds_all_scope() -> None:
    # 001 mostly repeats 000; opML (arXiv:2401.17555) is left to PL301. 002 is a reading log
    # ("week #1"): a digest, whose repeats of the other lists are on purpose.
    assert seed_hits("all") == [
        ("PL202", S0, 84, 4, S0, 50),
        ("PL202", S0, 85, 4, S0, 49),
        ("PL202", S1, 24, 4, S0, 41),
        ("PL202", S1, 26, 4, S0, 42),
        ("PL202", S1, 27, 4, S0, 43),
        ("PL201", S1, 29, 4, S1, 26),  # the same section lists dipaco twice: that comes first
        ("PL201", S1, 30, 4, S1, 24),
        ("PL201", S1, 32, 4, S1, 20),
        ("PL202", S1, 34, 4, S0, 44),
        ("PL202", S1, 36, 4, S0, 45),
        ("PL202", S1, 37, 4, S0, 46),
        ("PL202", S1, 38, 4, S0, 47),
        ("PL202", S1, 40, 4, S0, 48),
        ("PL201", S1, 41, 4, S1, 24),
        ("PL201", S1, 43, 4, S1, 27),
        ("PL202", S1, 54, 4, S0, 83),
        ("PL202", S1, 55, 4, S0, 50),
        ("PL202", S1, 56, 4, S0, 49),
        ("PL202", S1, 57, 4, S0, 86),
        ("PL202", S1, 67, 4, S0, 49),
        ("PL202", S1, 68, 4, S0, 50),
        ("PL202", S1, 69, 4, S0, 63),
        ("PL202", S3, 10, 4, S0, 25),
        ("PL202", S3, 19, 4, S0, 28),  # "(GPT-3)"
        ("PL202", S4, 187, 4, S4, 90),
        ("PL202", S4, 213, 5, S0, 47),
        ("PL202", S4, 243, 5, S1, 22),  # "DiLoCo: ..." vs "deepmind's diloco: ..."
        ("PL202", S4, 416, 5, S0, 87),
        ("PL201", S4, 419, 5, S4, 408),
        ("PL201", S4, 456, 5, S4, 443),
        ("PL202", S4, 463, 5, S3, 28),
        ("PL202", S4, 467, 5, S0, 68),
    ]


def test_seed_message() -> None:
    found = list(check_corpus(seeds()[1:2], RuleContext()))
    assert found[0].message == (
        'duplicate entry: "deepmind\'s dipaco: distributed path composition" (arXiv:2403.10616)'
        " already listed at line 26"
    )
    assert found[0].related == (Location(S1, 26, 4),)


# --------------------------------------------------------------------------------------------------
# Documentation examples


def test_codes() -> None:
    assert duplicates.FAMILY.codes == ("PL201", "PL202")


def test_documentation_examples() -> None:
    examples = rule_examples(RULES["PL201"])
    assert sorted(examples) == ["failing", "passing"]
    assert [(line, column) for _, line, column, _ in hits(md(examples["failing"]))] == [(2, 4)]
    assert hits(md(examples["passing"])) == []
    examples = rule_examples(RULES["PL202"])
    assert sorted(examples) == ["failing", "passing"]
    failing = list(check_corpus([md(examples["failing"])], RuleContext()))
    assert [(hit.code, hit.line, hit.column) for hit in failing] == [("PL202", 7, 4)]
    assert hits(md(examples["passing"])) == []


def test_model_table_rows_are_not_duplicates_of_their_paper() -> None:
    doc = md(
        "- [OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068)\n"
        "\n"
        "| Model | Paper | Code |\n"
        "|---|---|---|\n"
        "| OPT-1.3B | [paper](https://arxiv.org/abs/2205.01068) | [code](https://github.com/facebookresearch/metaseq) |\n"
        "| OPT-6.7B | [paper](https://arxiv.org/abs/2205.01068) | [code](https://github.com/facebookresearch/metaseq) |\n"
        "| OPT-6.7B | [paper](https://arxiv.org/pdf/2205.01068) | |\n"
    )
    assert [entry.title for entry in doc.entries] == [
        "OPT: Open Pre-trained Transformer Language Models",
        "OPT-1.3B",
        "OPT-6.7B",
        "OPT-6.7B",
    ]
    assert hits(doc) == [
        ("list.md", 7, 3, 'duplicate entry: "OPT-6.7B" (arXiv:2205.01068) already listed at line 6')
    ]


def test_digest_sections_and_the_sections_within_them() -> None:
    doc = md(
        "# Long context papers\n"
        "## 📢 News\n"
        "### 2025.05\n"
        "## Papers\n"
        "### Sparse attention\n"
        "## Top ML Papers of the Week (May 20 - May 26)\n"
        "## 🔥 Trending projects\n"
        "## What's new\n"
        "## Recent advances in retrieval\n"
        "## Newsletters\n"
        "## Weekend projects\n"
        "## Projets LLM tendance\n"
        "## 最新论文\n"
        "## 多模态\n"
    )
    assert duplicates.digest_sections(doc) == {1, 2, 5, 6, 7, 8, 11, 12}


def test_digests_repeat_on_purpose_but_not_within_themselves() -> None:
    entry = "- [Attention Sinks for Streaming LLMs](https://arxiv.org/abs/2309.17453)\n"
    doc = md(
        f"## News\n### 2025.05.28\n{entry}{entry}### 2025.05.27\n{entry}"
        f"## Papers\n### Sparse attention\n{entry}### Streaming\n{entry}{entry}"
    )
    listed = '"Attention Sinks for Streaming LLMs" (arXiv:2309.17453)'
    # Line 6 (another day of the news) and the topic sections repeat line 3 on purpose.
    assert hits(doc) == [
        ("list.md", 4, 4, f"duplicate entry: {listed} already listed at line 3"),
        (
            "list.md",
            11,
            4,
            f'cross-listed: {listed} also listed under "Sparse attention" at line 9',
        ),
        ("list.md", 12, 4, f"duplicate entry: {listed} already listed at line 11"),
    ]
    assert hits(doc, scope="section") == [
        ("list.md", 4, 4, f"duplicate entry: {listed} already listed at line 3"),
        ("list.md", 12, 4, f"duplicate entry: {listed} already listed at line 11"),
    ]


def test_table_of_contents_lines_are_not_papers() -> None:
    doc = md(
        "- [Top ML Papers of the Week (April 7 - April 13)](./#top-ml-papers-of-the-week-april-7---april-13---2025)\n"
        "- [Top ML Papers of the Week (March 31 - April 6)](./#top-ml-papers-of-the-week-march-31---april-6---2025)\n"
        "- [Papers of 2024](2024.md#january)\n"
        "- [Papers of 2024](2024.md#february)\n"
        "- [Back to the top](#contents)\n"
        "- [Back to the top](#contents)\n"
    )
    assert hits(doc) == []
