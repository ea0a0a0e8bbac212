"""Runs untrusted Python with torch preloaded, fast and contained.

A warm zygote process forks one job per run; each job confines itself (rlimits,
uid drop, Landlock, seccomp) before the snippet runs. See pool.Sandbox.

Runs in: the web process (the package's API: Sandbox, Limits, Layers, RunResult).
"""

from .limits import Layers, Limits
from .pool import Sandbox
from .result import CodeTooLong, RunResult, SandboxBusy

__all__ = ["CodeTooLong", "Layers", "Limits", "RunResult", "Sandbox", "SandboxBusy"]
