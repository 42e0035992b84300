"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on temporary git repositories.

pre-commit installs paperlint into its own virtual environment from a snapshot of this checkout
(a git repository made here), so these tests cover the manifest, the package's installability and
the console script. ``try-repo`` installs into a throwaway store each time (about 10 s here), so one
test uses it and the others a ``.pre-commit-config.yaml`` naming the snapshot, installed once into a
PRE_COMMIT_HOME shared by this module. pre-commit runs a hook on batches of files in parallel: the tests use enough
files to get several batches and check that every file is reported and that the link cache shared
by the batches works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.registry import skip_if_registry_unreachable

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "linter")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "paperlint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "paperlint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git"),
]


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **GIT_IDENTITY}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q")
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    git(path, "add", "-A")
    return path


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's package files, committed to a fresh repository (pre-commit clones a rev)."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in SNAPSHOT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, snapshot / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="module")
def hook_url(hook_repo: Path) -> str:
    """As a URL: pre-commit keys its installed environments by this string and the rev."""
    return hook_repo.as_uri()


def config(hook_url: str, hook_repo: Path, *hooks: str) -> str:
    """A .pre-commit-config.yaml using ``hooks`` of the snapshot."""
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    lines = ["repos:", f"  - repo: {hook_url}", f"    rev: {rev}", "    hooks:"]
    lines.extend(f"      - id: {hook}" for hook in hooks)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the tests of this module, so paperlint's hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(
    repo: Path, home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home)}
    environment.pop("PRE_COMMIT_NO_CONCURRENCY", None)
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode not in (0, 1):
        # pre-commit's own failure (3), such as a hook environment pip could not install: its
        # log holds pip's output.
        log = home / "pre-commit.log"
        logged = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        output = result.stdout + result.stderr + logged
        skip_if_registry_unreachable("pre-commit installing paperlint", output)
    return result


