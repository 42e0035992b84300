"""The options table (linter/options.py) against what is derived from it and what documents it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from linter.cli import check
from linter.config import Config, apply_options, load_config
from linter.findings import Severity
from linter.net.settings import CheckerSettings, HostSettings
from linter.options import CONFIG_KEYS, NETWORK_FIELDS, OPTION, OPTIONS, Option, read_invocation
from linter.rules import RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def readme_section(heading: str) -> str:
    start = README.index(heading)
    end = README.find("\n#", start + len(heading))
    return README[start : end if end != -1 else None]


def readme_config_example() -> str:
    (block,) = [
        block
        for block in re.findall(r"^```toml\n(.*?)^```$", README, re.M | re.S)
        if block.startswith("[tool.paperlint]\n")
    ]
    return str(block)


@pytest.mark.parametrize("option", [row for row in OPTIONS if row.flags], ids=lambda row: row.name)
def test_every_flag_is_in_the_readme_options_table(option: Option) -> None:
    table = readme_section("### Options of `paperlint check`")
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    for flag in option.flags:
        # A flag is named in the first column as `--flag` or `--flag ARG`.
        assert any(re.search(rf"`{re.escape(flag)}[` ]", row.split(" | ")[0]) for row in rows), flag


@pytest.mark.parametrize(
    "option", [row for row in OPTIONS if row.parse is not None], ids=lambda row: row.name
)
def test_every_configuration_key_is_in_the_readme_example(option: Option) -> None:
    example = readme_config_example()
    keys = set(re.findall(r"^(?:#\s*)?([a-z][a-z-]*)\s*=", example, re.M))
    tables = set(re.findall(r"^\[tool\.paperlint\.([a-z-]+)[\].]", example, re.M))
    assert option.name in keys | tables


def test_the_readme_example_is_a_valid_configuration(tmp_path: Path) -> None:
    example = readme_config_example().replace("\n# ", "\n")  # the commented-out keys too
    path = tmp_path / "pyproject.toml"
    path.write_text(example, encoding="utf-8")
    load_config(path)


def test_help_shows_every_flag_with_its_help() -> None:
    result = CliRunner().invoke(check, ["--help"], terminal_width=1000)
    assert result.exit_code == 0
    shown = " ".join(result.output.split())
    for option in OPTIONS:
        if option.flags:
            assert f"{', '.join(option.flags[::-1])} " in shown
            assert option.cli_help in shown
    assert "[default: 20]." in shown  # shown defaults come from the table's values


def test_config_defaults_are_the_tables() -> None:
    config = Config()
    for option in OPTIONS:
        if option.parse is not None and option.field and not option.extend:
            assert getattr(config, option.field) == option.default, option.name
    assert config.cache is OPTION["cache"].default
    assert config.severities == {} and config.hosts == {}


def test_checker_settings_come_from_the_network_rows() -> None:
    assert set(NETWORK_FIELDS) <= {item.name for item in dataclasses.fields(CheckerSettings)}
    # With no configuration the checker runs with its own defaults, and github.com's limit.
    github = {"github.com": HostSettings(max_concurrency=2)}
    assert Config().checker_settings(None, None) == CheckerSettings(hosts=github)
    tuned = apply_options(Config(), {"retries": 0, "hosts": {"a.org": {}}}, "t", Path())
    settings = tuned.checker_settings(None, None)
    assert (settings.retries, list(settings.hosts)) == (0, ["a.org", "github.com"])


def test_github_gets_fewer_requests_unless_its_own_table_says_otherwise() -> None:
    def limit(options: dict[str, object]) -> int | None:
        config = apply_options(Config(), options, "t", Path())
        return config.checker_settings(None, None).hosts["github.com"].max_concurrency

    assert limit({}) == 2
    assert limit({"max-per-host": 1}) == 1  # never more than every host gets
    assert limit({"hosts": {"github.com": {"accept": [200]}}}) == 2
    assert limit({"hosts": {"github.com": {"max-concurrency": 6}}}) == 6


def test_rule_options_are_configuration_keys() -> None:
    for rule in RULES.values():
        for key in rule.options:
            assert key in CONFIG_KEYS, (rule.code, key)


def test_keys_accept_snake_case_and_mixed_spellings(tmp_path: Path) -> None:
    path = tmp_path / ".paperlint.toml"
    path.write_text("max_per_host = 2\nmax-cache_age = '1h'\nseverities = {PL101 = 'info'}\n")
    config = load_config(path)
    assert (config.max_per_host, config.max_cache_age) == (2, 3600.0)
    assert config.severities == {"PL101": Severity.INFO}


def clicked(*args: str) -> dict[str, object]:
    """The values click hands to ``check`` for ``args``."""
    params = check.make_context("check", list(args)).params
    params.pop("paths")
    return params


def test_command_line_values_become_overrides_of_their_keys() -> None:
    given = clicked(
        "--offline",
        "--select=PL1,PL3",
        "--select=mojibake",
        "--exclude-path=drafts/",
        "--cache=links.db",
        "--no-cache",  # wins over --cache
        "--timeout=3",
        "-q",
    )
    run = read_invocation(given)
    assert (run.offline, run.quiet, run.verbose, run.format) == (True, True, False, ())
    assert run.overrides == {
        "select": "PL1,PL3,mojibake",
        "exclude-path": ["drafts/"],
        "timeout": 3.0,
        "cache": False,
    }
    assert read_invocation(clicked()).overrides == {}  # nothing given: the file's values stay


def test_command_line_overrides_the_file_which_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / ".paperlint.toml"
    path.write_text("retries = 3\ntimeout = 5\nallow-private = true\n", encoding="utf-8")
    overrides = read_invocation(clicked("--retries", "1")).overrides
    config = apply_options(load_config(path), overrides, "command line", tmp_path)
    assert (config.retries, config.timeout, config.max_per_host) == (1, 5.0, 4)
    assert config.allow_private is True
