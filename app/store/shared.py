"""Tables that every replica shares: counted events behind limits, and authored code's
known outputs."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.store.models import utcnow


class RateEvent(SQLModel, table=True):
    """One counted event (a run, a login attempt, ...) of one key within one scope; a
    limit counts the events of its scope and key in a sliding window."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_scope_key_at", "scope", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=32)  # what is limited: "run", later "login", ...
    key: str = Field(max_length=128)  # whom: a learner id, a user name, an address
    at: datetime = Field(default_factory=utcnow)


class AuthoredOutput(SQLModel, table=True):
    """The known result of running authored code (a snippet, or a solution or known-wrong
    answer with its check), keyed by the hash of the code, the check and torch's version."""

    __tablename__ = "authored_output"

    key: str = Field(primary_key=True, max_length=64)
    torch_version: str = Field(max_length=64, index=True)
    result: str = Field(sa_type=Text)  # the RunResult as JSON
    created_at: datetime = Field(default_factory=utcnow)
