"""Role assignments, checklist ticks, and claims on outbox rows (so one process delivers an
alert, and a crashed deliverer's claim expires).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _incident_fk() -> sa.Column:
    return sa.Column(
        "incident_id",
        sa.Integer(),
        sa.ForeignKey("incident.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(), nullable=True))
    op.create_index("ix_outbox_pending", "outbox", ["delivered_at", "channel"])
    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _incident_fk(),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(), nullable=False),
        sa.UniqueConstraint("incident_id", "role", name="uq_role_assignment"),
    )
    op.create_index("ix_role_assignment_incident_id", "role_assignment", ["incident_id"])
    op.create_table(
        "checklist_tick",
        sa.Column("id", sa.Integer(), primary_key=True),
        _incident_fk(),
        sa.Column("checklist", sa.String(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("ticked_at", UTCDateTime(), nullable=False),
        sa.Column("ticked_by", sa.String(), nullable=False),
        sa.UniqueConstraint("incident_id", "checklist", "item", name="uq_checklist_tick"),
    )
    op.create_index("ix_checklist_tick_incident_id", "checklist_tick", ["incident_id"])


def downgrade() -> None:
    op.drop_table("checklist_tick")
    op.drop_table("role_assignment")
    op.drop_index("ix_outbox_pending", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_at")
