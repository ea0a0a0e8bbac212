"""Shared fixtures: every test gets its own app on its own SQLite file."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from app.config import Settings
from app.main import create_app

TESTS_DIR = Path(__file__).parent
FIXTURE_QUIZZES = TESTS_DIR / "fixtures" / "quizzes"
COURSE_QUIZZES = TESTS_DIR.parent / "quizzes"


# An admin URL of a throwaway PostgreSQL server (`make test` starts one, see
# scripts/test-postgres.sh); when set, every test that uses `settings` runs on both.
POSTGRES_ADMIN_URL = os.environ.get("TORCHQUIZ_TEST_POSTGRES")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_ADMIN_URL else ["sqlite"]


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    assert POSTGRES_ADMIN_URL is not None
    admin = make_url(POSTGRES_ADMIN_URL)
    name = f"tq_{uuid.uuid4().hex[:16]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


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
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


class Learner:
    """A learner driving the JSON API, like flaskr's AuthActions."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._token: str | None = None

    @property
    def csrf(self) -> str:
        if self._token is None:
            self._token = self.client.get("/api/session").json()["csrf_token"]
        return self._token

    def answer(self, topic: str, question: str, choice: str) -> dict[str, object]:
        response = self.client.post(
            f"/api/topics/{topic}/questions/{question}/answer",
            json={"choice": choice},
            headers={"X-CSRF-Token": self.csrf},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def learner(client: TestClient) -> Learner:
    return Learner(client)
