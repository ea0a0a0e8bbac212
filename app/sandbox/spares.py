"""The zygote's spares: children forked ahead of time, each locked down (job.run_spare)
and blocked on a socket until it is handed one run (handoff.py). Used once, then replaced
at once, so the fork and the lock-down are off the run's critical path.

The web process gets each spare's stdout, stderr, check channel and a duplicate of the
zygote's end of its code socket when it is forked (a "spare" message), and picks one
when a run comes: the zygote sends the spare its job dir, the web process its code.
A spare that dies while idle is reported ("spare_gone") and replaced; one that fails
its own set-up turns spares off for this zygote, which then forks per run as before.

Runs in: the zygote.
"""

from __future__ import annotations

import itertools
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

from . import outcome, protocol
from .job import JobContext, SpareRequest, run_spare
from .protocol import Header

Send = Callable[[Header, list[int]], None]


@dataclass
class Idle:
    pid: int
    channel: socket.socket  # the zygote's end of the socket pair it hands the run over on


class Spares:
    def __init__(self, ctx: JobContext, size: int, send: Send) -> None:
        self.ctx = ctx
        self.size = size
        self.send = send
        self.idle: dict[int, Idle] = {}  # spare number -> the waiting child
        self._by_pid: dict[int, int] = {}
        self._numbers = itertools.count(1)

    def pids(self) -> list[int]:
        return list(self._by_pid)

    def fill(self) -> None:
        """Fork spares until `size` are waiting."""
        while len(self.idle) < self.size:
            if not self._fork_one():
                return

    def _fork_one(self) -> bool:
        ends = [os.pipe2(os.O_CLOEXEC) for _ in range(3)]  # stdout, stderr, check channel
        (out_r, out_w), (err_r, err_w), (chk_r, chk_w) = ends
        # Buffers for the largest run (protocol.MAX_MESSAGE): a hand-off never blocks.
        mine, theirs = protocol.socket_pair()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            print("torchquiz sandbox zygote: cannot fork a spare:", exc, file=sys.stderr)  # noqa: T201
            for fd in (fd for pair in ends for fd in pair):
                os.close(fd)
            mine.close()
            theirs.close()
            return False
        if pid == 0:
            try:
                run_spare(self.ctx, SpareRequest(out_w, err_w, chk_w, theirs.fileno()))
            finally:
                os._exit(outcome.EXIT_SETUP_FAILED)
        for fd in (out_w, err_w, chk_w):
            os.close(fd)
        theirs.close()
        number = next(self._numbers)
        self.idle[number] = Idle(pid, mine)
        self._by_pid[pid] = number
        try:
            self.send({"op": "spare", "spare": number}, [out_r, err_r, chk_r, mine.fileno()])
        finally:
            for fd in (out_r, err_r, chk_r):
                os.close(fd)
        return True

    def take(self, number: int) -> Idle | None:
        """The waiting spare `number`, no longer idle; None if it has died meanwhile."""
        spare = self.idle.pop(number, None)
        if spare is not None:
            del self._by_pid[spare.pid]
        return spare

    def ended(self, pid: int, status: int) -> bool:
        """Whether a reaped child was a spare nobody had taken; an idle one is reported
        to the web process and replaced."""
        number = self._by_pid.pop(pid, None)
        if number is None:
            return False
        spare = self.idle.pop(number, None)
        if spare is None:
            return True  # retired unused (retire_all)
        spare.channel.close()
        self.send({"op": "spare_gone", "spare": number}, [])
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == outcome.EXIT_SETUP_FAILED:
            # It could not lock itself down: so would the next one. Fork per run instead.
            print(  # noqa: T201
                "torchquiz sandbox zygote: a spare failed its set-up; forking per run",
                file=sys.stderr,
            )
            self.size = 0
            self.retire_all()
        else:
            self.fill()
        return True

    def retire_all(self) -> None:
        """Close every idle spare's socket: each reads end-of-file and exits unused. Their
        pids stay known until reaped, so that they are never taken for jobs."""
        for number in list(self.idle):
            spare = self.idle.pop(number)
            spare.channel.close()
            self.send({"op": "spare_gone", "spare": number}, [])
