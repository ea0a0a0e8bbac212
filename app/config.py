"""Settings, read once from `TORCHQUIZ_*` environment variables and injected."""

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"


class Settings(BaseSettings):
    """Every setting torchquiz reads; each maps to `TORCHQUIZ_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="TORCHQUIZ_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the SQLite database and the generated secret key (kept 0700).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: an SQLite file `torchquiz.db` in the data folder.",
    )
    quiz_dir: Path = Field(default=Path("quizzes"), description="Folder of topic YAML files.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies; when unset, generated once and kept in the data dir.",
    )
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set behind TLS)."
    )
    dev: bool = Field(default=False, description="Development mode: show content errors in pages.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'torchquiz.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data folder readable by its owner only (sandboxed jobs run as another uid)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        return self.data_dir

    def session_secret(self) -> str:
        """The secret that signs cookies: the configured one, else one kept in the data folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.ensure_data_dir() / SECRET_KEY_FILE
        try:
            # O_EXCL: two processes starting at once must agree on one key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text().strip()
            if key:
                return key
            raise RuntimeError(
                f"{path} is empty; delete it to generate a new key or set TORCHQUIZ_SECRET_KEY"
            ) from None
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key
