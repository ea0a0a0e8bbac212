"""Hints: revealed one at a time by a POST (API and a form that works without JavaScript),
shown on the question page, and counted on the attempt that follows."""

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.store.models import Attempt
from app.web.state import app_state
from tests.helpers import Learner, csrf_from

Q = "/topics/kinds/questions/even-shapes"
API = "/api" + Q


def reveal(learner: Learner) -> dict[str, Any]:
    response = learner.client.post(f"{API}/hint", headers={"X-CSRF-Token": learner.csrf})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def answer(learner: Learner, choices: list[str]) -> dict[str, Any]:
    response = learner.client.post(
        f"{API}/answer", json={"choices": choices}, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_hints_seen(app: FastAPI) -> list[int | None]:
    with Session(app_state(app).engine) as session:
        rows = session.exec(select(Attempt).order_by(col(Attempt.id))).all()
    return [row.hints_seen for row in rows]


def test_hints_are_revealed_one_at_a_time(learner: Learner) -> None:
    page = learner.client.get(API).json()
    assert page["hints"] == {"revealed": [], "total": 2, "hint_url": f"{API}/hint"}
    first = reveal(learner)
    assert [h["text"] for h in first["revealed"]] == [
        "Count the elements of each shape by **multiplying** its sizes."
    ]
    assert "<strong>multiplying</strong>" in first["revealed"][0]["html"]
    # Reading the page again shows what was revealed, and reveals nothing more.
    for _ in range(2):
        assert len(learner.client.get(API).json()["hints"]["revealed"]) == 1
    assert len(reveal(learner)["revealed"]) == 2
    assert len(reveal(learner)["revealed"]) == 2  # all revealed: nothing changes


def test_a_hint_needs_the_csrf_token_and_a_question_with_hints(learner: Learner) -> None:
    assert learner.client.post(f"{API}/hint").status_code == 403
    assert learner.client.get(API).json()["hints"]["revealed"] == []
    response = learner.client.post(
        "/api/topics/kinds/questions/make-sgd/hint", headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "this question has no hints"
    assert learner.client.get("/api/topics/kinds/questions/make-sgd").json()["hints"] == {
        "revealed": [],
        "total": 0,
        "hint_url": None,
    }


def test_the_attempt_counts_the_hints_seen_until_a_right_answer(
    app: FastAPI, learner: Learner
) -> None:
    assert answer(learner, ["six"])["hints_seen"] == 0
    reveal(learner)
    reveal(learner)
    wrong = answer(learner, ["six"])
    assert wrong["correct"] is False and wrong["hints_seen"] == 2
    assert learner.client.get(f"{API}/feedback").json()["hints_seen"] == 2  # read back
    right = answer(learner, ["six", "two-three"])
    assert right["correct"] is True and right["hints_seen"] == 2
    # A right answer closes the round: the next review starts without hints.
    assert learner.client.get(API).json()["hints"]["revealed"] == []
    assert answer(learner, ["six", "two-three"])["hints_seen"] == 0
    assert stored_hints_seen(app) == [0, 2, 2, 0]


def test_hints_are_per_learner(client: TestClient) -> None:
    ada = Learner(client)
    reveal(ada)
    client.cookies.clear()
    bea = Learner(client)
    assert bea.client.get(API).json()["hints"]["revealed"] == []


def test_the_hint_button_works_without_javascript(client: TestClient) -> None:
    html = client.get(Q).text
    assert f'formaction="{Q}/hint"' in html and "Show a hint (1 of 2)" in html
    form = {"csrf_token": csrf_from(html), "choices": ["six"]}
    page = client.post(f"{Q}/hint", data=form)
    assert page.status_code == 200
    assert "Hint 1 of 2" in page.text and "Show the next hint (2 of 2)" in page.text
    assert re.search(r'value="six"\s+checked', page.text)  # what was ticked comes back
    page = client.post(f"{Q}/hint", data=form)
    assert "Hint 2 of 2" in page.text and "hint-button" not in page.text
    assert client.post(f"{Q}/hint", data={"choices": ["six"]}).status_code == 403


def test_a_hint_asked_on_the_review_page_keeps_the_answer_a_review(client: TestClient) -> None:
    html = client.get(Q).text
    form = {"csrf_token": csrf_from(html), "choices": ["six"], "review": "1"}
    page = client.post(f"{Q}/hint", data=form)
    assert "Hint 1 of 2" in page.text
    assert '<input type="hidden" name="review" value="1">' in page.text
    answered = client.post(Q, data={**form, "idempotency_key": "k"}, follow_redirects=False)
    assert answered.headers["location"].endswith("/feedback?review=1")
