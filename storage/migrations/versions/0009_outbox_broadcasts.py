"""The outbox also carries incident-channel messages (declared, updated, resolved, postmortem
published), which belong to no escalation event: event_id may be empty.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE event_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer(), nullable=False)
