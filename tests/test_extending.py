"""A new source of truth and a new rule family are one module each plus one registration line.

The module below is the whole of a tiny provider ("retired", which answers for ``demo:`` links)
and a tiny rule family (PL901, which reports the retired ones); registering them is one line each,
and the finding shows in all five report formats, with the rule's own documentation in SARIF.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from linter import rules
from linter.cli import main
from linter.document import Document
from linter.findings import Hit, Severity
from linter.providers import PROVIDERS, ProviderRun
from linter.rules.base import Rule, RuleContext, RuleFamily

# --- the provider's module ----------------------------------------------------------------------


@dataclass
class _Answered:
    answers: dict[str, str]

    def result(self) -> Mapping[str, str]:
        return self.answers


class RetiredProvider:
    name = "retired"
    codes = frozenset({"PL901"})

    def collect(self, documents: Sequence[Document], run: ProviderRun) -> Sequence[str]:
        return sorted(
            {
                link.target
                for doc in documents
                for link in doc.links
                if link.target.startswith("demo:")
            }
        )

    def start(self, keys: Sequence[str], run: ProviderRun) -> _Answered:
        return _Answered({key: "retired" for key in keys if key.endswith("-old")})


# --- the rule family's module -------------------------------------------------------------------

DOC = """Demo rules.

PL901 demo-retired
    The demo registry says the thing is retired, so the link should point to its successor
    instead; this is a demonstration rule that shows how a family uses a provider's results.

    Failing::

        - [Thing](demo:thing-old)

    Passing::

        - [Thing](demo:thing-new)
"""


def check_results(
    docs: Sequence[Document], results: Mapping[str, object], ctx: RuleContext
) -> Iterator[Hit]:
    retired = results.get("retired")
    assert isinstance(retired, Mapping)
    for doc in docs:
        for link in doc.links:
            if link.target in retired:
                yield Hit(
                    "PL901", link.line, link.column, f"{link.target} is retired", path=doc.path
                )


FAMILY = RuleFamily(
    "demo",
    DOC,
    (Rule("PL901", "demo-retired", Severity.WARNING, "The thing is retired.", network=True),),
    check_results=check_results,
)

# -------------------------------------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    saved = (dict(rules.FAMILIES), dict(rules.RULES), dict(rules.RULES_BY_NAME))
    monkeypatch.setitem(PROVIDERS, "retired", RetiredProvider())  # the provider's registration
    rules.register(FAMILY)  # the family's registration
    yield
    families, catalogue, by_name = saved
    rules.FAMILIES.clear()
    rules.FAMILIES.update(families)
    rules.RULES.clear()
    rules.RULES.update(catalogue)
    rules.RULES_BY_NAME.clear()
    rules.RULES_BY_NAME.update(by_name)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | str | None, str]:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--isolated", "--no-color", "--no-cache", "--select", "PL901", *args])
    return exited.value.code, capsys.readouterr().out


@pytest.mark.usefixtures("registered")
def test_a_registered_provider_and_family_report_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("list.md").write_text("# Things\n\n- [Old](demo:thing-old)\n- [New](demo:thing-new)\n")

    assert run(capsys, "list.md") == (
        0,
        "list.md:3:3: PL901 [warning] demo:thing-old is retired\n"
        "Found 1 problem (0 errors, 1 warning) in 1 file.\n",
    )

    code, out = run(capsys, "--format", "json", "list.md")
    assert code == 0
    finding = json.loads(out)["findings"]
    assert [(f["rule"], f["name"], f["severity"], f["line"], f["column"]) for f in finding] == [
        ("PL901", "demo-retired", "warning", 3, 3)
    ]

    code, out = run(capsys, "--format", "github", "list.md")
    assert code == 0
    assert out == "::warning file=list.md,line=3,col=3,title=PL901::demo:thing-old is retired\n"

    code, out = run(capsys, "--format", "sarif", "list.md")
    assert code == 0
    sarif = json.loads(out)["runs"][0]
    descriptors = {rule["id"]: rule for rule in sarif["tool"]["driver"]["rules"]}
    assert descriptors["PL901"]["name"] == "demo-retired"
    assert "demonstration rule" in descriptors["PL901"]["fullDescription"]["text"]
    [result] = sarif["results"]
    assert (result["ruleId"], result["level"]) == ("PL901", "warning")
    assert sarif["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "PL901"

    code, out = run(capsys, "--format", "markdown", "list.md")
    assert code == 0
    assert "| `list.md:3:3` | PL901 demo-retired | warning | demo\\:thing-old is retired |" in out

    # Offline, no provider runs, so the rule has nothing to say.
    assert (
        run(capsys, "--offline", "list.md")[1]
        == "No problems found in 1 file (2 entries, 2 links).\n"
    )


def test_the_registration_is_undone() -> None:
    assert "PL901" not in rules.RULES
    assert "retired" not in PROVIDERS
