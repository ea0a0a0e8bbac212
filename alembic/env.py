"""Alembic environment: the URL comes from the config torchquiz builds, or from Settings."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import app.store.models  # noqa: F401 - registers the tables on SQLModel.metadata
import app.store.review  # noqa: F401
import app.store.shared  # noqa: F401
from app.config import Settings
from app.store.database import make_engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy a table, drop it and rename the copy: with foreign keys
            # enforced, dropping `learner` would cascade-delete every attempt. The pragma
            # only takes effect outside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
