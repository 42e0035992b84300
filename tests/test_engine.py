from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from linter.config import Config, apply_options
from linter.document import Directive, Document
from linter.engine import filter_hits, lint
from linter.findings import Hit, Location, Severity
from linter.reading import Source, collect_sources


def document(lines: list[str], directives: list[Directive]) -> Document:
    return Document(path="list.md", source="\n".join(lines), lines=lines, directives=directives)


LINES = [
    "<!-- paperlint-disable-next-line PL201 -->",  # 1
    "",  # 2
    "- entry three",  # 3
    "- entry four",  # 4
    "<!-- paperlint-disable mojibake -->",  # 5
    "- entry six",  # 6
    "<!-- paperlint-enable -->",  # 7
    "- entry eight",  # 8
    "<!-- paperlint-disable -->",  # 9
    "- entry ten",  # 10
]
DIRECTIVES = [
    Directive("disable-next-line", ("PL201",), 1, 1),
    Directive("disable", ("mojibake",), 5, 1),
    Directive("enable", (), 7, 1),
    Directive("disable", (), 9, 1),
]


def codes_and_lines(findings: list) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(finding.rule, finding.line) for finding in findings]


def test_inline_directives_suppress_exactly_their_lines_and_codes() -> None:
    hits = [
        ("list.md", Hit("PL201", 3, 3, "dup")),  # next non-blank line after line 1
        ("list.md", Hit("PL401", 3, 5, "moji")),  # other code on that line stays
        ("list.md", Hit("PL201", 4, 3, "dup")),  # the line after is not covered
        ("list.md", Hit("PL401", 6, 5, "moji")),  # inside disable mojibake
        ("list.md", Hit("PL402", 6, 7, "fffd")),  # other code inside that range stays
        ("list.md", Hit("PL401", 8, 5, "moji")),  # after enable
        ("list.md", Hit("PL104", 10, 3, "bad")),  # disable-all to the end of the file
        ("other.md", Hit("PL201", 3, 3, "dup")),  # directives are per file
    ]
    findings = filter_hits(hits, [document(LINES, DIRECTIVES)], Config())
    assert codes_and_lines(findings) == [
        ("PL401", 3),
        ("PL201", 4),
        ("PL402", 6),
        ("PL401", 8),
        ("PL201", 3),
    ]


def test_select_ignore_and_severity_overrides(tmp_path: Path) -> None:
    config = apply_options(
        Config(),
        {"select": ["PL1", "PL3"], "ignore": ["PL303"], "severity": {"PL104": "warning"}},
        "test",
        tmp_path,
    )
    hits = [
        ("a.md", Hit("PL104", 1, 1, "bad url")),
        ("a.md", Hit("PL106", 2, 1, "case", severity=Severity.WARNING)),
        ("a.md", Hit("PL106", 3, 1, "missing")),
        ("a.md", Hit("PL303", 4, 1, "invalid id")),
        ("a.md", Hit("PL401", 5, 1, "moji")),
        ("a.md", Hit("PL301", 6, 1, "clash", related=(Location("b.md", 1, 3),))),
    ]
    findings = filter_hits(hits, [], config)
    assert [(f.rule, f.name, f.severity) for f in findings] == [
        ("PL104", "url-invalid", Severity.WARNING),
        ("PL106", "anchor-missing", Severity.WARNING),
        ("PL106", "anchor-missing", Severity.ERROR),
        ("PL301", "id-title-conflict", Severity.ERROR),
    ]
    assert findings[-1].related == (Location("b.md", 1, 3),)


def test_collect_sources_walks_markdown_honours_excludes_and_reports_missing(
    tmp_path: Path,
) -> None:
    (tmp_path / "lists" / "drafts").mkdir(parents=True)
    (tmp_path / "node_modules").mkdir()
    for name in (
        "lists/a.md",
        "lists/b.markdown",
        "lists/c.txt",
        "lists/drafts/d.md",
        "node_modules/e.md",
    ):
        (tmp_path / name).write_text("- x\n", encoding="utf-8")
    explicit = tmp_path / "lists" / "c.txt"
    sources, problems = collect_sources(
        [str(tmp_path / "lists"), str(explicit), str(tmp_path / "nope.md")],
        exclude_path=["drafts/"],
        exclude_root=tmp_path,
    )
    assert [Path(source.display).relative_to(tmp_path).as_posix() for source in sources] == [
        "lists/a.md",
        "lists/b.markdown",
        "lists/c.txt",
    ]
    assert problems == [f"{tmp_path / 'nope.md'}: no such file or directory"]


