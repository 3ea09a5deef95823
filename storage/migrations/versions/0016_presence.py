"""Presence: which running app is on which incident or postmortem section, and typing there.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("client", sa.String(), primary_key=True),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=False),
        sa.Column("editing", sa.Boolean(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_presence_place", "presence", ["place"])


def downgrade() -> None:
    op.drop_index("ix_presence_place", table_name="presence")
    op.drop_table("presence")
