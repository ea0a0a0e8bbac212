"""The forked job: lock itself down, then run the learner's code. Never returns.

Two ways in: run_job, a child forked for a run whose code it is given at once, and
run_spare, a child forked ahead of time that locks itself down, then waits on a socket
for its one run (see spares.py and handoff.py).

Runs in: the job, a child forked from the zygote.
"""

from __future__ import annotations

import fcntl
import io
import os
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass
from typing import NoReturn, TextIO

from . import handoff, harness, jobdir, landlock, outcome, privileges, scheduling, seccomp_filter
from .check import CHECK_FD
from .limits import Limits


@dataclass
class JobContext:
    """What the zygote prepared once for every job it forks."""

    limits: Limits
    zygote_pid: int
    seccomp: seccomp_filter.JobFilter | None  # None when the layer is off
    landlock_abi: int | None
    landlock_rules: list[landlock.PathRule]
    uid_drop: bool
    cap_drop: bool
    hidden_prefixes: tuple[str, ...]


@dataclass
class JobRequest:
    """A child forked for one run: its folder and pipes. Its code (and the hidden check
    that runs after it, see check.py) comes from the web process on `code_fd`."""

    job_dir: str
    stdout_fd: int
    stderr_fd: int
    code_fd: int  # its end of the socket the web process writes the run into
    check_fd: int | None = None  # the write end of the check's channel, with a check


@dataclass
class SpareRequest:
    """A child forked ahead of time: its pipes, but no code and no job dir yet."""

    stdout_fd: int
    stderr_fd: int
    check_fd: int  # the write end of the check channel, closed at hand-off without a check
    code_fd: int  # its end of the socket the run is handed over on (handoff.py)


# Where a job keeps, until it has its run, what it needs then (besides 0-2 and the
# check channel at CHECK_FD = 3).
CODE_FD = 4
RULESET_FD = 5


def _stream(fd: int) -> TextIO:
    # Line buffered so that a job killed for time still shows what it printed.
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace", line_buffering=True)


def _fresh_stdio(stdout_fd: int, stderr_fd: int) -> tuple[TextIO, TextIO]:
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)
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


def _leave_zygote(ctx: JobContext) -> None:
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
        # What the job creates stays readable (and removable) by the web process's group.
        os.umask(0o007)


def _drop_identity(ctx: JobContext) -> None:
    privileges.set_rlimits(ctx.limits, uid_dropped=ctx.uid_drop)
    if ctx.uid_drop:
        privileges.drop_to_job_user()
    elif ctx.cap_drop:
        privileges.drop_capabilities()


def _lock_down(ctx: JobContext, req: JobRequest) -> None:
    _leave_zygote(ctx)
    if ctx.uid_drop:
        jobdir.hand_over(req.job_dir)
    try:
        os.chdir(req.job_dir)
        entered = True
    except PermissionError:  # a zygote without CAP_DAC_OVERRIDE (launcher.py) enters
        entered = False  # the folder as the job uid, below
    rules = list(ctx.landlock_rules)
    job_rule = landlock.open_rule(req.job_dir, landlock.READ_WRITE)
    if job_rule is not None:
        rules.append(job_rule)
    _drop_identity(ctx)
    if not entered:
        os.chdir(req.job_dir)
    privileges.no_new_privs()
    if ctx.landlock_abi is not None:
        landlock.restrict_self(ctx.landlock_abi, rules)
    # Nothing the zygote holds (its control socket above all) may reach the snippet;
    # the code socket stays as CODE_FD until the run is read, and with a check its
    # channel as CHECK_FD. Moved up first, so that no dup2 overwrites another.
    code = fcntl.fcntl(req.code_fd, fcntl.F_DUPFD, CODE_FD + 1)
    if req.check_fd is not None:
        os.dup2(fcntl.fcntl(req.check_fd, fcntl.F_DUPFD, CODE_FD + 1), CHECK_FD)
    else:
        os.closerange(CHECK_FD, CHECK_FD + 1)
    os.dup2(code, CODE_FD)
    os.closerange(CODE_FD + 1, 1 << 16)
    _clean_environment(req.job_dir)


