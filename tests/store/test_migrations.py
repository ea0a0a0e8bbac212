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
            "learner",
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
