"""The `torchquiz` command: serve the site, check quiz files, migrate the database."""

import logging
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from app.config import Settings
from app.content import ContentError, load_catalog, load_topic_file
from app.store.migrations import upgrade

cli = typer.Typer(help="torchquiz: learn PyTorch by answering questions whose code runs live.")
db_cli = typer.Typer(help="Database maintenance.")
cli.add_typer(db_cli, name="db")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Restart when code changes (development).")] = False,
) -> None:
    """Run the web server (migrates the database first)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _upgrade(Settings())
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, reload=reload)


@cli.command()
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: the quiz folder.")
    ] = None,
) -> None:
    """Validate quiz files; print each problem as path:line:col: message. Exit 1 on any."""
    errors: list[ContentError] = []
    topics = 0
    for path in paths or [Settings().quiz_dir]:
        if path.is_dir():
            catalog = load_catalog(path)
            errors.extend(catalog.errors)
            topics += len(catalog.topics)
        elif path.is_file():
            topic, file_errors = load_topic_file(path)
            errors.extend(file_errors)
            topics += topic is not None
        else:
            errors.append(ContentError(path, 1, 1, "no such file or folder"))
    for error in errors:
        typer.echo(str(error), err=True)
    summary = f"{topics} topic(s) valid, {len(errors)} problem(s)"
    typer.echo(summary, err=bool(errors))
    if errors:
        raise typer.Exit(code=1)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    _upgrade(Settings())
    typer.echo("database is up to date")


def _upgrade(settings: Settings) -> None:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
    upgrade(url)


def main() -> None:
    """Entry point of the `torchquiz` script."""
    cli(prog_name="torchquiz")


if __name__ == "__main__":
    main()
