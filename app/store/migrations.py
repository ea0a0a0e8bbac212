"""Run Alembic from code: the server upgrades at start-up, `torchquiz db upgrade` on demand."""

from alembic import command
from alembic.config import Config

from app.paths import ALEMBIC_DIR, PROJECT_ROOT


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
