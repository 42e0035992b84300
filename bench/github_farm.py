"""GitHub farm: 1,000 GitHub links checked with a token (GraphQL API) and without (page fetches),
against a loopback stand-in for GitHub. Nothing leaves the machine: the API listens on
127.0.0.1, the pages on 127.0.0.1 over TLS with a throwaway certificate for ``github.com``, and
paperlint's resolver maps ``github.com`` to 127.0.0.1 for the run.

The list: 1,000 links to 950 repositories (800 repository pages in their forms: root,
``/releases``, ``/wiki``, ``?tab=``; 120 ``/blob`` and ``/tree`` links, a branch with a slash among
them; 50 issues and pull requests; 30 repeats with a ``#fragment``). Planted: 25 renamed
repositories, 5 renamed with a file link, 25 archived, 25 missing, 10 file links whose path does
not exist. The stand-in answers as GitHub does (``tests/registries/github_fake.py``): the API in
GitHub's GraphQL shape, the pages with 404s and the 301s of renamed repositories.

Measured per mode: API requests, page requests (every HEAD/GET the page server saw), wall time,
and whether each planted repository was reported right (PL101 missing, PL103 renamed with the
new URL, PL109 archived; a page fetch cannot see an archived repository).

Usage: python bench/github_farm.py [--api-latency 0.5] [--page-latency 0.05] [--mode token,pages]
       [--rate-limited]
"""

from __future__ import annotations

import argparse
import random
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linter.config import Config, apply_options  # noqa: E402
from linter.engine import lint  # noqa: E402
from linter.net import client  # noqa: E402
from linter.net.settings import CheckerSettings  # noqa: E402
from linter.reading import Source  # noqa: E402
from tests.registries.fakes import serving  # noqa: E402
from tests.registries.github_fake import FakeGithub, Repo  # noqa: E402

TOKEN = "ghp_bench"


@dataclass
class Planted:
    renamed: dict[int, str]  # line -> the URL paperlint should suggest
    archived: set[int]
    missing: set[int]  # repository or path gone


def build(port: int, seed: int = 9) -> tuple[str, dict[str, Repo], Planted]:
    rng = random.Random(seed)
    base = f"https://github.com:{port}"
    repos: dict[str, Repo] = {}
    names = [f"org{n % 97}/project-{n}" for n in range(950)]
    files = frozenset({"main:README.md", "main:src/model.py", "main:docs/index.md",
                       "release/2.0:src/model.py"})  # fmt: skip
    for name in names:
        repos[name] = Repo(name, files=files, numbers=frozenset(range(1, 60)))
    root_ids = list(range(800))
    rng.shuffle(root_ids)
    renamed_ids, archived_ids, missing_ids = root_ids[:25], root_ids[25:50], root_ids[50:75]
    for n in renamed_ids:
        repos[names[n]] = Repo(f"moved-{names[n]}", files=files)
        repos[f"moved-{names[n]}"] = repos[names[n]]
    for n in archived_ids:
        repos[names[n]] = replace(repos[names[n]], archived=True)
    for n in missing_ids:
        del repos[names[n]]
    lines: list[str] = []
    planted = Planted({}, set(), set())

    def add(url: str, suggestion: str | None = None, kind: str = "") -> None:
        lines.append(f"- [link {len(lines)}]({url})")
        line = len(lines) + 2  # after the heading and the blank line
        if suggestion is not None:
            planted.renamed[line] = suggestion
        if kind == "archived":
            planted.archived.add(line)
        if kind == "missing":
            planted.missing.add(line)

    forms = ["", "/releases", "/wiki", "?tab=readme-ov-file", "/"]
    for n in range(800):
        form = forms[n % len(forms)]
        url = f"{base}/{names[n]}{form}"
        if n in renamed_ids:
            add(url, f"{base}/moved-{names[n]}{form}")
        else:
            add(
                url, kind="archived" if n in archived_ids else "missing" if n in missing_ids else ""
            )
    paths = ["blob/main/src/model.py", "tree/main/docs", "blob/release/2.0/src/model.py",
             "blob/main/README.md"]  # fmt: skip
    for n in range(800, 920):
        path = paths[n % len(paths)]
        if n < 810:
            add(f"{base}/{names[n]}/blob/main/src/missing_{n}.py", kind="missing")
        elif n < 815:
            repos[names[n]] = repos[f"moved-{names[n]}"] = Repo(f"moved-{names[n]}", files=files)
            add(f"{base}/{names[n]}/{path}", f"{base}/moved-{names[n]}/{path}")
        else:
            add(f"{base}/{names[n]}/{path}")
    for n in range(920, 970):
        add(f"{base}/{names[920 + n % 30]}/{'issues' if n % 2 else 'pull'}/{n % 50 + 1}")
    repeats = rng.sample(range(815, 920), 30)
    for n in repeats:
        add(f"{base}/{names[n]}/{paths[n % len(paths)]}#L{n}")
    text = "# GitHub farm\n\n" + "\n".join(lines) + "\n"
    return text, repos, planted


