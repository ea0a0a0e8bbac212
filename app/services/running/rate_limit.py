"""A per-learner sliding-window limit on how often code may be run."""

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from app.services.refusals import RateLimited


class RunLimit(Protocol):
    """How LiveCode limits a learner's runs: in memory (below) or in the database
    (shared_limits.SharedRateLimiter, when replicas share a database server)."""

    per_minute: int

    async def check(self, key: str) -> None: ...


class RateLimiter:
    """At most `per_minute` events per key in any 60 s window; 0 means no limit.

    Kept in memory, for one server; replicas on a database server count in the
    database instead (app.services.running.shared_limits).
    """

    WINDOW_S = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def hit(self, key: str) -> None:
        """Count one event for `key`, or raise RateLimited when the window is full."""
        if self.per_minute <= 0:
            return
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.WINDOW_S:
            events.popleft()
        if len(events) >= self.per_minute:
            retry_after = max(1.0, self.WINDOW_S - (now - events[0]))
            raise RateLimited(per_minute=self.per_minute, retry_after=retry_after)
        events.append(now)
        if len(self._events) > 10_000:  # forget idle learners so memory stays bounded
            self._forget_idle(now)

    async def check(self, key: str) -> None:
        """`hit`, with the interface of the limit counted in the database."""
        self.hit(key)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._events.items() if not v or now - v[-1] >= self.WINDOW_S]:
            del self._events[key]
