"""The regulatory duty of an incident (whether a report is required, who decided and when, when
it was filed) and which severities are declared incidents rather than standard work.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("incident", sa.Column("report_duty", sa.String(), nullable=True))
    op.add_column("incident", sa.Column("report_decided_by", sa.String(), nullable=True))
    op.add_column("incident", sa.Column("report_decided_at", UTCDateTime(), nullable=True))
    op.add_column("incident", sa.Column("report_filed_at", UTCDateTime(), nullable=True))
    op.add_column(
        "severity",
        sa.Column("declared", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("severity", "declared")
    for name in ("report_filed_at", "report_decided_at", "report_decided_by", "report_duty"):
        op.drop_column("incident", name)
