"""A real torchquiz server in a subprocess, on a free loopback port, for HTTP and browser tests."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    data_dir: Path, quiz_dir: Path, env: Mapping[str, str] | None = None, timeout_s: float = 60
) -> Iterator[LiveServer]:
    """Run `torchquiz serve` until the block ends; fail with its log if it never gets healthy."""
    port = free_port()
    log = data_dir.parent / f"server-{port}.log"
    environment = {
        **os.environ,
        "TORCHQUIZ_DATA_DIR": str(data_dir),
        "TORCHQUIZ_QUIZ_DIR": str(quiz_dir),
        **(env or {}),
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not healthy after {timeout_s} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield LiveServer(url=url, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
