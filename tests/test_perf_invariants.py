"""The speed-ups of the offline pipeline change nothing but the time: each shortcut is checked
against the slow path it replaces, and the shortcuts are checked to be in use."""

from __future__ import annotations

import gc
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from linter import document, identity
from linter.config import Config
from linter.document import Document, blocks, markdown, parse
from linter.engine import lint
from linter.findings import Hit
from linter.identity import PaperKey, PaperLink, find_text_ids
from linter.reading import Source, collect_sources
from linter.rules import FAMILIES, RULES, identifiers, rule_examples
from linter.rules.base import RuleContext, RunMemo

SEEDS = Path(__file__).parent / "data" / "seeds"


def seed_docs() -> list[Document]:
    return [parse(path.read_text(encoding="utf-8"), path.name) for path in sorted(SEEDS.iterdir())]


def all_hits(docs: list[Document], ctx: RuleContext) -> list[Hit]:
    hits: list[Hit] = []
    for module in FAMILIES.values():
        check_document = getattr(module, "check_document", None)
        if check_document is not None:
            for doc in docs:
                hits.extend(check_document(doc, ctx))
        check_corpus = getattr(module, "check_corpus", None)
        if check_corpus is not None:
            hits.extend(check_corpus(docs, ctx))
    return hits


def test_the_run_memo_changes_no_finding() -> None:
    examples = [
        parse(rule_examples(RULES[code])["failing"], f"{code}.md")
        for code in ("PL201", "PL301", "PL302", "PL303", "PL304")
    ]
    docs = seed_docs() + examples
    with_memo = all_hits(docs, RuleContext(duplicate_scope="all", memo=RunMemo()))
    without = all_hits(docs, RuleContext(duplicate_scope="all"))
    assert with_memo == without
    codes = {hit.code for hit in with_memo}
    assert codes >= {"PL201", "PL301", "PL302", "PL303", "PL304", "PL401"}


def test_a_run_computes_conflicts_once_and_each_entrys_paper_links_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: Counter[str] = Counter()
    conflicts, paper_link_keys = identifiers._conflicts, identity.paper_link_keys

    def counted_conflicts(
        docs: Sequence[Document], ctx: RuleContext | None
    ) -> dict[PaperKey, list[list[identifiers.Occurrence]]]:
        calls["conflicts"] += 1
        return conflicts(docs, ctx)

    def counted_links(doc: Document, entry: document.Entry) -> list[PaperLink]:
        calls[f"{doc.path}:{entry.index}"] += 1
        return paper_link_keys(doc, entry)

    monkeypatch.setattr(identifiers, "_conflicts", counted_conflicts)
    monkeypatch.setattr(identifiers, "paper_link_keys", counted_links)
    sources, _ = collect_sources([str(SEEDS)])
    report = lint(sources, Config(), offline=True)
    assert report.summary.findings > 0
    assert calls.pop("conflicts") == 1
    assert calls and max(calls.values()) == 1


def test_the_memo_tells_apart_equal_looking_sources() -> None:
    memo = RunMemo()
    first, second = seed_docs()[:2]
    assert memo.get("x", (first,), lambda: 1) == 1
    assert memo.get("x", (first,), lambda: 2) == 1
    assert memo.get("x", (second,), lambda: 3) == 3
    assert memo.get("y", (first,), lambda: 4) == 4
    assert memo.get("x", (first, second), lambda: 5) == 5


def test_paper_key_is_cached_and_pure() -> None:
    url = "https://arxiv.org/pdf/2401.13160v2.pdf"
    assert identity.paper_key(url) is identity.paper_key(url)
    assert str(identity.paper_key(url)) == "arXiv:2401.13160"


@pytest.mark.parametrize(
    ("level", "parser_class"),
    [("inline", markdown._PosParserInline), ("block", blocks.PosParserBlock)],
)
def test_dispatch_is_in_use_and_parses_like_markdown_it_own_loop(
    monkeypatch: pytest.MonkeyPatch, level: str, parser_class: type
) -> None:
    parser = getattr(markdown._markdown(), level)
    assert isinstance(parser, parser_class)
    assert parser._pl_chains is not None  # the fast path is on
    fast = seed_docs()
    monkeypatch.setattr(parser, "_pl_chains", None)  # markdown-it's own tokenizer loops
    slow = seed_docs()
    assert fast == slow
    assert sum(len(doc.links) for doc in fast) > 500
    assert sum(len(doc.entries) for doc in fast) > 300


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("see arXiv:2401.13160", ["2401.13160"]),
        ("ARXIV 2401.13160v2", ["2401.13160"]),
        # re.IGNORECASE lets "i" match the dotless "ı": the quick pre-test must not skip it.
        ("arXıv:2401.13160", ["2401.13160"]),
        ("doi:10.1145/3292500.3330701.", ["10.1145/3292500.3330701"]),
        ("版本 2401.13160, no label", []),
        ("plain text", []),
    ],
)
def test_text_ids_quick_pre_test(text: str, ids: list[str]) -> None:
    assert [found.id for found in find_text_ids(text)] == ids


