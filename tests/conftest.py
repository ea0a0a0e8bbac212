"""Shared fixtures: every test gets its own app on its own, migrated database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from tests.helpers import (
    FIXTURE_QUIZZES,
    POSTGRES_ADMIN_URL,
    Learner,
    fresh_postgres_database,
    migrated_app,
)

BACKENDS = ["sqlite", "postgresql"] if POSTGRES_ADMIN_URL else ["sqlite"]

# The tiers (`make test-fast` runs what is neither slow nor serial; `make test` runs all).
# A test is slow when it starts a real process: a sandbox, a server, a browser, a build.
# These fixtures each start one...
PROCESS_FIXTURES = frozenset(
    {"browser", "page", "server", "quiz_server", "runner", "live", "live_client", "battery"}
)
# ...these folders are about such processes as a whole...
SLOW_FOLDERS = frozenset({"bench", "browser", "frontend", "sandbox"})
# ...and these modules start them inline (a sandbox, `torchquiz serve`, a CLI that runs
# snippets, a live server per test).
SLOW_MODULES = frozenset(
    {
        "tests/content/test_source.py",
        "tests/services/test_live_code.py",
        "tests/services/test_progress.py",
        "tests/services/test_verify.py",
        "tests/test_cli.py",
        "tests/web/test_operations.py",
        "tests/web/test_run_load.py",
    }
)

# Run alone, after the parallel tiers: their cases wait out wall and CPU limits, or measure
# a server under load, and a busy second worker would make them flaky.
SERIAL_MODULES = frozenset(
    {
        "tests/bench/test_bench_smoke.py",
        "tests/sandbox/test_hostile.py",
        "tests/sandbox/test_pid_namespace.py",
        "tests/web/test_run_load.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that starts a real process slow, and the timing-sensitive serial."""
    root = config.rootpath
    for item in items:
        relative = item.path.relative_to(root)
        slow = (
            PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ()))
            or relative.parts[1] in SLOW_FOLDERS
            or relative.as_posix() in SLOW_MODULES
            or "postgresql" in item.name
        )
        if slow:
            item.add_marker(pytest.mark.slow)
        if relative.as_posix() in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'torchquiz.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Code runs are off here; tests of live code start their own sandbox (test_live_code.py).
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test-secret",
        run_enabled=False,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return migrated_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def learner(client: TestClient) -> Learner:
    return Learner(client)
