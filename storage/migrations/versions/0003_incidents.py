"""Incidents, their timelines, fired escalation steps and the alert outbox.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
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
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(), nullable=False, unique=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("type_key", sa.String(), nullable=False),
        sa.Column("impact", sa.String(), nullable=False),
        sa.Column("commander", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("policy_id", sa.Integer(), sa.ForeignKey("policy.id"), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("last_update_at", UTCDateTime(), nullable=True),
        sa.Column("ladder_started_at", UTCDateTime(), nullable=True),
        sa.Column("first_round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_incident_policy_id", "incident", ["policy_id"])
    op.create_table(
        "timeline_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _incident_fk(),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("certainty", sa.String(), nullable=False),
    )
    op.create_index("ix_timeline_entry_incident_id", "timeline_entry", ["incident_id"])
    op.create_table(
        "escalation_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        _incident_fk(),
        sa.Column("step_id", sa.String(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("fired_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.UniqueConstraint("incident_id", "step_id", "round", name="uq_escalation_event_step"),
    )
    op.create_index("ix_escalation_event_incident_id", "escalation_event", ["incident_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        _incident_fk(),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("escalation_event.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
    )
    op.create_index("ix_outbox_incident_id", "outbox", ["incident_id"])


def downgrade() -> None:
    for table in ("outbox", "escalation_event", "timeline_entry", "incident"):
        op.drop_table(table)
