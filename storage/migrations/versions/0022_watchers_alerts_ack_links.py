"""The alert → page → acknowledgement chain: the processes that watch (fire escalations and
deliver pages), the acknowledge links pages carry, each alert group's severity and context, and
the incident a heartbeat's silence opened (kept after it recovers, so the next lapse adds to it).

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watcher",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance", sa.String(), nullable=False, unique=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("last_pass_at", UTCDateTime(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "ack_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(), nullable=False, unique=True),
        sa.Column("incident_code", sa.String(), nullable=False),
        sa.Column("paged", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_ack_link_incident_code", "ack_link", ["incident_code"])
    with op.batch_alter_table("intake_key") as table:
        table.add_column(sa.Column("severity", sa.String(), nullable=False, server_default=""))
        table.add_column(sa.Column("context", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("heartbeat") as table:
        table.add_column(sa.Column("incident_code", sa.String(), nullable=True))
    op.execute("UPDATE heartbeat SET incident_code = missed_code")


def downgrade() -> None:
    with op.batch_alter_table("heartbeat") as table:
        table.drop_column("incident_code")
    with op.batch_alter_table("intake_key") as table:
        table.drop_column("context")
        table.drop_column("severity")
    op.drop_index("ix_ack_link_incident_code", table_name="ack_link")
    op.drop_table("ack_link")
    op.drop_table("watcher")
