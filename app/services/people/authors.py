"""The author role: accounts that see the Authors area (statistics of every question)."""

from sqlalchemy import Engine
from sqlmodel import select

from app.services.people.accounts import normalize_username
from app.services.refusals import Refused
from app.store.database import session_scope
from app.store.models import Learner


class UnknownAccount(Refused):
    """No account has this username."""


def set_author(*, engine: Engine, username: str, author: bool) -> None:
    """Grant (or take away) the author role; raises UnknownAccount."""
    name = normalize_username(username)
    with session_scope(engine) as session:
        learner = session.exec(select(Learner).where(Learner.username == name)).first()
        if learner is None:
            raise UnknownAccount(f"no account is called {name!r}; it must sign up first")
        learner.is_author = author
        session.add(learner)
