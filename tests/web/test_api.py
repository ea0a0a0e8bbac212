"""The JSON API: the twins of the pages, answers, CSRF, errors; never a 500 or a leak."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app import __version__
from app.config import Settings
from tests.helpers import Learner, template_context

ANSWER = "/api/topics/basics/questions/shape/answer"
SECRETS = {"correct", "misconception", "steps", "quick_check", "mistakes", "correct_option"}


def keys_outside_progress(value: object) -> set[str]:
    """Every key in a JSON body, except inside the learner's own `progress` counts."""
    if isinstance(value, dict):
        found = set(value)
        for key, item in value.items():
            if key != "progress":
                found |= keys_outside_progress(item)
        return found - {"progress"}
    if isinstance(value, list):
        return set().union(*(keys_outside_progress(item) for item in value))
    return set()


def test_session_gives_a_csrf_token_and_a_cookie(client: TestClient) -> None:
    response = client.get("/api/session")
    assert len(response.json()["csrf_token"]) == 64
    assert "torchquiz_session" in response.cookies


def test_topics_match_the_home_page(client: TestClient) -> None:
    api = client.get("/api/topics").json()
    page = template_context(client.get("/"))["page"]
    assert api == page.model_dump(mode="json")


def test_topic_and_question_leak_no_answers(client: TestClient) -> None:
    topic = client.get("/api/topics/basics").json()
    assert [q["id"] for q in topic["questions"]] == ["shape", "dtype"]
    question = client.get("/api/topics/basics/questions/shape").json()
    assert [o["id"] for o in question["question"]["options"]] == ["a", "b", "c"]
    for body in (topic, question):
        assert not keys_outside_progress(body) & SECRETS
        assert "rows first" not in str(body)


def test_answer_returns_the_verdict_and_the_full_feedback(learner: Learner) -> None:
    wrong = learner.answer("basics", "shape", "c")
    assert wrong["correct"] is False
    assert [o["id"] for o in wrong["chosen"]] == ["c"]
    assert [m["option_id"] for m in wrong["misconceptions"]] == ["c"]
    assert "numel()" in wrong["misconceptions"][0]["text"]
    assert [o["id"] for o in wrong["correct_options"]] == ["b"]
    assert [s["title"] for s in wrong["steps"]] == ["Read the call", None]
    assert wrong["quick_check"] == "zeros(2, 3).shape = (2, 3)"
    assert wrong["mistakes"] == ["Reversing the dimensions"]
    assert wrong["next_url"] == "/topics/basics/questions/dtype"
    assert wrong["score"] is None
    right = learner.answer("basics", "shape", "b")
    assert right["correct"] is True and right["misconceptions"] == []


def test_feedback_twin_repeats_the_latest_answer(learner: Learner) -> None:
    learner.answer("basics", "dtype", "a")
    feedback = learner.client.get("/api/topics/basics/questions/dtype/feedback").json()
    assert feedback["correct"] is True
    assert feedback["score"] == {"correct": 1, "total": 2}


def test_feedback_twin_is_404_before_answering(client: TestClient) -> None:
    response = client.get("/api/topics/basics/questions/dtype/feedback")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}],
    ids=["none", "forged", "empty"],
)
def test_answer_without_a_valid_token_is_403(client: TestClient, headers: dict[str, str]) -> None:
    client.get("/api/session")
    response = client.post(ANSWER, json={"choice": "b"}, headers=headers)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_of_another_learner_is_refused(client: TestClient, learner: Learner) -> None:
    token = learner.csrf
    with TestClient(client.app) as other:
        other.get("/api/session")
        response = other.post(ANSWER, json={"choice": "b"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 403


def test_answer_without_any_session_is_403(client: TestClient) -> None:
    response = client.post(ANSWER, json={"choice": "b"}, headers={"X-CSRF-Token": "x"})
    assert response.status_code == 403


def test_unknown_option_is_422_with_the_choices(learner: Learner) -> None:
    response = learner.client.post(
        ANSWER, json={"choice": "z"}, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "unknown option 'z'; choose from: a, b, c"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"choice": 3}',
        b'{"choice": ""}',
        b'{"choice": "b", "extra": 1}',
        b"{}",
        b'{"choice": "' + b"x" * 500 + b'"}',
    ],
)
def test_malformed_answers_are_422_never_500(learner: Learner, body: bytes) -> None:
    response = learner.client.post(
        ANSWER,
        content=body,
        headers={"X-CSRF-Token": learner.csrf, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert learner.client.get("/api/progress").json()["attempts"] == []


def test_unknown_topic_or_question_is_json_404(learner: Learner) -> None:
    assert learner.client.get("/api/topics/nope").status_code == 404
    response = learner.client.post(
        "/api/topics/basics/questions/nope/answer",
        json={"choice": "a"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "no question 'nope' in topic 'basics'"}


def test_healthz_reports_counts(client: TestClient) -> None:
    assert client.get("/healthz").json() == {
        "status": "ok",
        "version": __version__,
        "topics": 2,
        "questions": 9,
        "content_errors": 0,
        "sandbox": {"enabled": False, "reason": "running code is turned off on this server"},
    }


def test_second_click_records_a_second_attempt_without_error(learner: Learner) -> None:
    learner.answer("basics", "shape", "b")
    learner.answer("basics", "shape", "b")
    attempts = learner.client.get("/api/progress").json()["attempts"]
    assert len(attempts) == 2


def test_a_learner_is_stored_by_the_first_answer_even_after_a_wipe(
    learner: Learner, settings: Settings
) -> None:
    token = learner.csrf
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as database:
        assert database.execute(text("select count(*) from learner")).scalar() == 0
    for _ in range(2):  # the second time, the row is gone (a wiped database)
        response = learner.client.post(
            ANSWER, json={"choice": "b"}, headers={"X-CSRF-Token": token}
        )
        assert response.status_code == 200
        with engine.begin() as database:
            assert database.execute(text("select count(*) from learner")).scalar() == 1
            database.execute(text("delete from learner"))
    engine.dispose()
