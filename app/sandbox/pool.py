"""The Sandbox the web app uses: a bounded pool of jobs forked from a warm zygote, each
run handed to a spare the zygote forked ahead of time when one is waiting.

Runs in: the web process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Coroutine
from typing import Any

from . import jobdir
from .limits import Layers, Limits
from .outcome import LOST_REASON
from .result import CodeTooLong, RunResult, SandboxBusy
from .supervise import supervise
from .zygote_client import Done, Spare, ZygoteClient, ZygoteGone

log = logging.getLogger("torchquiz.sandbox")
DEFAULT_LIMITS = Limits()
ALL_LAYERS = Layers()


class Sandbox:
    """Runs untrusted snippets with torch preloaded; knows nothing of HTTP or databases."""

    def __init__(
        self,
        limits: Limits = DEFAULT_LIMITS,
        layers: Layers = ALL_LAYERS,
        *,
        jobs_dir: str | None = None,
    ) -> None:
        self.limits = limits
        self.layers = layers
        self._jobs_parent = jobs_dir
        self._root: str | None = None
        self._zygote: ZygoteClient | None = None
        self._replacing: asyncio.Task[None] | None = None
        self._retiring: set[ZygoteClient] = set()
        self._slots = asyncio.Semaphore(limits.workers)
        self._ids = itertools.count(1)
        self._busy = 0
        self._queued = 0
        self._jobs_run = 0
        self._restarts = 0
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Spawn the zygote and wait until it is warm; log which layers are active."""
        self._root = jobdir.make_root(self._jobs_parent)
        self._zygote = await self._spawn()
        info = self._zygote.info
        on = {True: "on", False: "off"}
        layers = info["layers"]
        log.info(
            "sandbox ready in %.1f s: seccomp=%s landlock=%s (ABI %s) uid_drop=%s "
            "namespaces=%s, %d workers",
            info.get("warmup_s", 0.0),
            on[layers["seccomp"]],
            on[layers["landlock"]],
            layers["landlock_abi"],
            on[layers["uid_drop"]],
            "available" if layers["namespaces"] else "unavailable",
            self.limits.workers,
        )
        for warning in info.get("warnings", []):
            log.warning("sandbox: %s", warning)

    async def _spawn(self) -> ZygoteClient:
        client = ZygoteClient(self.limits, self.layers)
        client.on_lost.append(self._on_zygote_lost)
        await client.start()
        return client

    def _on_zygote_lost(self, client: ZygoteClient) -> None:
        self._retiring.discard(client)
        if client is self._zygote and not client.stopping and not self._closed:
            log.warning("sandbox zygote %s exited unexpectedly; starting a new one", client.pid)
            self._replace()

    def _replace(self) -> None:
        if self._replacing is None or self._replacing.done():
            self._replacing = asyncio.get_running_loop().create_task(self._replacement())

    async def _replacement(self) -> None:
        try:
            new = await self._spawn()
        except Exception:
            log.exception("sandbox: could not start a new zygote")
            return
        if self._closed:
            await new.stop()
            return
        old, self._zygote = self._zygote, new
        self._restarts += 1
        if old is not None and old.alive:
            self._retiring.add(old)
            self._retire_when_idle(old)

    def _retire_when_idle(self, old: ZygoteClient) -> None:
        if old.in_flight == 0 and old in self._retiring:
            self._retiring.discard(old)
            self._spawn_task(old.stop())

    def _spawn_task(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _live_zygote(self) -> ZygoteClient:
        for _ in range(3):
            if self._closed:
                raise SandboxBusy(retry_after=5.0)
            if self._zygote is not None and self._zygote.alive:
                return self._zygote
            self._replace()
            assert self._replacing is not None
            await asyncio.shield(self._replacing)
        raise SandboxBusy(retry_after=5.0)

    async def run(self, code: str, *, seed: int = 0, check: str | None = None) -> RunResult:
        """Run `code` in a fresh job and return what it printed and how it ended.

        With `check` (hidden author code), the check runs after `code` in the same
        globals if `code` ended normally; what it prints comes back as `check_output`
        (see check.py), never in `stdout` or `stderr`."""
        data = code.encode("utf-8", "surrogatepass")
        check_data = check.encode("utf-8", "surrogatepass") if check is not None else None
        for what, size in (("code", len(data)), ("check", len(check_data or b""))):
            if size > self.limits.code_kb * 1024:
                raise CodeTooLong(f"{what} is larger than {self.limits.code_kb} KB; shorten it")
        if self._closed or self._root is None:
            raise RuntimeError("the sandbox is not running")
        if self._busy >= self.limits.workers and self._queued >= self.limits.queue:
            raise SandboxBusy(retry_after=self._retry_after())
        self._queued += 1
        try:
            await self._slots.acquire()
        finally:
            self._queued -= 1
        self._busy += 1
        try:
            result = await self._run_one(data, seed, check_data)
            if (
                result.reason == LOST_REASON
                and not (result.stdout or result.stderr)
                and not self._closed
            ):
                # The zygote died under this run before it printed anything (its death
                # was not noticed yet when the run was sent): once more on a new one.
                result = await self._run_one(data, seed, check_data)
            return result
        finally:
            self._busy -= 1
            self._slots.release()

    async def _submit(
        self, job_id: int, seed: int, code: bytes, check: bytes | None
    ) -> tuple[ZygoteClient, str, tuple[int, ...], asyncio.Future[Done]]:
        """Hand the run to a waiting spare, or have the zygote fork a job for it when none
        is waiting (a burst). Returns the zygote, the job dir, the read ends of stdout,
        stderr and (with a check) the check channel, and the future of its end."""
        assert self._root is not None
        for attempt in range(3):
            zygote = await self._live_zygote()
            job_dir = jobdir.make_job_dir(
                self._root, for_job_uid=bool(zygote.info["layers"]["uid_drop"])
            )
            spare = zygote.take_spare()
            try:
                if spare is not None:
                    readers, done = await self._hand(
                        zygote, spare, job_id, seed, job_dir, code, check
                    )
                else:
                    readers, done = await self._fork(zygote, job_id, seed, job_dir, code, check)
                return zygote, job_dir, readers, done
            except ZygoteGone:
                os.rmdir(job_dir)
                if attempt == 2:
                    raise SandboxBusy(retry_after=5.0) from None
        raise AssertionError("unreachable")

    async def _hand(
        self,
        zygote: ZygoteClient,
        spare: Spare,
        job_id: int,
        seed: int,
        job_dir: str,
        code: bytes,
        check: bytes | None,
    ) -> tuple[tuple[int, ...], asyncio.Future[Done]]:
        readers: tuple[int, ...] = spare.fds
        if check is None:
            os.close(spare.fds[2])  # no check: its channel stays unread
            readers = spare.fds[:2]
        try:
            done = await zygote.submit(job_id, seed, job_dir, code, check, [], spare=spare)
        except BaseException:
            for fd in readers:
                os.close(fd)
            raise
        return readers, done

    async def _fork(
        self,
        zygote: ZygoteClient,
        job_id: int,
        seed: int,
        job_dir: str,
        code: bytes,
        check: bytes | None,
    ) -> tuple[tuple[int, ...], asyncio.Future[Done]]:
        # stdout, stderr and, with a check, the check's own channel.
        pipes = [os.pipe2(os.O_CLOEXEC) for _ in range(2 if check is None else 3)]
        try:
            done = await zygote.submit(job_id, seed, job_dir, code, check, [w for _, w in pipes])
        except BaseException:
            for r, _ in pipes:
                os.close(r)
            raise
        finally:
            for _, w in pipes:
                os.close(w)
        return tuple(r for r, _ in pipes), done

    async def _run_one(self, code: bytes, seed: int, check: bytes | None) -> RunResult:
        job_id = next(self._ids)
        readers: tuple[int, ...] = ()
        job_dir = ""
        try:
            zygote, job_dir, readers, done = await self._submit(job_id, seed, code, check)
            # The clock starts once the job has its code (a spare waiting for a run, or
            # a replacement zygote warming up after a crash, is not the learner's time).
            started = time.monotonic()
            result = await supervise(
                done=done,
                kill=lambda: zygote.kill(job_id),
                job_dir=job_dir,
                fds=readers,
                limits=self.limits,
                started=started,
            )
            if not done.done():
                zygote.terminate()  # it did not report a SIGKILLed job: wedged
        except BaseException:
            for fd in readers:
                try:
                    os.close(fd)
                except OSError:
                    pass
            raise
        finally:
            if job_dir:
                await self._remove(job_dir)
        self._jobs_run += 1
        self._after_job(zygote)
        return result

    def _after_job(self, zygote: ZygoteClient) -> None:
        if zygote in self._retiring:
            self._retire_when_idle(zygote)
        elif zygote is self._zygote and zygote.jobs_started >= self.limits.recycle_after:
            self._replace()

    async def _remove(self, job_dir: str) -> None:
        try:
            try:
                if os.listdir(job_dir):
                    await asyncio.to_thread(jobdir.remove_tree, job_dir)
                else:
                    os.rmdir(job_dir)
            except PermissionError:
                # A job running as another uid made part of its folder private.
                if not await self._clean_as_job_uid(job_dir):
                    raise
                os.rmdir(job_dir)
        except OSError:
            log.exception("sandbox: could not remove %s", job_dir)

    async def _clean_as_job_uid(self, job_dir: str) -> bool:
        try:
            zygote = await self._live_zygote()
        except SandboxBusy:
            return False
        return await zygote.clean(next(self._ids), job_dir)

    def _retry_after(self) -> float:
        return max(1.0, round(self.limits.wall_s * (self._queued + 1) / self.limits.workers / 4))

    def health(self) -> dict[str, object]:
        """Whether runs can be served, which layers apply, and how loaded the pool is."""
        zygote = self._zygote
        info = zygote.info if zygote is not None else {}
        layers = info.get("layers") or {
            "seccomp": False,
            "landlock": False,
            "landlock_abi": None,
            "uid_drop": False,
            "namespaces": False,
        }
        return {
            "ready": bool(zygote is not None and zygote.alive and not self._closed),
            "layers": dict(layers),
            "workers": self.limits.workers,
            "busy": self._busy,
            "queued": self._queued,
            "jobs_run": self._jobs_run,
            "zygote_restarts": self._restarts,
            "zygote_pid": zygote.pid if zygote is not None else None,
            "spares": zygote.spares_waiting if zygote is not None else 0,
            "warnings": list(info.get("warnings", [])),
        }

    async def close(self) -> None:
        """Stop every zygote and job; remove the jobs folder. Leaves no process behind."""
        self._closed = True
        if self._replacing is not None and not self._replacing.done():
            self._replacing.cancel()
            await asyncio.gather(self._replacing, return_exceptions=True)
        zygotes = [z for z in (self._zygote, *self._retiring) if z is not None]
        self._retiring.clear()
        await asyncio.gather(*(z.stop() for z in zygotes), *self._tasks, return_exceptions=True)
        # Runs in flight got their jobs killed with the zygote; let them clean up.
        deadline = time.monotonic() + 5
        while (self._busy or self._queued) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if self._root is not None:
            await asyncio.to_thread(jobdir.remove_tree, self._root)
            self._root = None
