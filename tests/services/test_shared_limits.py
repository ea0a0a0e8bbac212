"""Limits counted in the database, and authored outputs kept there: on SQLite and PostgreSQL."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.sandbox import RunResult
from app.services.refusals import RateLimited
from app.services.running.output_store import OutputStore
from app.services.running.shared_limits import SharedRateLimiter, count_event, prune_events
from app.store.database import make_engine
from app.store.migrations import upgrade
from app.store.shared import RateEvent

T0 = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    (tmp_path / "data").mkdir(exist_ok=True)
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def events(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(RateEvent)).one()


def test_a_full_window_refuses_until_its_oldest_event_is_a_minute_old(engine: Engine) -> None:
    at = [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)]
    for now in at[:2]:
        assert count_event(engine, scope="run", key="ada", limit=2, window_s=60, now=now) is None
    retry = count_event(engine, scope="run", key="ada", limit=2, window_s=60, now=at[2])
    assert retry == pytest.approx(40.0)
    assert events(engine) == 2, "a refused event is not counted"
    # Other keys and other scopes have windows of their own.
    assert count_event(engine, scope="run", key="bob", limit=2, window_s=60, now=at[2]) is None
    assert count_event(engine, scope="login", key="ada", limit=2, window_s=60, now=at[2]) is None
    later = T0 + timedelta(seconds=61)
    assert count_event(engine, scope="run", key="ada", limit=2, window_s=60, now=later) is None
    # The event that left the window was removed with that call.
    assert events(engine) == 4


def test_concurrent_hits_never_exceed_the_limit(engine: Engine) -> None:
    limiter = SharedRateLimiter(engine, per_minute=5)
    refused: list[float] = []

    def hit() -> None:
        try:
            limiter.hit("ada")
        except RateLimited as error:
            assert error.retry_after is not None
            refused.append(error.retry_after)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 7 and all(r >= 1 for r in refused)
    assert events(engine) == 5


def test_pruning_removes_only_old_events_of_its_scope(engine: Engine) -> None:
    old = datetime.now(UTC) - timedelta(minutes=5)
    count_event(engine, scope="run", key="idle", limit=9, window_s=60, now=old)
    count_event(engine, scope="login", key="idle", limit=9, window_s=60, now=old)
    count_event(engine, scope="run", key="busy", limit=9, window_s=60)
    assert prune_events(engine, scope="run", window_s=60) == 1
    assert events(engine) == 2


def test_zero_turns_the_shared_limit_off(engine: Engine) -> None:
    limiter = SharedRateLimiter(engine, per_minute=0)
    for _ in range(3):
        limiter.hit("ada")
    assert events(engine) == 0


def test_authored_outputs_are_kept_per_torch_version(engine: Engine) -> None:
    store = OutputStore(engine)
    ran = RunResult("ok", "tensor([1, 2])\n", "", False, 12.5, None)
    checked = RunResult("ok", "", "", False, 20.0, None, check_output="shape (2,)\n")
    store.save("k1", "2.13.0+cpu", ran)
    store.save("k2", "2.13.0+cpu", checked)
    store.save("k1", "2.13.0+cpu", RunResult("error", "", "late", False, 1.0, None))
    store.save("k3", "2.14.0+cpu", ran)
    assert store.load("2.13.0+cpu") == {"k1": ran, "k2": checked}, "the first result stays"
    assert store.load("9.9.9") == {}
