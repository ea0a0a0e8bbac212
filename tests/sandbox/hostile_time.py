"""Hostile snippets about isolation in time: nothing a run creates or changes may outlive
it or be seen by a later run (DESIGN.md, "Runs are isolated in time as well as space").

`CASES` are single runs, checked like those of hostile_cases.py. `SEQUENCES` are a first
run (learner A) followed by later runs (learner B) whose output must show nothing of A.
Every attempt uses a harmless target or value, so that a sandbox that fails to deny a
call fails the case without hurting the test run (e.g. a nice value set to what it was).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from .hostile_cases import HostileCase, status, stdout_has

# SysV keys the IPC cases use: the battery removes any object under them afterwards.
SYSV_KEYS = range(0x7451A0, 0x7451A8)

_LIBC = "import ctypes, errno, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"

# Each call prints `<name> <result> <errno>`; denied is `-1 1` (EPERM).
_IPC = (
    _LIBC
    + f"KEY = {SYSV_KEYS.start}\n"
    + """def show(name, result):
    print(name, result, ctypes.get_errno() if result == -1 else 0)
libc.shmat.restype = ctypes.c_void_p
show('shmget', libc.shmget(KEY, 1 << 20, 0o1000 | 0o600))
show('msgget', libc.msgget(KEY + 1, 0o1000 | 0o600))
show('semget', libc.semget(KEY + 2, 1, 0o1000 | 0o600))
show('mq_open', libc.mq_open(b'/tq-hostile-mq', os.O_CREAT | os.O_RDWR, 0o600, None))
"""
)
IPC_DENIED = ("shmget -1 1", "msgget -1 1", "semget -1 1", "mq_open -1 1")

# Signal-driven I/O aims the kernel's signals at any pid (checked only by uid), the way
# around the self-only kill() rule. The target here is the job itself: harmless.
_FOWN = (
    _LIBC
    + """import fcntl, struct
F_SETSIG, F_SETOWN_EX, FIOSETOWN, SIOCSPGRP, FIOASYNC = 10, 15, 0x8901, 0x8902, 0x5452
r, w = os.pipe()
me = os.getpid()
def attempt(name, call):
    try:
        call()
        print(name, 'allowed')
    except OSError as e:
        print(name, 'denied' if e.errno == errno.EPERM else e.errno)
attempt('F_SETOWN', lambda: fcntl.fcntl(r, fcntl.F_SETOWN, me))
attempt('F_SETOWN_EX', lambda: fcntl.fcntl(r, F_SETOWN_EX, struct.pack('ii', 1, me)))
attempt('F_SETSIG', lambda: fcntl.fcntl(r, F_SETSIG, 9))
flags = fcntl.fcntl(r, fcntl.F_GETFL)
attempt('O_ASYNC', lambda: fcntl.fcntl(r, fcntl.F_SETFL, flags | os.O_ASYNC))
attempt('FIOSETOWN', lambda: fcntl.ioctl(r, FIOSETOWN, struct.pack('i', me)))
attempt('SIOCSPGRP', lambda: fcntl.ioctl(r, SIOCSPGRP, struct.pack('i', me)))
attempt('FIOASYNC', lambda: fcntl.ioctl(r, FIOASYNC, struct.pack('i', 1)))
attempt('O_NONBLOCK', lambda: os.set_blocking(r, False))
# The kernel reads the command as a 32-bit int: bits above must not hide it from the rule.
libc.syscall.restype = ctypes.c_long
FCNTL = {'x86_64': 72, 'aarch64': 25}[os.uname().machine]
def high_bits():
    cmd = ctypes.c_long(fcntl.F_SETOWN | (1 << 32))
    if libc.syscall(FCNTL, ctypes.c_long(r), cmd, ctypes.c_long(me)) == -1:
        raise OSError(ctypes.get_errno(), 'fcntl')
attempt('F_SETOWN_HIGH_BITS', high_bits)
"""
)
FOWN_DENIED = tuple(
    f"{name} denied"
    for name in ("F_SETOWN", "F_SETOWN_EX", "F_SETSIG", "O_ASYNC", "FIOSETOWN", "SIOCSPGRP")
) + ("FIOASYNC denied", "O_NONBLOCK allowed", "F_SETOWN_HIGH_BITS denied")

# Scheduling of anything but the caller: all processes of the job uid (the waiting spares
# among them), or another thread. Each value set is the one already in force.
_SCHED = (
    _LIBC
    + """import threading, time
