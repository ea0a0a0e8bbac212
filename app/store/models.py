"""The tables: learners and their attempts, keyed by the stable topic and question ids."""

from datetime import UTC, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (the column type refuses naive ones)."""
    return datetime.now(UTC)


class Learner(SQLModel, table=True):
    """Someone using the site; anonymous, known by the id in their session cookie."""

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Attempt(SQLModel, table=True):
    """One answer a learner gave to one question."""

    __table_args__ = (
        Index("ix_attempt_learner_question", "learner_id", "topic_id", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", max_length=64)
    topic_id: str = Field(max_length=80)
    question_id: str = Field(max_length=80)
    answer: str = Field(sa_type=Text)  # what was given, as JSON: option id(s), value or code
    correct: bool
    detail: str | None = Field(default=None, sa_type=Text)  # what the feedback shows, as JSON
    created_at: datetime = Field(default_factory=utcnow, index=True)
