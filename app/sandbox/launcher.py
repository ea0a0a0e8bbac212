"""Split a server started as root: a web process without privileges, and a launcher that
keeps just enough to start zygotes whose jobs drop to another uid.

`torchquiz serve` started as root with TORCHQUIZ_SERVER_UID set (the Docker image does)
splits before it reads a secret or opens the database:

- the **launcher** (a forked child) stays uid 0 with only CAP_CHOWN, CAP_KILL, CAP_SETGID
  and CAP_SETUID — what a zygote needs to hand a job its folder, drop it to uid 65534 and
  kill it — with every other capability gone from its bounding set. It only ever
  starts zygotes (a fixed command, a clean environment, the uid drop forced on), kills them
  and reports their exit;
- the **web process** becomes TORCHQUIZ_SERVER_UID with no capability at all, and asks the
  launcher for each zygote it needs: at start, after a crash, and when recycling one.

So learners' jobs (65534), the web server (e.g. 10001) and the zygotes (0, four
capabilities) never share a uid, whether or not the kernel has Landlock.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import signal
import socket
import sys
from collections import deque
from typing import NoReturn

from . import privileges, protocol
from .zygote_client import ZYGOTE_ENV, zygote_command

ZYGOTE_CAPABILITIES = (
    privileges.CAP_CHOWN,
    privileges.CAP_KILL,
    privileges.CAP_SETGID,
    privileges.CAP_SETUID,
)
_ZYGOTE_FD = 3


class PrivilegeError(RuntimeError):
    """The server cannot split as asked; the message says what to change."""


def split(uid: int, gid: int) -> Launcher:
    """Fork the launcher, then make this process `uid`:`gid` with no capability left."""
    if os.geteuid() != 0:
        raise PrivilegeError("only a server started as root can split")
    if not privileges.has_capabilities(privileges.CAP_SETUID, privileges.CAP_SETGID):
        raise PrivilegeError(
            f"started as root without CAP_SETUID/CAP_SETGID, so the web server cannot drop "
            f"to uid {uid}; keep CHOWN, KILL, SETGID and SETUID (e.g. `--cap-drop ALL "
            "--cap-add CHOWN --cap-add KILL --cap-add SETGID --cap-add SETUID`), or start "
            f"as that user (`--user {uid}:{gid}`: Landlock then hides the data folder from "
            "learners' code)"
        )
    extra = privileges.bounding_set() - set(ZYGOTE_CAPABILITIES)
    if extra and not privileges.has_capabilities(privileges.CAP_SETPCAP):
        raise PrivilegeError(
            f"started as root without CAP_SETPCAP, so the sandbox launcher cannot give up "
            f"capabilities {sorted(extra)}; keep SETPCAP or grant only CHOWN, KILL, SETGID "
            "and SETUID"
        )
    mine, theirs = protocol.socket_pair()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        mine.close()
        _launcher_main(theirs)
    theirs.close()
    privileges.become(uid, gid)
    return Launcher(mine, pid)


def seal_scratch_dirs(gid: int) -> list[str]:
    """Close a container's world-writable scratch folders to other uids (jobs among
    them): without Landlock a job could write there. /tmp stays usable by the server's
    group and traversable (job folders live below it). Returns what was changed.

    Only for a container (TORCHQUIZ_SEAL_SCRATCH_DIRS, which the image sets): on a
    host these folders belong to everyone."""
    changed: list[str] = []
    for path in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue"):
        try:
            mode = os.stat(path).st_mode
            if not mode & 0o002:
                continue
            if path == "/tmp":
                os.chown(path, 0, gid)
                os.chmod(path, 0o1771)
            else:
                os.chmod(path, mode & 0o7775 & ~0o004)
        except OSError:  # absent, or on a read-only file system: nobody can write there
            continue
        changed.append(path)
    return changed


# --- the launcher process ---------------------------------------------------------------


def _launcher_main(sock: socket.socket) -> NoReturn:
    try:
        os.closerange(3, sock.fileno())
        os.closerange(sock.fileno() + 1, 1 << 16)
        privileges.die_with_parent(signal.SIGKILL)
        privileges.keep_only_capabilities(*ZYGOTE_CAPABILITIES)
        _Launcher(sock).serve()
    except BaseException as exc:  # noqa: B036 - never fall back into the caller's code
        os.write(2, f"torchquiz sandbox launcher: {exc!r}\n".encode())
    os._exit(1)


class _Launcher:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.children: set[int] = set()

    def serve(self) -> None:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the web process stops us by leaving
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ, "control")
        sel.register(wake_r, selectors.EVENT_READ, "wake")
        while True:
            for key, _ in sel.select():
                if key.data == "wake":
                    try:
                        os.read(wake_r, 4096)
                    except BlockingIOError:
                        pass
                    self.reap()
                else:
                    self.handle()

    def handle(self) -> None:
        try:
            msg = protocol.receive(self.sock)
        except (ConnectionError, protocol.ProtocolError):
            msg = None
        if msg is None:
            self.shutdown()
        header, _, fds = msg
        try:
            if header.get("op") == "spawn" and len(fds) == 1:
                self.spawn(str(header.get("config", "")), fds[0])
            elif header.get("op") == "kill" and int(header.get("pid", 0)) in self.children:
                os.kill(int(header["pid"]), signal.SIGKILL)
        finally:
            for fd in fds:
                os.close(fd)

    def spawn(self, config: str, fd: int) -> None:
        try:
            parsed = json.loads(config)
            parsed["layers"]["uid_drop"] = True  # whatever the web process asks
            command = zygote_command(_ZYGOTE_FD, json.dumps(parsed))
        except (ValueError, TypeError, KeyError) as exc:
            protocol.send(self.sock, {"op": "spawned", "pid": None, "error": repr(exc)})
            return
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                os.dup2(fd, _ZYGOTE_FD)
                os.set_inheritable(_ZYGOTE_FD, True)
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                    signal.signal(sig, signal.SIG_DFL)
                null = os.open("/dev/null", os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(null, 1)
                os.closerange(_ZYGOTE_FD + 1, 1 << 16)
                os.chdir("/")
                os.execve(command[0], command, ZYGOTE_ENV)
            finally:
                os._exit(127)
        self.children.add(pid)
        protocol.send(self.sock, {"op": "spawned", "pid": pid})

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.children:
                self.children.discard(pid)
                code = os.waitstatus_to_exitcode(status)
                try:
                    protocol.send(self.sock, {"op": "exited", "pid": pid, "code": code})
                except OSError:
                    self.shutdown()

    def shutdown(self) -> NoReturn:
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(0)


# --- the web process's side -------------------------------------------------------------


class LaunchedProcess:
    """A zygote the launcher started: what the pool needs of asyncio's Process."""

    def __init__(self, launcher: Launcher, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._launcher = launcher
        self._exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def kill(self) -> None:
        if self.returncode is None:
            self._launcher.kill(self.pid)

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    def exited(self, code: int) -> None:
        self.returncode = code
        if not self._exited.done():
            self._exited.set_result(code)


class Launcher:
    """The web process's handle on the launcher: spawn zygotes, kill them, hear them end."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.sock = sock
        self.pid = pid
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: deque[asyncio.Future[int | None]] = deque()
        self._children: dict[int, LaunchedProcess] = {}
        self._lock: asyncio.Lock | None = None

    def _attach(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                raise RuntimeError("the sandbox launcher serves one event loop")
            self._loop = loop
            self._lock = asyncio.Lock()
            self.sock.setblocking(False)
            loop.add_reader(self.sock.fileno(), self._on_readable)
        return loop

    async def spawn(self, config: str, fd: int) -> LaunchedProcess:
        """A new zygote talking on `fd` (passed to it), configured by `config` (JSON)."""
        loop = self._attach()
        assert self._lock is not None
        async with self._lock:  # one request at a time: answers come back in order
            answer: asyncio.Future[int | None] = loop.create_future()
            self._waiting.append(answer)
            try:
                protocol.send(self.sock, {"op": "spawn", "config": config}, fds=[fd])
            except OSError as exc:
                self._waiting.remove(answer)
                raise RuntimeError(f"the sandbox launcher is gone: {exc}") from None
            pid = await answer
        if pid is None:
            raise RuntimeError("the sandbox launcher could not start a zygote")
        process = LaunchedProcess(self, pid)
        self._children[pid] = process
        return process

    def kill(self, pid: int) -> None:
        try:
            protocol.send(self.sock, {"op": "kill", "pid": pid})
        except OSError:
            pass  # the launcher is gone, and with it its zygotes' parent; they exit on EOF

    def _on_readable(self) -> None:
        while True:
            try:
                msg = protocol.receive(self.sock)
            except BlockingIOError:
                return
            except (OSError, protocol.ProtocolError):
                msg = None
            if msg is None:
                self._gone()
                return
            header, _, fds = msg
            for fd in fds:
                os.close(fd)
            if header.get("op") == "spawned" and self._waiting:
                pid = header.get("pid")
                self._waiting.popleft().set_result(int(pid) if pid else None)
            elif header.get("op") == "exited":
                process = self._children.pop(int(header.get("pid", 0)), None)
                if process is not None:
                    process.exited(int(header.get("code", -1)))

    def _gone(self) -> None:
        assert self._loop is not None
        self._loop.remove_reader(self.sock.fileno())
        while self._waiting:
            self._waiting.popleft().set_result(None)
        for process in self._children.values():
            process.exited(-int(signal.SIGKILL))
        self._children.clear()


_installed: Launcher | None = None


def install(launcher: Launcher | None) -> None:
    """Make every zygote of this process start through `launcher` (None: spawn directly)."""
    global _installed
    _installed = launcher


def installed() -> Launcher | None:
    """The launcher zygotes start through, if this server split at start."""
    return _installed
