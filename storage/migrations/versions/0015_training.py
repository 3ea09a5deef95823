"""Training records (seed 003 §8.1): who did which onboarding or quarterly training item, when.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checklist", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_training_record_person", "training_record", ["person"])


def downgrade() -> None:
    op.drop_index("ix_training_record_person", table_name="training_record")
    op.drop_table("training_record")
