"""The forked job: lock itself down, then run the learner's code. Never returns.

Runs in: the job, a child forked from the zygote.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO

from . import harness, jobdir, landlock, outcome, privileges, seccomp_filter
from .check import CHECK_FD
from .limits import Limits


@dataclass
class JobContext:
    """What the zygote prepared once for every job it forks."""

    limits: Limits
    zygote_pid: int
    seccomp: Any  # the base pyseccomp filter (untyped library), or None when the layer is off
    landlock_abi: int | None
    landlock_rules: list[landlock.PathRule]
    uid_drop: bool
    cap_drop: bool
    hidden_prefixes: tuple[str, ...]


@dataclass
class JobRequest:
    seed: int
    job_dir: str
    code: str
    stdout_fd: int
    stderr_fd: int
    check: str | None = None  # hidden code to run after `code` (see check.py)
    check_fd: int | None = None  # the write end of its channel, with a check


def _stream(fd: int) -> TextIO:
    # Line buffered so that a job killed for time still shows what it printed.
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", line_buffering=True)


def _fresh_stdio(req: JobRequest) -> tuple[TextIO, TextIO]:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(req.stdout_fd, 1)
    os.dup2(req.stderr_fd, 2)
    out, err = _stream(1), _stream(2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = out
    sys.stderr = err
    # The originals point at the zygote's stdio; the snippet should find ours there too.
    setattr(sys, "__stdout__", out)  # noqa: B010
    setattr(sys, "__stderr__", err)  # noqa: B010
    return out, err


def _clean_environment(job_dir: str) -> None:
    os.environ.clear()
    os.environ.update({"HOME": job_dir, "TMPDIR": job_dir, "LANG": "C.UTF-8", "PATH": "/"})
    tempfile.tempdir = job_dir


def _lock_down(ctx: JobContext, req: JobRequest) -> None:
    os.setsid()
    privileges.die_with_parent(signal.SIGKILL)
    if os.getppid() != ctx.zygote_pid:  # the zygote died before prctl took effect
        os._exit(outcome.EXIT_SETUP_FAILED)
    # Undo the zygote's own signal plumbing; a file over RLIMIT_FSIZE should be an
    # OSError the harness can name, not a silent SIGXFSZ death.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if ctx.uid_drop:
        jobdir.hand_over(req.job_dir)
        # What the job creates stays readable (and removable) by the web process's group.
        os.umask(0o007)
    try:
        os.chdir(req.job_dir)
        entered = True
    except PermissionError:  # a zygote without CAP_DAC_OVERRIDE (launcher.py) enters
        entered = False  # the folder as the job uid, below
    rules = list(ctx.landlock_rules)
    job_rule = landlock.open_rule(req.job_dir, landlock.READ_WRITE)
    if job_rule is not None:
        rules.append(job_rule)
    privileges.set_rlimits(ctx.limits, uid_dropped=ctx.uid_drop)
    if ctx.uid_drop:
        privileges.drop_to_job_user()
    elif ctx.cap_drop:
        privileges.drop_capabilities()
    if not entered:
        os.chdir(req.job_dir)
    privileges.no_new_privs()
    if ctx.landlock_abi is not None:
        landlock.restrict_self(ctx.landlock_abi, rules)
    # Nothing the zygote holds (its control socket above all) may reach the snippet;
    # with a check, its channel stays, as CHECK_FD (3).
    first_closed = 3
    if req.check_fd is not None:
        os.dup2(req.check_fd, CHECK_FD)
        first_closed = CHECK_FD + 1
    os.closerange(first_closed, 1 << 16)
    _clean_environment(req.job_dir)


def run_job(ctx: JobContext, req: JobRequest) -> NoReturn:
    """Entry point of the forked child."""
    try:
        out, err = _fresh_stdio(req)
        _lock_down(ctx, req)
        harness.seed_everything(req.seed)
        if ctx.seccomp is not None:
            seccomp_filter.load_job_filter(ctx.seccomp, os.getpid())
    except BaseException as exc:  # noqa: B036 - never run user code half-confined
        os.write(2, f"sandbox setup failed: {type(exc).__name__}: {exc}\n".encode())
        os._exit(outcome.EXIT_SETUP_FAILED)
    status = harness.execute(req.code, ctx.hidden_prefixes, out, err, req.check)
    for stream in (out, err):
        try:
            stream.flush()
        except BaseException:  # noqa: B036 - the snippet may have closed it
            pass
    # Skip atexit hooks and joins of threads the snippet left behind.
    os._exit(status)
