"""Ctrl-C during the network phase of `paperlint check`, in a real child process and in-process
(127.0.0.1 only; the hung name server is simulated inside the child, so no lookup leaves it)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from linter.net.checker import start_checks
from linter.net.results import LinkStatus
from tests.net.conftest import settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Runs the CLI with getaddrinfo replaced: it reports the first lookup on stderr, then hangs like
# a dead name server (and never asks a real one).
HUNG_DNS = """
import socket, sys, time
def hung(host, *args, **kwargs):
    sys.stderr.write("lookup\\n")
    sys.stderr.flush()
    time.sleep(60)
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
socket.getaddrinfo = hung
from linter.cli import main
main(sys.argv[1:])
"""


async def interrupt(process: asyncio.subprocess.Process, ready: bytes) -> tuple[str, str]:
    """Waits for ``ready`` on the child's stderr, sends SIGINT, and returns its output."""
    assert process.stderr is not None and process.stdout is not None
    try:
        first = await asyncio.wait_for(process.stderr.readline(), 20)
        assert first == ready
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 3)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return out.decode(), err.decode()


async def test_ctrl_c_while_requests_hang_stops_at_once(tmp_path: Path) -> None:
    arrived = asyncio.Event()

    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived.set()
        await asyncio.sleep(30)
        writer.close()

    server = await asyncio.start_server(never, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    links = "".join(f"- [Paper {index}](http://127.0.0.1:{port}/p{index})\n" for index in range(30))
    (tmp_path / "list.md").write_text(links, encoding="utf-8")
    async with server:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "import sys; from linter.cli import main; main(sys.argv[1:])",
            *("check", "--allow-private", "--no-cache", "--timeout", "30", "list.md"),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await asyncio.wait_for(arrived.wait(), 20)
            process.send_signal(signal.SIGINT)
            out, err = await asyncio.wait_for(process.communicate(), 3)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 130
    assert (out, err.strip()) == (b"", b"paperlint: aborted")


async def test_ctrl_c_while_name_lookups_hang_stops_at_once(tmp_path: Path) -> None:
    links = "".join(f"- [Paper {index}](http://h{index}.test/p)\n" for index in range(10))
    (tmp_path / "list.md").write_text(links, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HUNG_DNS,
        *("check", "--no-cache", "--timeout", "30", "list.md"),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await interrupt(process, b"lookup\n")
    assert process.returncode == 130
    assert out == ""
    # Lookup threads still starting as the process ends may report theirs after the message.
    assert [line for line in err.splitlines() if line not in ("", "lookup")] == [
        "paperlint: aborted"
    ]


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs pthread_kill")
def test_ctrl_c_delivered_to_another_thread_still_interrupts_the_wait() -> None:
    # A listener that never accepts: the request hangs in its backlog until the timeout.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/paper"
        pending = start_checks([url], settings(timeout=3.0))
        connection, _ = listener.accept()  # the request is out
        with connection:
            assert pending._thread.ident is not None
            # The system may hand a process's SIGINT to any of its threads.
            signal.pthread_kill(pending._thread.ident, signal.SIGINT)
            with pytest.raises(KeyboardInterrupt):
                pending.result()
            assert not pending.done()  # interrupted at once, not when the run ended
    # Hung up on, the request fails and the run ends.
    assert pending.result()[url].outcome is not LinkStatus.OK
