"""The curator's view: feedback marked handled (by whom, when) and the lens the cart opens on
where it stands; the roles a policy adds (legal / compliance).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feedback", sa.Column("handled_at", UTCDateTime(), nullable=True))
    op.add_column("feedback", sa.Column("handled_by", sa.String(), nullable=True))
    op.add_column("cart_location", sa.Column("lens", sa.String(), nullable=True))
    op.add_column("policy", sa.Column("roles", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("policy", "roles")
    op.drop_column("cart_location", "lens")
    op.drop_column("feedback", "handled_by")
    op.drop_column("feedback", "handled_at")
