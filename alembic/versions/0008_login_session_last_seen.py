"""login sessions' last use, for their idle lifetime

A session signed in before this migration counts as last used when it began.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute("UPDATE login_session SET last_seen_at = created_at")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.alter_column(
            "last_seen_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