@dataclass
class Result:
    mode: str
    links: int
    api: int  # requests the API received
    pages: int  # requests the page server received
    wall: float
    found: dict[str, int]  # findings by rule
    right: dict[str, bool]  # each kind of planted fault reported exactly
    notices: tuple[str, ...]


def certificate(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    openssl = shutil.which("openssl")
    if openssl is None:
        sys.exit("openssl is needed to make the farm's certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=github.com", "-addext", "subjectAltName=DNS:github.com,DNS:www.github.com",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def run_mode(mode: str, args: argparse.Namespace, folder: Path) -> Result:
    server_tls, client_tls = certificate(folder)
    fake = FakeGithub(api_latency=args.api_latency, page_latency=args.page_latency)
    if args.rate_limited:
        fake.script = ["rate-limited"]  # GitHub's RATE_LIMITED error, reset in 1 s
    client.SSL_CONTEXT = client_tls
    original = Config.checker_settings

    def on_loopback(self: Config, cache: Path | None, token: str | None) -> CheckerSettings:
        return replace(original(self, cache, token), resolve={"github.com": "127.0.0.1"})

    Config.checker_settings = on_loopback  # type: ignore[method-assign,assignment]
    try:
        with serving(fake.app()) as api, serving(fake.app(), server_tls) as pages:
            api_port, page_port = int(api.rsplit(":", 1)[1]), int(pages.rsplit(":", 1)[1])
            text, fake.repos, planted = build(page_port)
            path = folder / "list.md"
            path.write_text(text, encoding="utf-8")
            options = {
                "github-api": f"http://127.0.0.1:{api_port}/graphql",
                "allow-private": True,
                "cache": False,
                "metadata": False,
            }
            config = apply_options(Config(), options, "bench", folder)
            start = time.perf_counter()
            token = TOKEN if mode == "token" else None
            report = lint([Source(str(path), path)], config, github_token=token)
            wall = time.perf_counter() - start
    finally:
        Config.checker_settings = original  # type: ignore[method-assign]
    by_rule: dict[str, dict[int, str | None]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, {})[finding.line] = finding.suggestion
    expected_archived = planted.archived if mode == "token" else set()
    right = {
        "renamed": by_rule.get("PL103", {}) == planted.renamed,
        "archived": set(by_rule.get("PL109", {})) == expected_archived,
        "missing": set(by_rule.get("PL101", {})) == planted.missing,
        "nothing else": set(by_rule) <= {"PL101", "PL103", "PL109"},
    }
    return Result(
        mode,
        text.count("](https://"),
        len(fake.queries),
        len(fake.pages),
        wall,
        {rule: len(lines) for rule, lines in sorted(by_rule.items())},
        right,
        report.notices,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-latency", type=float, default=0.5, help="seconds per API answer")
    parser.add_argument("--page-latency", type=float, default=0.05, help="seconds per page")
    parser.add_argument("--mode", default="token,pages")
    parser.add_argument(
        "--rate-limited", action="store_true", help="the first query meets a RATE_LIMITED error"
    )
    args = parser.parse_args()
    print(f"API latency {args.api_latency:g} s per query, page latency {args.page_latency:g} s")
    print(f"{'mode':<7} {'links':>5} {'API requests':>12} {'page requests':>13} {'wall s':>7}  "
          "findings / all planted reported right")  # fmt: skip
    for mode in args.mode.split(","):
        with tempfile.TemporaryDirectory() as folder:
            result = run_mode(mode, args, Path(folder))
        found = ", ".join(f"{rule} {count}" for rule, count in result.found.items())
        verdict = "yes" if all(result.right.values()) else f"NO {result.right}"
        print(
            f"{mode:<7} {result.links:>5} {result.api:>12} {result.pages:>13} "
            f"{result.wall:>7.2f}  {found} / {verdict}"
        )
        for notice in result.notices:
            print(f"        notice: {notice}")


if __name__ == "__main__":
    main()