IOPRIO_GET, IOPRIO_SET = {'x86_64': (252, 251), 'aarch64': (31, 30)}[os.uname().machine]
libc.syscall.restype = ctypes.c_long
def attempt(name, call):
    try:
        call()
        print(name, 'allowed')
    except OSError as e:
        print(name, 'denied' if e.errno == errno.EPERM else e.errno)
def ioprio_set(which, who, prio):
    if libc.syscall(IOPRIO_SET, which, who, prio) == -1:
        raise OSError(ctypes.get_errno(), 'ioprio_set')
other = threading.Thread(target=time.sleep, args=(2,), daemon=True)
other.start()
tid = other.native_id
nice = os.getpriority(os.PRIO_PROCESS, 0)
attempt('setpriority_user', lambda: os.setpriority(os.PRIO_USER, 0, nice))
attempt('setpriority_pgrp', lambda: os.setpriority(os.PRIO_PGRP, os.getpgid(0), nice))
attempt('setpriority_thread', lambda: os.setpriority(os.PRIO_PROCESS, tid, nice))
attempt('sched_setscheduler', lambda: os.sched_setscheduler(tid, os.SCHED_OTHER, os.sched_param(0)))
attempt('sched_setparam', lambda: os.sched_setparam(tid, os.sched_param(0)))
attempt('sched_setaffinity', lambda: os.sched_setaffinity(tid, os.sched_getaffinity(0)))
prio = libc.syscall(IOPRIO_GET, 1, 0)
attempt('ioprio_set_user', lambda: ioprio_set(3, os.getuid(), prio))
attempt('ioprio_set_thread', lambda: ioprio_set(1, tid, prio))
attempt('self_nice', lambda: os.setpriority(os.PRIO_PROCESS, 0, nice))
attempt('self_affinity', lambda: os.sched_setaffinity(0, os.sched_getaffinity(0)))
attempt('self_ioprio', lambda: ioprio_set(1, 0, prio))
"""
)
SCHED_DENIED = tuple(
    f"{name} denied"
    for name in (
        "setpriority_user",
        "setpriority_pgrp",
        "setpriority_thread",
        "sched_setscheduler",
        "sched_setparam",
        "sched_setaffinity",
        "ioprio_set_user",
        "ioprio_set_thread",
    )
) + ("self_nice allowed", "self_affinity allowed", "self_ioprio allowed")

CASES: list[HostileCase] = [
    HostileCase(
        "sysv_ipc_and_mqueues",
        "isolation in time",
        _IPC,
        stdout_has(*IPC_DENIED, then=status("ok")),
    ),
    HostileCase(
        "fown_signals",
        "signals",
        _FOWN,
        stdout_has(*FOWN_DENIED, then=status("ok")),
    ),
    HostileCase(
        "scheduling_of_others",
        "isolation in time",
        _SCHED,
        stdout_has(*SCHED_DENIED, then=status("ok")),
    ),
]


@dataclass(frozen=True)
class Sequence:
    """Learner A runs `first` (with `answer_to`, as an answer to that code question, whose
    hidden check runs after it); then `later` runs `times` times and must never print
    anything matching `leak` (a regex over stdout)."""

    name: str
    first: str
    later: str
    leak: str
    times: int = 1
    answer_to: str | None = None  # "topic/question"


# A run that scans its own address space for two patterns: the marker of A's code and
# the one A printed. Every readable mapping that can hold data: writable or anonymous
# (a read-only mapping of a file is that file, a library; skipping them keeps the scan
# within the time limit on a busy machine). Neither pattern's full form appears in this
# code (only its prefix, followed by non-hex), so the scan cannot find itself.
_SCAN = """import ctypes, re
found = set()
pattern = re.compile(rb'(?:TQCODE|TQOUT)[0-9a-f]{24}')
libc = ctypes.CDLL(None)
try:
    with open('/proc/self/maps') as maps:
        regions = []
        for fields in (line.split() for line in maps):
            data = fields[1][1] == 'w' or len(fields) < 6
            if fields[1][0] == 'r' and data and not (len(fields) > 5 and fields[5][:2] == '[v'):
                regions.append([int(x, 16) for x in fields[0].split('-')])
except OSError:  # Landlock hides /proc: the malloc heap, where freed code would lie
    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in 'abcdefghij']
    libc.sbrk.restype = ctypes.c_void_p
    libc.sbrk.argtypes = [ctypes.c_long]
    libc.mallinfo2.restype = Info
    top = libc.sbrk(0)
    regions = [[top - libc.mallinfo2().a, top]]
