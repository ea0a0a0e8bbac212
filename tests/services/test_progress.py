"""Attempts land in a real SQLite file and survive a restart of the app."""

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from tests.helpers import Learner, migrated_app


def test_attempts_are_rows_in_the_database(settings: Settings, learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    learner.answer("basics", "shape", "b")
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as database:
        rows = database.execute(
            text("select topic_id, question_id, answer, correct from attempt order by id")
        ).all()
        learners = database.execute(text("select count(*) from learner")).scalar()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("basics", "shape", '{"choice": "a"}', False),
        ("basics", "shape", '{"choice": "b"}', True),
    ]
    assert learners == 1


def test_progress_survives_a_restart(settings: Settings) -> None:
    with TestClient(migrated_app(settings)) as first:
        Learner(first).answer("basics", "shape", "b")
        cookies = dict(first.cookies)
    # A new app on the same data folder: a restarted server.
    with TestClient(migrated_app(settings), cookies=cookies) as second:
        progress = second.get("/api/progress").json()
    basics = next(t for t in progress["topics"] if t["id"] == "basics")
    assert basics["progress"] == {
        "answered": 1,
        "correct": 1,
        "total": 2,
        "percent": 50,
        "done": False,
    }
    assert [(a["question_id"], a["correct"]) for a in progress["attempts"]] == [("shape", True)]


def test_latest_answer_decides_the_progress(learner: Learner) -> None:
    learner.answer("basics", "shape", "b")
    learner.answer("basics", "shape", "c")
    progress = learner.client.get("/api/topics/basics").json()
    assert progress["topic"]["progress"]["correct"] == 0
    assert [q["status"] for q in progress["questions"]] == ["incorrect", "unanswered"]


def test_each_learner_sees_only_their_own_progress(app: object, client: TestClient) -> None:
    Learner(client).answer("basics", "shape", "b")
    with TestClient(client.app) as other:
        topics = other.get("/api/topics").json()["topics"]
    assert topics[0]["progress"]["answered"] == 0
