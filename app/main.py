"""The app factory: builds a torchquiz app from Settings; nothing happens at import time."""

import asyncio
import ctypes
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from app import __version__
from app.config import Settings
from app.content import ContentSource
from app.logs import AccessLog, configure_logging
from app.paths import STATIC_DIR
from app.services.running.live_code import authored_runs, start_live_code
from app.services.running.threads import in_thread
from app.store.database import make_engine
from app.store.migrations import SchemaOutdated, check_schema
from app.store.writer import Writer
from app.web import accounts, api, authors, fragments, health, pages, passwords
from app.web.body_limits import BodyLimitMiddleware, BodyLimits
from app.web.errors import install_error_handlers
from app.web.render_cache import RenderCaches
from app.web.security_headers import SecurityHeaders
from app.web.state import AppState
from app.web.static import StaticAssets
from app.web.templating import Templates

log = logging.getLogger("torchquiz")

SESSION_MAX_AGE_S = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days


def create_app(settings: Settings | None = None, *, served: bool = False) -> FastAPI:
    """A torchquiz app; it refuses to start on a database that is not migrated to the newest
    schema (`torchquiz serve` and `torchquiz db upgrade` migrate). `served`: the process
    serves only this app (`torchquiz serve`), so start-up may tune the process's GC."""
    settings = settings or Settings()
    secret = settings.session_secret()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            check_schema(state.engine)
        except SchemaOutdated:
            state.engine.dispose()  # no pooled connection outlives a refused start
            raise
        catalog = state.catalog()
        log.info(
            "torchquiz %s: %d topics, %d questions, %d content errors",
            __version__,
            len(catalog.topics),
            catalog.question_count,
            len(catalog.errors),
        )
        live = await start_live_code(settings, state.engine)
        state.live = live
        if served:
            # What start-up built (the catalog, rendered Markdown, templates, torch's
            # modules) lives as long as the process: out of the collector's way, a full
            # collection no longer walks it, which was the answers' p99 (150 -> 50 ms).
            gc.freeze()
        warming = asyncio.create_task(live.warm(authored_runs(catalog)))
        try:
            yield
        finally:
            warming.cancel()
            await live.close()
            # Acknowledged answers are committed already; this finishes any still queued.
            await in_thread(state.writer.close)
            state.engine.dispose()

    app = FastAPI(
        title="torchquiz",
        version=__version__,
        summary="Learn PyTorch by answering questions whose code runs live.",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc load their scripts from a CDN into the app's origin;
        # the OpenAPI description stays at /openapi.json (security review 3, finding 15).
        docs_url=None,
        redoc_url=None,
    )
    engine = make_engine(settings.resolved_database_url)
    assets = StaticAssets(STATIC_DIR, watch=settings.dev or settings.reload)
    renders = RenderCaches()
    content = ContentSource(settings.quiz_dir, watch=settings.reload)
    templates = Templates(
        auto_reload=settings.dev or settings.reload,
        static_url=assets.url,
        renders=lambda: renders.of(content.current()),
    )
    state = AppState(
        settings=settings,
        secret=secret,
        engine=engine,
        writer=Writer(engine),
        content=content,
        templates=templates,
        renders=renders,
    )
    app.state.torchquiz = state
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="torchquiz_session",
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(
        BodyLimitMiddleware, limits=BodyLimits(code_bytes=settings.run_code_kb * 1024)
    )
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(AccessLog)
    app.mount("/static", assets, name="static")
    app.include_router(pages.router)
    app.include_router(fragments.router)
    app.include_router(api.router)
    app.include_router(accounts.pages)
    app.include_router(accounts.api)
    app.include_router(passwords.pages)
    app.include_router(passwords.api)
    app.include_router(authors.pages)
    app.include_router(authors.api)
    app.include_router(health.router)
    install_error_handlers(app)
    return app


MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt() parameter


def limit_malloc_arenas() -> bool:
    """Two malloc arenas for the process, as MALLOC_ARENA_MAX=2 would; True when set.

    glibc gives threads that allocate arenas of their own (up to 8 per core): with the
    threadpool's 40 threads, the answer writer and SQLite, memory freed in one arena was
    not reused by another, and the web process grew 13% over a 10-minute soak (+2% with
    two arenas, docs/benchmarks.md). Called before the server starts its threads."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # the operator's choice stands
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    return bool(mallopt(_M_ARENA_MAX, MALLOC_ARENAS))


def create_served_app() -> FastAPI:
    """The app `torchquiz serve` runs: settings from the environment, logging configured,
    memory allocation tuned for a long-running threaded server."""
    settings = Settings()
    configure_logging(settings.log_format)
    if not limit_malloc_arenas():
        log.info("malloc arenas not limited (not glibc, or MALLOC_ARENA_MAX is set)")
    return create_app(settings, served=True)
