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
