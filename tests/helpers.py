"""Helpers shared by test modules: fixture folders, a learner driving the API, apps."""

import atexit
import functools
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import Template
from sqlalchemy import create_engine, make_url, text

from app.config import Settings
from app.main import create_app
from app.store.migrations import prepare_database

TESTS_DIR = Path(__file__).parent
FIXTURE_QUIZZES = TESTS_DIR / "fixtures" / "quizzes"
COURSE_QUIZZES = TESTS_DIR.parent / "quizzes"
BROKEN = TESTS_DIR / "fixtures" / "broken"

# An admin URL of a throwaway PostgreSQL server (`make test` starts one, see
# scripts/test-postgres.sh); when set, every test that uses `settings` runs on both.
POSTGRES_ADMIN_URL = os.environ.get("TORCHQUIZ_TEST_POSTGRES")


@functools.cache
def _migrated_sqlite_template() -> Path:
    """An SQLite file migrated to head once per test process (migrating takes ~0.3 s)."""
    folder = Path(tempfile.mkdtemp(prefix="torchquiz-template-"))
    atexit.register(shutil.rmtree, folder, True)
    prepare_database(Settings(data_dir=folder, secret_key="template"))
    return folder / "torchquiz.db"


def migrated_app(settings: Settings) -> FastAPI:
    """An app on a database migrated as `torchquiz serve` would migrate it. A new SQLite
    file starts as a copy of one migrated once per process, then goes through the same
    (then empty) upgrade; the migrations themselves are tested in tests/store."""
    if settings.uses_sqlite:
        target = Path(str(make_url(settings.resolved_database_url).database))
        if not target.exists():
            settings.ensure_data_dir()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_migrated_sqlite_template(), target)
    prepare_database(settings)
    return create_app(settings)


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


def template_name(response: httpx.Response) -> str | None:
    """The name of the template that rendered `response`. Starlette's TestClient sets the
    template and its context on the response at run time; httpx's `Response` type does not
    declare them, hence the one narrow ignore for each."""
    template: Template = response.template  # type: ignore[attr-defined]
    return template.name


def template_context(response: httpx.Response) -> dict[str, Any]:
    """The context the template of `response` was rendered with (see `template_name`)."""
    context: dict[str, Any] = response.context  # type: ignore[attr-defined]
    return context


def csrf_from(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def expectation(path: Path) -> tuple[int, str]:
    """The line and words a broken fixture file expects its error at (its first line)."""
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    match = re.fullmatch(r"# expect: (\d+): (.+)", first)
    assert match, f"{path.name} must start with '# expect: LINE: words'"
    return int(match.group(1)), match.group(2)


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

    def answer(self, topic: str, question: str, choice: str) -> dict[str, Any]:
        response = self.client.post(
            f"/api/topics/{topic}/questions/{question}/answer",
            json={"choice": choice},
            headers={"X-CSRF-Token": self.csrf},
        )
        assert response.status_code == 200, response.text
        feedback: dict[str, Any] = response.json()
        return feedback
