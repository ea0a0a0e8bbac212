"""Messages between the web-side pool and the zygote, and into a job's code socket, over
SOCK_SEQPACKET pairs.

A message is a 4-byte length, a JSON header, then an optional raw payload: only on a
job's code socket, the snippet's UTF-8 followed by the hidden check's if the header
gives its length (handoff.py); the zygote's control messages have none. Descriptors (a
job's stdout/stderr pipes, its check channel and code socket, a job dir) travel with
SCM_RIGHTS. JSON only: nothing that crosses these sockets is ever unpickled.

Runs in: the web process, the zygote and the job.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

MAX_MESSAGE = 1 << 20
MAX_FDS = 4
Header = dict[str, Any]


class ProtocolError(Exception):
    """A malformed or truncated message."""


def pack(header: Header, payload: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("!I", len(head)) + head + payload


def unpack(data: bytes) -> tuple[Header, bytes]:
    if len(data) < 4:
        raise ProtocolError("short message")
    (size,) = struct.unpack("!I", data[:4])
    if size > len(data) - 4:
        raise ProtocolError("header longer than message")
    header = json.loads(data[4 : 4 + size])
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, data[4 + size :]


def socket_pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    for s in (a, b):
        # A request carries up to 64 KB of code (more with the UTF-8 of wide characters).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MAX_MESSAGE)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, MAX_MESSAGE)
    return a, b


def receive(sock: socket.socket) -> tuple[Header, bytes, list[int]] | None:
    """One message, or None at end of stream. Raises BlockingIOError on a non-blocking
    socket with nothing to read."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE, MAX_FDS)
    if not data and not fds:
        return None
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            socket.close(fd)
        raise ProtocolError("truncated message")
    header, payload = unpack(data)
    return header, payload, list(fds)


def send(
    sock: socket.socket, header: Header, payload: bytes = b"", fds: list[int] | None = None
) -> None:
    data = pack(header, payload)
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.send(data)
