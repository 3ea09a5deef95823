"""Outbox rows remember when they were last tried and when to try next, so a paging channel
that keeps failing is retried with growing pauses and the board can say it is broken.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("last_attempt_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
    op.create_index("ix_outbox_attempts", "outbox", ["channel", "last_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_attempts", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("last_attempt_at")
