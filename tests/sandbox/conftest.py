"""Fixtures for the sandbox tests: a real Sandbox per layer configuration, fake
secrets to steal, canaries to scribble on, and loopback listeners to call."""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.sandbox import Layers, Limits, RunResult, Sandbox
from app.sandbox.job import CODE_FD
from app.sandbox.limits import JOB_UID

from .hostile_cases import Context

TEST_LIMITS = Limits(wall_s=3.0, cpu_s=1.5, workers=2, queue=6, spares=2)
ENV_SECRET = "canary-env-" + secrets.token_hex(8)
LAYER_CONFIGS = {
    "all-layers": Layers(),
    "no-landlock": Layers(landlock=False),
    "no-uid-drop": Layers(uid_drop=False),
}


def in_pid_namespace() -> bool:
    """True only inside the namespace made by run_in_pidns.py (verified, not trusted)."""
    outer = os.environ.get("TORCHQUIZ_OUTER_PIDNS")
    return bool(outer) and os.readlink("/proc/self/ns/pid") != outer


class Runner:
    """A started Sandbox and the event loop it lives on, for synchronous tests."""

    def __init__(self, limits: Limits, layers: Layers) -> None:
        self.loop = asyncio.new_event_loop()
        self.sandbox = Sandbox(limits, layers)
        self.loop.run_until_complete(self.sandbox.start())

    def run(self, code: str, seed: int = 0, check: str | None = None) -> RunResult:
        return self.loop.run_until_complete(self.sandbox.run(code, seed=seed, check=check))

    def run_many(self, *codes: str) -> list[RunResult]:
        async def together() -> list[RunResult]:
            return list(await asyncio.gather(*(self.sandbox.run(c) for c in codes)))

        return self.loop.run_until_complete(together())

    def until(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    @property
    def zygote_pid(self) -> int:
        pid = self.sandbox.health()["zygote_pid"]
        assert isinstance(pid, int)
        return pid

    def close(self) -> None:
        self.loop.run_until_complete(self.sandbox.close())
        self.loop.close()


# The recvmsg() system call's number, as /proc/<pid>/syscall shows it.
_RECVMSG_SYSCALL = {"x86_64": "47", "aarch64": "212"}.get(platform.machine())


def waiting_spare(pid: int, ppid: int) -> bool:
    """A spare of some zygote that is still waiting for its run: blocked in read() on the
    socket it gets its code from (job.CODE_FD), its parent a zygote. The sandbox keeps
    these on purpose; no snippet has run in them."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            call = f.read().split()
        with open(f"/proc/{ppid}/cmdline", "rb") as f:
            parent = f.read()
    except OSError:
        return False
    return (
        len(call) > 1
        and call[0] == _RECVMSG_SYSCALL
        and int(call[1], 16) == CODE_FD
        and b"from app.sandbox.zygote import main" in parent
    )


def _becomes_waiting_spare(pid: int, ppid: int, timeout_s: float = 5.0) -> bool:
    """Whether `pid` is, or within `timeout_s` turns out to be, a waiting spare (one the
    zygote has just forked is still locking itself down), or is gone meanwhile."""
    deadline = time.monotonic() + timeout_s
    while True:
        if waiting_spare(pid, ppid) or not os.path.exists(f"/proc/{pid}"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def stray_processes(zygote_pid: int) -> list[str]:
    """Children of the zygote, or (inside our own PID namespace, where nothing else can
    be running as it) anything running as the job uid; but not a spare waiting for its
    run (waiting_spare), nor one about to."""
    any_job_uid = in_pid_namespace()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        ppid = int(fields.get("PPid", "0").strip())
        uid = int(fields.get("Uid", "0").split()[0])
        if ppid == zygote_pid or (any_job_uid and uid == JOB_UID):
            if not _becomes_waiting_spare(int(entry), ppid):
                found.append(f"{entry} {fields.get('Name', '').strip()} ppid={ppid} uid={uid}")
    return found


@dataclass
class Secrets:
    root: str
    data_dir: str
    secret_file: str
    db_file: str
    env_file: str
    secret: str
    canary_dir: str
    unix_socket: str
    tcp: socket.socket
    unix: socket.socket


@pytest.fixture(scope="session")
def fake_secrets() -> Iterator[Secrets]:
    """A data dir like the app's (0700, files 0600, root-owned), a canary dir, listeners."""
    root = tempfile.mkdtemp(prefix="tq-test-")
    os.chmod(root, 0o755)
    data = os.path.join(root, "data")
    os.mkdir(data, 0o700)
    secret = "TQSECRET-" + secrets.token_hex(16)
    paths = {}
    for name, content in (
        ("secret_key", secret),
        ("torchquiz.db", "SQLite format 3\0" + secret),
        (".env", f"TORCHQUIZ_SECRET_KEY={secret}\n"),
    ):
        path = os.path.join(data, name)
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, 0o600)
        paths[name] = path
    canary = os.path.join(root, "canary")
    os.mkdir(canary, 0o755)
    sockets = os.path.join(root, "sockets")
    os.mkdir(sockets, 0o755)
    unix_path = os.path.join(sockets, "server.sock")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix.listen()
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    os.environ["TORCHQUIZ_SECRET_KEY"] = ENV_SECRET
    yield Secrets(
        root,
        data,
        paths["secret_key"],
        paths["torchquiz.db"],
        paths[".env"],
        secret,
        canary,
        unix_path,
        tcp,
        unix,
    )
    os.environ.pop("TORCHQUIZ_SECRET_KEY", None)
    tcp.close()
    unix.close()
    shutil.rmtree(root)


def make_context(s: Secrets, sandbox_health: dict[str, Any], *, zygote_pid: int) -> Context:
    """Where a hostile case finds its targets, for a sandbox reporting `sandbox_health`."""
    import torch

    import app

    return Context(
        layers=dict(sandbox_health["layers"]),
        data_dir=s.data_dir,
        secret_file=s.secret_file,
        db_file=s.db_file,
        env_file=s.env_file,
        secret=s.secret,
        env_secret=ENV_SECRET,
        canary_dir=s.canary_dir,
        app_dir=os.path.dirname(app.__file__ or ""),
        site_packages=os.path.dirname(os.path.dirname(torch.__file__ or "")),
        parent_pid=os.getpid(),
        zygote_pid=zygote_pid,
        tcp_port=s.tcp.getsockname()[1],
        unix_socket=s.unix_socket,
    )


def listeners_untouched(s: Secrets) -> bool:
    for sock in (s.tcp, s.unix):
        sock.setblocking(False)
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            continue
        conn.close()
        return False
    return True


def mode_of(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)
