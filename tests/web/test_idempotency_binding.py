"""An idempotency key answers for one submit only: the same learner, question and body
(security review 3, finding 11). Reusing it for another question or another body is a
409, never another question's feedback."""

from sqlalchemy import create_engine, text

from app.config import Settings
from tests.helpers import Learner

SHAPE = "/api/topics/basics/questions/shape/answer"
DTYPE = "/api/topics/basics/questions/dtype/answer"


def _attempts(settings: Settings) -> list[tuple[str, bool]]:
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        found = [
            tuple(r) for r in connection.execute(text("select question_id, correct from attempt"))
        ]
    engine.dispose()
    return found


def test_a_key_reused_for_another_question_is_refused(learner: Learner, settings: Settings) -> None:
    headers = {"X-CSRF-Token": learner.csrf, "Idempotency-Key": "k-1"}
    first = learner.client.post(SHAPE, json={"choice": "b"}, headers=headers)
    assert first.status_code == 200 and first.json()["correct"] is True
    reused = learner.client.post(DTYPE, json={"choice": "a"}, headers=headers)
    assert reused.status_code == 409, reused.text
    assert "Idempotency-Key" in reused.json()["detail"]
    assert "steps" not in reused.json()  # none of the other question's feedback
    assert _attempts(settings) == [("shape", True)]


def test_a_key_reused_with_another_body_is_refused(learner: Learner, settings: Settings) -> None:
    headers = {"X-CSRF-Token": learner.csrf, "Idempotency-Key": "k-2"}
    first = learner.client.post(SHAPE, json={"choice": "a"}, headers=headers)
    assert first.status_code == 200 and first.json()["correct"] is False
    other = learner.client.post(SHAPE, json={"choice": "b"}, headers=headers)
    assert other.status_code == 409
    same = learner.client.post(SHAPE, json={"choice": "a"}, headers=headers)
    assert same.status_code == 200 and same.json() == first.json()  # a retry: answered alike
    assert _attempts(settings) == [("shape", False)]
