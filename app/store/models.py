"""The tables: learners, their sign-in sessions and their attempts, keyed by the stable
topic and question ids."""

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow as utcnow  # re-exported: older code imports it from here


class Learner(SQLModel, table=True):
    """Someone who has answered, run code or signed up. Anonymous (known by the id in
    their session cookie) until they choose a username and password."""

    __table_args__ = (Index("ix_learner_username", "username", unique=True),)

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    # Lowercase: usernames are unique whatever their case. None for anonymous learners.
    username: str | None = Field(default=None, max_length=32)
    password_hash: str | None = Field(default=None, max_length=255)
    is_author: bool = Field(default=False)  # sees the Authors area (`torchquiz author add`)


class LoginSession(SQLModel, table=True):
    """A signed-in browser: its cookie carries the token, the table only the token's hash,
    so that logging out or deleting the account revokes it."""

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # The session's last use (written at most hourly): unused for 30 days, it has ended.
    last_seen_at: datetime = Field(default_factory=utcnow)


class Attempt(SQLModel, table=True):
    """One answer a learner gave to one question."""

    __table_args__ = (
        Index("ix_attempt_learner_question", "learner_id", "topic_id", "question_id"),
        # A repeated submit (a second click, a retried request) is recorded once.
        UniqueConstraint("learner_id", "idempotency_key", name="uq_attempt_idempotency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", max_length=64)
    topic_id: str = Field(max_length=80)
    question_id: str = Field(max_length=80)
    answer: str = Field(sa_type=Text)  # what was given, as JSON: option id(s), value or code
    correct: bool
    detail: str | None = Field(default=None, sa_type=Text)  # what the feedback shows, as JSON
    idempotency_key: str | None = Field(default=None, max_length=80)
    # From the question being shown to the answer; None when the client did not say.
    time_taken_ms: int | None = Field(default=None)
    # What statistics group by: the option(s) picked, the wrong value, how code failed.
    outcome: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # How many of the question's hints the learner had revealed when answering (None:
    # stored before hints existed).
    hints_seen: int | None = Field(default=None)
    # The seed of the variant answered, for a question with `params` (None otherwise).
    variant_seed: int | None = Field(default=None)


class HintReveal(SQLModel, table=True):
    """How many hints of a question a learner has revealed since their last right answer
    to it (a POST writes it; the next answer reads it into `Attempt.hints_seen`)."""

    __tablename__ = "hint_reveal"

    learner_id: str = Field(
        foreign_key="learner.id", ondelete="CASCADE", max_length=64, primary_key=True
    )
    topic_id: str = Field(max_length=80, primary_key=True)
    question_id: str = Field(max_length=80, primary_key=True)
    revealed: int
    updated_at: datetime = Field(default_factory=utcnow)
