"""author role, answer outcomes

Every existing learner is not an author; existing attempts have no outcome (statistics
count them as "unknown").

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:48:53.833965
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )

    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_author", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_column("is_author")

    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("outcome")