def _lock_down_spare(ctx: JobContext, req: SpareRequest) -> None:
    """Everything _lock_down does that does not need the job dir, which a spare is given
    only with its code (see _take_job_dir)."""
    _leave_zygote(ctx)
    _drop_identity(ctx)
    privileges.no_new_privs()
    # The ruleset first, while the zygote's rule descriptors are intact; then everything
    # kept away from the low numbers, so that no dup2 below overwrites another.
    ruleset = None
    if ctx.landlock_abi is not None:
        ruleset = landlock.create_ruleset(ctx.landlock_abi, ctx.landlock_rules)
        ruleset = fcntl.fcntl(ruleset, fcntl.F_DUPFD, RULESET_FD + 1)
    code = fcntl.fcntl(req.code_fd, fcntl.F_DUPFD, RULESET_FD + 1)
    check = fcntl.fcntl(req.check_fd, fcntl.F_DUPFD, RULESET_FD + 1)
    os.dup2(check, CHECK_FD)
    os.dup2(code, CODE_FD)
    first_closed = CODE_FD + 1
    if ruleset is not None:
        os.dup2(ruleset, RULESET_FD)
        first_closed = RULESET_FD + 1
    os.closerange(first_closed, 1 << 16)
    os.environ.clear()


def _take_job_dir(ctx: JobContext, handed: handoff.HandOff) -> None:
    """A spare's last step before the snippet: into its job dir, the only place Landlock
    then lets it write. The zygote has given the folder to the job uid already."""
    if handed.job_dir is None:
        raise handoff.HandOffError("a spare's hand-off carries its job dir")
    os.fchdir(handed.dir_fd)
    if ctx.landlock_abi is not None:
        rule = landlock.PathRule(handed.dir_fd, landlock.READ_WRITE, is_dir=True)
        landlock.add_rule(RULESET_FD, ctx.landlock_abi, rule)
        landlock.enforce(RULESET_FD)
        os.close(RULESET_FD)
    os.close(handed.dir_fd)
    _clean_environment(handed.job_dir)


def _setup_failed(exc: BaseException) -> NoReturn:
    os.write(2, f"sandbox setup failed: {type(exc).__name__}: {exc}\n".encode())
    os._exit(outcome.EXIT_SETUP_FAILED)


def _execute(ctx: JobContext, code: str, check: str | None, out: TextIO, err: TextIO) -> NoReturn:
    status = harness.execute(code, ctx.hidden_prefixes, out, err, check)
    for stream in (out, err):
        try:
            stream.flush()
        except BaseException:  # noqa: B036 - the snippet may have closed it
            pass
    # Skip atexit hooks and joins of threads the snippet left behind.
    os._exit(status)


def _receive_run(*, spare: bool) -> handoff.HandOff | None:
    # Seccomp is on already: receiving on a socket the job holds is allowed, making one
    # is not. Closed once read: the snippet cannot read the socket, nor wait on it.
    with socket.socket(fileno=CODE_FD) as channel:
        return handoff.receive(channel, with_dir=spare)


def run_job(ctx: JobContext, req: JobRequest) -> NoReturn:
    """Entry point of a child forked for one run; its code arrives on CODE_FD."""
    try:
        out, err = _fresh_stdio(req.stdout_fd, req.stderr_fd)
        _lock_down(ctx, req)
        if ctx.seccomp is not None:
            seccomp_filter.load_job_filter(ctx.seccomp, os.getpid())
        handed = _receive_run(spare=False)
        if handed is None:
            raise handoff.HandOffError("the run never arrived")
        harness.seed_everything(handed.seed)
        scheduling.check_same_as(ctx.zygote_pid)
    except BaseException as exc:  # noqa: B036 - never run user code half-confined
        _setup_failed(exc)
    _execute(ctx, handed.code, handed.check, out, err)


def run_spare(ctx: JobContext, req: SpareRequest) -> NoReturn:
    """Entry point of a spare: a child forked ahead of time that confines itself, then
    waits for its one run on CODE_FD, runs it and exits."""
    try:
        out, err = _fresh_stdio(req.stdout_fd, req.stderr_fd)
        _lock_down_spare(ctx, req)
        harness.seed_everything(0)  # the seed of nearly every run: paid before the code
        if ctx.seccomp is not None:
            seccomp_filter.load_job_filter(ctx.seccomp, os.getpid())
    except BaseException as exc:  # noqa: B036 - never wait half-confined
        _setup_failed(exc)
    try:
        handed = _receive_run(spare=True)
        if handed is None:
            os._exit(0)  # retired before it was used
        if handed.check is None:
            os.close(CHECK_FD)
        _take_job_dir(ctx, handed)
        if handed.seed != 0:
            harness.seed_everything(handed.seed)
        # It waited, maybe long, beside other learners' runs: it must not start slowed.
        scheduling.check_same_as(ctx.zygote_pid)
    except BaseException as exc:  # noqa: B036 - never run user code half-confined
        _setup_failed(exc)
    _execute(ctx, handed.code, handed.check, out, err)
