"""Title equivalence: same title, short forms, names, word counts."""

from __future__ import annotations

import pytest

from linter import titles
from linter.titles import (
    canonical_title,
    normalise_title,
    same_title,
    shortened_title,
    title_words,
)

SAME = True
DIFFERENT = False

TITLE_PAIRS = [
    # case, punctuation, whitespace and line breaks
    ("attention is all you need", "Attention Is All You Need", SAME),
    ("opml: optimistic machine learning on blockchain", "opML: Optimistic Machine Learning on Blockchain", SAME),
    (
        "swarm parallelism: training large models\ncan be surprisingly communication-efficient",
        "swarm parallelism: training large models can be surprisingly communication-efficient",
        SAME,
    ),
    ("Training Compute-Optimal Large Language Models", "Training Compute Optimal Large Language Models", SAME),
    ("Pre-training of Deep Transformers", "Pretraining of Deep Transformers", SAME),
    ("Paper & Projects", "Paper and Projects", SAME),
    ("Mixture-of-Experts Meets Instruction Tuning:A Winning Combination", "Mixture-of-Experts Meets Instruction Tuning: A Winning Combination", SAME),
    ("Élan: réseaux neuronaux", "Elan: Reseaux Neuronaux", SAME),
    # a parenthetical note
    ("language models are few-shot learners", "Language Models are Few-Shot Learners (GPT-3)", SAME),
    ("Language Models are Unsupervised Multitask Learners (GPT-2)", "Language Models are Unsupervised Multitask Learners", SAME),
    ("How to Build Low-cost Networks (without Sacrificing Performance)?", "How to Build Low-cost Networks", SAME),
    # an organisation possessive prefix
    (
        "deepmind's diloco: distributed low-communication\ntraining of language models",
        "DiLoCo: Distributed Low-Communication Training of Language Models",
        SAME,
    ),
    ("deepmind's dipaco: distributed path composition", "DiPaCo: Distributed Path Composition", SAME),
    ("Google DeepMind's DiPaCo: Distributed Path Composition", "DiPaCo: Distributed Path Composition", SAME),
    ("huggingface's transformers: state-of-the-art natural language processing", "Transformers: State-of-the-Art Natural Language Processing", SAME),
    ("Let's Verify Step by Step", "Verify Step by Step", DIFFERENT),  # a contraction, not an owner
    ("A Hitchhiker's Guide to Scaling", "Guide to Scaling", DIFFERENT),  # "A ...'s" is no organisation
    # a couple of typos
    ("Attention is all you need", "Atention is all you need", SAME),
    ("Scaling Laws for Neural Language Models", "Scaling Laws for Nueral Language Model", SAME),
    ("Mixtral of Experts", "Mixtral of Expert", SAME),
    ("A Survey of Large Language Models", "Survey of Large Language Models", SAME),
    ("3d paralellism training and scaling", "3d parallelism training and scaling", SAME),
    # model names for the paper
    ("OPT", "OPT: Open Pre-trained Transformer Language Models", SAME),
    ("OPT-1.3B", "OPT: Open Pre-trained Transformer Language Models", SAME),
    ("OPT 66B", "OPT: Open Pre-trained Transformer Language Models", SAME),
    ("OPT-1.3B", "OPT-175B", SAME),
    ("Mixtral-8x7B", "Mixtral", SAME),
    ("Llama-2-7B", "Llama 2", SAME),
    ("SOLAR", "SOLAR 10.7B: Scaling Large Language Models with Simple yet Effective Depth Up-Scaling", SAME),
    ("Switch Transformers", "Switch Transformers: Scaling to Trillion Parameter Models", SAME),
    ("LLaMA", "Llama 2: Open Foundation and Fine-Tuned Chat Models", DIFFERENT),
    ("GPT-3", "Language Models are Few-Shot Learners", DIFFERENT),
    ("Open Pre-trained Transformer Language Models Are Great", "OPT: Open Pre-trained Transformer Language Models", DIFFERENT),
    # one real word replaced, inserted or a number changed
    ("Efficient Training of Large Language Models", "Efficient Inference of Large Language Models", DIFFERENT),
    ("Language Models are Few-Shot Learners", "Language Models are Zero-Shot Learners", DIFFERENT),
    ("Language Models are Unsupervised Multitask Learners", "Language Models are Supervised Multitask Learners", DIFFERENT),
    ("Attention is all you need", "Attention is not all you need", DIFFERENT),
    ("GPT-2", "GPT-3", DIFFERENT),
    ("Tensor Programs V: Tuning Large Neural Networks", "Tensor Programs VI: Tuning Large Neural Networks", DIFFERENT),
    ("Llama 2: Open Foundation and Fine-Tuned Chat Models", "LLaMA: Open and Efficient Foundation Language Models", DIFFERENT),
    ("Gemini: A Family of Highly Capable Multimodal Models", "Gemini: Unlocking multimodal understanding across millions of tokens", DIFFERENT),
    # from the seeds: one arXiv ID under different titles
    ("distributed training of large language models: a comprehensive survey", "parameter-efficient fine-tuning of large language models", DIFFERENT),
    ("parameter-efficient fine-tuning of large language models", "opml: optimistic machine learning on blockchain", DIFFERENT),
    ("blockchain-based federated learning: a comprehensive survey", "secure aggregation for federated learning: a survey", DIFFERENT),
    ("Teach Llamas to Talk: Recent Progress in Instruction Tuning", "Teach Llamas to Talk: Recent Progress in Instruction Tuning", SAME),
    # empty titles are never the same
    ("", "", DIFFERENT),
    ("!!!", "???", DIFFERENT),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second", "expected"), TITLE_PAIRS)
def test_same_title(first: str, second: str, expected: bool) -> None:
    assert same_title(first, second) is expected
    assert same_title(second, first) is expected


def test_title_table_is_large() -> None:
    assert len(TITLE_PAIRS) >= 30
    assert sum(1 for *_, same in TITLE_PAIRS if same) >= 10
    assert sum(1 for *_, same in TITLE_PAIRS if not same) >= 10


def test_typo_limits_can_be_shrunk(monkeypatch: pytest.MonkeyPatch) -> None:
    assert same_title("Attention is all you need", "Atention is all you need")
    monkeypatch.setattr(titles, "TYPO_MAX_EDITS", 0)
    assert not same_title("Attention is all you need", "Atention is all you need")


def test_short_name_limit_can_be_shrunk(monkeypatch: pytest.MonkeyPatch) -> None:
    long = "Switch Transformers: Scaling to Trillion Parameter Models"
    assert same_title("Switch Transformers", long)
    monkeypatch.setattr(titles, "SHORT_NAME_MAX_WORDS", 1)
    assert not same_title("Switch Transformers", long)


def test_normalise_title() -> None:
    assert normalise_title("  DeepMind's  DiLoCo:\nDistributed Low-Communication  ") == (
        "deepminds diloco distributed low communication"
    )
    assert normalise_title("Élan & Co.") == "elan and co"
    assert normalise_title("") == ""


def test_the_fields_abbreviations_are_spelt_out() -> None:
    assert normalise_title("Training LLMs to Reason") == "training large language models to reason"
    assert same_title(
        "Are VLMs Good Judges?", "Are Vision-Language Models Good Judges"
    ) and not same_title("LLMs Can Plan", "LLMs Cannot Plan")


def test_canonical_title() -> None:
    assert canonical_title("DeepMind's DiPaCo (v2): Distributed Path Composition") == (
        "dipaco distributed path composition"
    )
    assert canonical_title("***") == ""


def test_title_words() -> None:
    assert title_words("OPT-1.3B") == 1
    assert title_words("GPT-3") == 1
    assert title_words("Mixtral of Experts") == 3
    assert title_words("") == 0
    # Words as written: a name in one piece is one word, however many parts it has.
    assert title_words("DeepSeek-v2-236B-MoE") == 1
    assert title_words("Qwen2-0.5|1.5|7|57-14|72B") == 1
    assert title_words("Llama 2 70B") == 1
    assert title_words("Qwen2 72B Instruct") == 2
    assert title_words("大语言模型综述") == 1


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        # A model name stands for the paper whose name comes before the colon.
        ("DeepSeek-v2-236B-MoE", "DeepSeek-V2: A Strong, Economical, and Efficient MoE LM", True),
        ("DeepSeek-V2 Chat", "DeepSeek-V2: A Strong, Economical, and Efficient MoE LM", True),
        ("Llama 2 70B Chat", "Llama 2: Open Foundation and Fine-Tuned Chat Models", True),
        ("Leave No Context Behind", "Leave No Context Behind: Efficient Infinite Context", True),
        # A short form (at most SHORT_NAME_MAX_WORDS words) is the start of the title.
        ("Qwen2 72B Instruct", "Qwen2 Technical Report", True),
        ("Mixtral 8x7B Instruct v0.1", "Mixtral of Experts", True),
        ("Scaling Laws", "Scaling Laws for Neural Language Models", True),
        ("Deep Residual Learning", "Deep Residual Learning for Image Recognition", True),
        # The name of another model, or a long title that another paper extends, is not.
        ("Llama 2 70B Chat", "LLaMA: Open and Efficient Foundation Language Models", False),
        ("DeepSeek-V2 Chat", "DeepSeek LLM: Scaling Open-Source Language Models", False),
        ("Attention Is All You Need", "Attention Is All You Need in Speech Separation", False),
        ("A Survey of NL2SQL with LLMs", "Agentic Retrieval-Augmented Generation: A Survey", False),
        ("Scaling Laws", "Laws of Scaling", False),
    ],
)
def test_shortened_title(short: str, full: str, expected: bool) -> None:
    assert shortened_title(short, full) is expected
    assert shortened_title(full, short) is expected


def test_shortened_title_is_not_same_title() -> None:
    # The duplicate rules keep comparing titles whole: two papers share first words.
    assert not same_title("Scaling Laws", "Scaling Laws for Neural Language Models")


def test_same_title_huge_input() -> None:
    long = "word " * 50_000
    assert same_title(long, long.upper())
    assert not same_title(long, long[:-5] + "wrod")  # no typo tolerance for what is no title
    assert not same_title(long, "word")
    short = "word " * 20
    assert same_title(short, short[:-5] + "wrod")


def test_same_title_without_model_names() -> None:
    opt = "OPT: Open Pre-trained Transformer Language Models"
    assert same_title("OPT-1.3B", opt)
    assert not same_title("OPT-1.3B", opt, model_names=False)
    assert not same_title("OPT-1.3B", "OPT-6.7B", model_names=False)
    assert same_title("deepmind's dipaco", "DiPaCo", model_names=False)
