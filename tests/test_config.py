from __future__ import annotations

from pathlib import Path

import pytest

from linter.cli import main
from linter.config import Config, ConfigError, apply_options, find_config, load_config
from linter.findings import Severity
from linter.net.settings import CheckerSettings, HostSettings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "x"

[tool.paperlint]
select = ["PL2", "mojibake"]
ignore = ["PL201"]
duplicate-scope = "section"
extend-generic-link-texts = ["Papier"]
exclude-path = ["drafts/"]
timeout = 5
max_per_host = 2
accept = [200, "300..302"]
exclude = ["^https://example\\\\.com/"]
max-cache-age = "12h"

[tool.paperlint.severity]
PL302 = "error"
mojibake = "warning"

[tool.paperlint.hosts."GitHub.com"]
max-concurrency = 1
accept = "200,429"
""",
    )
    config = load_config(pyproject)
    assert config.select == ("PL201", "PL202", "PL401")
    assert config.ignore == ("PL201",)
    assert config.enabled_codes() == frozenset({"PL202", "PL401"})
    assert config.duplicate_scope == "section"
    assert "papier" in config.generic_texts and "pdf" in config.generic_texts
    assert config.exclude_path == ("drafts/",)
    assert config.timeout == 5.0
    assert config.max_per_host == 2
    assert config.accept == frozenset({200, 300, 301, 302})
    assert config.exclude == ("^https://example\\.com/",)
    assert config.max_cache_age == 12 * 3600
    assert config.severities == {"PL302": Severity.ERROR, "PL401": Severity.WARNING}
    assert config.hosts == {
        "github.com": HostSettings(max_concurrency=1, accept=frozenset({200, 429}))
    }
    assert config.source == pyproject


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("'3d'", 3 * 86400.0), ("'12h'", 12 * 3600.0), ("'90m'", 5400.0), ("'1w'", 7 * 86400.0),
     ("3600", 3600.0), ("0", 0.0)],
)  # fmt: skip
def test_grace_is_a_duration_handed_to_the_checker(
    tmp_path: Path, value: str, seconds: float
) -> None:
    config = load_config(write(tmp_path / ".paperlint.toml", f"grace = {value}\n"))
    assert config.grace == seconds
    assert config.checker_settings(tmp_path / "c.db", None).grace == seconds
    assert Config().grace == 0.0  # off unless asked for


def test_dotfile_wins_over_pyproject_and_is_found_from_subfolders(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.paperlint]\nretries = 1\n")
    dotfile = write(tmp_path / ".paperlint.toml", "retries = 3\n")
    nested = tmp_path / "docs" / "lists"
    nested.mkdir(parents=True)
    assert find_config(nested) == dotfile
    assert load_config(dotfile).retries == 3


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.paperlint]\nretries = 1\n")
    inner = write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(inner.parent) == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = true\n", "unknown key 'colour'"),
        ("select = ['PL999']\n", "'select': unknown rule 'PL999'"),
        ("duplicate-scope = 'repo'\n", "'duplicate-scope' must be one of section, file, all"),
        ("timeout = -1\n", "'timeout' must be a positive number"),
        ("timeout = true\n", "'timeout' must be a positive number"),
        ("accept = ['2xx']\n", "'accept': '2xx' is not an HTTP status code or range"),
        ("exclude = ['(']\n", "'exclude': invalid regex '('"),
        ("max-cache-age = 'soon'\n", "'max-cache-age' must be a duration"),
        ("grace = '3x'\n", "'grace' must be a duration such as 3600, 30m, 12h or 1d"),
        ("grace = false\n", "'grace' must be a duration"),
        (
            "[severity]\nPL101 = 'fatal'\n",
            '\'severity.PL101\' must be "error", "warning" or "info"',
        ),
        ("[hosts.'a.org']\nspeed = 1\n", "unknown key 'hosts.a.org.speed'"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_bad_configuration_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / ".paperlint.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


SEVERAL_ERRORS = """
[tool.paperlint]
timeout = "x"
retries = -1
bogus = 1
select = ["PL999", "mojibake", "no-such-rule"]
allow-private = false

[tool.paperlint.severity]
PL101 = "fatal"
PL777 = "error"

[tool.paperlint.hosts."a.org"]
speed = 1
accept = "abc"
"""


def test_every_configuration_error_is_reported_with_its_key(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", SEVERAL_ERRORS)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert list(caught.value.messages) == [
        f"{path}: 'timeout' must be a positive number",
        f"{path}: 'retries' must be a whole number >= 0",
        f"{path}: unknown key 'bogus'",
        f"{path}: 'select': unknown rule 'PL999'",
        f"{path}: 'select': unknown rule 'no-such-rule'",
        f'{path}: \'severity.PL101\' must be "error", "warning" or "info"',
        f"{path}: 'severity.PL777': unknown rule 'PL777'",
        f"{path}: unknown key 'hosts.a.org.speed'",
        f"{path}: 'hosts.a.org.accept': 'abc' is not an HTTP status code or range",
    ]


def test_the_cli_prints_every_configuration_error_on_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".paperlint.toml", "timeout = 0\nbogus = 1\n")
    write(tmp_path / "a.md", "# A\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["check", "--offline", "a.md"])
    captured = capsys.readouterr()
    assert (exited.value.code, captured.out) == (2, "")
    config = tmp_path / ".paperlint.toml"
    assert captured.err == (
        f"paperlint: error: {config}: 'timeout' must be a positive number\n"
        f"paperlint: error: {config}: unknown key 'bogus'\n"
    )


def test_cli_options_override_file_values(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / ".paperlint.toml", "retries = 3\nignore = ['PL302']\n"))
    merged = apply_options(config, {"retries": 0, "select": ["PL3"]}, "command line", tmp_path)
    assert merged.retries == 0
    assert merged.enabled_codes() == frozenset(
        {"PL301", "PL303", "PL304", "PL305", "PL306", "PL307"}
    )


def test_cache_key_accepts_bool_or_relative_path(tmp_path: Path) -> None:
    assert apply_options(Config(), {"cache": False}, "x", tmp_path).cache is False
    config = apply_options(Config(), {"cache": "cache/links.db"}, "x", tmp_path)
    assert config.cache is True
    assert config.cache_path == tmp_path / "cache/links.db"


def test_checker_settings_follow_the_config(tmp_path: Path) -> None:
    config = apply_options(Config(), {"timeout": 3, "max-per-host": 1}, "x", tmp_path)
    settings = config.checker_settings(tmp_path / "c.db", "token")
    assert (settings.timeout, settings.connect_timeout, settings.max_per_host) == (3.0, 3.0, 1)
    assert settings.cache_path == tmp_path / "c.db"
    assert settings.github_token == "token"
    no_cache = apply_options(config, {"cache": False}, "x", tmp_path)
    assert no_cache.checker_settings(tmp_path / "c.db", None).cache_path is None


def test_concurrency_defaults_agree_with_the_checker() -> None:
    # The global limit bounds local resources; per-host politeness is max_per_host (README).
    checker = CheckerSettings()
    assert (Config().max_concurrency, Config().max_per_host) == (128, 4)
    assert (checker.max_concurrency, checker.max_per_host) == (128, 4)
