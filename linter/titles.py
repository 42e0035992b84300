"""Titles: when two listed titles name the same paper.

* :func:`same_title`: equal despite case, punctuation, line breaks, a parenthetical note, an
  organisation prefix ("DeepMind's"), a model name standing for the paper ("OPT-1.3B" for "OPT:
  Open Pre-trained ...") or a couple of typos.
* :func:`shortened_title`: one is a short form of the other ("Scaling Laws"), which only the
  "one identifier, two titles" rule accepts.
* :func:`title_words`: how many words a title has as written (names in one piece are one word).

Nothing here raises on malformed input.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from types import ModuleType

# Typo tolerance: the normalised titles may differ by at most this many edits, and at most this
# share of the longer title's length.
TYPO_MAX_EDITS = 4
TYPO_MAX_RATIO = 0.1
# Longer titles are compared exactly: no title is this long, and edit distances grow quadratically.
TYPO_MAX_CHARS = 500
# A word shorter than this is never a typo of another word ("v" / "vi", "few" / "zero").
TYPO_MIN_WORD = 4
# A model name ("OPT-1.3B") names the paper whose title starts with it ("OPT: Open ...") when it has
# at most this many words (after the size suffix is removed).
SHORT_NAME_MAX_WORDS = 3

# Lists write "LLMs" where the paper says "Large Language Models": one title, not two.
ABBREVIATIONS = {
    "llm": "large language model",
    "llms": "large language models",
    "mllm": "multimodal large language model",
    "mllms": "multimodal large language models",
    "vlm": "vision language model",
    "vlms": "vision language models",
    "lm": "language model",
    "lms": "language models",
}
_ARTICLES = frozenset({"a", "an", "the"})
_CONTRACTIONS = frozenset(
    {"let", "what", "it", "that", "there", "here", "who", "where", "how", "he", "she", "one", "now"}
)
_POSSESSIVE = re.compile(r"^\s*(?:(?P<first>[\w.&-]+)\s+)?(?P<owner>[\w.&-]+)['’`]s\s+(?=\S)")
_PARENTHETICAL = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])")
_MODEL_SIZE = re.compile(r"[\s_-]*\b\d+(?:\.\d+)?(?:x\d+(?:\.\d+)?)?\s?[bmkt]\s*$", re.I)
_NON_WORD = re.compile(r"[\W_]+")
# Model sizes anywhere in a name: "236B", "8x7B", "1.3|6.7|13B", "0.5|1.5|7|57-14|72B".
_SIZES = re.compile(r"(?<![^\W\d_])\d+(?:\.\d+)?(?:[x|-]\d+(?:\.\d+)?)*\s?[bmkt]\b", re.I)
_TRAILING_VERSION = re.compile(r"[\s_-]+v\d+(?:\.\d+)+\s*$", re.I)
# Words that name a variant of a model, not the model: "DeepSeek-V2 Chat", "Qwen2 72B Instruct".
MODEL_VARIANT_WORDS = frozenset(
    {
        "chat", "instruct", "instruction", "base", "it", "hf", "moe", "sft", "rlhf", "dpo", "rl",
        "preview", "turbo", "mini", "small", "medium", "large", "xl", "xxl", "tiny", "lite",
        "distill", "distilled", "gguf", "awq", "gptq", "fp8", "int4", "int8",
    }
)  # fmt: skip


def normalise_title(title: str) -> str:
    """Lower case, no accents or punctuation, whitespace collapsed, the field's abbreviations
    spelt out: the form titles compare in."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.casefold().replace("&", " and ")
    text = text.replace("'", "").replace("’", "").replace("`", "")  # "deepmind's" -> "deepminds"
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def _strip_possessive(title: str) -> str:
    match = _POSSESSIVE.match(title)
    if match is None:
        return title
    first = (match.group("first") or "").casefold()
    if match.group("owner").casefold() in _CONTRACTIONS or first in _ARTICLES:
        return title
    return title[match.end() :]


