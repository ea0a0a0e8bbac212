"""`torchquiz author add|remove USERNAME` and `torchquiz stats`: the author's commands."""

import csv
import json
import sys
from typing import Annotated

import typer

from app.config import Settings
from app.content import load_catalog
from app.services.authoring.statistics import catalog_stats
from app.services.people.authors import UnknownAccount, set_author
from app.store.database import make_engine

author_cli = typer.Typer(help="Grant or take away the author role (the Authors area).")


def _set(username: str, author: bool) -> None:
    engine = make_engine(Settings().resolved_database_url)
    try:
        set_author(engine=engine, username=username, author=author)
    except UnknownAccount as error:
        typer.echo(f"torchquiz: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()


@author_cli.command("add")
def author_add(username: Annotated[str, typer.Argument(help="An account's username.")]) -> None:
    """Let this account see the Authors area."""
    _set(username, True)
    typer.echo(f"{username.lower()} is an author")


@author_cli.command("remove")
def author_remove(username: Annotated[str, typer.Argument(help="An account's username.")]) -> None:
    """Take the author role away from this account."""
    _set(username, False)
    typer.echo(f"{username.lower()} is no longer an author")


CSV_COLUMNS = [
    "topic", "question", "kind", "attempts", "learners", "facility", "discrimination",
    "median_time_ms", "hint_use", "answers", "flags",
]  # fmt: skip


def stats(
    topic: Annotated[str | None, typer.Option(help="One topic id; default: every topic.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="One CSV row per question.")] = False,
) -> None:
    """Per-question statistics from first attempts (JSON, or CSV with --csv)."""
    settings = Settings()
    catalog = load_catalog(settings.quiz_dir)
    if topic is not None and catalog.topic(topic) is None:
        typer.echo(f"torchquiz: no topic {topic!r} in {settings.quiz_dir}", err=True)
        raise typer.Exit(code=2)
    engine = make_engine(settings.resolved_database_url)
    try:
        found = catalog_stats(engine=engine, catalog=catalog, topic_id=topic)
    finally:
        engine.dispose()
    if not as_csv:
        typer.echo(json.dumps([t.model_dump() for t in found], indent=2))
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_COLUMNS)
    for t in found:
        for q in t.questions:
            answers = [f"{o.id}={o.share}" for o in q.options]
            answers += [f"{c.value}={c.count}" for c in q.wrong_values + q.failures]
            writer.writerow(
                [t.topic_id, q.id, q.kind, q.attempts, q.learners, q.facility,
                 q.discrimination, q.median_time_ms, q.hint_use, "; ".join(answers),
                 "; ".join(q.flags)]
            )  # fmt: skip
