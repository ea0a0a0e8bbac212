"""attempt details for every kind of question

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:10:23.221684
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=True))
        batch_op.alter_column(
            "answer",
            existing_type=sa.VARCHAR(length=10000),
            type_=sa.Text(),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.alter_column(
            "answer",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=10000),
            existing_nullable=False,
        )
        batch_op.drop_column("detail")
