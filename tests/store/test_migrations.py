"""Only Alembic creates the schema, and it matches the models."""

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import text

from app.store.database import make_engine
from app.store.migrations import alembic_config, upgrade


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    # Raises when autogenerate would find a difference between the models and the schema.
    command.check(alembic_config(url))


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    tables = sqlite3.connect(tmp_path / "cycle.db").execute(
        "select name from sqlite_master where type = 'table' order by name"
    )
    assert [name for (name,) in tables] == ["alembic_version", "attempt", "learner"]


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tuned.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
