"""review cards and review logs (spaced review with FSRS)

Every attempt already stored becomes a review log (right Good, wrong Again) and each
learner's cards are built by replaying them, so that learners who come back find their
questions scheduled. The replay is written out here, with the scheduler settings of
app/services/review.py at this revision, so that later changes to the app cannot change
what this migration does; tests/store/test_review_backfill.py checks that the two agree.

Down revision 0002 for now: 0003/0004 are written in parallel; re-chain at merge.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:36:49.934348
"""

from collections.abc import Sequence
from datetime import UTC, timedelta
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op
from fsrs import Card, Rating, Scheduler

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_card",
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("topic_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_review", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("learner_id", "topic_id", "question_id"),
    )
    with op.batch_alter_table("review_card", schema=None) as batch_op:
        batch_op.create_index("ix_review_card_learner_due", ["learner_id", "due"], unique=False)

    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("topic_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_log_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(
            "ix_review_log_learner_reviewed", ["learner_id", "reviewed_at"], unique=False
        )
    _backfill()


SCHEDULER = Scheduler(
    learning_steps=(timedelta(0),), relearning_steps=(timedelta(0),), enable_fuzzing=False
)
_UTC = sqlmodel.sql.sqltypes.UTCDateTime


def _backfill() -> None:
    attempt = sa.table(
        "attempt",
        sa.column("id", sa.Integer()),
        sa.column("learner_id", sa.String()),
        sa.column("topic_id", sa.String()),
        sa.column("question_id", sa.String()),
        sa.column("correct", sa.Boolean()),
        sa.column("created_at", _UTC()),
    )
    rows = op.get_bind().execute(sa.select(attempt).order_by(attempt.c.created_at, attempt.c.id))
    logs: list[dict[str, Any]] = []
    cards: dict[tuple[str, str, str], Card] = {}
    for row in rows:
        at = row.created_at.astimezone(UTC)
        rating = Rating.Good if row.correct else Rating.Again
        key = (row.learner_id, row.topic_id, row.question_id)
        card = cards.get(key) or Card(card_id=0, due=at)
        cards[key], _ = SCHEDULER.review_card(card, rating, review_datetime=at)
        logs.append(
            {
                "learner_id": row.learner_id,
                "topic_id": row.topic_id,
                "question_id": row.question_id,
                "rating": int(rating),
                "reviewed_at": at,
                "attempt_id": row.id,
            }
        )
    review_log = sa.table(
        "review_log",
        *(sa.column(name) for name in ("learner_id", "topic_id", "question_id", "rating")),
        sa.column("reviewed_at", _UTC()),
        sa.column("attempt_id"),
    )
    review_card = sa.table(
        "review_card",
        *(sa.column(name) for name in ("learner_id", "topic_id", "question_id", "state")),
        *(sa.column(name) for name in ("step", "stability", "difficulty")),
        sa.column("due", _UTC()),
        sa.column("last_review", _UTC()),
    )
    if logs:
        op.bulk_insert(review_log, logs)
        op.bulk_insert(
            review_card,
            [
                {
                    "learner_id": learner_id,
                    "topic_id": topic_id,
                    "question_id": question_id,
                    "state": int(card.state),
                    "step": card.step,
                    "stability": card.stability,
                    "difficulty": card.difficulty,
                    "due": card.due,
                    "last_review": card.last_review,
                }
                for (learner_id, topic_id, question_id), card in cards.items()
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.drop_index("ix_review_log_learner_reviewed")
        batch_op.drop_index(batch_op.f("ix_review_log_attempt_id"))

    op.drop_table("review_log")
    with op.batch_alter_table("review_card", schema=None) as batch_op:
        batch_op.drop_index("ix_review_card_learner_due")

    op.drop_table("review_card")
