"""Process-level restrictions a job applies to itself: rlimits, prctl flags, identity.

Runs in: the zygote (probing) and the job (restricting itself).
"""

from __future__ import annotations

import ctypes
import math
import os
import resource

from .limits import JOB_GID, JOB_UID, Limits

_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_READ = 23
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522

# Capability numbers (linux/capability.h).
CAP_CHOWN = 0
CAP_KILL = 5
CAP_SETGID = 6
CAP_SETUID = 7
CAP_SETPCAP = 8
_LAST_CAP_FILE = "/proc/sys/kernel/cap_last_cap"

# Threads count against RLIMIT_NPROC per real uid, shared by every job of that uid.
_NPROC_WHEN_DROPPED = 256
_OPEN_FILES = 64

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, arg: int) -> None:
    if _libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl({option}): {os.strerror(err)}")


def die_with_parent(sig: int) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies."""
    _prctl(_PR_SET_PDEATHSIG, sig)


def no_new_privs() -> None:
    """Forbid gaining privileges (needed by seccomp and Landlock without CAP_SYS_ADMIN)."""
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)


def set_rlimits(limits: Limits, *, uid_dropped: bool) -> None:
    """Cap what the job may use; soft and hard limits alike, so it cannot raise them."""
    memory = limits.memory_mb << 20
    cpu = max(1, math.ceil(limits.cpu_s))
    fsize = limits.disk_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # SIGXCPU at the soft limit; the hard limit (one second on) is SIGKILL for
    # a job that ignores SIGXCPU.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_NOFILE, (_OPEN_FILES, _OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    if uid_dropped:
        # Not enforced for uid 0, and for another uid it would count the server's
        # own threads; only meaningful for the dedicated job uid.
        resource.setrlimit(resource.RLIMIT_NPROC, (_NPROC_WHEN_DROPPED, _NPROC_WHEN_DROPPED))


def drop_to_job_user() -> None:
    """Become the unprivileged job uid/gid, with no supplementary groups (needs root)."""
    os.setgroups([])
    os.setresgid(JOB_GID, JOB_GID, JOB_GID)
    os.setresuid(JOB_UID, JOB_UID, JOB_UID)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_capabilities() -> None:
    """Keep the uid but give up every capability (root without the uid drop layer)."""
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def _capget() -> tuple[int, int, int]:
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if _libc.capget(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capget: {os.strerror(err)}")

    def join(name: str) -> int:
        return int(getattr(data[0], name)) | int(getattr(data[1], name)) << 32

    return join("effective"), join("permitted"), join("inheritable")


def has_capabilities(*caps: int) -> bool:
    """Whether every capability in `caps` is in this process's effective set."""
    effective, _, _ = _capget()
    return all(effective >> cap & 1 for cap in caps)


def bounding_set() -> set[int]:
    """The capabilities this process (and anything it executes) could still hold."""
    with open(_LAST_CAP_FILE) as handle:
        last = int(handle.read())
    return {cap for cap in range(last + 1) if _libc.prctl(_PR_CAPBSET_READ, cap, 0, 0, 0) == 1}


def keep_only_capabilities(*caps: int) -> None:
    """Give up every capability but `caps`, for good: out of the bounding set too, so
    that executing a program as root never brings the others back."""
    # Dropping needs CAP_SETPCAP; without it (`--cap-drop ALL --cap-add ...`) the
    # engine has already left only what it granted in the bounding set.
    for cap in sorted(bounding_set() - set(caps)):
        _prctl(_PR_CAPBSET_DROP, cap)
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    mask = sum(1 << cap for cap in caps)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    for half in (0, 1):
        bits = (mask >> (32 * half)) & 0xFFFFFFFF
        data[half].effective = bits
        data[half].permitted = bits
        data[half].inheritable = 0
    if _libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def become(uid: int, gid: int) -> None:
    """Turn a root process into `uid`:`gid` for good (no way back, no capability left)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # Changing uid made the process non-dumpable, which makes /proc/self root's; the
    # process needs its own /proc entries (and nothing of its uid may trace it anyway).
    _prctl(_PR_SET_DUMPABLE, 1)
