"""Shared fixtures: every test gets its own app on its own SQLite file."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

TESTS_DIR = Path(__file__).parent
FIXTURE_QUIZZES = TESTS_DIR / "fixtures" / "quizzes"
COURSE_QUIZZES = TESTS_DIR.parent / "quizzes"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Code runs are off here; tests of live code start their own sandbox (test_live_code.py).
    return Settings(
        data_dir=tmp_path / "data",
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
