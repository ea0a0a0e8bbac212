"""Settings to sandbox: the one place that turns TORCHQUIZ_RUN_* and TORCHQUIZ_SANDBOX_*
into the sandbox's own Limits and Layers (the sandbox itself never reads settings)."""

import logging

from sqlalchemy import Engine

from app.config import Settings
from app.sandbox import Layers, Limits, Sandbox
from app.services.live_code import LiveCode
from app.services.output_store import OutputStore
from app.services.rate_limit import RateLimiter, RunLimit
from app.services.shared_limits import SharedRateLimiter

log = logging.getLogger("torchquiz")


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


def _files_unprotected(sandbox: Sandbox, settings: Settings) -> str | None:
    """Why runs must not start: nothing would keep jobs out of the data folder."""
    layers = sandbox.health()["layers"]
    assert isinstance(layers, dict)
    if layers.get("landlock") or layers.get("uid_drop") or settings.run_allow_unprotected_files:
        return None
    return (
        "neither Landlock nor the uid drop is active, so learners' code could read the "
        "database and the secret key; use a kernel with Landlock (or run as root so jobs "
        "drop to uid 65534), or set TORCHQUIZ_RUN_ALLOW_UNPROTECTED_FILES=true to accept it"
    )


async def start_live_code(settings: Settings, engine: Engine) -> LiveCode:
    """Start the sandbox as configured, unless runs are off or would not be contained."""
    # Replicas share a database server: they count runs there, as one limit.
    rate: RunLimit = (
        RateLimiter(settings.run_rate_per_min)
        if settings.uses_sqlite
        else SharedRateLimiter(engine, settings.run_rate_per_min)
    )
    store = OutputStore(engine)
    if not settings.run_enabled:
        log.warning("running code is turned off (TORCHQUIZ_RUN_ENABLED=false)")
        return LiveCode(None, code_kb=settings.run_code_kb, rate=rate)
    jobs_dir = str(settings.run_jobs_dir) if settings.run_jobs_dir else None
    sandbox = Sandbox(limits_from(settings), layers_from(settings), jobs_dir=jobs_dir)
    await sandbox.start()
    unprotected = _files_unprotected(sandbox, settings)
    if unprotected:
        log.error("%s", unprotected)
        await sandbox.close()
        why = "running code is off: " + unprotected
        return LiveCode(None, code_kb=settings.run_code_kb, rate=rate, why_off=why)
    live = LiveCode(sandbox, code_kb=settings.run_code_kb, rate=rate, store=store)
    known = await live.load_known_outputs()
    log.info("%d outputs of authored code already known", known)
    return live
