"""Limits counted in the database, so that every replica enforces one limit together."""

import asyncio
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, text
from sqlmodel import col, select

from app.services.refusals import RateLimited
from app.store.database import session_scope
from app.store.models import utcnow
from app.store.shared import RateEvent

_PRUNE_EVERY = 1000  # hits between removals of every key's old events


def count_event(
    engine: Engine,
    *,
    scope: str,
    key: str,
    limit: int,
    window_s: float,
    now: datetime | None = None,
) -> float | None:
    """Count one event of `key` in `scope` unless `limit` events already happened in the
    last `window_s` seconds; then count nothing and return in how many seconds one more
    would be allowed. Concurrent callers on any replica are serialized per key."""
    now = now or utcnow()
    since = now - timedelta(seconds=window_s)
    with session_scope(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            # One transaction per key at a time, across every replica, until commit.
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"),
                {"name": f"torchquiz-rate|{scope}|{key}"},
            )
        # On SQLite this first write takes the database's write lock: serialized as well.
        session.execute(
            delete(RateEvent).where(
                col(RateEvent.scope) == scope,
                col(RateEvent.key) == key,
                col(RateEvent.at) < since,
            )
        )
        count, oldest = session.exec(
            select(func.count(), func.min(RateEvent.at)).where(
                RateEvent.scope == scope, RateEvent.key == key, RateEvent.at >= since
            )
        ).one()
        if count >= limit:
            assert oldest is not None
            if oldest.tzinfo is None:  # SQLite keeps no zone; every time stored is UTC
                oldest = oldest.replace(tzinfo=now.tzinfo)
            return max(1.0, window_s - (now - oldest).total_seconds())
        session.add(RateEvent(scope=scope, key=key, at=now))
    return None


def prune_events(engine: Engine, *, scope: str, window_s: float) -> int:
    """Remove the events of `scope` older than its window (for keys that went idle)."""
    since = utcnow() - timedelta(seconds=window_s)
    with session_scope(engine) as session:
        result = session.execute(
            delete(RateEvent).where(
                col(RateEvent.scope) == scope,
                col(RateEvent.at) < since,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class SharedRateLimiter:
    """At most `per_minute` events per key in any 60 s window, counted in the database
    (one limit for the whole site however many replicas share it); 0 means no limit.
    Time is each replica's clock, so replicas should keep their clocks in step (NTP)."""

    WINDOW_S = 60.0

    def __init__(
        self,
        engine: Engine,
        per_minute: int,
        *,
        scope: str = "run",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.per_minute = per_minute
        self.scope = scope
        self._clock = clock
        self._hits = itertools.count(1)

    def hit(self, key: str) -> None:
        """Count one event for `key`, or raise RateLimited when the window is full."""
        if self.per_minute <= 0:
            return
        retry_after = count_event(
            self.engine,
            scope=self.scope,
            key=key,
            limit=self.per_minute,
            window_s=self.WINDOW_S,
            now=self._clock(),
        )
        if retry_after is not None:
            raise RateLimited(per_minute=self.per_minute, retry_after=retry_after)
        if next(self._hits) % _PRUNE_EVERY == 0:
            prune_events(self.engine, scope=self.scope, window_s=self.WINDOW_S)

    async def check(self, key: str) -> None:
        """`hit`, off the event loop (it waits for the database)."""
        await asyncio.to_thread(self.hit, key)
