"""Who may start a sandbox job now: a learner's runs per minute, an anonymous address's
runs per minute, and how many anonymous runs may be in flight at once.

The per-learner limit alone is no limit for anonymous visitors: a fresh cookie per run
is a fresh learner. So anonymous runs also count against their client address, and
against a ceiling of anonymous runs in flight over the whole server (the rest of the
pool stays free for signed-in learners). A variant page's runs (its `params` for the
visitor's seed, and its code with those values) count like runs of the visitor's own.

Who is asking reaches the services as a Requester the web layer sets once per request
(app/web/deps.get_visitor): runs start deep in answers, variants and pages, and every
one of them must be counted, including those no caller thought of.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Engine

from app.config import Settings
from app.services.refusals import RateLimited, RunnersBusy
from app.services.running.rate_limit import RateLimiter, RunLimit
from app.services.running.shared_limits import SharedRateLimiter


@dataclass(frozen=True)
class Requester:
    """The visitor a request acts for, as far as runs are concerned."""

    learner_id: str
    address: str  # the client address the server sees
    anonymous: bool


_current: ContextVar[Requester | None] = ContextVar("torchquiz_requester", default=None)


def address_key(address: str) -> str:
    """What the per-address limit counts by: an IPv4 address, or an IPv6 address's /64
    (one subscriber commonly holds a whole /64, so single IPv6 addresses are free)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:128]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def act_for(requester: Requester) -> None:
    """Make `requester` the one this request's runs are counted against."""
    _current.set(requester)


def current_requester() -> Requester | None:
    """The visitor of the request being served; None outside a request (warm-up, CLI)."""
    return _current.get()


class RunBudget:
    """The limits a run passes before it takes a worker."""

    def __init__(
        self,
        per_learner: RunLimit,
        *,
        per_address: RunLimit | None = None,
        anonymous_at_once: int = 0,
        anonymous_waiting: int = 0,
    ) -> None:
        self.per_learner = per_learner
        self.per_address = per_address
        self.anonymous_at_once = anonymous_at_once  # 0: no ceiling
        self.anonymous_waiting = anonymous_waiting
        self._in_flight = 0
        self._waiting = 0
        self._freed = asyncio.Condition()

    async def admit(self, learner_id: str, requester: Requester | None) -> None:
        """Count one run of `learner_id` (and of its address when anonymous), or raise
        RateLimited."""
        await self.per_learner.check(learner_id)
        if requester is not None and requester.anonymous and self.per_address is not None:
            try:
                await self.per_address.check(address_key(requester.address))
            except RateLimited as limited:
                wait = limited.retry_after or RateLimiter.WINDOW_S
                raise RateLimited(
                    per_minute=self.per_address.per_minute,
                    retry_after=wait,
                    message="anonymous visitors from your address have run code "
                    f"{self.per_address.per_minute} times in the last minute; wait "
                    f"{wait:.0f} s, or sign in",
                ) from None

    @asynccontextmanager
    async def slot(self, requester: Requester | None) -> AsyncIterator[None]:
        """Hold one of the anonymous runs' places while the run is in flight; wait for
        one (or raise RunnersBusy when too many wait already)."""
        if requester is None or not requester.anonymous or self.anonymous_at_once <= 0:
            yield
            return
        async with self._freed:
            if self._in_flight >= self.anonymous_at_once:
                if self._waiting >= self.anonymous_waiting:
                    raise RunnersBusy(retry_after=2.0)
                self._waiting += 1
                try:
                    await self._freed.wait_for(lambda: self._in_flight < self.anonymous_at_once)
                finally:
                    self._waiting -= 1
            self._in_flight += 1
        try:
            yield
        finally:
            async with self._freed:
                self._in_flight -= 1
                self._freed.notify()

    @property
    def anonymous_in_flight(self) -> int:
        """Anonymous runs holding a place now."""
        return self._in_flight


def _run_limit(settings: Settings, engine: Engine, per_minute: int, *, scope: str) -> RunLimit:
    # Replicas share a database server: they count runs there, as one limit.
    if settings.uses_sqlite:
        return RateLimiter(per_minute)
    return SharedRateLimiter(engine, per_minute, scope=scope)


def budget_for(settings: Settings, engine: Engine) -> RunBudget:
    """The run limits as configured (TORCHQUIZ_RUN_RATE_PER_MIN and what follows it)."""
    per_address = settings.run_rate_per_address_per_min
    if per_address is None:
        per_address = settings.run_rate_per_min
    at_once = settings.run_anonymous_workers or max(1, settings.run_workers - 1)
    return RunBudget(
        _run_limit(settings, engine, settings.run_rate_per_min, scope="run"),
        per_address=_run_limit(settings, engine, per_address, scope="run-address"),
        anonymous_at_once=at_once,
        # Up to the pool's own queue: beyond it the pool would refuse them anyway.
        anonymous_waiting=settings.run_queue + max(0, settings.run_workers - at_once),
    )
