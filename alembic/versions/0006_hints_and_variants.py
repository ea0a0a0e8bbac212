"""hints revealed per learner and question; the hints seen and variant seed of an attempt

Existing attempts keep NULL in both new columns (stored before hints and variants).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hint_reveal",
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("topic_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("revealed", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("learner_id", "topic_id", "question_id"),
    )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hints_seen", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("variant_seed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("variant_seed")
        batch_op.drop_column("hints_seen")
    op.drop_table("hint_reveal")
