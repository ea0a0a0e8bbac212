"""Runs untrusted Python with torch preloaded, fast and contained.

A warm zygote process runs each run in a job of its own: a spare it forked ahead of
time (spares.py), or one forked for the run; each job confines itself (rlimits, uid
drop, Landlock, seccomp) before the snippet runs. See pool.Sandbox.

Runs in: the web process (the package's API: Sandbox, Limits, Layers, RunResult).
"""

from .limits import Layers, Limits
from .pool import Sandbox
from .result import CodeTooLong, RunResult, SandboxBusy

__all__ = ["CodeTooLong", "Layers", "Limits", "RunResult", "Sandbox", "SandboxBusy"]
