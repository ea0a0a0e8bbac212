"""Find out which isolation layers this host can apply (run in the zygote at start).

Runs in: the zygote, once at start-up.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from . import landlock
from .limits import JOB_UID, Layers

_CLONE_NEWUSER = 0x10000000


@dataclass
class Probe:
    """Layers that will really be applied, plus words for the ones that will not."""

    seccomp: bool = False
    landlock_abi: int | None = None
    uid_drop: bool = False
    cap_drop: bool = False
    namespaces: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "seccomp": self.seccomp,
            "landlock": self.landlock_abi is not None,
            "landlock_abi": self.landlock_abi,
            "uid_drop": self.uid_drop,
            "namespaces": self.namespaces,
        }


def _in_child(test: Callable[[], bool]) -> bool:
    """Run `test` in a throwaway child, so a half-applied layer cannot stick to us."""
    pid = os.fork()
    if pid == 0:
        try:
            ok = test()
        except BaseException:  # noqa: B036 - any failure means "not available"
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _seccomp_works() -> bool:
    from . import privileges, seccomp_filter  # pyseccomp raises at import without libseccomp

    privileges.no_new_privs()
    seccomp_filter.load_job_filter(seccomp_filter.compile_job_filter(), os.getpid())
    try:
        os.fork()
    except PermissionError:
        return True
    return False  # the fork succeeded: the filter does not work (the child exits too)


def _user_namespaces_work() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.unshare(_CLONE_NEWUSER)) == 0


def _others_can_read(path: str) -> bool:
    """Whether an unrelated uid can traverse to `path` and list it (mode bits only)."""
    path = os.path.realpath(path)
    parts = [path]
    while parts[-1] != "/":
        parts.append(os.path.dirname(parts[-1]))
    for i, p in enumerate(parts):
        mode = os.stat(p).st_mode
        if not mode & stat.S_IXOTH or (i == 0 and not mode & stat.S_IROTH):
            return False
    return True


def probe(requested: Layers) -> Probe:
    """Probe each requested layer; a requested layer that is missing gets a warning."""
    found = Probe()
    found.namespaces = _in_child(_user_namespaces_work)
    if requested.seccomp:
        found.seccomp = _in_child(_seccomp_works)
        if not found.seccomp:
            found.warnings.append(
                "seccomp requested but unavailable (libseccomp or kernel support missing): "
                "jobs can create processes and sockets"
            )
    if requested.landlock:
        found.landlock_abi = landlock.abi_version()
        if found.landlock_abi is None:
            found.warnings.append(
                "Landlock requested but unavailable (kernel without Landlock or disabled): "
                "jobs can read every file their uid can read"
            )
    if requested.uid_drop:
        if os.geteuid() == 0:
            found.uid_drop = True
            stdlib = os.path.dirname(os.__file__)
            if not _others_can_read(stdlib):
                found.warnings.append(
                    f"uid drop: the standard library at {stdlib} is not readable by uid "
                    f"{JOB_UID}; jobs can only import modules the zygote preloaded"
                )
        else:
            found.warnings.append(
                "uid drop requested but the server does not run as root: jobs run as "
                f"uid {os.geteuid()}, the server's own user"
            )
    elif os.geteuid() == 0:
        found.cap_drop = True
    return found
