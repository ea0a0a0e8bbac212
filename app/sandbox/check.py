"""The hidden check of a code exercise: author code that runs after the learner's code,
in the same globals, and prints its observations on a channel of its own (CHECK_FD).

The web process grades by comparing what the check printed after the learner's code
with what it printed after the author's solution, so the learner's own output (which
may say anything, "PASS" included) never decides the verdict. Before the check runs,
the state a learner could have tampered with to change what the check prints is put
back: sys.stdout/sys.stderr, the builtins (print above all), tracing hooks, the
recursion limit and torch/numpy print options.

Residual: the learner's code shares this process. It can read the check's source
(it is in memory), write to CHECK_FD itself, leave a thread running beside the check,
or patch torch. None of that can make a wrong answer pass unless it reproduces the
exact output the hidden check prints after the solution; it is not a sandbox escape.

Runs in: the job, after the learner's code; nothing here runs in the web process.
"""

from __future__ import annotations

import builtins
import io
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from os import O_CLOEXEC, O_WRONLY, close, devnull, dup2, fstat
from os import open as open_fd
from sys import setprofile, setrecursionlimit, settrace
from typing import Any, TextIO

from . import outcome
from .check_helpers import make_helpers
from .show import make_show

CHECK = "<check>"
CHECK_FD = 3  # where the job keeps the write end of the check channel
MESSAGE_CHARS = 200

# Taken (like the functions imported above) while the zygote starts, before any
# learner's code could rebind them in their modules.
_compile = builtins.compile
_exec = builtins.exec
_FileIO = io.FileIO
_TextIOWrapper = io.TextIOWrapper
_StringIO = io.StringIO


class _Discard(_StringIO):
    """The check's stderr (warnings and the like): kept from the learner, never stored."""

    def write(self, s: str) -> int:
        return len(s)


def _ignore(_: object) -> None:
    pass


def _fd_identity(fd: int) -> tuple[int, int] | None:
    try:
        st = fstat(fd)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _print_options() -> Callable[[], None]:
    """A function that puts torch's and numpy's print options back as they are now."""
    import numpy as np
    from torch._tensor_str import PRINT_OPTS

    torch_table, torch_options = vars(PRINT_OPTS), dict(vars(PRINT_OPTS))
    set_numpy = np.set_printoptions
    numpy_options: dict[str, Any] = dict(np.get_printoptions())

    def restore() -> None:
        torch_table.update(torch_options)
        set_numpy(**numpy_options)

    return restore


@dataclass
class Saved:
    """What the harness holds on to before the learner's code runs."""

    stdout: TextIO
    stderr: TextIO
    builtins: dict[str, Any] = field(default_factory=lambda: dict(vars(builtins)))
    recursion_limit: int = field(default_factory=sys.getrecursionlimit)
    channel: tuple[int, int] | None = field(default_factory=lambda: _fd_identity(CHECK_FD))
    restore_print_options: Callable[[], None] = field(default_factory=_print_options)


def _restore(saved: Saved, namespace: dict[str, object]) -> None:
    """Undo what the learner may have changed that decides what the check prints."""
    settrace(None)
    setprofile(None)
    table = vars(builtins)
    for name in [n for n in table if n not in saved.builtins]:
        del table[name]
    table.update(saved.builtins)
    namespace["__builtins__"] = builtins
    # A global `print` of the learner's would shadow the check's. Other names that
    # shadow builtins stay: `input = torch.randn(3)` is common, and the check may want it.
    if namespace.get("print") is not saved.builtins["print"]:
        namespace.pop("print", None)
    # Errors Python reports on its own while the check runs are the check's: keep them.
    sys.unraisablehook = _ignore
    threading.excepthook = _ignore
    setrecursionlimit(saved.recursion_limit)
    try:
        saved.restore_print_options()
    except Exception:  # the learner replaced what they live in: print as they left it
        pass


def _silence_stdio(saved: Saved) -> None:
    """Keep anything printed during the check (by Python or by C code) from the learner."""
    for stream in (saved.stdout, saved.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: B036 - the learner may have closed it
            pass
    try:
        null = open_fd(devnull, O_WRONLY | O_CLOEXEC)
    except OSError:  # out of descriptors: the learner's problem, not a reason to fail
        return
    for fd in (1, 2):
        dup2(null, fd)
    close(null)


def _failure(exc: BaseException, hidden_prefixes: tuple[str, ...]) -> str:
    """One line, no traceback and no source: the check is hidden from the learner."""
    try:
        message = str(exc)
    except BaseException:  # noqa: B036 - an exception whose __str__ itself fails
        message = ""
    for prefix in hidden_prefixes:
        message = message.replace(prefix, "…")
    message = " ".join(message.split())
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return f"check failed: {type(exc).__name__}: {message}\n"


def _open_channel() -> TextIO:
    return _TextIOWrapper(
        _FileIO(CHECK_FD, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


def run_check(
    check: str,
    namespace: dict[str, object],
    saved: Saved,
    hidden_prefixes: tuple[str, ...],
    limit_code: Callable[[BaseException], int | None],
) -> int:
    """Run `check` in the learner's globals after their code ended normally; return the
    exit code of the job (EXIT_CHECKED, or a limit the check ran into)."""
    if _fd_identity(CHECK_FD) != saved.channel:
        return outcome.EXIT_ERROR  # the learner closed or replaced the channel
    try:
        _restore(saved, namespace)
        _silence_stdio(saved)
        channel = _open_channel()  # a stream the learner's code never saw
        quiet = _Discard()
    except BaseException as exc:  # noqa: B036 - e.g. out of memory: no verdict then
        return limit_code(exc) or outcome.EXIT_ERROR
    sys.stdout, sys.stderr = channel, quiet
    # The check's helpers, put back after the learner's code: a `show` of theirs is not it.
    show = make_show(channel)
    namespace["show"] = show
    namespace.update(make_helpers(show))
    setattr(sys, "__stdout__", channel)  # noqa: B010
    setattr(sys, "__stderr__", quiet)  # noqa: B010
    status = outcome.EXIT_CHECKED
    try:
        _exec(_compile(check, CHECK, "exec", dont_inherit=True), namespace)
    except BaseException as exc:  # noqa: B036 - whatever the check does, report one line
        limit = limit_code(exc)
        if limit is not None:
            status = limit
        else:
            try:
                channel.write(_failure(exc, hidden_prefixes))
            except BaseException:  # noqa: B036 - e.g. the learner closed the channel
                pass
    try:
        channel.flush()
    except BaseException:  # noqa: B036 - a channel the parent closed at its cap
        pass
    return status
