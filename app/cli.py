"""The `torchquiz` command: serve the site, check quiz files, migrate the database."""

import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from app.cli_authors import author_cli, stats
from app.config import ConfigurationError, Settings
from app.content import Catalog, ContentError, Topic, load_catalog, load_topic_file
from app.content.schema import json_schema
from app.logs import configure_logging
from app.sandbox import Sandbox, launcher, privileges
from app.sandbox.launcher import PrivilegeError, seal_scratch_dirs
from app.services.authoring.verify import content_warnings, verify_catalog
from app.store.backup import BackupError, backup_sqlite
from app.store.migrations import prepare_database

log = logging.getLogger("torchquiz")
cli = typer.Typer(help="torchquiz: learn PyTorch by answering questions whose code runs live.")
db_cli = typer.Typer(help="Database maintenance.")
cli.add_typer(db_cli, name="db")
cli.add_typer(author_cli, name="author")
cli.command()(stats)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[
        bool,
        typer.Option(help="Development: reload quiz files and code when they change."),
    ] = False,
) -> None:
    """Run the web server (migrates the database first)."""
    if reload:
        # Read by the app's Settings in uvicorn's reloading worker process.
        os.environ["TORCHQUIZ_RELOAD"] = "true"
        os.environ["TORCHQUIZ_DEV"] = "true"
    settings = Settings()
    configure_logging(settings.log_format)
    try:
        # First of all, before a secret is read or a file made: see app/sandbox/launcher.py.
        split_privileges(settings, reload=reload)
        settings.session_secret()  # refuse a setup that cannot work before anything starts
    except (ConfigurationError, PrivilegeError) as error:
        typer.echo(f"torchquiz: {error}", err=True)
        raise typer.Exit(code=2) from None
    # Migrate once here, before any worker starts: workers creating a schema would race.
    prepare_database(settings)
    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_config=None,
        access_log=False,  # app.logs.AccessLog writes one line per request instead
        timeout_graceful_shutdown=30,
        # X-Forwarded-For is read by the app, from TORCHQUIZ_TRUSTED_PROXIES only
        # (app/web/client_address.py): uvicorn would believe it from any local peer.
        proxy_headers=False,
    )


def split_privileges(settings: Settings, *, reload: bool) -> None:
    """Started as root with TORCHQUIZ_SERVER_UID: become that uid, leaving a launcher
    with just what the sandbox's zygotes need to run jobs as yet another uid."""
    uid = settings.server_uid
    if uid is None or os.geteuid() != 0:
        return
    if reload:
        raise ConfigurationError("--reload cannot be combined with TORCHQUIZ_SERVER_UID")
    gid = settings.server_gid or uid
    sealed = seal_scratch_dirs(gid) if settings.seal_scratch_dirs else []
    launcher.install(launcher.split(uid, gid))
    log.info(
        "running as uid %d; the sandbox launcher keeps the uid drop (closed to others: %s)",
        uid,
        ", ".join(sealed) or "nothing",
    )


@cli.command()
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: the quiz folder.")
    ] = None,
    run: Annotated[
        bool, typer.Option(help="Run every snippet and exercise in the sandbox.")
    ] = True,
) -> None:
    """Validate quiz files and run their code; print each problem as path:line:col: message."""
    settings = Settings()
    topics: list[Topic] = []
    errors: list[ContentError] = []
    for path in paths or [settings.quiz_dir]:
        if path.is_dir():
            catalog = load_catalog(path)
            errors.extend(catalog.errors)
            topics.extend(catalog.topics)
        elif path.is_file():
            topic, file_errors = load_topic_file(path)
            errors.extend(file_errors)
            topics.extend([topic] if topic else [])
        else:
            errors.append(ContentError(path, 1, 1, "no such file or folder"))
    if run and topics:
        errors.extend(asyncio.run(_run_everything(Catalog.build(topics, []), settings)))
    for error in sorted(errors):
        typer.echo(str(error), err=True)
    # Warnings are printed, never fatal: the exit code only counts problems.
    warnings = content_warnings(topics)
    for warning in warnings:
        typer.echo(str(warning), err=True)
    ran = " (snippets run)" if run else " (snippets not run)"
    summary = (
        f"{len(topics)} topic(s) checked{ran}, {len(errors)} problem(s), {len(warnings)} warning(s)"
    )
    typer.echo(summary, err=bool(errors))
    if errors:
        raise typer.Exit(code=1)


async def _run_everything(catalog: Catalog, settings: Settings) -> list[ContentError]:
    # The checker queues every run at once and waits its turn.
    limits = dataclasses.replace(settings.run_limits(), queue=100_000)
    sandbox = Sandbox(limits, settings.sandbox_layers())
    await sandbox.start()
    try:
        return await verify_catalog(catalog, sandbox, progress=_progress_bar())
    finally:
        await sandbox.close()


def _progress_bar() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        sys.stderr.write(
            f"\rrunning snippets [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}"
        )
        sys.stderr.flush()

    return show


@cli.command()
def schema() -> None:
    """Print the JSON Schema of topic files (quizzes/torchquiz.schema.json is a copy)."""
    typer.echo(json.dumps(json_schema(), indent=2))


@db_cli.callback()
def db_as_server_user() -> None:
    """Database maintenance."""
    # `docker exec` runs as root in the image: files it makes in the data folder must
    # stay the server's, so become the server's uid first (see TORCHQUIZ_SERVER_UID).
    settings = Settings()
    if settings.server_uid is not None and os.geteuid() == 0:
        privileges.become(settings.server_uid, settings.server_gid or settings.server_uid)


@db_cli.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="Where to write the copy (must not exist).")],
) -> None:
    """Copy the SQLite database consistently, even while the server runs."""
    settings = Settings()
    if not settings.uses_sqlite:
        typer.echo(
            "torchquiz: backup copies SQLite databases; for PostgreSQL use pg_dump", err=True
        )
        raise typer.Exit(code=2)
    try:
        copied = backup_sqlite(settings.resolved_database_url, path)
    except BackupError as error:
        typer.echo(f"torchquiz: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"backed up {copied} attempts to {path}")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    prepare_database(Settings())
    typer.echo("database is up to date")


def main() -> None:
    """Entry point of the `torchquiz` script."""
    cli(prog_name="torchquiz")


if __name__ == "__main__":
    main()
