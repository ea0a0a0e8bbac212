"""Settings, read once from `TORCHQUIZ_*` environment variables and injected."""

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.sandbox.limits import Layers, Limits

SECRET_KEY_FILE = "secret_key"


class ConfigurationError(RuntimeError):
    """A setting that cannot work; the message says what to set."""


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
    log_format: Literal["text", "json"] = Field(
        default="text", description="`json`: one JSON object per log line (for log collectors)."
    )
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
    run_spares: int = Field(
        default=2,
        ge=0,
        le=16,
        description="Jobs forked and locked down ahead of time, each waiting for one run "
        "(0: fork one per run).",
    )
    run_recycle_after: int = Field(
        default=20_000,
        ge=1,
        description="Jobs the sandbox's zygote forks before a fresh one replaces it.",
    )
    run_jobs_dir: Path | None = Field(
        default=None,
        description="Where runs get their folders (default: the system temp dir); "
        "a size-limited tmpfs here makes the disk limit hard.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For names the client (for login and sign-up limits); empty: the "
        "connection's own address is the client's.",
    )
    frame_ancestors: str = Field(
        default="'none'",
        description="Who may show the pages in a frame (the CSP frame-ancestors sources), "
        "e.g. an LMS's origin; 'none' by default.",
    )
    run_rate_per_min: int = Field(
        default=30, ge=0, description="Runs per learner per minute; 0 turns the limit off."
    )
    run_rate_per_address_per_min: int | None = Field(
        default=None,
        ge=0,
        description="Anonymous runs per client address per minute, a variant page's runs "
        "included (a fresh cookie does not reset it); default: TORCHQUIZ_RUN_RATE_PER_MIN; "
        "0 turns it off.",
    )
    run_anonymous_workers: int | None = Field(
        default=None,
        ge=1,
        description="Anonymous runs at once over the whole server, more wait in the queue; "
        "default: every worker but one (at least one), so signed-in learners keep one.",
    )
    run_allow_unprotected_files: bool = Field(
        default=False,
        description="Run code even when neither Landlock nor the uid drop hides the data "
        "folder from it (the server refuses by default).",
    )
    server_uid: int | None = Field(
        default=None,
        ge=1,
        description="Started as root (the Docker image): the web server drops to this uid, "
        "and only the sandbox's launcher keeps the privileges to run jobs as uid 65534.",
    )
    server_gid: int | None = Field(
        default=None, ge=1, description="The group of TORCHQUIZ_SERVER_UID (default: the same)."
    )
    seal_scratch_dirs: bool = Field(
        default=False,
        description="With TORCHQUIZ_SERVER_UID, in a container only: close /tmp, /var/tmp, "
        "/dev/shm and /run/lock to other uids at start (the image sets it).",
    )
    # Isolation layers; turn one off only for tests or on a host that lacks it.
    sandbox_seccomp: bool = Field(default=True, description="Deny dangerous syscalls (seccomp).")
    sandbox_landlock: bool = Field(default=True, description="Hide the file system (Landlock).")
    sandbox_uid_drop: bool = Field(default=True, description="Run jobs as uid 65534 when root.")

    def run_limits(self) -> Limits:
        """The limits of one run and of the pool, as the sandbox takes them."""
        return Limits(
            wall_s=self.run_wall_s,
            cpu_s=self.run_cpu_s,
            memory_mb=self.run_memory_mb,
            output_kb=self.run_output_kb,
            disk_mb=self.run_disk_mb,
            workers=self.run_workers,
            queue=self.run_queue,
            code_kb=self.run_code_kb,
            spares=self.run_spares,
            recycle_after=self.run_recycle_after,
        )

    def sandbox_layers(self) -> Layers:
        """The isolation layers, as the sandbox takes them."""
        return Layers(
            seccomp=self.sandbox_seccomp,
            landlock=self.sandbox_landlock,
            uid_drop=self.sandbox_uid_drop,
        )

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

    @field_validator("secret_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `TORCHQUIZ_SECRET_KEY=` (empty) must not sign cookies with an empty key.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def uses_sqlite(self) -> bool:
        """Whether the database is an SQLite file (one machine) rather than a server."""
        return self.resolved_database_url.startswith("sqlite")

    def session_secret(self) -> str:
        """The secret that signs cookies: the configured one, else one kept in the data folder.

        With a database server there may be several replicas, and each must sign cookies
        with the same key: a key generated by one of them would log learners out of the
        others, so it must be given.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.uses_sqlite:
            raise ConfigurationError(
                "TORCHQUIZ_SECRET_KEY must be set when TORCHQUIZ_DATABASE_URL is a database "
                "server: every replica must sign session cookies with the same key "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
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
