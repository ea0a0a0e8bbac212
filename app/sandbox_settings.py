"""Settings to sandbox: the one place that turns TORCHQUIZ_RUN_* and TORCHQUIZ_SANDBOX_*
into the sandbox's own Limits and Layers (the sandbox itself never reads settings)."""

from app.config import Settings
from app.sandbox import Layers, Limits


def limits_from(settings: Settings) -> Limits:
    """The limits of one run and of the pool, as configured."""
    return Limits(
        wall_s=settings.run_wall_s,
        cpu_s=settings.run_cpu_s,
        memory_mb=settings.run_memory_mb,
        output_kb=settings.run_output_kb,
        disk_mb=settings.run_disk_mb,
        workers=settings.run_workers,
        queue=settings.run_queue,
        code_kb=settings.run_code_kb,
    )


def layers_from(settings: Settings) -> Layers:
    """The isolation layers, as configured."""
    return Layers(
        seccomp=settings.sandbox_seccomp,
        landlock=settings.sandbox_landlock,
        uid_drop=settings.sandbox_uid_drop,
    )
