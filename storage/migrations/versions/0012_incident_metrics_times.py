"""Metric targets per severity; when an incident's impact began, when it was first detected,
its first explicit acknowledgement and its first "mitigating" update: the facts the metrics
measure. Existing incidents get them from their declaration and their timeline.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ("started_at", "detected_at", "first_acknowledged_at", "mitigated_at")


# Plain ALTER TABLE, no batch mode: a batch rebuilds the table on SQLite, and dropping the old
# incident table would cascade to its timeline (SQLite has had DROP COLUMN since 3.35).


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("incident", sa.Column(name, UTCDateTime(), nullable=True))
    op.create_index("ix_incident_policy_declared", "incident", ["policy_id", "declared_at"])
    op.add_column("severity", sa.Column("targets", sa.JSON(), nullable=True))
    op.execute("UPDATE incident SET started_at = declared_at, detected_at = declared_at")
    op.execute(
        "UPDATE incident SET first_acknowledged_at = (SELECT MIN(t.at) FROM timeline_entry t "
        "WHERE t.incident_id = incident.id AND t.kind = 'acknowledged')"
    )
    op.execute(
        "UPDATE incident SET mitigated_at = (SELECT MIN(t.at) FROM timeline_entry t "
        "WHERE t.incident_id = incident.id AND t.kind = 'status_update' "
        "AND t.text LIKE 'mitigating%')"
    )


def downgrade() -> None:
    op.drop_column("severity", "targets")
    op.drop_index("ix_incident_policy_declared", "incident")
    for name in reversed(COLUMNS):
        op.drop_column("incident", name)
