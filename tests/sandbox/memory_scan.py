"""Reading another process's whole readable address space from outside (as root, or as
its uid), to show that a secret is nowhere in it."""

from __future__ import annotations

import re

_CHUNK = 4 << 20


def find_in_memory(pid: int, pattern: str) -> list[str]:
    """Every match of `pattern` (a regex over Latin-1 text) in the readable memory of
    `pid`: /proc/<pid>/maps, then /proc/<pid>/mem region by region."""
    regex = re.compile(pattern.encode("latin-1"))
    found: set[str] = set()
    with open(f"/proc/{pid}/maps") as maps:
        regions = [line.split() for line in maps]
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for fields in regions:
            if fields[1][0] != "r" or (len(fields) > 5 and fields[5].startswith("[v")):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            tail = b""
            at = start
            while at < end:
                size = min(_CHUNK, end - at)
                try:
                    mem.seek(at)
                    chunk = tail + mem.read(size)
                except OSError:  # a page that cannot be read (e.g. beyond a file's end)
                    chunk = b""
                found.update(m.group().decode("latin-1") for m in regex.finditer(chunk))
                tail, at = chunk[-64:], at + size
    return sorted(found)
