"""Run Alembic from code. Migrating is the job of `torchquiz serve`, `torchquiz db upgrade`
and the test fixtures; a starting app only checks that the schema is the newest."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.paths import ALEMBIC_DIR, PROJECT_ROOT


class SchemaOutdated(RuntimeError):
    """The database is not at the schema this release needs; the message says what to run."""


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this project pointed at `database_url`."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    # ConfigParser interpolation treats % specially; URLs may hold escaped passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    # The app has configured logging already; alembic.ini's would replace it.
    config.attributes["skip_logging_config"] = True
    return config


def upgrade(database_url: str) -> None:
    """Bring the database schema to the newest revision."""
    command.upgrade(alembic_config(database_url), "head")


def prepare_database(settings: Settings) -> None:
    """Make the database ready for this release: its folder (SQLite), then the migrations."""
    if settings.uses_sqlite:
        settings.ensure_data_dir()
    upgrade(settings.resolved_database_url)


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutdated unless the database is at the newest revision."""
    url = engine.url.render_as_string(hide_password=False)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise SchemaOutdated(
            f"cannot open the database ({error.orig}); run `torchquiz db upgrade` first"
        ) from None
    if current != head:
        raise SchemaOutdated(
            f"the database schema is at revision {current or 'none'} and this release needs "
            f"{head}: run `torchquiz db upgrade` (or `torchquiz serve`, which migrates first)"
        )
