"""Policies with their severities, incident types, matrix cells and escalation steps.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _policy_fk() -> sa.Column:
    return sa.Column(
        "policy_id", sa.Integer(), sa.ForeignKey("policy.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_policy_name_version"),
    )
    op.create_index("ix_policy_name", "policy", ["name"])
    op.create_table(
        "severity",
        sa.Column("id", sa.Integer(), primary_key=True),
        _policy_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("impact", sa.JSON(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("response_s", sa.Integer(), nullable=False),
        sa.Column("resolution_s", sa.Integer(), nullable=True),
        sa.Column("update_every_s", sa.Integer(), nullable=False),
        sa.Column("postmortem_due_s", sa.Integer(), nullable=True),
        sa.Column("postmortem_note", sa.JSON(), nullable=True),
        sa.UniqueConstraint("policy_id", "key", name="uq_severity_policy_key"),
    )
    op.create_index("ix_severity_policy_id", "severity", ["policy_id"])
    op.create_table(
        "incident_type",
        sa.Column("id", sa.Integer(), primary_key=True),
        _policy_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("regulatory_report_s", sa.Integer(), nullable=True),
        sa.Column("mitigations", sa.JSON(), nullable=False),
        sa.UniqueConstraint("policy_id", "key", name="uq_incident_type_policy_key"),
    )
    op.create_index("ix_incident_type_policy_id", "incident_type", ["policy_id"])
    op.create_table(
        "matrix_cell",
        sa.Column("id", sa.Integer(), primary_key=True),
        _policy_fk(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type_key", sa.String(), nullable=False),
        sa.Column("severity_key", sa.String(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.UniqueConstraint("policy_id", "type_key", "severity_key", name="uq_matrix_cell"),
    )
    op.create_index("ix_matrix_cell_policy_id", "matrix_cell", ["policy_id"])
    op.create_table(
        "escalation_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        _policy_fk(),
        sa.Column("severity_key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("after_s", sa.Integer(), nullable=False),
        sa.Column("unless", sa.JSON(), nullable=False),
        sa.Column("notify", sa.JSON(), nullable=False),
        sa.Column("note", sa.JSON(), nullable=True),
        sa.UniqueConstraint("policy_id", "severity_key", "position", name="uq_escalation_step"),
    )
    op.create_index("ix_escalation_step_policy_id", "escalation_step", ["policy_id"])


def downgrade() -> None:
    for table in ("escalation_step", "matrix_cell", "incident_type", "severity", "policy"):
        op.drop_table(table)
