"""The pool's handle on one zygote process: spawn it, hold the pipes of the spares it
forked ahead of time, send it jobs, hear when they end.

Runs in: the web process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from app.paths import PROJECT_ROOT

from . import handoff, protocol
from .limits import Layers, Limits

log = logging.getLogger("torchquiz.sandbox")

# The zygote's whole environment: no secret of the web process can leak through it.
# One thread everywhere (a forked child of a multi-threaded zygote can deadlock);
# small OpenMP stacks and two malloc arenas keep a job's address space small, so
# RLIMIT_AS measures the learner's data rather than thread reservations.
ZYGOTE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_STACKSIZE": "2M",
    "MALLOC_ARENA_MAX": "2",
    # Same set and dict order in every zygote, so the same code prints the same thing.
    "PYTHONHASHSEED": "0",
}
# Like `python -m app.sandbox.zygote`, but also from a source tree that was never
# installed; -s -P keep the user site and the current directory off sys.path.
_BOOT = "; ".join(
    [
        "import sys",
        f"sys.path.append({str(PROJECT_ROOT)!r})",
        "from app.sandbox.zygote import main",
        "main()",
    ]
)


def zygote_command(fd: int, config: str) -> list[str]:
    """The command line of a zygote that talks on descriptor `fd`, configured by `config`."""
    return [sys.executable, "-s", "-P", "-B", "-c", _BOOT, "--fd", str(fd), "--config", config]


class _Process(Protocol):
    """What the client needs of a zygote's process: asyncio's, or one the launcher made."""

    @property
    def pid(self) -> int: ...

    @property
    def returncode(self) -> int | None: ...

    def kill(self) -> None: ...

    async def wait(self) -> int: ...


Done = dict[str, Any]
LOST: Done = {"op": "done", "status": None, "cpu": 0.0, "error": "zygote lost"}


class ZygoteGone(Exception):
    """The job never started (the zygote, or the spare picked for it, died first): safe
    to retry, on a new zygote or another spare."""


@dataclass(frozen=True)
class Spare:
    """A job the zygote forked ahead of time, locked down and waiting for one run: its
    number, the read ends of its stdout, stderr and check channel, and the socket its
    code is written into (handoff.py)."""

    number: int
    fds: tuple[int, int, int]
    channel: socket.socket

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.channel.close()


class ZygoteClient:
    def __init__(self, limits: Limits, layers: Layers) -> None:
        self.limits = limits
        self.layers = layers
        self.pid = 0
        self.jobs_started = 0
        self.alive = False
        self.stopping = False
        self.info: dict[str, Any] = {}
        self.on_lost: list[Any] = []
        self._proc: _Process | None = None
        self._sock: socket.socket | None = None
        self._pending: dict[int, asyncio.Future[Done]] = {}
        self._spares: dict[int, Spare] = {}  # in the order they were forked
        self._ready: asyncio.Future[dict[str, Any]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    @property
    def spares_waiting(self) -> int:
        return len(self._spares)

    def take_spare(self) -> Spare | None:
        """The spare forked longest ago, now the caller's to hand a run (or None)."""
        if not self.alive or not self._spares:
            return None
        number = next(iter(self._spares))
        return self._spares.pop(number)

    async def start(self, timeout: float = 180.0) -> None:
        """Spawn a fresh interpreter (never a fork of the web process) and wait until warm."""
        self._loop = asyncio.get_running_loop()
        mine, theirs = protocol.socket_pair()
        config = json.dumps(
            {"limits": dataclasses.asdict(self.limits), "layers": dataclasses.asdict(self.layers)}
        )
        from .launcher import installed  # the launcher imports this module

        launcher = installed()
        try:
            if launcher is not None:  # this server split at start (see launcher.py)
                self._proc = await launcher.spawn(config, theirs.fileno())
            else:
                self._proc = await asyncio.create_subprocess_exec(
                    *zygote_command(theirs.fileno(), config),
                    pass_fds=(theirs.fileno(),),
                    env=ZYGOTE_ENV,
                    cwd="/",
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
        finally:
            theirs.close()
        assert self._proc is not None
        self.pid = self._proc.pid
        mine.setblocking(False)
        self._sock = mine
        self._ready = self._loop.create_future()
        self._loop.add_reader(mine.fileno(), self._on_readable)
        self.alive = True
        try:
            self.info = await asyncio.wait_for(asyncio.shield(self._ready), timeout)
        except BaseException:
            await self.stop()
            raise

    def _on_readable(self) -> None:
        assert self._sock is not None
        while True:
            try:
                msg = protocol.receive(self._sock)
            except BlockingIOError:
                return
            except (OSError, protocol.ProtocolError) as exc:
                log.error("sandbox zygote %s: bad message: %s", self.pid, exc)
                msg = None
            if msg is None:
                self._lost()
                return
            header, _, fds = msg
            op = header.get("op")
            if op == "spare" and len(fds) == 4 and self.alive:
                number = int(header["spare"])
                channel = socket.socket(fileno=fds[3])
                self._spares[number] = Spare(number, (fds[0], fds[1], fds[2]), channel)
                continue
            for fd in fds:  # only a spare comes with descriptors; keep no others
                os.close(fd)
            if op == "spare_gone":
                gone = self._spares.pop(int(header.get("spare", 0)), None)
                if gone is not None:
                    gone.close()
            elif op == "ready" and self._ready and not self._ready.done():
                self._ready.set_result(header)
            elif op == "done":
                fut = self._pending.pop(int(header.get("id", -1)), None)
                if fut is not None and not fut.done():
                    fut.set_result(header)

    def _lost(self) -> None:
        if not self.alive:
            return
        self.alive = False
        if self._loop is not None and self._sock is not None:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(RuntimeError("the sandbox zygote exited while starting"))
            self._ready.exception()  # start() may have stopped waiting; do not warn then
        spares, self._spares = self._spares, {}
        for spare in spares.values():
            spare.close()
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_result(LOST)
        for callback in self.on_lost:
            callback(self)

    async def submit(
        self,
        job_id: int,
        seed: int,
        job_dir: str,
        code: bytes,
        check: bytes | None,
        fds: list[int],
        *,
        spare: Spare | None = None,
    ) -> asyncio.Future[Done]:
        """Start a job through the zygote, for `spare` (taken with take_spare) or for a
        child it forks now with `fds` (stdout, stderr and, with a check, the check
        channel); the future resolves when the job has been reaped.

        The code and the check go from here straight into the job's code socket: the
        zygote, which every later job is forked from, never holds them (handoff.py)."""
        assert self._loop is not None
        fut: asyncio.Future[Done] = self._loop.create_future()
        header = {
            "op": "run" if spare is None else "hand",
            "spare": None if spare is None else spare.number,
            "id": job_id,
            "dir": job_dir,
            "check": check is not None,
        }
        theirs: socket.socket | None = None
        if spare is not None:
            channel = spare.channel
        else:
            channel, theirs = protocol.socket_pair()
            fds = [*fds, theirs.fileno()]
        try:
            if not self.alive:
                raise ZygoteGone()
            try:
                handoff.send_code(channel, seed=seed, code=code, check=check)
            except OSError:  # the spare died while waiting: another one, or a fork
                raise ZygoteGone() from None
            self._pending[job_id] = fut
            self.jobs_started += 1
            while True:
                if self._sock is None:  # lost while we waited to write
                    self._pending.pop(job_id, None)
                    raise ZygoteGone()
                try:
                    protocol.send(self._sock, header, b"", fds)
                    return fut
                except BlockingIOError:
                    await self._writable()
                except OSError:
                    self._pending.pop(job_id, None)
                    self._lost()
                    raise ZygoteGone() from None
        finally:
            channel.close()
            if theirs is not None:
                theirs.close()

    async def clean(self, job_id: int, job_dir: str) -> bool:
        """Have the zygote empty `job_dir` as the job uid; whether it could."""
        assert self._loop is not None
        if not self.alive or self._sock is None:
            return False
        fut: asyncio.Future[Done] = self._loop.create_future()
        self._pending[job_id] = fut
        try:
            protocol.send(self._sock, {"op": "clean", "id": job_id, "dir": job_dir})
        except OSError:
            self._pending.pop(job_id, None)
            return False
        done = await fut
        return done.get("error") is None and done.get("status") == 0

    async def _writable(self) -> None:
        assert self._loop is not None
        if self._sock is None:
            return
        fut: asyncio.Future[None] = self._loop.create_future()
        fd = self._sock.fileno()

        def ready() -> None:
            if not fut.done():
                fut.set_result(None)

        self._loop.add_writer(fd, ready)
        try:
            await fut
        finally:
            self._loop.remove_writer(fd)

    def kill(self, job_id: int) -> None:
        """SIGKILL the job (its whole process group); the zygote ignores ids it reaped."""
        if not self.alive or self._sock is None:
            return
        try:
            protocol.send(self._sock, {"op": "kill", "id": job_id})
        except OSError:
            # Cannot reach the zygote: killing it kills every job (PR_SET_PDEATHSIG).
            self.terminate()

    def terminate(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            try:
                self._proc.kill()
            except ProcessLookupError:
                pass

    async def stop(self, grace: float = 3.0) -> None:
        """Close the control socket (the zygote kills its jobs and exits); then make sure."""
        self.stopping = True
        self._lost()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is None:
            return
        try:
            await asyncio.wait_for(self._proc.wait(), grace)
        except TimeoutError:
            self.terminate()
            await self._proc.wait()
