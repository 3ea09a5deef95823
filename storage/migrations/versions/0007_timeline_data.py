"""Timeline entries keep what happened as data (status, step, round, reason, who was notified),
so each reader sees the entry in their own language; the English text stays for old readers.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timeline_entry") as batch:
        batch.add_column(sa.Column("data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timeline_entry") as batch:
        batch.drop_column("data")
