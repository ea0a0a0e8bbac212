"""How a finished job is turned into a RunResult: exit codes agreed with the harness,
signals, and the words the learner reads.

Runs in: the web process (reading exit codes) and the job (the codes it exits with).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from .limits import Limits
from .result import RunResult, Status

# Exit codes the harness uses to say why the snippet failed. A snippet can fake
# them (os._exit(103)); that only changes the words it is shown, never a verdict.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USER_MAX = 99  # sys.exit(n) is clamped to 1..99
EXIT_CHECKED = 100  # the snippet ended normally and the hidden check ran after it
EXIT_MEMORY = 101
EXIT_DISK = 102
EXIT_DENIED_PROCESS = 103
EXIT_DENIED_NETWORK = 104
EXIT_DENIED_FILES = 105
EXIT_DENIED_OTHER = 106
EXIT_SETUP_FAILED = 110

DENIED_REASONS = {
    EXIT_DENIED_PROCESS: "Not allowed here: creating or signalling other processes",
    EXIT_DENIED_NETWORK: "Not allowed here: network access",
    EXIT_DENIED_FILES: "Not allowed here: files outside the run's folder",
    EXIT_DENIED_OTHER: "Not allowed here: this system call",
}

_CRASHES = {
    signal.SIGSEGV: "Crashed: segmentation fault",
    signal.SIGBUS: "Crashed: bus error",
    signal.SIGILL: "Crashed: illegal instruction",
    signal.SIGFPE: "Crashed: arithmetic fault",
    signal.SIGABRT: "Crashed: aborted",
    signal.SIGSYS: "Not allowed here: this system call",
}


LOST_REASON = "The sandbox lost this run; please run it again"


@dataclass
class Stop:
    """Why the parent stopped a job itself, if it did."""

    kind: str  # "wall" | "output" | "disk" | "lost"


def time_reason(limits: Limits) -> str:
    return f"Time limit: stopped after {limits.wall_s:g} s of wall-clock time"


def cpu_reason(limits: Limits) -> str:
    return f"CPU time limit: stopped after {limits.cpu_s:g} s of processor time"


def disk_reason(limits: Limits) -> str:
    return (
        f"Disk limit: the run's folder may hold {limits.disk_mb} MB in at most {limits.files} files"
    )


def check_ran(wait_status: int | None, stop: Stop | None) -> bool:
    """Whether the job says its hidden check ran to the end (the snippet can fake this
    only with os._exit(EXIT_CHECKED), which shares the residual of writing to the check
    channel itself: see check.py)."""
    return (
        stop is None
        and wait_status is not None
        and os.WIFEXITED(wait_status)
        and os.WEXITSTATUS(wait_status) == EXIT_CHECKED
    )


def classify(
    wait_status: int | None,
    cpu_s: float,
    stop: Stop | None,
    limits: Limits,
    *,
    with_check: bool = False,
) -> tuple[Status, str | None]:
    """Map how the job ended to a status and the reason a learner reads."""
    if stop is not None:
        match stop.kind:
            case "wall":
                return "timeout", time_reason(limits)
            case "output":
                return "limit", f"Output cut at {limits.output_kb} KB"
            case "disk":
                return "limit", disk_reason(limits)
            case _:
                return "error", LOST_REASON
    if wait_status is None:
        return "error", LOST_REASON
    if os.WIFSIGNALED(wait_status):
        sig = os.WTERMSIG(wait_status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_s >= limits.cpu_s - 0.05):
            return "timeout", cpu_reason(limits)
        if sig == signal.SIGXFSZ:
            return "limit", disk_reason(limits)
        if sig in _CRASHES:
            return "error", _CRASHES[signal.Signals(sig)]
        return "error", f"Stopped by signal {signal.Signals(sig).name}"
    code = os.WEXITSTATUS(wait_status)
    if code == EXIT_OK or (with_check and code == EXIT_CHECKED):
        return "ok", None
    if code == EXIT_MEMORY:
        return "limit", f"Memory limit ({limits.memory_mb} MB) reached"
    if code == EXIT_DISK:
        return "limit", disk_reason(limits)
    if code in DENIED_REASONS:
        return "error", DENIED_REASONS[code]
    if code == EXIT_SETUP_FAILED:
        return "error", "The sandbox could not prepare this run; please run it again"
    return "error", None


def decode_output(data: bytes) -> str:
    """Job output as safe-to-handle text: invalid UTF-8 replaced, NUL bytes dropped."""
    return data.decode("utf-8", errors="replace").replace("\x00", "")


def make_result(
    *,
    status: Status,
    reason: str | None,
    stdout: bytes,
    stderr: bytes,
    truncated: bool,
    duration_ms: float,
    check_output: bytes | None = None,
) -> RunResult:
    return RunResult(
        status=status,
        stdout=decode_output(stdout),
        stderr=decode_output(stderr),
        truncated=truncated,
        duration_ms=duration_ms,
        reason=reason,
        check_output=decode_output(check_output) if check_output is not None else None,
    )
