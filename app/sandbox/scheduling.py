"""A job's scheduling state: nice value, policy, CPU affinity and I/O priority.

Every job checks, before it takes code, that it has exactly the zygote's, as the zygote
has it now (an administrator may renice the whole server; jobs cannot change the
zygote's). Seccomp keeps jobs from changing any process's scheduling but their own
(seccomp_filter.py); this check is the second line: a spare that waited while something
changed it (a hole in the filter, another process of its uid) refuses the run rather
than hand the next learner a CPU starved by the previous one.

Runs in: the job.
"""

from __future__ import annotations

import ctypes
import os
import platform
from dataclasses import dataclass

# ioprio_get(2) has no wrapper in glibc or Python.
_IOPRIO_GET = {"x86_64": 252, "aarch64": 31}.get(platform.machine())
_IOPRIO_WHO_PROCESS = 1
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


@dataclass(frozen=True)
class Scheduling:
    nice: int
    policy: int
    affinity: frozenset[int]
    ioprio: int | None  # None where this architecture's call number is unknown here


def _ioprio(pid: int) -> int | None:
    if _IOPRIO_GET is None:
        return None
    value = int(_libc.syscall(_IOPRIO_GET, _IOPRIO_WHO_PROCESS, pid))
    if value < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"ioprio_get: {os.strerror(err)}")
    return value


def of(pid: int) -> Scheduling:
    """The scheduling state of process `pid` (0: this one). Reading another process's
    needs no privilege; only changing it is refused to jobs."""
    return Scheduling(
        nice=os.getpriority(os.PRIO_PROCESS, pid),
        policy=os.sched_getscheduler(pid),
        affinity=frozenset(os.sched_getaffinity(pid)),
        ioprio=_ioprio(pid),
    )


class SchedulingChanged(RuntimeError):
    """A job does not have the scheduling every job starts with."""


def check_same_as(pid: int) -> None:
    """Raise SchedulingChanged, naming what differs, unless this process has the
    scheduling state process `pid` has (its zygote)."""
    expected, now = of(pid), of(0)
    if now != expected:
        changed = [
            f"{name} {getattr(now, name)!r} (expected {getattr(expected, name)!r})"
            for name in ("nice", "policy", "affinity", "ioprio")
            if getattr(now, name) != getattr(expected, name)
        ]
        raise SchedulingChanged("scheduling changed before the run: " + ", ".join(changed))
