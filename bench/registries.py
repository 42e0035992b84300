"""Paper metadata at scale: requests and wall time of ``paperlint check`` on lists of N arXiv
papers, against a loopback arXiv API (tests/registries/fakes.py: the real Atom format, shuffled
entries, wrapped titles) with arXiv's real pacing of one request every 3 seconds.

For each N: the API requests sent (expected: N/200, rounded up), the page fetches of arxiv.org
(expected: none; a per-link checker sends N), the wall time of the whole check (expected: about
3 s per request after the first), then the same check again on the warm cache (expected: no
request at all).

Usage: python bench/registries.py [--sizes 100,1000,10000] [--scale 1.0]
(``--scale 0.1`` runs the pacing ten times faster, for a quick look; the numbers in the README are
with the real pacing.)
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linter.config import Config  # noqa: E402
from linter.engine import lint  # noqa: E402
from linter.reading import Source  # noqa: E402
from linter.registries import arxiv, driver  # noqa: E402
from tests.registries.fakes import FakeArxiv, Paper, serving  # noqa: E402


def paper_id(n: int) -> str:
    return f"{2401 + n // 90000}.{n % 90000 + 1:05d}"


_WORDS = [
    "attention", "retrieval", "diffusion", "sparse", "latent", "adaptive", "causal", "robust",
    "scalable", "efficient", "memory", "routing", "planning", "alignment", "distillation",
    "compression", "reasoning", "vision", "speech", "protein", "graph", "contrastive",
    "federated", "quantized", "multilingual", "recurrent", "convolutional", "generative",
    "bayesian", "kernel", "spectral", "temporal", "hierarchical", "modular", "symbolic", "neural",
    "policy", "reward", "agent", "tokenizer",
]  # fmt: skip


def title(n: int) -> str:
    """Titles as different as a real list's: five words drawn for each paper."""
    rng = random.Random(n)
    return " ".join(word.capitalize() for word in rng.sample(_WORDS, 5))


def reading_list(size: int) -> tuple[str, dict[str, Paper]]:
    papers = {paper_id(n): Paper(title(n)) for n in range(size)}
    rows = ["# Papers", ""]
    for n, key in enumerate(papers):
        form = ("abs/{}", "pdf/{}", "pdf/{}v1.pdf")[n % 3]
        rows.append(f"- [{title(n)}](https://arxiv.org/{form.format(key)})")
    return "\n".join(rows) + "\n", papers


def measure(size: int, folder: Path) -> dict[str, float]:
    text, papers = reading_list(size)
    path = folder / f"list-{size}.md"
    path.write_text(text, encoding="utf-8")
    fake = FakeArxiv(papers, shuffle=True, wrap=True)
    cache = folder / f"cache-{size}.sqlite3"
    with serving(fake.app()) as base:
        config = Config(arxiv_api=f"{base}/api/query", allow_private=True)
        started = time.perf_counter()
        report = lint([Source(str(path), path)], config, cache_path=cache)
        cold = time.perf_counter() - started
        cold_requests = len(fake.requests)
        started = time.perf_counter()
        warm_report = lint([Source(str(path), path)], config, cache_path=cache)
        warm = time.perf_counter() - started
    network = [f for f in report.findings if f.rule in {"PL101", "PL102", "PL107", "PL306"}]
    assert not network and warm_report.findings == report.findings, network[:3]
    return {
        "papers": size,
        "requests": cold_requests,
        "pages": report.urls_checked,
        "seconds": cold,
        "warm_requests": len(fake.requests) - cold_requests,
        "warm_seconds": warm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--scale", type=float, default=1.0, help="pacing speed-up (1.0: real)")
    args = parser.parse_args()
    driver.SECONDS_PER_SECOND = args.scale
    print(
        f"arXiv pacing: {arxiv.INTERVAL * args.scale:g} s between requests, batches of {arxiv.BATCH_SIZE}"
    )
    print(
        "| papers | API requests | arxiv.org page fetches | wall time | warm re-run: requests | warm re-run: time |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(part) for part in args.sizes.split(",")):
            row = measure(size, Path(folder))
            print(
                f"| {row['papers']:,} | {row['requests']:.0f} | {row['pages']:.0f} |"
                f" {row['seconds']:.1f} s | {row['warm_requests']:.0f} | {row['warm_seconds']:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