total = 0
for start, end in regions:
    at, tail = start, b''
    while at < end:
        size = min(1 << 22, end - at)
        chunk = tail + ctypes.string_at(at, size)
        found.update(m.group().decode() for m in pattern.finditer(chunk))
        tail, at, total = chunk[-40:], at + size, total + size
print('scanned', len(regions), 'regions', total >> 20, 'MB')
print('found', sorted(found))
"""


def _heap_sequence(name: str, *, answer_to: str | None = None, times: int = 20) -> Sequence:
    code_marker = "TQCODE" + secrets.token_hex(12)
    first = (
        f"# {code_marker}\n"
        f"note = {code_marker!r} * 200\n"
        # What A prints is made at run time: it is not in A's code.
        "import hashlib, torch\n"
        "print('TQOUT' + hashlib.sha256(note.encode()).hexdigest()[:24])\n"
        # Right for tests/fixtures/quizzes/kinds.yaml's scale-rows, when it is answered.
        "x = torch.arange(6.0).reshape(2, 3)\n"
        "w = x * torch.tensor([[1.0], [2.0]])\n"
    )
    return Sequence(
        name, first, _SCAN, leak=r"TQ(?:CODE|OUT)[0-9a-f]{24}", times=times, answer_to=answer_to
    )


_SHM_WRITE = (
    _LIBC
    + f"KEY = {SYSV_KEYS.start + 4}\n"
    + """libc.shmat.restype = ctypes.c_void_p
sid = libc.shmget(KEY, 4096, 0o1000 | 0o666)
if sid >= 0:
    at = libc.shmat(sid, None, 0)
    ctypes.memmove(at, b'TQIPC-LEARNER-A-NOTE', 20)
qid = libc.msgget(KEY + 1, 0o1000 | 0o666)
if qid >= 0:
    msg = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 32)
    ctypes.c_long.from_buffer(msg).value = 1
    msg[ctypes.sizeof(ctypes.c_long):ctypes.sizeof(ctypes.c_long) + 20] = b'TQIPC-LEARNER-A-MESG'
    libc.msgsnd(qid, msg, 20, 0o4000)
print('A wrote', sid, qid)
"""
)
_SHM_READ = (
    _LIBC
    + f"KEY = {SYSV_KEYS.start + 4}\n"
    + """libc.shmat.restype = ctypes.c_void_p
sid = libc.shmget(KEY, 0, 0)
if sid >= 0:
    print('READ', ctypes.string_at(libc.shmat(sid, None, 0o10000), 20))
qid = libc.msgget(KEY + 1, 0)
if qid >= 0:
    msg = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 32)
    n = libc.msgrcv(qid, msg, 32, 0, 0o4000)
    print('READ', msg.raw[ctypes.sizeof(ctypes.c_long):][:max(n, 0)])
print('B done', sid, qid)
"""
)


def sequences() -> list[Sequence]:
    """The cross-run cases, with fresh markers for each test session."""
    return [
        _heap_sequence("heap_remnants_of_previous_learner"),
        # An answer carries the question's hidden check to the job as well.
        _heap_sequence("heap_remnants_of_an_answer", answer_to="kinds/scale-rows", times=5),
        Sequence("sysv_cross_learner", _SHM_WRITE, _SHM_READ, leak=r"TQIPC-LEARNER-A"),
    ]


def leaked(sequence: Sequence, stdout: str) -> list[str]:
    """What of learner A a later run printed."""
    return re.findall(sequence.leak, stdout)


def remove_sysv_objects() -> list[str]:
    """Remove SysV objects under SYSV_KEYS (only a sandbox that let a case through makes
    them); what was found."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    for kind, remove in (("shm", libc.shmctl), ("msg", libc.msgctl), ("sem", libc.semctl)):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = [line.split() for line in table][1:]
        except OSError:
            continue
        for row in rows:
            key, ident = int(row[0]), int(row[1])
            if key in SYSV_KEYS:
                found.append(f"{kind} {key:#x}")
                if kind == "sem":
                    remove(ident, 0, 0)  # IPC_RMID
                else:
                    remove(ident, 0, None)
    return found


def remove_mqueue() -> bool:
    """Remove the POSIX queue the IPC case tries to make; whether it existed."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.mq_unlink(b"/tq-hostile-mq") == 0)


__all__ = [
    "CASES",
    "Sequence",
    "leaked",
    "remove_mqueue",
    "remove_sysv_objects",
    "sequences",
]
