"""SQLModel tables. Schema changes go through Alembic migrations in storage/migrations only.

Localized text columns hold either a string (same text in every language) or an object mapping
language codes to text, exactly as in the policy TOML.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, json_field


def _policy_fk() -> Any:
    return Field(
        sa_column=Column(
            Integer, ForeignKey("policy.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class PolicyRecord(SQLModel, table=True):
    """One stored version of a policy; incidents point at the version they were declared under."""

    __tablename__ = "policy"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_policy_name_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    version: int
    scheme: str
    title: Any = json_field()
    description: Any = json_field(nullable=True)
    roles: Any = json_field(nullable=True)  # roles the policy adds, e.g. ["legal"]
    source: str
    content_hash: str
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SeverityRecord(SQLModel, table=True):
    __tablename__ = "severity"
    __table_args__ = (UniqueConstraint("policy_id", "key", name="uq_severity_policy_key"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = _policy_fk()
    position: int
    key: str
    name: Any = json_field()
    impact: Any = json_field(nullable=True)
    definition: Any = json_field()
    response_s: int
    resolution_s: int | None = None
    update_every_s: int
    postmortem_due_s: int | None = None
    postmortem_note: Any = json_field(nullable=True)
    ack_timeout_s: int | None = None
    rounds: int = 3
    repeat_after_s: int | None = None
    targets: Any = json_field(nullable=True)  # {measure: seconds}
    declared: bool = True  # False: handled as standard work (seed 003 §2.1)


class IncidentTypeRecord(SQLModel, table=True):
    __tablename__ = "incident_type"
    __table_args__ = (UniqueConstraint("policy_id", "key", name="uq_incident_type_policy_key"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = _policy_fk()
    position: int
    key: str
    name: Any = json_field()
    description: Any = json_field(nullable=True)
    regulatory_report_s: int | None = None
    mitigations: Any = json_field()


class MatrixCellRecord(SQLModel, table=True):
    __tablename__ = "matrix_cell"
    __table_args__ = (
        UniqueConstraint("policy_id", "type_key", "severity_key", name="uq_matrix_cell"),
    )

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = _policy_fk()
    position: int
    type_key: str
    severity_key: str
    examples: Any = json_field()


class EscalationStepRecord(SQLModel, table=True):
    __tablename__ = "escalation_step"
    __table_args__ = (
        UniqueConstraint("policy_id", "severity_key", "position", name="uq_escalation_step"),
    )

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = _policy_fk()
    severity_key: str
    position: int
    after_s: int
    unless: Any = json_field()
    notify: Any = json_field()
    note: Any = json_field(nullable=True)


class IncidentRecord(SQLModel, table=True):
    """An incident; it follows the policy version it was declared under (policy_id)."""

    __tablename__ = "incident"
    # The metrics read a policy's incidents declared in a period; the board, the incidents not
    # resolved or resolved lately (storage.incident_rows.board_where).
    __table_args__ = (
        Index("ix_incident_policy_declared", "policy_id", "declared_at"),
        Index("ix_incident_resolved_at", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String, nullable=False, unique=True))
    title: str
    severity: str
    type_key: str
    impact: str = ""
    commander: str | None = None
    status: str
    policy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("policy.id"), nullable=False, index=True)
    )
    declared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # For the metrics: when the impact began and when the first signal came (both set at
    # declare, editable), the first explicit acknowledgement (kept when a reopen clears
    # acknowledged_at) and the first "mitigating" update.
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    detected_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    first_acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    mitigated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Regulatory duty (seed 001 §3-2): the decision whether to report (required / not
    # required), who made it and when, and when the report was filed.
    report_duty: str | None = None
    report_decided_by: str | None = None
    report_decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    report_filed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_update_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ladder_started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    first_round: int = 0
    version: int = 1


def _incident_fk() -> Any:
    return Field(
        sa_column=Column(
            Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )


class TimelineEntryRecord(SQLModel, table=True):
    __tablename__ = "timeline_entry"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _incident_fk()
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str
    actor: str
    text: str
    certainty: str = "fact"
    # What happened as data, for app.timeline_text to say in the reader's language; None on
    # entries written before revision 0007 (their English text is shown).
    data: dict | None = json_field(nullable=True)


class EscalationEventRecord(SQLModel, table=True):
    """A fired escalation step. The unique key is what makes a firing happen exactly once."""

    __tablename__ = "escalation_event"
    __table_args__ = (
        UniqueConstraint("incident_id", "step_id", "round", name="uq_escalation_event_step"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _incident_fk()
    step_id: str
    round: int
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    fired_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str


class OutboxRecord(SQLModel, table=True):
    """An alert to deliver for a firing; written in the firing's transaction, delivered later."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "delivered_at", "channel"),
        Index("ix_outbox_attempts", "channel", "last_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _incident_fk()
    # Empty for an incident-channel message, which belongs to no escalation step.
    event_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("escalation_event.id", ondelete="CASCADE"), nullable=True
        ),
    )
    channel: str
    payload: Any = json_field()
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = None
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    claimed_by: str | None = None
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class RoleAssignmentRecord(SQLModel, table=True):
    """Who holds a response role (IC, tech lead, ...) in an incident now; history is in the
    timeline."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("incident_id", "role", name="uq_role_assignment"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _incident_fk()
    role: str
    person: str
    assigned_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    assigned_by: str


class ChecklistTickRecord(SQLModel, table=True):
    """A ticked checklist item; unticking deletes the row."""

    __tablename__ = "checklist_tick"
    __table_args__ = (
        UniqueConstraint("incident_id", "checklist", "item", name="uq_checklist_tick"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = _incident_fk()
    checklist: str
    item: str
    ticked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ticked_by: str


class PostmortemRecord(SQLModel, table=True):
    """One postmortem per incident: the draft's content as JSON (action items are rows of their
    own), its review state and history, and a version for optimistic concurrency."""

    __tablename__ = "postmortem"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    lang: str
    status: str = "draft"
    content: Any = json_field()
    history: Any = json_field()
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str
    version: int = 1


class ActionItemRecord(SQLModel, table=True):
    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    postmortem_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("postmortem.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int
    title: str
    owner: str = ""
    due: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    priority: str = "medium"
    category: str = "prevention"
    status: str = "open"


class TrainingRecord(SQLModel, table=True):
    """Someone did a training item (seed 003 §8.1) at a time; kept, never overwritten."""

    __tablename__ = "training_record"

    id: int | None = Field(default=None, primary_key=True)
    checklist: str
    item: str
    person: str = Field(index=True)
    done_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    recorded_by: str
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# Who is watching and what came in from outside, and the story library, live in modules of their
# own; importing them here registers them on SQLModel.metadata with the rest (migrations and the
# schema test read it here).
import storage.library_tables  # noqa: E402
import storage.watch_tables  # noqa: E402, F401
