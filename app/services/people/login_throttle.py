"""Failed sign-ins counted in the database, per username and per client address, so that
every replica refuses a guesser together."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.services.refusals import Refused
from app.store.shared import RateEvent

WINDOW = timedelta(minutes=15)
PER_USERNAME = 10
PER_ADDRESS = 30


class LoginThrottled(Refused):
    """Too many failed sign-ins lately; `retry_after` says when to try again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed sign-ins; wait {retry_after / 60:.0f} min and try again")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Scope:
    """What one kind of failure is counted by, and how many are allowed in the window."""

    name: str
    limit: int


BY_USERNAME = Scope("login-user", PER_USERNAME)
BY_ADDRESS = Scope("login-addr", PER_ADDRESS)


def refuse_if_throttled(session: Session, *, username: str, address: str, now: datetime) -> None:
    """Raise LoginThrottled when either count is over its limit in the last 15 minutes."""
    since = now - WINDOW
    for scope, key in ((BY_USERNAME, username), (BY_ADDRESS, address)):
        count, oldest = session.exec(
            select(func.count(), func.min(RateEvent.at)).where(
                RateEvent.scope == scope.name, RateEvent.key == key, RateEvent.at >= since
            )
        ).one()
        if count >= scope.limit and oldest is not None:
            if oldest.tzinfo is None:  # SQLite keeps no zone; every time stored is UTC
                oldest = oldest.replace(tzinfo=now.tzinfo)
            raise LoginThrottled(max(1.0, (oldest + WINDOW - now).total_seconds()))


def count_failure(session: Session, *, username: str, address: str, now: datetime) -> None:
    """Count one failed sign-in against the username and the address (and forget old ones)."""
    session.execute(
        delete(RateEvent).where(
            col(RateEvent.scope).in_([BY_USERNAME.name, BY_ADDRESS.name]),
            col(RateEvent.at) < now - WINDOW,
        )
    )
    session.add(RateEvent(scope=BY_USERNAME.name, key=username, at=now))
    session.add(RateEvent(scope=BY_ADDRESS.name, key=address[:128], at=now))
