"""Offline throughput: paperlint's whole offline pipeline next to a bare markdown-it-py parse.

Builds a multi-megabyte corpus from the seeds in tests/data/seeds (each copy gets its own arXiv IDs so
that the duplicate and identifier rules work on realistic, mostly distinct entries), then measures:

- markdown-it-py alone: ``MarkdownIt("commonmark").enable("table").parse(text)`` per file;
- paperlint in-process: read -> decode -> parse -> every offline rule -> filter -> sort (``lint``);
- the CLI end to end on seed 004: ``paperlint check --offline`` wall time, best of N, and whether
  aiohttp was imported;
- big tables (reading lists are often one table): ``paperlint check --offline`` on a table of
  ``--table-rows`` rows of ``|x|y|`` and on one of a tenth as many realistic rows (a linked title, a
  code link, a year), wall time and peak RSS of the process, next to markdown-it-py's parse alone
  (in a process of its own, best of N as well).

Usage: python bench/offline_throughput.py [--megabytes 5] [--repeat 3] [--table-rows 200000]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from linter.config import Config
from linter.engine import lint
from linter.reading import collect_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds"  # byte-exact copies of ../shared/seeds

# An ID may be followed by its version (2401.13160v1): links and text must shift together.
_ARXIV = re.compile(r"\b(\d{2})(\d{2})\.(\d{4,5})(?!\d)")


def build_corpus(target_bytes: int, folder: Path) -> list[Path]:
    seeds = sorted(SEEDS.glob("seed_*.md"))
    texts = [seed.read_text(encoding="utf-8", errors="replace") for seed in seeds]
    files: list[Path] = []
    written = copy = 0
    while written < target_bytes:
        for seed, text in zip(seeds, texts, strict=True):
            # Shift the serial number of every arXiv ID so copies are different papers.
            shifted = _ARXIV.sub(
                lambda m, c=copy: (
                    f"{m.group(1)}{m.group(2)}.{(int(m.group(3)) + c * 7) % 10 ** len(m.group(3)):0{len(m.group(3))}d}"
                ),
                text,
            )
            path = folder / f"{copy:04d}_{seed.stem}.md"
            path.write_text(shifted, encoding="utf-8")
            files.append(path)
            written += len(shifted.encode("utf-8"))
        copy += 1
    return files


def write_tables(rows: int, folder: Path) -> list[tuple[str, Path]]:
    """The issue's table of ``|x|y|`` rows, and a realistic table of a tenth as many rows."""
    plain = folder / "table_xy.md"
    plain.write_bytes(b"|a|b|\n|-|-|\n" + b"|x|y|\n" * rows)
    rng = random.Random(10)
    syllables = [
        "ka",
        "ro",
        "mi",
        "ten",
        "sor",
        "vel",
        "qua",
        "dri",
        "lo",
        "nex",
        "pra",
        "tum",
        "zi",
        "ber",
        "fon",
        "gal",
        "hy",
        "jus",
        "ol",
        "wen",
    ]
    lines = ["# Papers", "", "| Title | Code | Year |", "| --- | --- | --- |"]
    for n in range(rows // 10):
        words = (
            "".join(rng.choices(syllables, k=rng.randint(2, 4))).capitalize()
            for _ in range(rng.randint(3, 7))
        )
        lines.append(
            f"| [{' '.join(words)}](https://arxiv.org/abs/{n % 12 + 2401}.{n:05d})"
            f" | [code](https://github.com/o/r{n}) | {2015 + n % 10} |"
        )
    realistic = folder / "table_realistic.md"
    realistic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [(f"{rows:,} rows |x|y|", plain), (f"{rows // 10:,} realistic rows", realistic)]


# Runs in a process of its own, so that each measurement has its own peak RSS (ru_maxrss, KiB).
_MEASURED = """
import resource, sys
if sys.argv[1] == "markdown-it":
    from markdown_it import MarkdownIt
    MarkdownIt("commonmark").enable("table").parse(open(sys.argv[2], encoding="utf-8").read())
else:
    from linter.cli import main
    sys.argv = ["paperlint", "check", "--offline", "--quiet", sys.argv[2]]
    try:
        main()
    except SystemExit:
        pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def measured(what: str, path: Path, repeat: int) -> tuple[float, float]:
    """(best wall seconds, interpreter start included; peak RSS in MiB) of ``what`` on ``path``."""
    walls, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", _MEASURED, what, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        walls.append(time.perf_counter() - started)
        peaks.append(int(result.stderr.strip().splitlines()[-1]) / 1024)
    return min(walls), max(peaks)


def best_of(repeat: int, action: object) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--table-rows", type=int, default=200_000, help="0: no table benchmark")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="paperlint-bench-"))
    try:
        files = build_corpus(int(args.megabytes * 1024 * 1024), folder)
        texts = [path.read_text(encoding="utf-8") for path in files]
        size = sum(len(text.encode("utf-8")) for text in texts)
        markdown = MarkdownIt("commonmark").enable("table")

        def bare_parse() -> None:
            for text in texts:
                markdown.parse(text)

        sources, _ = collect_sources([str(folder)])
        report_holder: list[int] = []

        def paperlint_offline() -> None:
            report = lint(sources, Config(), offline=True)
            report_holder.append(len(report.findings))

        bare = best_of(args.repeat, bare_parse)
        full = best_of(args.repeat, paperlint_offline)
        megabytes = size / 1024 / 1024
        print(f"corpus: {len(files)} files, {megabytes:.1f} MiB, {report_holder[-1]} findings")
        print(f"markdown-it-py parse only : {bare:6.2f} s  {megabytes / bare:6.2f} MiB/s")
        print(f"paperlint --offline (lib) : {full:6.2f} s  {megabytes / full:6.2f} MiB/s")
        print(f"ratio paperlint / bare    : {full / bare:6.2f}x")

        seed = SEEDS / "seed_004.md"
        script = Path(sys.executable).with_name("paperlint")
        launcher = [str(script)] if script.exists() else [sys.executable, "-m", "linter"]
        command = [*launcher, "check", "--offline", "--no-color", str(seed)]
        cli_times = []
        for _ in range(max(args.repeat, 5)):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            cli_times.append(time.perf_counter() - started)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, runpy; sys.argv=['paperlint','check','--offline',sys.argv[1]];"
                "\ntry:\n runpy.run_module('linter', run_name='__main__')\nexcept SystemExit: pass\n"
                "print('aiohttp imported' if 'aiohttp' in sys.modules else 'aiohttp not imported', file=sys.stderr)",
                str(seed),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        print(
            f"CLI on seed 004          : best {min(cli_times) * 1000:.0f} ms,"
            f" median {statistics.median(cli_times) * 1000:.0f} ms; {probe.stderr.strip().splitlines()[-1]}"
        )

        if args.table_rows > 0:
            for label, path in write_tables(args.table_rows, folder):
                megabytes = path.stat().st_size / 1024 / 1024
                bare, bare_peak = measured("markdown-it", path, args.repeat)
                full, full_peak = measured("paperlint", path, args.repeat)
                print(f"table, {label} ({megabytes:.1f} MiB):")
                print(f"  markdown-it-py parse only : {bare:6.2f} s  peak RSS {bare_peak:6.0f} MiB")
                print(f"  paperlint check --offline : {full:6.2f} s  peak RSS {full_peak:6.0f} MiB")
                print(f"  ratio paperlint / bare    : {full / bare:6.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
