"""The review tables: one FSRS card per learner and question, and a log row per review."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.store.models import utcnow


class ReviewCard(SQLModel, table=True):
    """Where one question stands in a learner's review schedule (an FSRS card).

    It is a cache of the replay of the learner's review logs for the question, so it can
    always be rebuilt from them (see app.services.learning.review.rebuild_cards).
    """

    __tablename__ = "review_card"
    __table_args__ = (Index("ix_review_card_learner_due", "learner_id", "due"),)

    learner_id: str = Field(
        primary_key=True, foreign_key="learner.id", ondelete="CASCADE", max_length=64
    )
    topic_id: str = Field(primary_key=True, max_length=80)
    question_id: str = Field(primary_key=True, max_length=80)
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = None  # the learning or relearning step; None in review
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None


class ReviewLog(SQLModel, table=True):
    """One review of one question: what the learner's answer rated it, and when."""

    __tablename__ = "review_log"
    __table_args__ = (Index("ix_review_log_learner_reviewed", "learner_id", "reviewed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", ondelete="CASCADE", max_length=64)
    topic_id: str = Field(max_length=80)
    question_id: str = Field(max_length=80)
    rating: int  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: datetime = Field(default_factory=utcnow)
    # The answer that made this review; None for reviews that did not come from one.
    attempt_id: int | None = Field(
        default=None, foreign_key="attempt.id", ondelete="CASCADE", index=True
    )
