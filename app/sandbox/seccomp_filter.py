"""The job's system-call filter, built with libseccomp (through pyseccomp).

Denied calls fail with EPERM rather than killing the job, so the learner sees a
plain Python error ("PermissionError: [Errno 1] Operation not permitted").
The zygote compiles the filter to BPF once, with a placeholder where the rules name
the job's own pid; each forked job writes its pid there and loads the program
(libseccomp compiling it again in every job cost ~1.5 ms of its CPU).

Runs in: the zygote (building the filter) and the job (loading it).
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import tempfile
from dataclasses import dataclass

import pyseccomp as sc

CLONE_THREAD = 0x00010000
# Namespace flags a thread-creating clone() could still carry.
_CLONE_NAMESPACES = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)

# Grouped by what the learner is told when one of them is refused.
IPC_CALLS = (
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
)
PROCESS_CALLS = ("execve", "execveat", "fork", "vfork", "setsid", "setpgid")
NETWORK_CALLS = ("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4")
DENIED_CALLS = (
    *PROCESS_CALLS,
    *NETWORK_CALLS,
    # other processes' memory and handles
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "tkill",
    # memory that escapes RLIMIT_AS accounting or the kernel's usual paths
    "memfd_create",
    "memfd_secret",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # namespaces and mounts
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    # kernel attack surface a snippet never needs
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "personality",
    "acct",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "modify_ldt",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "vhangup",
    "uselib",
    "name_to_handle_at",
    "open_by_handle_at",
    "mknod",
    "mknodat",
    "fanotify_init",
    "migrate_pages",
    "move_pages",
    "lookup_dcookie",
    # identity and limits are fixed by the harness before the filter is loaded
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "setfsuid",
    "setfsgid",
    "capset",
    "setrlimit",
    # SysV IPC and POSIX message queues: their objects belong to the IPC namespace, not
    # to the job, so they would outlive the run (memory no limit counts) and be there
    # for the next learner's run to read.
    *IPC_CALLS,
)
# Signals may only go to the job itself (arg 0 is the target pid or tgid).
SELF_SIGNAL_CALLS = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")

# Signal-driven I/O: the kernel signals a descriptor's owner when I/O is ready, checking
# only the uid, so an owner set to another job (every job is uid 65534) is kill() by
# another route. Setting an owner or a signal, or turning O_ASYNC on, is refused.
F_SETFL, F_SETOWN, F_SETSIG, F_SETOWN_EX = 4, 8, 10, 15
FIOSETOWN, SIOCSPGRP, FIOASYNC = 0x8901, 0x8902, 0x5452
# Scheduling calls act on whatever target they name: every process of the uid
# (PRIO_USER, IOPRIO_WHO_USER), a process group, or any pid of that uid, the waiting
# spares among them. Only the caller itself (target 0) may be changed.
SELF_SCHEDULING_CALLS = (
    "sched_setscheduler",
    "sched_setparam",
    "sched_setaffinity",
    "sched_setattr",
)
PRIO_PROCESS, IOPRIO_WHO_PROCESS = 0, 1


def _add(flt: sc.SyscallFilter, action: int, name: str, *args: sc.Arg) -> None:
    try:
        flt.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):
        # A call this architecture (or this libseccomp) does not know: nothing to deny.
        pass


def _int_arg(index: int, value: int) -> sc.Arg:
    """Argument `index` equals `value` as the kernel reads it: an `int` (or `unsigned
    int`) whose upper 32 bits it ignores, so they must not hide the value from the rule."""
    return sc.Arg(index, sc.MASKED_EQ, 0xFFFFFFFF, value)


def build_base_filter() -> sc.SyscallFilter:
    """The part of the filter that is the same for every job (built once, in the zygote)."""
    eperm = sc.ERRNO(errno.EPERM)
    flt = sc.SyscallFilter(sc.ALLOW)
    # A syscall made through another ABI (int 0x80, x32) would dodge every rule.
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    for name in DENIED_CALLS:
        _add(flt, eperm, name)
    # clone3 passes its flags in memory, out of seccomp's reach; ENOSYS makes glibc
    # fall back to clone(), whose flags we can check.
    _add(flt, sc.ERRNO(errno.ENOSYS), "clone3")
    _add(flt, eperm, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    for flag in _CLONE_NAMESPACES:
        _add(flt, eperm, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # Reading limits is fine (Python does it); raising them is not.
    _add(flt, eperm, "prlimit64", sc.Arg(2, sc.NE, 0))
    for cmd in (F_SETOWN, F_SETSIG, F_SETOWN_EX):
        _add(flt, eperm, "fcntl", _int_arg(1, cmd))
    _add(flt, eperm, "fcntl", _int_arg(1, F_SETFL), sc.Arg(2, sc.MASKED_EQ, os.O_ASYNC, os.O_ASYNC))
    for request in (FIOSETOWN, SIOCSPGRP, FIOASYNC):
        _add(flt, eperm, "ioctl", _int_arg(1, request))
    for name in SELF_SCHEDULING_CALLS:
        _add(flt, eperm, name, sc.Arg(0, sc.NE, 0))
    for name, self_kind in (("setpriority", PRIO_PROCESS), ("ioprio_set", IOPRIO_WHO_PROCESS)):
        _add(flt, eperm, name, sc.Arg(0, sc.NE, self_kind))
        _add(flt, eperm, name, sc.Arg(1, sc.NE, 0))
    return flt


# Stands for the job's pid in the compiled program: above any pid_max (2**22), so it
# cannot be a constant the filter needs for anything else.
_PID_PLACEHOLDER = 0x3FFFFFF1
_INSTRUCTION = struct.Struct("=HBBI")  # struct sock_filter: code, jt, jf, k
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_libc = ctypes.CDLL(None, use_errno=True)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@dataclass(frozen=True)
class JobFilter:
    """The job's filter as a BPF program, and where in it the job's pid goes."""

    program: bytes
    pid_offsets: tuple[int, ...]  # byte offsets of the `k` fields holding the placeholder


def compile_job_filter() -> JobFilter:
    """The whole job filter as BPF, the self-signal rules naming a placeholder pid."""
    flt = build_base_filter()
    eperm = sc.ERRNO(errno.EPERM)
    for name in SELF_SIGNAL_CALLS:
        _add(flt, eperm, name, sc.Arg(0, sc.NE, _PID_PLACEHOLDER))
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.seek(0)
        program = out.read()
    if not program or len(program) % _INSTRUCTION.size:
        raise RuntimeError("libseccomp exported no BPF program")
    offsets = tuple(
        at + 4
        for at in range(0, len(program), _INSTRUCTION.size)
        if _INSTRUCTION.unpack_from(program, at)[3] == _PID_PLACEHOLDER
    )
    if not offsets:
        raise RuntimeError("the compiled filter does not compare the pid")
    return JobFilter(program, offsets)


def load_job_filter(flt: JobFilter, pid: int) -> None:
    """Write this job's pid into the program and install it for good (needs
    PR_SET_NO_NEW_PRIVS, as libseccomp's own load does)."""
    program = bytearray(flt.program)
    for offset in flt.pid_offsets:
        struct.pack_into("=I", program, offset, pid)
    buffer = ctypes.create_string_buffer(bytes(program), len(program))
    fprog = _SockFprog(len(program) // _INSTRUCTION.size, ctypes.addressof(buffer))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp: {os.strerror(err)}")
