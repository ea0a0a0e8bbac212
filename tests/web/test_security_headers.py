"""Security headers on pages, JSON, errors and refusals; /docs serves nothing from a CDN
(security review 3, finding 15)."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.helpers import migrated_app


@pytest.mark.parametrize("path", ["/", "/topics/basics", "/api/topics", "/healthz", "/nope"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_refusals_carry_them_too(client: TestClient) -> None:
    response = client.post("/api/login", content=b"x" * 100_000)
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api_docs_load_nothing_from_a_cdn(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 404 and "cdn." not in response.text
    assert client.get("/openapi.json").status_code == 200


def test_framing_can_be_allowed_for_an_lms(settings: Settings) -> None:
    lms = "https://lms.example.edu"
    app = migrated_app(settings.model_copy(update={"frame_ancestors": lms}))
    with TestClient(app) as client:
        response = client.get("/")
    assert f"frame-ancestors {lms}" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
