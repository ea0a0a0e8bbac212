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
    reload: bool = Field(
        default=False, description="Reload quiz files when they change (set by `serve --reload`)."
    )

    # Live code: how much one run may use, how many run at once, how often a learner may run.
    run_enabled: bool = Field(default=True, description="Run code in the sandbox at all.")
    run_wall_s: float = Field(default=5.0, gt=0, description="Wall-clock seconds per run.")
    run_cpu_s: float = Field(default=5.0, gt=0, description="CPU seconds per run.")
    run_memory_mb: int = Field(
        default=1024, ge=800, description="Address space of a run in MB (torch alone maps ~670)."
    )
    run_output_kb: int = Field(default=64, gt=0, description="Output kept per run, in KB.")
    run_disk_mb: int = Field(default=16, gt=0, description="Bytes a run may write, in MB.")
    run_code_kb: int = Field(default=64, gt=0, description="Largest code accepted, in KB.")
    run_workers: int = Field(default=2, ge=1, description="Runs at once.")
    run_queue: int = Field(default=16, ge=0, description="Runs waiting beyond the workers.")
    run_jobs_dir: Path | None = Field(
        default=None,
        description="Where runs get their folders (default: the system temp dir); "
        "a size-limited tmpfs here makes the disk limit hard.",
    )
    run_rate_per_min: int = Field(
        default=30, ge=0, description="Runs per learner per minute; 0 turns the limit off."
    )
    # Isolation layers; turn one off only for tests or on a host that lacks it.
    sandbox_seccomp: bool = Field(default=True, description="Deny dangerous syscalls (seccomp).")
    sandbox_landlock: bool = Field(default=True, description="Hide the file system (Landlock).")
    sandbox_uid_drop: bool = Field(default=True, description="Run jobs as uid 65534 when root.")

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