@pytest.mark.parametrize(
    ("source", "targets"),
    [
        ("- [a](https://x.org/a) and [b](https://y.org/b)", ["https://x.org/a", "https://y.org/b"]),
        (
            "- [a](https://x.org/a) see https://z.org/c, `https://code.org`",
            ["https://x.org/a", "https://z.org/c"],
        ),
        ("- www.example.com/a and [w](www.b.org)", ["www.example.com/a", "www.b.org"]),
    ],
)
def test_bare_urls_outside_links_are_still_found(source: str, targets: list[str]) -> None:
    assert [link.target for link in parse(source, "list.md").links] == targets


def test_newlines_are_normalised_like_markdown_it() -> None:
    doc = parse("# T\r\n\r- [a](u)\r\n- [b](v)\x00\n", "list.md")
    assert doc.lines == ["# T", "", "- [a](u)", "- [b](v)\x00"]
    assert [(link.target, link.line, link.column) for link in doc.links] == [
        ("u", 3, 3),
        ("v", 4, 3),
    ]


def _lint_seed() -> int:
    sources = [Source(str(SEEDS / "seed_000.md"), SEEDS / "seed_000.md")]
    return len(lint(sources, Config(), offline=True).findings)


@pytest.mark.parametrize("enabled", [True, False])
def test_lint_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    was_enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    try:
        if not enabled:
            gc.disable()
        _lint_seed()
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == frozen
    finally:
        if was_enabled:
            gc.enable()


def test_lint_leaves_objects_the_caller_froze_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        _lint_seed()
        assert gc.get_freeze_count() == frozen > 0
    finally:
        gc.unfreeze()


def test_lint_resumes_the_collector_when_a_rule_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(doc: Document, ctx: RuleContext) -> Iterator[Hit]:
        raise RuntimeError("bug")

    monkeypatch.setitem(FAMILIES, "links", replace(FAMILIES["links"], check_document=broken))
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        _lint_seed()
    assert gc.isenabled()


def test_an_offline_check_does_not_import_the_network_stack() -> None:
    code = (
        "import sys\n"
        "from linter.cli import main\n"
        f"sys.argv = ['paperlint', 'check', '--offline', {str(SEEDS / 'seed_004.md')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('aiohttp' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stderr.strip().splitlines()[-1] == "False"


def test_the_program_freezes_its_objects_at_exit_and_a_caller_of_main_does_not() -> None:
    # atexit handlers run last-registered first: this one runs after whatever main registered.
    code = (
        "import atexit, gc, sys\n"
        "from linter.cli import main\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0, file=sys.stderr))\n"
        f"seed = {str(SEEDS / 'seed_004.md')!r}\n"
        "try:\n    main(['check', '--offline', seed])\nexcept SystemExit:\n    pass\n"
        "print(gc.get_freeze_count() > 0, file=sys.stderr)\n"
        "sys.argv = ['paperlint', 'check', '--offline', seed]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stderr.strip().splitlines()[-2:] == ["False", "True"]


def test_link_destinations_are_parsed_like_markdown_it_helper() -> None:
    from markdown_it.helpers import parseLinkDestination

    assert markdown._markdown().helpers.parseLinkDestination is markdown._link_destination
    pieces = ["a", "é", " ", "(", ")", "<", ">", "\\", "\n", "\x7f", "\x01", "&amp;", "&", "/", ":"]
    rng = random.Random(4)
    samples = ["", "https://arxiv.org/abs/2401.01234) x", "<a b>", "a(b)c)", "a\\)b)"]
    samples += ["".join(rng.choices(pieces, k=rng.randint(1, 12))) for _ in range(3000)]
    for text in samples:
        for limit in {len(text), len(text) // 2}:
            for pos in range(min(2, len(text)) + 1):
                fast = markdown._link_destination(text, pos, limit)
                slow = parseLinkDestination(text, pos, limit)
                assert (fast.ok, fast.pos, fast.str) == (slow.ok, slow.pos, slow.str), text
