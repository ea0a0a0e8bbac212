"""Learners: an id in a signed cookie from the first visit, a row only from the first
write (an answer or a sign-up), so that reading pages never writes to the database."""

import secrets

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.store.models import Learner, utcnow


def new_learner_id() -> str:
    """A fresh, unguessable learner id."""
    return secrets.token_urlsafe(18)


# Built once per dialect: the answer path runs it for every answer.
_STORE_LEARNER = {
    "postgresql": postgresql_insert(Learner)
    .values(id=bindparam("id"), created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["id"]),
    "sqlite": sqlite_insert(Learner)
    .values(id=bindparam("id"), created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["id"]),
}


def ensure_learner(session: Session, learner_id: str) -> None:
    """Store the learner if it is not stored yet, in the caller's transaction; two first
    answers at once both succeed."""
    connection = session.connection()
    statement = _STORE_LEARNER[connection.dialect.name]
    connection.execute(statement, {"id": learner_id, "at": utcnow()})
