"""Only Alembic creates the schema, and it matches the models, on SQLite and PostgreSQL."""

from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from app.config import Settings
from app.main import create_app
from app.store.database import make_engine
from app.store.migrations import SchemaOutdated, alembic_config, prepare_database, upgrade


def test_migrations_match_the_models(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    upgrade(database_url)
    # Raises when autogenerate would find a difference between the models and the schema.
    command.check(alembic_config(database_url))


def test_downgrade_and_upgrade_again(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert sorted(inspect(engine).get_table_names()) == [
            "alembic_version",
            "attempt",
            "authored_output",
            "hint_reveal",
            "learner",
            "login_session",
            "rate_event",
            "review_card",
            "review_log",
        ]
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tuned.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_an_app_refuses_a_database_that_is_not_migrated(settings: Settings) -> None:
    (settings.data_dir).mkdir(parents=True, exist_ok=True)
    with pytest.raises(SchemaOutdated, match="run `torchquiz db upgrade`"):
        with TestClient(create_app(settings)):
            pass
    upgrade(settings.resolved_database_url)
    command.downgrade(alembic_config(settings.resolved_database_url), "0001")
    with pytest.raises(SchemaOutdated, match="at revision 0001 and this release needs"):
        with TestClient(create_app(settings)):
            pass
    prepare_database(settings)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200


def test_an_upgrade_keeps_every_attempt_with_its_learner(database_url: str, tmp_path: Path) -> None:
    # A database as the last release (schema 0002) wrote it, with two learners' attempts.
    (tmp_path / "data").mkdir(exist_ok=True)
    command.upgrade(alembic_config(database_url), "0002")
    engine = make_engine(database_url)
    written = [
        ("ann", "basics", "shape", '{"choice": "b"}', True),
        ("ann", "basics", "dtype", '{"choice": "a"}', True),
        ("bea", "kinds", "make-sgd", '{"code": "x = 1"}', False),
    ]
    with engine.begin() as connection:
        for learner in ("ann", "bea"):
            connection.execute(
                text("insert into learner (id, created_at) values (:id, :at)"),
                {"id": learner, "at": "2026-11-20 10:00:00"},
            )
        for learner, topic, question, answer, correct in written:
            connection.execute(
                text(
                    "insert into attempt (learner_id, topic_id, question_id, answer, correct, "
                    "detail, created_at) values (:l, :t, :q, :a, :c, null, :at)"
                ),
                {
                    "l": learner,
                    "t": topic,
                    "q": question,
                    "a": answer,
                    "c": correct,
                    "at": "2026-11-20 10:05:00",
                },
            )
    upgrade(database_url)
    with engine.connect() as connection:
        kept = connection.execute(
            text(
                "select learner_id, topic_id, question_id, answer, correct from attempt order by id"
            )
        ).all()
        learners = connection.execute(text("select id, username from learner order by id")).all()
    engine.dispose()
    assert [tuple(row) for row in kept] == written
    assert [tuple(row) for row in learners] == [("ann", None), ("bea", None)]
