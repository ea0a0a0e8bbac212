"""Settings of the sandbox: how much a run may use, and which isolation layers to apply.

Runs in: every process: plain data shared by the web process, the zygote and the job.
"""

from __future__ import annotations

from dataclasses import dataclass

# The unprivileged uid/gid a job drops to when the server runs as root.
JOB_UID = 65534
JOB_GID = 65534


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run, and the size of the pool that runs them."""

    wall_s: float = 5.0
    cpu_s: float = 5.0
    # Address space (RLIMIT_AS) of the whole job. A forked job already maps
    # ~670 MB of torch (mostly shared, read-only); 1024 leaves ~350 MB for the
    # learner's tensors and still lets torch.set_num_threads(64) start its threads.
    memory_mb: int = 1024
    output_kb: int = 64
    disk_mb: int = 16
    workers: int = 2
    queue: int = 16
    code_kb: int = 64
    # Jobs a zygote forks before a fresh one replaces it, a bound on anything it might
    # accumulate. Its start costs ~3 s of CPU: every 500 jobs, under load (100 runs/s),
    # that cost a quarter of the runs/s; over 8,000 jobs its RSS did not grow.
    recycle_after: int = 20_000
    # Jobs each zygote keeps forked and locked down ahead of time (0: fork per run).
    spares: int = 2
    # Files and directories the job dir may hold (inode exhaustion is a hostile case).
    files: int = 256


@dataclass(frozen=True)
class Layers:
    """Isolation layers to apply to each job; each may be turned off for tests or odd hosts."""

    seccomp: bool = True
    landlock: bool = True
    uid_drop: bool = True
