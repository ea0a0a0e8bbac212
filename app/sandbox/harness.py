"""What runs inside the job around the learner's code: seeding, executing, and telling
the parent (through the exit code) why it failed.

Runs in: the job: it wraps the learner's code.
"""

from __future__ import annotations

import builtins
import errno
import linecache
import os
import random
import sys
import threading
import traceback
from types import TracebackType
from typing import TextIO

from . import check as hidden_check
from . import outcome

SNIPPET = "<snippet>"

# Audit events that say what the snippet was trying to do when an OSError follows.
_PROCESS_EVENTS = frozenset(
    {
        "os.fork",
        "os.forkpty",
        "os.posix_spawn",
        "os.exec",
        "os.spawn",
        "os.system",
        "subprocess.Popen",
        "pty.spawn",
        "os.kill",
        "os.killpg",
        "os.setsid",
        "os.setpgid",
    }
)
_FILE_EVENTS = frozenset(
    {
        "open",
        "os.rename",
        "os.link",
        "os.symlink",
        "os.mkdir",
        "os.remove",
        "os.rmdir",
        "os.chmod",
        "os.chown",
        "os.listdir",
        "os.scandir",
        "os.truncate",
        "os.utime",
        "shutil.copyfile",
        "shutil.rmtree",
        "shutil.move",
        "os.chdir",
    }
)


class _LastAttempt:
    """Remembers the kind of the last sensitive operation (an audit hook)."""

    def __init__(self) -> None:
        self.kind = ""
        self.tried: set[str] = set()

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if event.startswith("socket."):
            self.kind = "network"
        elif event in _PROCESS_EVENTS:
            self.kind = "process"
        elif event in _FILE_EVENTS:
            self.kind = "files"
        elif event.startswith("ctypes."):
            self.kind = "other"
        else:
            return
        self.tried.add(self.kind)


def seed_everything(seed: int) -> None:
    """Same code, same output: seed every generator a snippet is likely to use."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    # The CPU generator is the only one a job has. torch.manual_seed() would also queue
    # a lazy CUDA seeding with a formatted stack (linecache reading torch's sources):
    # ~2 ms of every job's CPU for nothing.
    torch.default_generator.manual_seed(seed)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 20:
        e = todo.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        reason = getattr(e, "reason", None)  # urllib's URLError wraps the socket error
        todo += [e.__cause__, e.__context__, reason if isinstance(reason, BaseException) else None]
    return seen


def limit_exit_code(exc: BaseException) -> int | None:
    """The exit code of the limit behind `exc` (memory, disk), if it is one."""
    for e in _chain(exc):
        if isinstance(e, MemoryError):
            return outcome.EXIT_MEMORY
        if isinstance(e, RuntimeError) and "can't allocate memory" in str(e):
            return outcome.EXIT_MEMORY
        if isinstance(e, OSError) and e.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
            return outcome.EXIT_DISK
    return None


def _exit_code_for(exc: BaseException, last: _LastAttempt) -> int:
    limit = limit_exit_code(exc)
    if limit is not None:
        return limit
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.EPERM, errno.EACCES, errno.EROFS):
            kind = last.kind or ("files" if e.filename else "other")
            return {
                "network": outcome.EXIT_DENIED_NETWORK,
                "process": outcome.EXIT_DENIED_PROCESS,
                "files": outcome.EXIT_DENIED_FILES,
            }.get(kind, outcome.EXIT_DENIED_OTHER)
    # Libraries that turn the refused call into their own error ("no internet
    # connection"): every socket and process attempt is refused, so name it.
    if "network" in last.tried:
        return outcome.EXIT_DENIED_NETWORK
    if "process" in last.tried:
        return outcome.EXIT_DENIED_PROCESS
    return outcome.EXIT_ERROR


def _hide_paths(text: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        text = text.replace(prefix, "…")
    return text


def format_error(exc: BaseException, code: str, hidden_prefixes: tuple[str, ...]) -> str:
    """A traceback of the snippet's own frames only: no harness, no library paths."""
    if code:
        linecache.cache[SNIPPET] = (len(code), None, code.splitlines(True), SNIPPET)
    tb: TracebackType | None = exc.__traceback__
    frames = [(f, n) for f, n in traceback.walk_tb(tb) if f.f_code.co_filename == SNIPPET]
    lines: list[str] = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.StackSummary.extract(iter(frames)).format()
    try:
        lines += traceback.format_exception_only(type(exc), exc)
    except Exception:  # an exception whose __str__ itself fails
        lines.append(f"{type(exc).__name__}\n")
    return _hide_paths("".join(lines), hidden_prefixes)


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return outcome.EXIT_OK
    if isinstance(exc.code, int) and not isinstance(exc.code, bool):
        return min(max(exc.code, 0), outcome.EXIT_USER_MAX) if exc.code else outcome.EXIT_OK
    print(exc.code, file=sys.stderr)  # noqa: T201 - Python's own behaviour for sys.exit("msg")
    return outcome.EXIT_ERROR


def quiet_hooks(hidden_prefixes: tuple[str, ...], err: TextIO) -> None:
    """Errors Python reports on its own (in __del__, in threads) keep server paths out too."""

    def unraisable(info: sys.UnraisableHookArgs) -> None:
        exc = info.exc_value
        text = f"Exception ignored: {type(exc).__name__}: {exc}\n" if exc else ""
        err.write(_hide_paths(text, hidden_prefixes))

    def in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            err.write(f"Exception in thread {getattr(args.thread, 'name', '?')}:\n")
            err.write(format_error(args.exc_value, "", hidden_prefixes))

    sys.unraisablehook = unraisable
    threading.excepthook = in_thread


def execute(
    code: str,
    hidden_prefixes: tuple[str, ...],
    out: TextIO,
    err: TextIO,
    check: str | None = None,
) -> int:
    """Run the snippet as __main__, then the hidden `check` if it ended normally; return
    the exit code the job should end with.

    `out` and `err` are the harness's own stdout and stderr, which the snippet may have
    replaced in sys.
    """
    last = _LastAttempt()
    sys.addaudithook(last)
    quiet_hooks(hidden_prefixes, err)
    namespace: dict[str, object] = {"__name__": "__main__", "__builtins__": builtins}
    saved = hidden_check.Saved(out, err) if check is not None else None
    try:
        exec(compile(code, SNIPPET, "exec", dont_inherit=True), namespace)
        status = outcome.EXIT_OK
    except SystemExit as exc:
        return _system_exit_code(exc)  # the snippet did not finish: no check
    except BaseException as exc:  # noqa: B036 - every failure of the snippet is reported
        status = _exit_code_for(exc, last)
        try:
            err.write(format_error(exc, code, hidden_prefixes))
        except BaseException:  # noqa: B036 - e.g. MemoryError while formatting
            os.write(2, f"{type(exc).__name__}\n".encode())
        return status
    if check is None or saved is None:
        return status
    return hidden_check.run_check(check, namespace, saved, hidden_prefixes, limit_exit_code)
