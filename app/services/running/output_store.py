"""Authored code's outputs kept in the database: a restart or a new replica reuses the
runs already made for the same (code, check, torch version) instead of running them again."""

import dataclasses
import json
import logging

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from app.sandbox import RunResult
from app.store.database import session_scope
from app.store.models import utcnow
from app.store.shared import AuthoredOutput

log = logging.getLogger("torchquiz.live")


def _decode(text: str) -> RunResult | None:
    try:
        fields = json.loads(text)
        return RunResult(**fields)
    except (ValueError, TypeError):  # written by another version of torchquiz: run again
        return None


class OutputStore:
    """Known results of authored runs, by the key LiveCode gives them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, torch_version: str) -> dict[str, RunResult]:
        """Every result stored for `torch_version`, by key."""
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(AuthoredOutput.key, AuthoredOutput.result).where(
                    AuthoredOutput.torch_version == torch_version
                )
            ).all()
        found = {key: _decode(text) for key, text in rows}
        return {key: result for key, result in found.items() if result is not None}

    def save(self, key: str, torch_version: str, result: RunResult) -> None:
        """Keep `result` under `key`; a result another replica stored first stays."""
        values = {
            "key": key,
            "torch_version": torch_version,
            "result": json.dumps(dataclasses.asdict(result)),
            "created_at": utcnow(),
        }
        dialect = self.engine.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(AuthoredOutput).values(**values).on_conflict_do_nothing()
        with session_scope(self.engine) as session:
            session.execute(statement)
