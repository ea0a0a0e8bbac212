"""Watching one running job from the web side: its output, its clock, its disk.

Runs in: the web process.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

from . import jobdir, outcome
from .limits import Limits
from .outcome import Stop
from .result import RunResult
from .zygote_client import Done

DISK_POLL_S = 0.01
# After the job has gone, how long its pipes may take to drain; after a kill, how
# long the zygote may take to report the death before it is presumed wedged.
DRAIN_S = 1.0
KILL_GRACE_S = 3.0


class _Wake:
    """One pending wake-up for the supervising coroutine (no task per event)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.fut: asyncio.Future[None] | None = None

    def poke(self) -> None:
        if self.fut is not None and not self.fut.done():
            self.fut.set_result(None)

    async def sleep(self, timeout: float) -> None:
        self.fut = self.loop.create_future()
        handle = self.loop.call_later(max(timeout, 0.0), self.poke)
        try:
            await self.fut
        finally:
            handle.cancel()
            self.fut = None


class _Output:
    """Reads a job's stdout and stderr (and check channel, if any) until EOF, keeping at
    most `cap` bytes of stdout and stderr together, and `cap` of the check channel."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        fds: tuple[int, ...],
        cap: int,
        wake: Callable[[], None],
    ) -> None:
        self.loop = loop
        self.cap = cap
        self.wake = wake
        self.data = {fd: bytearray() for fd in fds}
        self.open = set(fds)
        # Which budget each descriptor spends: stdout and stderr share one.
        self.budget = {fd: int(i >= 2) for i, fd in enumerate(fds)}
        self.totals = [0, 0]
        self.over = False
        for fd in fds:
            os.set_blocking(fd, False)
            loop.add_reader(fd, self._read, fd)

    def _read(self, fd: int) -> None:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(fd)
        else:
            budget = self.budget[fd]
            room = self.cap - self.totals[budget]
            self.data[fd] += chunk[:room]
            self.totals[budget] += min(len(chunk), room)
            if len(chunk) > room:
                # Stop reading at the cap; the job is killed, no byte more is kept.
                self.over = True
                for other in list(self.open):
                    self._close(other)
        self.wake()

    def _close(self, fd: int) -> None:
        if fd in self.open:
            self.open.discard(fd)
            self.loop.remove_reader(fd)
            os.close(fd)

    def close(self) -> None:
        for fd in list(self.open):
            self._close(fd)


async def supervise(
    *,
    done: asyncio.Future[Done],
    kill: Callable[[], None],
    job_dir: str,
    fds: tuple[int, ...],
    limits: Limits,
    started: float,
) -> RunResult:
    """Wait for the job to end, stopping it at the first limit it crosses. `fds` are the
    read ends of its stdout, its stderr and, when a check was given, its check channel."""
    loop = asyncio.get_running_loop()
    wake = _Wake(loop)
    done.add_done_callback(lambda _: wake.poke())
    out = _Output(loop, fds, limits.output_kb * 1024, wake.poke)
    deadline = started + limits.wall_s
    stop: Stop | None = None
    stopped_at = 0.0
    finished_at: float | None = None
    measured_at = started
    try:
        while True:
            now = time.monotonic()
            if done.done() and finished_at is None:
                finished_at = now
            if finished_at is not None and (not out.open or now - finished_at >= DRAIN_S):
                break
            if stop is None and not done.done():
                poll_disk = now - measured_at >= DISK_POLL_S
                if poll_disk:
                    measured_at = now
                if out.over:
                    stop = Stop("output")
                elif poll_disk and _over_disk(job_dir, limits):
                    stop = Stop("disk")
                elif now >= deadline:
                    stop = Stop("wall")
                if stop is not None:
                    stopped_at = now
                    kill()
            if stop is not None and not done.done() and now - stopped_at > KILL_GRACE_S:
                stop = Stop("lost")
                break
            if done.done():
                await wake.sleep(DRAIN_S)
            elif stop is None:
                await wake.sleep(min(deadline - now, DISK_POLL_S))
            else:
                await wake.sleep(KILL_GRACE_S)
    finally:
        out.close()
        if not done.done():
            kill()
    ended = time.monotonic()
    report: Done = done.result() if done.done() else {"status": None, "cpu": 0.0}
    if stop is None and out.over:
        stop = Stop("output")  # it finished while we were noticing the flood
    if stop is None and _over_disk(job_dir, limits):
        stop = Stop("disk")
    with_check = len(fds) > 2
    wait_status = report.get("status")
    status, reason = outcome.classify(
        wait_status, float(report.get("cpu") or 0.0), stop, limits, with_check=with_check
    )
    checked = with_check and status == "ok" and outcome.check_ran(wait_status, stop)
    return outcome.make_result(
        status=status,
        reason=reason,
        stdout=bytes(out.data[fds[0]]),
        stderr=bytes(out.data[fds[1]]),
        truncated=out.over,
        duration_ms=round((ended - started) * 1000, 2),
        check_output=bytes(out.data[fds[2]]) if checked else None,
    )


def _over_disk(job_dir: str, limits: Limits) -> bool:
    max_bytes = limits.disk_mb << 20
    return jobdir.measure(job_dir, max_bytes, limits.files).over(max_bytes, limits.files)