def usable_cpus() -> int:
    """What pre-commit bases its number of parallel batches on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def finding_lines(output: str) -> list[str]:
    return sorted(line for line in output.splitlines() if ": PL" in line)


BAD = (
    "# Papers\n"
    "\n"
    "- [Intro](#Papers)\n"
    "- [Googleâ€™s Spanner](https://example.org/spanner.pdf)\n"
    "- [Spanner again](None)\n"
)
CLEAN = "# Papers\n\n- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"


def test_offline_hook_fails_on_problems_and_passes_on_a_clean_file(
    tmp_path: Path, hook_url: str, hook_repo: Path, pre_commit_home: Path
) -> None:
    files = {"bad.md": BAD, "clean.md": CLEAN, "notes.txt": BAD}
    files[".pre-commit-config.yaml"] = config(hook_url, hook_repo, "paperlint-offline")
    repo = make_repo(tmp_path / "lists", files)
    failed = pre_commit(repo, pre_commit_home, "try-repo", hook_url, "paperlint-offline",
                        "--all-files")  # fmt: skip
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "- hook id: paperlint-offline" in failed.stdout
    # notes.txt is not Markdown (types: [markdown]): never passed to the hook.
    assert finding_lines(failed.stdout) == [
        "bad.md:3:3: PL106 [warning] anchor #Papers matches #papers only when case is ignored",
        'bad.md:4:4: PL401 [error] mojibake "Googleâ€™s" should be "Google’s" (UTF-8 read as'
        " cp1252)",
        "bad.md:5:3: PL104 [error] placeholder link target 'None'",
    ]
    passed = pre_commit(repo, pre_commit_home, "run", "--files", "clean.md")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "paperlint (offline)" in passed.stdout and "Passed" in passed.stdout


def duplicate_list(index: int) -> str:
    return (
        f"# List {index}\n\n"
        f"- [Paper {index}](https://arxiv.org/abs/2101.0000{index})\n"
        f"- [Paper {index}](https://arxiv.org/pdf/2101.0000{index})\n"
    )


def test_offline_hook_in_parallel_batches_reports_every_file(
    tmp_path: Path, hook_url: str, hook_repo: Path, pre_commit_home: Path
) -> None:
    files = {f"list{index}.md": duplicate_list(index) for index in range(1, 10)}
    files[".pre-commit-config.yaml"] = config(hook_url, hook_repo, "paperlint-offline")
    repo = make_repo(tmp_path / "many", files)
    result = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    # Where and what; the wording of the message is the duplicates rule's business.
    assert [line.split(" [error] ")[0] for line in finding_lines(result.stdout)] == [
        f"list{index}.md:4:4: PL201" for index in range(1, 10)
    ]
    if usable_cpus() > 1:
        # pre-commit gave each batch its own paperlint run, each with its own summary line.
        assert result.stdout.count("Found ") >= 2


def test_cross_file_rules_see_every_file_of_a_batch(
    tmp_path: Path, hook_url: str, hook_repo: Path, pre_commit_home: Path
) -> None:
    files = {
        "a.md": "- [QLoRA: Efficient Finetuning of Quantized LLMs](https://arxiv.org/abs/2305.14314)\n",
        "b.md": "- [Parameter-Efficient Fine-Tuning of Large Language Models]"
        "(https://arxiv.org/abs/2305.14314)\n",
    }
    files[".pre-commit-config.yaml"] = config(hook_url, hook_repo, "paperlint-offline")
    repo = make_repo(tmp_path / "pair", files)
    result = pre_commit(repo, pre_commit_home, "run", "--all-files",
                        env={"PRE_COMMIT_NO_CONCURRENCY": "1"})  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert [line.split(": PL")[1][:3] for line in finding_lines(result.stdout)] == ["301"]


class _Site(BaseHTTPRequestHandler):
    seen: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_HEAD(self) -> None:
        with self.lock:
            self.seen[self.path] += 1
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, Counter[str]]]:
    _Site.seen = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Site.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_full_hook_checks_links_in_one_process_with_the_shared_cache(
    tmp_path: Path,
    hook_url: str,
    hook_repo: Path,
    pre_commit_home: Path,
    site: tuple[str, Counter[str]],
) -> None:
    base, seen = site
    files = {
        f"list{index}.md": f"# L{index}\n\n- [Paper {index}]({base}/ok/{index})\n"
        f"- [Gone {index}]({base}/gone/{index})\n"
        for index in range(1, 10)
    }
    # Only loopback links are fetched: everything else is excluded, whatever a file holds.
    files[".paperlint.toml"] = (
        "allow-private = true\nretries = 0\ntimeout = 10\n"
        "exclude = ['^(?!http://127\\.0\\.0\\.1:)']\n"
    )
    files[".pre-commit-config.yaml"] = config(hook_url, hook_repo, "paperlint")
    repo = make_repo(tmp_path / "linked", files)
    cache_dir = tmp_path / "cache"
    env = {"PAPERLINT_CACHE_DIR": str(cache_dir)}
    first = pre_commit(repo, pre_commit_home, "run", "--all-files", env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    assert finding_lines(first.stdout) == [
        f"list{index}.md:4:3: PL101 [error] link broken: 404 Not Found" for index in range(1, 10)
    ]
    assert sorted(seen) == sorted(
        [f"/ok/{index}" for index in range(1, 10)] + [f"/gone/{index}" for index in range(1, 10)]
    )
    assert (cache_dir / "links.sqlite3").is_file()

    # Second run: the working links come from the cache every batch wrote to; the broken ones
    # (never cached) are asked again.
    before = Counter(seen)
    second = pre_commit(repo, pre_commit_home, "run", "--all-files", env=env)
    assert second.returncode == 1, second.stdout + second.stderr
    assert finding_lines(second.stdout) == finding_lines(first.stdout)
    asked_again = {path for path in seen if seen[path] > before[path]}
    assert asked_again == {f"/gone/{index}" for index in range(1, 10)}
