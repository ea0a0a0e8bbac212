"""The engine and sessions; SQLite is tuned for a web server (WAL, busy timeout, foreign keys)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_SIZE = 40
SQLITE_CACHE_KIB = 256


def make_engine(url: str) -> Engine:
    """An engine for `url`; on SQLite every connection gets WAL, a busy timeout and foreign keys."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    # As many pooled connections as the threadpool has threads (anyio's 40): with fewer,
    # pages read under load opened (and tuned) a new connection per request.
    engine = create_engine(
        url, connect_args={"check_same_thread": False}, pool_size=SQLITE_POOL_SIZE
    )
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # With WAL, NORMAL survives a process crash; only a power loss may drop the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A small page cache per connection (SQLite's default is 2 MiB): the pool keeps up
        # to SQLITE_POOL_SIZE of them, and the operating system caches the file anyway.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    finally:
        cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