def test_unreadable_and_binary_files_are_problems_but_others_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("- [x](None)\n", encoding="utf-8")
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    sources = [
        Source(str(binary), binary),
        Source(str(tmp_path / "gone.md"), tmp_path / "gone.md"),
        Source(str(good), good),
    ]
    report = lint(sources, Config(), offline=True)
    assert list(report.problems) == [
        f"{binary}: binary file (contains NUL bytes), not checked",
        f"{tmp_path / 'gone.md'}: cannot read: no such file or directory",
    ]
    assert [(f.path, f.rule, f.line, f.column) for f in report.findings] == [
        (str(good), "PL104", 1, 3)
    ]


@pytest.mark.parametrize("scope", ["section", "file", "all"])
def test_duplicate_scope_is_passed_to_the_rules(tmp_path: Path, scope: str) -> None:
    first = tmp_path / "a.md"
    second = tmp_path / "b.md"
    entry = "- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
    first.write_text(f"## One\n\n{entry}\n## Two\n\n{entry}{entry}", encoding="utf-8")
    second.write_text(entry, encoding="utf-8")
    config = apply_options(Config(), {"duplicate-scope": scope, "select": ["PL2"]}, "t", tmp_path)
    report = lint([Source(str(first), first), Source(str(second), second)], config, offline=True)
    expected = {
        "section": [(str(first), 8, "PL201")],
        "file": [(str(first), 7, "PL202"), (str(first), 8, "PL201")],
        "all": [(str(first), 7, "PL202"), (str(first), 8, "PL201"), (str(second), 1, "PL202")],
    }[scope]
    assert [(f.path, f.line, f.rule) for f in report.findings] == expected


def test_the_urls_sent_to_the_checker_are_what_a_browser_fetches() -> None:
    from linter.document import parse
    from linter.rules.links import fetched_url

    document = parse(
        "See www.example.org/x#part, [a](https://a.org/p#frag), <http://b.org>, [c](htp://x.y),"
        " [d](#local), [e](www.not-a-url.org) and [f](mailto:x@y.org).\n",
        "x.md",
    )
    assert [fetched_url(link) for link in document.links] == [
        "http://www.example.org/x",
        "https://a.org/p",
        "http://b.org",
        None,
        None,
        None,  # a Markdown link to "www.…" is a relative path on GitHub (PL105 says so)
        None,
    ]


def test_link_checks_start_before_the_heavy_rules_are_imported(tmp_path: Path) -> None:
    # The network phase should begin as early as it can: what only the offline rules need
    # (rapidfuzz, for titles with typos) is imported after the checks began.
    # A loopback address: the private-address guard settles it without sending anything.
    listing = tmp_path / "list.md"
    listing.write_text(
        "- [A paper about things](http://127.0.0.1:9/paper)\n"
        "- [A paper about thngs](http://127.0.0.1:9/paper)\n",  # a typo: rapidfuzz compares them
        encoding="utf-8",
    )
    probe = (
        "import sys\n"
        "import linter.net.checker as checker\n"
        "real = checker.start_checks\n"
        "def start(*args, **kwargs):\n"
        "    print('rapidfuzz' in sys.modules, file=sys.stderr)\n"
        "    print('pathspec' in sys.modules, file=sys.stderr)\n"
        "    return real(*args, **kwargs)\n"
        "checker.start_checks = start\n"
        "from linter.cli import main\n"
        "try:\n    main(['check', '--isolated', '--no-cache', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        "print('rapidfuzz' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(listing)], capture_output=True, text=True, check=False
    )
    # Nor is pathspec, which only --exclude-path needs.
    assert done.stderr.strip().splitlines()[-3:] == ["False", "False", "True"], done.stderr
