"""Landlock through ctypes: the job sees the Python installation read-only, its own dir
read-write, and nothing else (the app's source, data dir, DB and secrets among it).

Runs in: the zygote (probing) and the job (restricting itself).
"""

from __future__ import annotations

import ctypes
import os
import stat
from dataclasses import dataclass

# Landlock has the same numbers on every architecture (the unified table after 424).
_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

# Rights that make sense on a file (the kernel refuses directory rights on one).
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

READ_ONLY = EXECUTE | READ_FILE | READ_DIR
READ_WRITE = (
    READ_ONLY
    | WRITE_FILE
    | REMOVE_DIR
    | REMOVE_FILE
    | MAKE_DIR
    | MAKE_REG
    | MAKE_SYM
    | REFER
    | TRUNCATE
)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int | None:
    """The Landlock ABI the kernel offers, or None when Landlock is missing or disabled."""
    res = _libc.syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
    )
    return int(res) if res > 0 else None


def _handled_fs(abi: int) -> int:
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= REFER
    if abi >= 3:
        handled |= TRUNCATE
    if abi >= 5:
        handled |= IOCTL_DEV
    return handled


@dataclass(frozen=True)
class PathRule:
    """An O_PATH descriptor opened ahead of time, and the rights granted beneath it."""

    fd: int
    access: int
    is_dir: bool


def open_rule(path: str, access: int) -> PathRule | None:
    """Open `path` for a rule; None if it does not exist on this host."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None
    is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
    return PathRule(fd, access if is_dir else access & _FILE_RIGHTS, is_dir)


def _check(res: int, what: str) -> int:
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock {what}: {os.strerror(err)}")
    return res


def restrict_self(abi: int, rules: list[PathRule]) -> None:
    """Confine the calling process (and its future threads) to `rules`, for good.

    The caller must have set PR_SET_NO_NEW_PRIVS already.
    """
    ruleset = create_ruleset(abi, rules)
    try:
        enforce(ruleset)
    finally:
        os.close(ruleset)


def create_ruleset(abi: int, rules: list[PathRule]) -> int:
    """A ruleset descriptor holding `rules`, not enforced yet: a spare prepares it before
    it knows its job dir, then adds that one rule (add_rule) and enforces it."""
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, 0, 0)
    size = 8
    if abi >= 4:
        # No rule for any port: TCP bind and connect are denied even if seccomp is off.
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        # Signals and abstract unix sockets may not reach outside the job.
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = _check(
        _libc.syscall(
            _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
        ),
        "create_ruleset",
    )
    try:
        for rule in rules:
            add_rule(ruleset, abi, rule)
    except BaseException:
        os.close(ruleset)
        raise
    return ruleset


def add_rule(ruleset: int, abi: int, rule: PathRule) -> None:
    """Grant `rule` in a ruleset that is not enforced yet."""
    beneath = _PathBeneathAttr(rule.access & _handled_fs(abi), rule.fd)
    _check(
        _libc.syscall(
            _SYS_ADD_RULE,
            ctypes.c_int(ruleset),
            ctypes.c_int(_RULE_PATH_BENEATH),
            ctypes.byref(beneath),
            ctypes.c_uint32(0),
        ),
        "add_rule",
    )


def enforce(ruleset: int) -> None:
    """Confine the calling process to `ruleset`, for good (needs PR_SET_NO_NEW_PRIVS)."""
    _check(
        _libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
        "restrict_self",
    )
