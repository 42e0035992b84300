"""The whole capability through the CLI: a 400-paper list checked against a loopback arXiv API
that truncates, shuffles, wraps titles and answers 503 first."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from linter.cli import main
from linter.registries import arxiv, driver
from tests.registries.fakes import FakeArxiv, FakeCrossref, Paper, Work, serving

SCALE = 0.02  # one second of pacing lasts 20 ms here

_FIRST = ["Scalable", "Robust", "Efficient", "Sparse", "Latent", "Neural", "Adaptive", "Causal"]
_SECOND = ["Attention", "Retrieval", "Diffusion", "Tokenization", "Alignment", "Distillation",
           "Memory", "Routing", "Planning", "Compression"]  # fmt: skip
_THIRD = ["Long Documents", "Protein Folding", "Speech Recognition", "Code Generation",
          "Theorem Proving"]  # fmt: skip


def title(n: int) -> str:
    """400 titles that differ by real words, as a list's do."""
    first, second, third = _FIRST[n % 8], _SECOND[(n // 8) % 10], _THIRD[(n // 80) % 5]
    return f"{first} {second} for {third}"


@pytest.fixture(autouse=True)
def fast_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "SECONDS_PER_SECOND", SCALE)


def reading_list() -> tuple[str, dict[str, Paper], set[int], set[int], set[int]]:
    papers = {f"2401.{n:05d}": Paper(title(n)) for n in range(1, 401)}
    rng = random.Random(3)
    lines = rng.sample(range(1, 401), 23)
    wrong, cosmetic, unknown = set(lines[:12]), set(lines[12:18]), set(lines[18:])
    variants = [
        lambda t: t.lower(),
        lambda t: f"{t}.",
        lambda t: f"{t} (ICLR 2024)",
        lambda t: f"DeepMind's {t}",
        lambda t: t.replace("for", "For"),
        lambda t: t[:3] + t[4:] if len(t.split()[0]) > 5 else t.upper(),  # a dropped letter
    ]
    rows = ["# Papers", ""]
    for n in range(1, 401):
        key = f"2401.{n:05d}"
        listed = title(n)
        if n in wrong:
            listed = f"On the {_THIRD[n % 5]} of {_SECOND[n % 10]} Benchmarks"
        elif n in cosmetic:
            listed = variants[sorted(cosmetic).index(n)](listed)
        elif n in unknown:
            key = f"2402.{n:05d}"
        form = ("abs/{}", "pdf/{}", "pdf/{}v1.pdf", "abs/{}v1")[n % 4]
        rows.append(f"- [{listed}](https://arxiv.org/{form.format(key)})")
    return "\n".join(rows) + "\n", papers, wrong, cosmetic, unknown


def line_of(n: int) -> int:
    return n + 2


def test_four_hundred_papers_in_a_few_paced_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text, papers, wrong, cosmetic, unknown = reading_list()
    (tmp_path / "list.md").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    fake = FakeArxiv(papers, shuffle=True, wrap=True, cap=150, failures=[(503, {}, "busy")])
    with serving(fake.app()) as base, pytest.raises(SystemExit) as exited:
        main(
            [
                "check", "--isolated", "--no-cache", "--allow-private", "--format", "json",
                "--arxiv-api", f"{base}/api/query", "list.md",
            ]
        )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert exited.value.code == 1
    network = [
        f for f in report["findings"] if f["rule"] in {"PL101", "PL102", "PL107", "PL305", "PL306"}
    ]
    assert sorted(f["line"] for f in network if f["rule"] == "PL305") == sorted(map(line_of, wrong))
    assert sorted(f["line"] for f in network if f["rule"] == "PL306") == sorted(
        map(line_of, unknown)
    )
    assert [f for f in network if f["rule"] not in {"PL305", "PL306"}] == []
    assert not any(f["line"] in map(line_of, cosmetic) for f in report["findings"])
    # Two batches of 200, the 50 of each that the cap left out asked again, and the 503's retry.
    assert len(fake.requests) <= 6
    assert [len(r.query["id_list"][0].split(",")) for r in fake.requests] == [200, 200, 200, 50, 50]
    gaps = [b.at - a.at for a, b in itertools.pairwise(fake.requests)]
    assert min(gaps) >= arxiv.INTERVAL * SCALE * 0.95
    first_wrong = min(wrong)
    (finding,) = [f for f in network if f["line"] == line_of(first_wrong)]
    assert finding["fix"] == title(first_wrong)
    papers_table = {paper["id"]: paper for paper in report["papers"]}
    assert len(papers_table) == 400
    assert papers_table[f"arXiv:2401.{first_wrong:05d}"] == {
        "id": f"arXiv:2401.{first_wrong:05d}",
        "status": "found",
        "registry_title": title(first_wrong),
        "reason": None,
        "listed": [
            {
                "path": "list.md",
                "line": line_of(first_wrong),
                "column": 3,
                "title": f"On the {_THIRD[first_wrong % 5]} of {_SECOND[first_wrong % 10]} Benchmarks",
            }
        ],
    }


def test_text_report_fix_titles_and_dois(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "list.md"
    target.write_text(
        "# Papers\n\n"
        "- [Language Models Are Great](https://arxiv.org/abs/2205.01068) - OPT\n"
        "- [OPT-66B](https://arxiv.org/pdf/2205.01068v9.pdf)\n"
        "- [Gone](https://doi.org/10.1126/science.1112286)\n"
        "- [ResNet paper](https://doi.org/10.1109/CVPR.2016.90)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    fake_arxiv = FakeArxiv(
        {"2205.01068": Paper("OPT: Open Pre-trained Transformer Language Models", version=4)}
    )
    fake_crossref = FakeCrossref(
        {
            "10.1126/science.1112286": Work("Gone", retracted_by="10.1126/science.1124926"),
            "10.1109/cvpr.2016.90": Work("Deep Residual Learning for Image Recognition"),
        }
    )
    with serving(fake_arxiv.app()) as arxiv_base, serving(fake_crossref.app()) as crossref_base:
        args = [
            "check", "--isolated", "--no-cache", "--allow-private", "--no-color",
            "--arxiv-api", f"{arxiv_base}/api/query", "--crossref-api", f"{crossref_base}/works",
            "--doi-api", f"{crossref_base}/api/handles", "--mailto", "me@example.org",
        ]  # fmt: skip
        with pytest.raises(SystemExit) as exited:
            main([*args, "list.md"])
        out = capsys.readouterr().out
        assert exited.value.code == 1
        assert out.splitlines() == [
            'list.md:3:4: PL305 [warning] title "Language Models Are Great" is not arXiv\'s title'
            ' for arXiv:2205.01068: "OPT: Open Pre-trained Transformer Language Models"',
            "list.md:4:3: PL101 [error] link broken: arXiv has no v9 of 2205.01068 (the latest is v4)",
            "list.md:5:3: PL307 [warning] doi:10.1126/science.1112286 is withdrawn: retracted"
            " (notice: doi:10.1126/science.1124926)",
            'list.md:6:4: PL305 [warning] title "ResNet paper" is not Crossref\'s title for'
            ' doi:10.1109/cvpr.2016.90: "Deep Residual Learning for Image Recognition"',
            "Found 4 problems (1 error, 3 warnings) in 1 file.",
            "2 more with `paperlint check --fix --fix-titles` (review them).",
        ]
        with pytest.raises(SystemExit):
            main([*args, "--fix", "--fix-titles", "list.md"])
    assert target.read_text(encoding="utf-8").splitlines()[2:] == [
        "- [OPT: Open Pre-trained Transformer Language Models](https://arxiv.org/abs/2205.01068) - OPT",
        "- [OPT-66B](https://arxiv.org/pdf/2205.01068v9.pdf)",
        "- [Gone](https://doi.org/10.1126/science.1112286)",
        "- [Deep Residual Learning for Image Recognition](https://doi.org/10.1109/CVPR.2016.90)",
    ]


def test_an_api_that_stays_down_makes_its_links_unverified_not_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "list.md").write_text(
        "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    fake = FakeArxiv({}, failures=[(503, {"Retry-After": "1"}, "down")] * (driver.RETRIES + 1))
    with serving(fake.app()) as base, pytest.raises(SystemExit) as exited:
        main(["check", "--isolated", "--allow-private", "--no-color",
              "--cache", str(tmp_path / "cache.sqlite3"),
              "--arxiv-api", f"{base}/api/query", "list.md"])  # fmt: skip
    assert exited.value.code == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "list.md:1:3: PL107 [warning] link unverified: arXiv API: 503 Service Unavailable"
    )
    assert len(fake.requests) == driver.RETRIES + 1


def test_a_warm_cache_sends_no_request_and_no_metadata_fetches_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from linter.config import Config
    from linter.document import parse
    from linter.net.provider import LinkChecker
    from linter.providers import ProviderRun

    source = "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
    (tmp_path / "list.md").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    fake = FakeArxiv({"1706.03762": Paper("Attention Is All You Need")})
    with serving(fake.app()) as base:
        args = ["check", "--isolated", "--allow-private", "--cache", "c.sqlite3",
                "--arxiv-api", f"{base}/api/query", "list.md"]  # fmt: skip
        for _ in range(2):
            with pytest.raises(SystemExit) as exited:
                main(args)
            assert exited.value.code == 0
    assert len(fake.requests) == 1
    assert capsys.readouterr().out == "No problems found in 1 file (1 entries, 1 links).\n" * 2
    document = parse(source, "list.md")
    on, off = (ProviderRun(Config(metadata=flag)) for flag in (True, False))
    assert LinkChecker().collect([document], on) == []
    assert LinkChecker().collect([document], off) == ["https://arxiv.org/abs/1706.03762"]
    # An excluded link stays silent: the checker keeps it, whoever could answer for it.
    excluded = ProviderRun(Config(exclude=("arxiv\\.org",)))
    assert LinkChecker().collect([document], excluded) == ["https://arxiv.org/abs/1706.03762"]
