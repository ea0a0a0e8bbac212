"""Migration 0005 turns the attempts already stored into review logs and scheduled cards,
the same cards that the app's own replay (rebuild_cards) makes from those logs."""

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import col, select

from app.config import Settings
from app.services.learning.review import rebuild_cards
from app.store.database import make_engine, session_scope
from app.store.migrations import alembic_config, upgrade
from app.store.review import ReviewCard, ReviewLog

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ATTEMPTS = [  # learner, question, correct, minutes after T0
    ("ann", "shape", False, 0),
    ("ann", "shape", True, 4),
    ("ann", "dtype", True, 10),
    ("ann", "shape", True, 3 * 24 * 60),
    ("bob", "shape", True, 1),
]


# learner, topic, question, state, step, stability, difficulty, due
Card = tuple[str, str, str, int, int | None, float | None, float | None, datetime]


def cards(engine: Engine) -> list[Card]:
    with session_scope(engine) as session:
        rows = session.exec(select(ReviewCard)).all()
    return sorted(
        (r.learner_id, r.topic_id, r.question_id, r.state, r.step, r.stability, r.difficulty, r.due)
        for r in rows
    )


def test_attempts_stored_before_become_logs_and_cards(settings: Settings) -> None:
    settings.ensure_data_dir()
    url = settings.resolved_database_url
    config = alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision("0005").down_revision
    command.upgrade(config, str(before))
    engine = make_engine(url)
    with engine.begin() as database:
        for learner in ("ann", "bob", "cid"):
            database.execute(
                text("insert into learner (id, created_at) values (:id, :at)"),
                {"id": learner, "at": T0},
            )
        for learner, question, correct, minutes in ATTEMPTS:
            database.execute(
                text(
                    "insert into attempt (learner_id, topic_id, question_id, answer, correct,"
                    " created_at) values (:learner, 'basics', :question, '{}', :correct, :at)"
                ),
                {
                    "learner": learner,
                    "question": question,
                    "correct": correct,
                    "at": T0 + timedelta(minutes=minutes),
                },
            )
    upgrade(url)

    with session_scope(engine) as session:
        logs = session.exec(select(ReviewLog).order_by(col(ReviewLog.id))).all()
        attempt_ids = session.connection().execute(text("select id from attempt order by id")).all()
    assert [(g.learner_id, g.question_id, g.rating) for g in logs] == [
        ("ann", "shape", 1),
        ("bob", "shape", 3),
        ("ann", "shape", 3),
        ("ann", "dtype", 3),
        ("ann", "shape", 3),
    ]
    # Every log names its attempt: a None would leave this list short of the attempts.
    logged = [g.attempt_id for g in logs if g.attempt_id is not None]
    assert sorted(logged) == [row[0] for row in attempt_ids]

    migrated = cards(engine)
    assert [(c[0], c[2]) for c in migrated] == [
        ("ann", "dtype"),
        ("ann", "shape"),
        ("bob", "shape"),
    ]
    # Ann's shape: wrong, right (due a day later), then right three days on.
    ann_shape = migrated[1]
    assert ann_shape[3] == 2 and ann_shape[7] > T0 + timedelta(days=4)
    with session_scope(engine) as session:
        for learner in ("ann", "bob", "cid"):
            rebuild_cards(session=session, learner_id=learner)
    assert cards(engine) == migrated
    engine.dispose()
