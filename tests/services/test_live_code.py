"""Authored outputs: computed once, stored for the next start, never written by a page read.

Real sandbox, real database (SQLite, and PostgreSQL when `make test` provides one)."""

import asyncio

from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import select

from app.config import Settings
from app.content import Snippet
from app.sandbox import Sandbox
from app.services.running.live_code import LiveCode
from app.services.running.output_store import OutputStore
from app.services.running.rate_limit import RateLimiter
from app.store.database import make_engine, session_scope
from app.store.migrations import prepare_database
from app.store.shared import AuthoredOutput

SNIPPET = Snippet(code="print(6 * 7)\n", code_html=Markup("<pre>print(6 * 7)</pre>"))


def stored(store: OutputStore) -> int:
    with session_scope(store.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuthoredOutput)).one())


async def page_then(settings: Settings, then: str) -> tuple[int, int, str]:
    """A page reads the snippet's output; then the warm-up runs, or the server stops.
    Returns the rows stored right after the page read, after `then`, and the output."""
    store = OutputStore(make_engine(settings.resolved_database_url))
    sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers())
    await sandbox.start()
    live = LiveCode(sandbox, rate=RateLimiter(0), store=store)
    try:
        shown = await live.outputs([SNIPPET])
        after_read = stored(store)
        if then == "warm-up":
            await live.warm([(SNIPPET.code, None)])
            assert sandbox.health()["jobs_run"] == 1, "the warm-up ran it again"
    finally:
        await live.close()
    try:
        return after_read, stored(store), shown[SNIPPET.id].stdout
    finally:
        store.engine.dispose()


def test_a_page_read_never_writes_and_the_warm_up_stores_what_it_computed(
    settings: Settings,
) -> None:
    prepare_database(settings)
    assert asyncio.run(page_then(settings, "warm-up")) == (0, 1, "42\n")


def test_what_a_page_computed_is_stored_when_the_server_stops(settings: Settings) -> None:
    prepare_database(settings)
    assert asyncio.run(page_then(settings, "stop")) == (0, 1, "42\n")


def test_the_next_start_finds_it_and_runs_nothing(settings: Settings) -> None:
    prepare_database(settings)
    asyncio.run(page_then(settings, "stop"))

    async def next_start() -> tuple[int, str, object]:
        sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers())
        await sandbox.start()
        store = OutputStore(make_engine(settings.resolved_database_url))
        live = LiveCode(sandbox, rate=RateLimiter(0), store=store)
        try:
            known = await live.load_known_outputs()
            shown = await live.outputs([SNIPPET])
            return known, shown[SNIPPET.id].stdout, sandbox.health()["jobs_run"]
        finally:
            await live.close()
            store.engine.dispose()

    assert asyncio.run(next_start()) == (1, "42\n", 0)
