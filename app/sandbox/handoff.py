"""Handing a run to a job: the code and the hidden check travel from the web process
straight into a socket the job holds; the zygote never reads them.

A job's code socket (a SOCK_SEQPACKET pair) has its other end held by:

- for a spare (forked ahead of time): the zygote, which also passes a duplicate of that
  end to the web process with the spare's pipes. At hand-off the zygote sends the job
  dir (its path, and the folder itself as an O_PATH descriptor) and closes its end; the
  web process sends the seed, the code and the check and closes its own. The two
  messages may arrive in either order.
- for a job forked per run: the web process alone, which passes the job's end to the
  zygote with the job's pipes (the zygote only hands the descriptor on) and writes the
  code into its own.

So learner code never passes through the memory of the zygote, which every later job is
forked from: a fork copies the parent's freed heap, where received code would linger.

The folder travels as a descriptor because the spare, which dropped its uid long
before, enters it with fchdir() and grants it to Landlock without needing to reach it
by path (the jobs root may sit below a folder only root may traverse).

Runs in: the zygote (the job dir), the web process (the code) and the job (receiving).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from . import protocol


class HandOffError(ValueError):
    """A hand-off that does not add up (never expected: only the zygote and the web
    process hold the other end of a job's code socket)."""


@dataclass(frozen=True)
class HandOff:
    seed: int
    code: str
    check: str | None
    job_dir: str | None = None  # with dir_fd, only for a spare
    dir_fd: int = -1


def open_job_dir(path: str) -> int:
    """The job dir as an O_PATH descriptor: the folder itself, never a link in its place."""
    return os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)


def send_job_dir(sock: socket.socket, *, job_dir: str, dir_fd: int) -> None:
    """The zygote's part of a spare's hand-off: where it runs."""
    protocol.send(sock, {"dir": job_dir}, b"", [dir_fd])


def send_code(sock: socket.socket, *, seed: int, code: bytes, check: bytes | None) -> None:
    """The web process's part: the seed, the code, then the check's UTF-8 (its length in
    the header). Never blocks: the socket's buffer holds the largest run
    (protocol.MAX_MESSAGE), and the job reads nothing else from it."""
    header = {"seed": seed, "check": None if check is None else len(check)}
    sock.send(protocol.pack(header, code + (check or b"")), socket.MSG_DONTWAIT)


def receive(sock: socket.socket, *, with_dir: bool) -> HandOff | None:
    """Block until the run has arrived: the code, and with `with_dir` (a spare) the job
    dir. None when the socket closes first (a spare retired unused, or a run the zygote
    or the web process gave up on)."""
    code: tuple[int, bytes, bytes | None] | None = None
    job_dir: tuple[str, int] | None = None
    try:
        while code is None or (with_dir and job_dir is None):
            msg = protocol.receive(sock)
            if msg is None:
                return None
            header, payload, fds = msg
            if fds:
                if not with_dir or job_dir is not None or len(fds) != 1:
                    for fd in fds:
                        os.close(fd)
                    raise HandOffError("a hand-off carries exactly one job dir")
                job_dir = (str(header["dir"]), fds[0])
            elif code is None:
                code = _split(header, payload)
            else:
                raise HandOffError("a hand-off carries one run")
    except BaseException:
        if job_dir is not None:
            os.close(job_dir[1])
        raise
    seed, data, check = code
    return HandOff(
        seed=seed,
        code=data.decode("utf-8", "surrogatepass"),
        check=None if check is None else check.decode("utf-8", "surrogatepass"),
        job_dir=None if job_dir is None else job_dir[0],
        dir_fd=-1 if job_dir is None else job_dir[1],
    )


def _split(header: protocol.Header, payload: bytes) -> tuple[int, bytes, bytes | None]:
    if header.get("check") is None:
        return int(header["seed"]), payload, None
    split = len(payload) - int(header["check"])
    if not 0 <= split <= len(payload):
        raise HandOffError("bad check length")
    return int(header["seed"]), payload[:split], payload[split:]
