"""Handing a run to a spare: the zygote sends the seed, the job dir (its path, and the
folder itself as a descriptor), the code and the hidden check over a socket pair the
spare has held, locked down, since it was forked. Until then the spare knows none of it.

The folder travels as an O_PATH descriptor the zygote opened: the spare, which dropped
its uid long before, enters it with fchdir() and grants it to Landlock without needing
to reach it by path (the jobs root may sit below a folder only root may traverse).

Runs in: the zygote (sending a hand-off) and the spare (receiving it).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from . import protocol


class HandOffError(ValueError):
    """A hand-off that does not add up (never expected: only the zygote sends one)."""


@dataclass(frozen=True)
class HandOff:
    seed: int
    job_dir: str
    dir_fd: int
    code: str
    check: str | None


def open_job_dir(path: str) -> int:
    """The job dir as an O_PATH descriptor: the folder itself, never a link in its place."""
    return os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)


def send(
    sock: socket.socket, *, seed: int, job_dir: str, dir_fd: int, code: bytes, check: bytes | None
) -> None:
    header = {"seed": seed, "dir": job_dir, "check": None if check is None else len(check)}
    protocol.send(sock, header, code + (check or b""), [dir_fd])


def receive(sock: socket.socket) -> HandOff | None:
    """Block until the zygote hands over a run; None when it closed the socket without one
    (the spare is retired unused)."""
    msg = protocol.receive(sock)
    if msg is None:
        return None
    header, payload, fds = msg
    if len(fds) != 1:
        for fd in fds:
            os.close(fd)
        raise HandOffError("a hand-off carries exactly the job dir")
    code, check = payload, None
    if header.get("check") is not None:
        split = len(payload) - int(header["check"])
        if not 0 <= split <= len(payload):
            raise HandOffError("bad check length")
        code, check = payload[:split], payload[split:]
    return HandOff(
        seed=int(header["seed"]),
        job_dir=str(header["dir"]),
        dir_fd=fds[0],
        code=code.decode("utf-8", "surrogatepass"),
        check=None if check is None else check.decode("utf-8", "surrogatepass"),
    )
