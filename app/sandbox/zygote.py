"""The zygote: a warm, single-threaded Python holding torch, which forks one job per
request. Started with `python -I -m app.sandbox.zygote --fd N --config JSON` by the
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

from . import jobdir, landlock, privileges, protocol
from .job import JobContext, JobRequest, run_job
from .limits import Layers, Limits
from .probe import probe
from .warmup import readable_paths, warm_torch

log_prefix = "torchquiz sandbox zygote:"


class Zygote:
    def __init__(self, sock: socket.socket, ctx: JobContext) -> None:
        self.sock = sock
        self.ctx = ctx
        self.jobs: dict[int, int] = {}  # pid -> job id
        self.by_id: dict[int, int] = {}  # job id -> pid

    def serve(self) -> None:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        # The pool closes the socket (or dies): finish every job and leave.
        signal.signal(signal.SIGTERM, lambda *_: self.shutdown())
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, "control")
        sel.register(wake_r, selectors.EVENT_READ, "wake")
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
        header, payload, fds = msg
        op = header.get("op")
        if op == "run":
            self.start_job(header, payload, fds)
        elif op == "clean":
            self.start_clean(int(header["id"]), str(header["dir"]))
        elif op == "kill":
            self.kill(int(header["id"]))
        elif op == "stop":
            self.shutdown()
        for fd in fds:
            os.close(fd)

    def start_job(self, header: dict[str, Any], payload: bytes, fds: list[int]) -> None:
        job_id = int(header["id"])
        # The payload is the code, then the check's UTF-8 when the header gives its length.
        code, check = payload, None
        if header.get("check") is not None:
            split = len(payload) - int(header["check"])
            if not 0 <= split <= len(payload):
                self.report(job_id, None, 0.0, "bad check length")
                return
            code, check = payload[:split], payload[split:]
        if len(fds) != (2 if check is None else 3):
            self.report(job_id, None, 0.0, "expected two descriptors, three with a check")
            return
        req = JobRequest(
            seed=int(header["seed"]),
            job_dir=str(header["dir"]),
            code=code.decode("utf-8", "surrogatepass"),
            stdout_fd=fds[0],
            stderr_fd=fds[1],
            check=None if check is None else check.decode("utf-8", "surrogatepass"),
            check_fd=fds[2] if check is not None else None,
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
        # Drop this learner's code before the next fork copies it to someone else's job.
        del req, payload, code, check

    def start_clean(self, job_id: int, path: str) -> None:
        """Empty a job dir as the job uid: a web process that is neither root nor that uid
        cannot remove what a job made private (see jobdir.hand_over)."""
        parent = os.path.dirname(path)
        if not (
            self.ctx.uid_drop
            and os.path.realpath(path) == path
            and os.path.basename(path).startswith("job-")
            and os.path.basename(parent).startswith("torchquiz-sandbox-")
        ):
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
        while self.jobs:
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

    def report(self, job_id: int, status: int | None, cpu: float, error: str | None) -> None:
        try:
            protocol.send(
                self.sock,
                {"op": "done", "id": job_id, "status": status, "cpu": cpu, "error": error},
            )
        except OSError:
            self.shutdown()

    def shutdown(self) -> NoReturn:
        for pid in list(self.jobs):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in list(self.jobs):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        os._exit(0)


def prepare(limits: Limits, layers: Layers, app_dir: str) -> tuple[JobContext, dict[str, Any]]:
    started = time.monotonic()
    found = probe(layers)  # before torch: forking a probe child is cheap now
    warm_torch()
    base_filter = None
    if found.seccomp:
        from .seccomp_filter import build_base_filter

        base_filter = build_base_filter()
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
        seccomp=base_filter,
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
    ready = {
        "op": "ready",
        "pid": os.getpid(),
        "layers": found.as_dict(),
        "warnings": found.warnings,
        "warmup_s": round(time.monotonic() - started, 3),
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
