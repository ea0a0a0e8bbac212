"""The JSON API fuzzed from its own OpenAPI description: every answer conforms to the
documented responses, and no input makes it answer 500."""

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from app.config import Settings
from app.main import create_app
from app.store.migrations import prepare_database
from app.web.body_limits import BodyLimits
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
# A body over its route's size is refused unread (413, app/web/body_limits.py): as right a
# rejection of invalid data (a string over maxLength, say) as a 422.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [*REJECTIONS, "5xx"]}}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


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
def test_api_conforms_and_never_fails(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate()


LONE = "\ud800"  # a UTF-16 half: JSON can carry it (as an escape), UTF-8 text cannot
LIMITS = BodyLimits(code_bytes=SETTINGS.run_code_kb * 1024)


def _with_lone_surrogates(value: object) -> tuple[object, bool]:
    """The body with a lone surrogate in every string and key, and whether it has any."""
    if isinstance(value, str):
        return value + LONE, True
    if isinstance(value, list):
        changed = [_with_lone_surrogates(item) for item in value]
        return [item for item, _ in changed], any(hit for _, hit in changed)
    if isinstance(value, dict):
        entries = {k + LONE: _with_lone_surrogates(v) for k, v in value.items()}
        return {k: v for k, (v, _) in entries.items()}, bool(entries)
    return value, False


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_lone_surrogates_in_any_json_string_are_a_422(case: schemathesis.Case[Any]) -> None:
    """Security review 3, finding 13: a lone surrogate anywhere in a JSON body (a value or
    a key) is refused with a message, never a 500."""
    body, changed = _with_lone_surrogates(case.body)
    if not changed or case.method.upper() != case.operation.method.upper():
        # No body, one without strings and keys, or a method the route lacks (405 unread).
        return
    content = json.dumps(body).encode()  # escapes: \ud800, as any JSON client sends it
    with TestClient(APP) as client:
        token = client.get("/api/session").json()["csrf_token"]
        response = client.request(
            case.method,
            case.formatted_path,
            content=content,
            headers={"Content-Type": "application/json", "X-CSRF-Token": token},
        )
    if len(content) > LIMITS.for_path(case.formatted_path):
        assert response.status_code == 413  # refused before it is read
        return
    assert response.status_code == 422, (case.method, case.formatted_path, response.text)
    assert "surrogate" in response.json()["detail"][0]["msg"]
