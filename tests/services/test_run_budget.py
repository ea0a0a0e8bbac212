"""The run limits as configured: replicas on one database share the per-address limit."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.config import Settings
from app.services.refusals import RateLimited
from app.services.running.run_budget import Requester, budget_for
from app.store.database import make_engine
from app.store.migrations import upgrade
from tests.helpers import FIXTURE_QUIZZES


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    (tmp_path / "data").mkdir(exist_ok=True)
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_replicas_share_the_per_address_limit(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        quiz_dir=FIXTURE_QUIZZES,
        run_rate_per_min=10,
        run_rate_per_address_per_min=3,
        run_workers=3,
    )
    first, second = budget_for(settings, engine), budget_for(settings, engine)
    assert first.anonymous_at_once == 2, "every worker but one"

    async def scenario() -> None:
        for n, budget in enumerate((first, second, first)):
            await budget.admit(f"fresh-{n}", Requester(f"fresh-{n}", "2001:db8::1", True))
        same_subscriber = Requester("fresh-9", "2001:db8::ffff", anonymous=True)
        if settings.uses_sqlite:  # each process counts on its own: `second` saw one
            for n in (7, 8):
                await second.admit(f"fresh-{n}", Requester(f"fresh-{n}", "2001:db8::2", True))
            with pytest.raises(RateLimited, match="your address"):
                await second.admit("fresh-9", same_subscriber)
        else:  # one limit for the whole site
            with pytest.raises(RateLimited, match="your address"):
                await second.admit("fresh-9", same_subscriber)

    asyncio.run(scenario())
