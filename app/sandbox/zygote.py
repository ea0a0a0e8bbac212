"""The zygote: a warm, single-threaded Python holding torch, which keeps a few jobs
forked ahead of time (spares.py) and hands each run to one, or forks one per request
when none is waiting. Started with `python -I -m app.sandbox.zygote --fd N --config JSON` by the
pool, never forked from the web process; it holds no secrets, config or DB handles.

Runs in: the zygote, its own process (started by zygote_client, never forked from the
web process).
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import selectors
import signal
import socket
import sys
import time
from typing import Any, NoReturn

from app.paths import APP_DIR

from . import handoff, jobdir, landlock, privileges, protocol
from .job import JobContext, JobRequest, run_job
from .limits import Layers, Limits
from .probe import probe
from .spares import Spares
from .warmup import collapse_huge_pages, readable_paths, warm_torch

log_prefix = "torchquiz sandbox zygote:"


class Zygote:
    def __init__(self, sock: socket.socket, ctx: JobContext) -> None:
        self.sock = sock
        self.ctx = ctx
        self.jobs: dict[int, int] = {}  # pid -> job id
        self.by_id: dict[int, int] = {}  # job id -> pid
        self.spares = Spares(ctx, ctx.limits.spares, self.send)

    def serve(self) -> None:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        # The pool closes the socket (or dies): finish every job and leave.
        signal.signal(signal.SIGTERM, lambda *_: self.shutdown())
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, "control")
        sel.register(wake_r, selectors.EVENT_READ, "wake")
        self.spares.fill()
        while True:
            for key, _ in sel.select():
                if key.data == "wake":
                    try:
                        os.read(wake_r, 4096)
                    except BlockingIOError:
                        pass
                    self.reap()
                else:
                    self.handle_control()

    def handle_control(self) -> None:
        try:
            msg = protocol.receive(self.sock)
        except (ConnectionError, protocol.ProtocolError):
            msg = None
        if msg is None:
            self.shutdown()
        # Learner code never comes this way (handoff.py): a message with a payload is
        # not one of ours.
        header, payload, fds = msg
        op = header.get("op") if not payload else None
        if op == "hand":
            self.hand_off(header)
        elif op == "run":
            self.start_job(header, fds)
        elif op == "clean":
            self.start_clean(int(header["id"]), str(header["dir"]))
        elif op == "kill":
            self.kill(int(header["id"]))
        elif op == "stop":
            self.shutdown()
        for fd in fds:
            os.close(fd)
        # While another spare waits, replace one handed a run only once the run has
        # ended (reap): a fork and a lock-down beside a run slow it down.
        if not self.spares.idle:
            self.spares.fill()

    def hand_off(self, header: dict[str, Any]) -> None:
        """Give the waiting spare the web process picked its job dir; the web process
        sends it the code itself. Replaced later (see handle_control and reap)."""
        job_id = int(header["id"])
        spare = self.spares.take(int(header["spare"]))
        if spare is None:  # it died while idle; the web process hears "spare_gone" too
            self.report(job_id, None, 0.0, "spare gone")
            return
        error = None
        dir_fd = -1
        try:
            job_dir = str(header["dir"])
            if not jobdir.is_job_dir(job_dir):
                raise ValueError("not a job folder")
            dir_fd = handoff.open_job_dir(job_dir)
            if self.ctx.uid_drop:
                jobdir.give_to_job_uid(dir_fd)
            handoff.send_job_dir(spare.channel, job_dir=job_dir, dir_fd=dir_fd)
        except (ValueError, OSError) as exc:
            error = f"cannot hand over: {exc}"
        finally:
            if dir_fd >= 0:
                os.close(dir_fd)
        # Without a job dir sent, the spare reads end-of-file (once the web process has
        # closed its end too) and exits unused.
        spare.channel.close()
        if error is not None:
            self.report(job_id, None, 0.0, error)
        else:
            self.jobs[spare.pid] = job_id
            self.by_id[job_id] = spare.pid

    def start_job(self, header: dict[str, Any], fds: list[int]) -> None:
        """Fork a job for one run: stdout, stderr, (with a check) its channel, and the
        socket the web process writes the code into."""
        job_id = int(header["id"])
        with_check = header.get("check") is True
        if len(fds) != (4 if with_check else 3):
            self.report(job_id, None, 0.0, "expected three descriptors, four with a check")
            return
        req = JobRequest(
            job_dir=str(header["dir"]),
            stdout_fd=fds[0],
            stderr_fd=fds[1],
            code_fd=fds[-1],
            check_fd=fds[2] if with_check else None,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            self.report(job_id, None, 0.0, f"fork failed: {exc}")
            return
        if pid == 0:
            try:
                run_job(self.ctx, req)
            finally:
                os._exit(110)
        self.jobs[pid] = job_id
        self.by_id[job_id] = pid

    def start_clean(self, job_id: int, path: str) -> None:
        """Empty a job dir as the job uid: a web process that is neither root nor that uid
        cannot remove what a job made private (see jobdir.hand_over)."""
        if not (self.ctx.uid_drop and jobdir.is_job_dir(path)):
            self.report(job_id, None, 0.0, "not a job folder")
            return
        try:
            pid = os.fork()
        except OSError as exc:
            self.report(job_id, None, 0.0, f"fork failed: {exc}")
            return
        if pid == 0:
            code = 1
            try:
                signal.set_wakeup_fd(-1)
                privileges.die_with_parent(signal.SIGKILL)
                privileges.drop_to_job_user()
                jobdir.remove_tree(path, keep_top=True)
                code = 0
            finally:
                os._exit(code)
        self.jobs[pid] = job_id
        self.by_id[job_id] = pid

    def kill(self, job_id: int) -> None:
        pid = self.by_id.get(job_id)
        if pid is None:
            return  # already reaped: its pid may belong to someone else now
        for killer in (os.killpg, os.kill):
            try:
                killer(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job_id = self.jobs.pop(pid, None)
            if job_id is not None:
                del self.by_id[job_id]
                self.report(job_id, status, usage.ru_utime + usage.ru_stime, None)
                self.spares.fill()
            else:
                self.spares.ended(pid, status)

    def report(self, job_id: int, status: int | None, cpu: float, error: str | None) -> None:
        self.send({"op": "done", "id": job_id, "status": status, "cpu": cpu, "error": error})

    def send(self, header: dict[str, Any], fds: list[int] | None = None) -> None:
        try:
            protocol.send(self.sock, header, fds=fds)
        except OSError:
            self.shutdown()

    def shutdown(self) -> NoReturn:
        for pid in [*self.jobs, *self.spares.pids()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in [*self.jobs, *self.spares.pids()]:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        os._exit(0)


def prepare(limits: Limits, layers: Layers, app_dir: str) -> tuple[JobContext, dict[str, Any]]:
    started = time.monotonic()
    found = probe(layers)  # before torch: forking a probe child is cheap now
    warm_torch()
    job_filter = None
    if found.seccomp:
        from .seccomp_filter import compile_job_filter

        job_filter = compile_job_filter()
    rules: list[landlock.PathRule] = []
    if found.landlock_abi is not None:
        for path in readable_paths(app_dir):
            rule = landlock.open_rule(path, landlock.READ_ONLY)
            if rule is not None:
                rules.append(rule)
        null = landlock.open_rule("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE)
        if null is not None:
            rules.append(null)
    hidden = tuple(
        sorted(
            {p for p in (sys.prefix, sys.base_prefix, os.path.dirname(app_dir)) if len(p) > 1},
            key=len,
            reverse=True,
        )
    )
    ctx = JobContext(
        limits=limits,
        zygote_pid=os.getpid(),
        seccomp=job_filter,
        landlock_abi=found.landlock_abi,
        landlock_rules=rules,
        uid_drop=found.uid_drop,
        cap_drop=found.cap_drop,
        hidden_prefixes=hidden,
    )
    # Objects that exist now are never collected; children then do not touch (copy)
    # the pages that hold them when the collector runs.
    gc.collect()
    gc.freeze()
    huge_mb = collapse_huge_pages()
    ready = {
        "op": "ready",
        "pid": os.getpid(),
        "layers": found.as_dict(),
        "warnings": found.warnings,
        "warmup_s": round(time.monotonic() - started, 3),
        "huge_pages_mb": huge_mb,
    }
    return ctx, ready


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    config = json.loads(args.config)
    sock = socket.socket(fileno=args.fd)
    sock.setblocking(True)
    try:
        ctx, ready = prepare(Limits(**config["limits"]), Layers(**config["layers"]), str(APP_DIR))
    except Exception as exc:
        print(log_prefix, "failed to start:", repr(exc), file=sys.stderr)  # noqa: T201
        raise
    try:
        protocol.send(sock, ready)
    except OSError as exc:
        if exc.errno in (errno.EPIPE, errno.ECONNRESET):
            os._exit(0)
        raise
    Zygote(sock, ctx).serve()


if __name__ == "__main__":
    main()
