"""Reading never writes: a visitor gets an id in the cookie at once, a database row only
with the first answer; repeated submits are recorded once, and timed."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from tests.helpers import Learner, csrf_from

PAGES = [
    "/",
    "/topics/basics",
    "/topics/basics/questions/shape",
    "/topics/kinds/questions/make-sgd",
    "/topics/basics/questions/shape/feedback",
    "/progress",
    "/review",
    "/api/review",
    "/signup",
    "/login",
    "/account",
    "/api/session",
    "/api/topics",
    "/api/topics/basics",
    "/api/topics/basics/questions/shape",
    "/api/progress",
    "/api/progress/export",
    "/healthz",
    "/readyz",
    "/no-such-page",
]


def count(settings: Settings, table: str) -> int:
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        value = connection.execute(text(f"select count(*) from {table}")).scalar()
    engine.dispose()
    return int(value or 0)


def test_a_hundred_cookieless_gets_of_every_page_write_nothing(
    app: FastAPI, settings: Settings
) -> None:
    with TestClient(app) as client:
        for _ in range(100):
            client.cookies.clear()
            for page in PAGES:
                assert client.get(page).status_code < 500, page
    # Every table a visitor could grow; authored_output too, which only the warm-up (and
    # shutdown) write, never a page read (tests/services/test_live_code.py, with runs on).
    for table in (
        "authored_output",
        "learner",
        "attempt",
        "login_session",
        "review_card",
        "review_log",
        "hint_reveal",
        "rate_event",
    ):
        assert count(settings, table) == 0, table


def test_the_cookie_id_is_the_learner_stored_at_the_first_answer(
    learner: Learner, settings: Settings
) -> None:
    learner.client.get("/")
    assert "torchquiz_session" in learner.client.cookies
    assert count(settings, "learner") == 0
    learner.answer("basics", "shape", "b")
    learner.answer("basics", "dtype", "a")
    assert count(settings, "learner") == 1


def test_a_repeated_submit_with_the_same_key_is_recorded_once(
    learner: Learner, settings: Settings
) -> None:
    page = learner.client.get("/api/topics/basics/questions/shape").json()
    headers = {"X-CSRF-Token": learner.csrf, "Idempotency-Key": page["idempotency_key"]}
    url = "/api/topics/basics/questions/shape/answer"
    first = learner.client.post(url, json={"choice": "a"}, headers=headers)
    # A second click gets the first verdict back; the key with another choice is refused.
    again = learner.client.post(url, json={"choice": "a"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["correct"] is False
    assert learner.client.post(url, json={"choice": "b"}, headers=headers).status_code == 409
    assert count(settings, "attempt") == 1
    other = learner.client.post(
        url, json={"choice": "b"}, headers=headers | {"Idempotency-Key": "another"}
    )
    assert other.json()["correct"] is True
    assert count(settings, "attempt") == 2


def test_the_form_sends_a_key_and_a_double_click_is_one_attempt(
    client: TestClient, settings: Settings
) -> None:
    html = client.get("/topics/basics/questions/shape").text
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    shown = html.split('name="shown_at" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_from(html), "choice": "b", "idempotency_key": key, "shown_at": shown}
    for _ in range(2):
        response = client.post("/topics/basics/questions/shape", data=form, follow_redirects=False)
        assert response.status_code == 303
    assert count(settings, "attempt") == 1


@pytest.mark.parametrize(
    ("offset_ms", "stored"),
    [(-4000, True), (5000, False), (-30 * 3600 * 1000, False)],
    ids=["four seconds", "in the future", "a day and more"],
)
def test_the_time_from_showing_to_answering_is_stored(
    learner: Learner, settings: Settings, offset_ms: int, stored: bool
) -> None:
    page = learner.client.get("/api/topics/basics/questions/shape").json()
    learner.client.post(
        "/api/topics/basics/questions/shape/answer",
        json={"choice": "b", "shown_at": page["shown_at"] + offset_ms},
        headers={"X-CSRF-Token": learner.csrf},
    )
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        taken = connection.execute(text("select time_taken_ms from attempt")).scalar()
    engine.dispose()
    if stored:
        assert taken is not None and 4000 <= taken < 60_000
    else:
        assert taken is None
