"""The JSON API fuzzed from its own OpenAPI description: every answer conforms to the
documented responses, and no input makes it answer 500."""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from app.config import Settings
from app.main import create_app
from app.store.migrations import prepare_database
from tests.helpers import FIXTURE_QUIZZES

# Schemathesis reads the schema when the module loads (starting the app), so the
# database is migrated and the app built here; the fixture below removes the folder.
DATA = Path(tempfile.mkdtemp(prefix="torchquiz-fuzz-"))
SETTINGS = Settings(
    data_dir=DATA / "data",
    database_url=f"sqlite:///{DATA / 'fuzz.db'}",
    quiz_dir=FIXTURE_QUIZZES,
    secret_key="fuzz",
    run_enabled=False,
)
prepare_database(SETTINGS)
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    with TestClient(APP):
        yield
    shutil.rmtree(DATA, ignore_errors=True)


@schema.parametrize()
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate()