def _raw_variants(title: str) -> tuple[str, ...]:
    no_parens = _PARENTHETICAL.sub("", title)
    return (title, no_parens, _strip_possessive(title), _strip_possessive(no_parens))


@lru_cache(maxsize=65536)
def _variants(title: str) -> tuple[str, ...]:
    """The normalised title with and without its parenthetical notes and organisation prefix."""
    result: list[str] = []
    for form in _raw_variants(title):
        normal = normalise_title(form)
        if normal and normal not in result:
            result.append(normal)
    return tuple(result)


def canonical_title(title: str) -> str:
    """The title without parenthetical notes and organisation prefix, normalised (for grouping)."""
    variants = _variants(title)
    return variants[-1] if variants else ""


@lru_cache(maxsize=65536)
def _name_forms(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """(forms as a bare model name, forms of the part before the colon), sizes removed."""
    bare: frozenset[str] = frozenset()
    if ":" not in title:
        forms = {normalise_title(_MODEL_SIZE.sub("", variant)) for variant in _raw_variants(title)}
        bare = frozenset(form for form in forms if form)
    heads: frozenset[str] = frozenset()
    if ":" in title:
        head = title.split(":", 1)[0]
        heads = frozenset(
            form
            for form in (normalise_title(_MODEL_SIZE.sub("", v)) for v in _raw_variants(head))
            if form
        )
    return bare, heads


def _short(forms: tuple[frozenset[str], frozenset[str]]) -> tuple[set[str], frozenset[str]]:
    bare, heads = forms
    return {form for form in bare if len(form.split()) <= SHORT_NAME_MAX_WORDS}, heads


@lru_cache(maxsize=1)
def _distance() -> ModuleType:
    """rapidfuzz's distances, imported on first use: 30 ms that the link checks need not wait for
    (the engine starts them before the offline rules compare any title)."""
    from rapidfuzz import distance

    return distance


def osa_distance(first: str, second: str, limit: int) -> int:
    """The edit distance where a swap of two neighbours is one edit ("nueral"), or more than
    ``limit`` when it exceeds it."""
    value: int = _distance().OSA.distance(first, second, score_cutoff=limit)
    return value


def _typo_equal(first: str, second: str) -> bool:
    # OSA distance: a swap of two neighbouring letters ("nueral") is one typo, not two.
    longest = max(len(first), len(second))
    limit = min(TYPO_MAX_EDITS, int(longest * TYPO_MAX_RATIO))
    if limit <= 0 or longest > TYPO_MAX_CHARS or abs(len(first) - len(second)) > limit:
        return False
    if osa_distance(first, second, limit) > limit:
        return False
    words_a, words_b = first.split(), second.split()
    blocks: list[tuple[list[str], list[str]]] = []
    # Adjacent edits form one block: "few shot" -> "fewshot" is a replace and a delete.
    in_block = False
    for op in _distance().Levenshtein.opcodes(words_a, words_b):
        if op.tag == "equal":
            in_block = False
            continue
        piece_a = words_a[op.src_start : op.src_end]
        piece_b = words_b[op.dest_start : op.dest_end]
        if in_block:
            blocks[-1][0].extend(piece_a)
            blocks[-1][1].extend(piece_b)
        else:
            blocks.append((list(piece_a), list(piece_b)))
        in_block = True
    return all(_typo_block(piece_a, piece_b) for piece_a, piece_b in blocks)


def _typo_block(piece_a: list[str], piece_b: list[str]) -> bool:
    """Whether one run of differing words is a typo (or spacing) rather than a different word."""
    if not piece_a or not piece_b:
        return all(word in _ARTICLES for word in piece_a + piece_b)
    joined_a, joined_b = "".join(piece_a), "".join(piece_b)
    if joined_a == joined_b:
        return True  # "few shot" / "fewshot"
    if any(char.isdigit() for char in joined_a + joined_b):
        return False  # GPT-2 / GPT-3: numbers are never typos
    if min(len(joined_a), len(joined_b)) < TYPO_MIN_WORD or joined_a[0] != joined_b[0]:
        return False
    allowed = 1 if max(len(joined_a), len(joined_b)) <= 6 else 2
    return osa_distance(joined_a, joined_b, allowed) <= allowed


def same_title(first: str, second: str, *, model_names: bool = True) -> bool:
    """Whether two titles name the same paper (see the module docstring for what is tolerated).

    With ``model_names=False`` a model name is not taken for its paper's title: "OPT-1.3B" and
    "OPT-6.7B" rows of a model table are two entries, not one listed twice."""
    variants_a, variants_b = _variants(first), _variants(second)
    if not variants_a or not variants_b:
        return False
    if set(variants_a) & set(variants_b):
        return True
    if model_names:
        bare_a, heads_a = _short(_name_forms(first))
        bare_b, heads_b = _short(_name_forms(second))
        if bare_a & (heads_b | bare_b) or bare_b & heads_a:
            return True
    return any(_typo_equal(a, b) for a in variants_a for b in variants_b)


@lru_cache(maxsize=65536)
def _cores(title: str) -> frozenset[tuple[str, ...]]:
    """The title as a name: sizes removed wherever they stand ("DeepSeek-v2-236B-MoE"), then a
    trailing release version ("v0.1") and variant words ("Chat", "Instruct", "MoE")."""
    cores: set[tuple[str, ...]] = set()
    for variant in _raw_variants(title):
        text = _TRAILING_VERSION.sub("", _SIZES.sub(" ", variant))
        words = normalise_title(text).split()
        while words and words[-1] in MODEL_VARIANT_WORDS:
            words.pop()
        if words:
            cores.add(tuple(words))
    return frozenset(cores)


@lru_cache(maxsize=65536)
def _heads_and_fulls(title: str) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """(the part before the colon, the whole title) as normalised words, in every variant."""
    heads: set[tuple[str, ...]] = set()
    fulls: set[tuple[str, ...]] = set()
    for variant in _raw_variants(title):
        fulls.add(tuple(normalise_title(variant).split()))
        if ":" in variant:
            head = tuple(normalise_title(_SIZES.sub(" ", variant.split(":", 1)[0])).split())
            if head:
                heads.add(head)
    return frozenset(heads), frozenset(fulls)


def shortened_title(first: str, second: str) -> bool:
    """Whether one title is a short form of the other: the name before the other's colon
    ("Leave No Context Behind", "DeepSeek-V2 Chat" for "DeepSeek-V2: A Strong, Economical, ..."),
    or its first words when the short form has at most ``SHORT_NAME_MAX_WORDS`` words ("Scaling
    Laws", "Qwen2 72B Instruct" for "Qwen2 Technical Report"). Lists shorten titles all the time;
    an identifier listed under a title and its short form is listed once, not under two titles.

    Only for "is this identifier under two different titles?": two *different* papers often share
    their first words ("Attention Is All You Need in Speech Separation"), so this never makes two
    titles the same paper for the duplicate rules."""
    for short, full in ((first, second), (second, first)):
        heads, fulls = _heads_and_fulls(full)
        for core in _cores(short):
            if core in heads:
                return True
            if len(core) <= SHORT_NAME_MAX_WORDS and any(
                len(core) < len(words) and words[: len(core)] == core for words in fulls
            ):
                return True
    return False


@lru_cache(maxsize=65536)
def title_words(title: str) -> int:
    """How many words, as written (between blanks), contain a letter that is not part of a model
    size: "DeepSeek-v2-236B-MoE" and "GPT-3" are one word each (names, not titles), "Llama 2 70B"
    is one."""
    count = 0
    for word in title.split():
        text = _SIZES.sub(" ", word)
        if any(char.isalpha() for char in normalise_title(text)):
            count += 1
    return count


def display_title(title: str) -> str:
    """The title as written, on one line."""
    return " ".join(title.split())
