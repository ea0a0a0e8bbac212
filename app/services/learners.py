"""Anonymous learners: created on first visit, known by an id in a signed cookie."""

import secrets

from sqlalchemy import Engine

from app.store.database import session_scope
from app.store.models import Learner


def new_learner_id() -> str:
    """A fresh, unguessable learner id."""
    return secrets.token_urlsafe(18)


def learner_exists(*, engine: Engine, learner_id: str) -> bool:
    """Whether a learner with this id is stored."""
    with session_scope(engine) as session:
        return session.get(Learner, learner_id) is not None


def get_or_create_learner(*, engine: Engine, learner_id: str | None) -> Learner:
    """The learner with this id, or a new one when the id is missing or unknown."""
    with session_scope(engine) as session:
        if learner_id:
            learner = session.get(Learner, learner_id)
            if learner is not None:
                return learner
        learner = Learner(id=new_learner_id())
        session.add(learner)
    return learner
