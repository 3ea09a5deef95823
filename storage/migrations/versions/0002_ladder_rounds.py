"""Severity: acknowledgement timeout, ladder rounds and the pause before a round repeats.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("severity") as batch:
        batch.add_column(sa.Column("ack_timeout_s", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rounds", sa.Integer(), nullable=False, server_default="3"))
        batch.add_column(sa.Column("repeat_after_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("severity") as batch:
        batch.drop_column("repeat_after_s")
        batch.drop_column("rounds")
        batch.drop_column("ack_timeout_s")
