"""SQLModel tables. Schema changes go through Alembic migrations in storage/migrations only.

Localized text columns hold either a string (same text in every language) or an object mapping
language codes to text, exactly as in the policy TOML.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _json(nullable: bool = False) -> Any:
    return Field(sa_column=Column(JSON, nullable=nullable))


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
    title: Any = _json()
    description: Any = _json(nullable=True)
    roles: Any = _json(nullable=True)  # roles the policy adds, e.g. ["legal"]
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
    name: Any = _json()
    impact: Any = _json(nullable=True)
    definition: Any = _json()
    response_s: int
    resolution_s: int | None = None
    update_every_s: int
    postmortem_due_s: int | None = None
    postmortem_note: Any = _json(nullable=True)
    ack_timeout_s: int | None = None
    rounds: int = 3
    repeat_after_s: int | None = None
    targets: Any = _json(nullable=True)  # {measure: seconds}
    declared: bool = True  # False: handled as standard work (seed 003 §2.1)


class IncidentTypeRecord(SQLModel, table=True):
    __tablename__ = "incident_type"
    __table_args__ = (UniqueConstraint("policy_id", "key", name="uq_incident_type_policy_key"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = _policy_fk()
    position: int
    key: str
    name: Any = _json()
    description: Any = _json(nullable=True)
    regulatory_report_s: int | None = None
    mitigations: Any = _json()


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
    examples: Any = _json()


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
    unless: Any = _json()
    notify: Any = _json()
    note: Any = _json(nullable=True)


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
    data: dict | None = _json(nullable=True)


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
    payload: Any = _json()
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
    content: Any = _json()
    history: Any = _json()
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


class StoryRecord(SQLModel, table=True):
    """One story in one language. `search_text` is the folded text the search indexes (FTS5
    trigram on SQLite, pg_trgm on PostgreSQL) — kept by the writer, never shown."""

    __tablename__ = "story"
    # The library's order, newest incident first: its first page is read from here. PostgreSQL
    # holds it as (occurred_on DESC NULLS LAST, id DESC) — migration 0020.
    # The library's size is counted from ix_story_visible_group alone.
    __table_args__ = (
        Index("ix_story_newest", "occurred_on", "id"),
        Index("ix_story_visible_group", "group_key", "hidden"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String, nullable=False, unique=True))
    group_key: str = Field(index=True)
    lang: str
    status: str = "draft"
    example: bool = False
    hidden: bool = False
    kind: str
    severity: str
    occurred_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    title: str
    themes: Any = _json()
    content: Any = _json()
    incident_code: str | None = None
    search_text: str
    # search_text with every CJK character set apart: one- and two-character words by index
    short_text: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str
    version: int = 1


class FeatureRecord(SQLModel, table=True):
    """A story of the week. The unique start makes two carts rotating at once agree: the second
    insert fails and re-reads the first."""

    __tablename__ = "feature"

    id: int | None = Field(default=None, primary_key=True)
    group_key: str
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, unique=True))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reason: str
    themes: Any = _json()
    chosen_by: str


class NominationRecord(SQLModel, table=True):
    __tablename__ = "nomination"

    id: int | None = Field(default=None, primary_key=True)
    incident_code: str | None = None
    group_key: str | None = Field(default=None, index=True)
    reason: str
    nominated_by: str
    nominated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    featured_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class FeedbackRecord(SQLModel, table=True):
    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    text: str
    given_by: str
    given_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    location: str | None = None
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    handled_by: str | None = None


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


class CartLocationRecord(SQLModel, table=True):
    __tablename__ = "cart_location"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    moved_by: str
    lens: str | None = None  # the lens the reader opens on while the cart stands here


# Who is watching and what came in from outside live in their own module; importing it here
# registers them on SQLModel.metadata with the rest (migrations and the schema test read it here).
import storage.watch_tables  # noqa: E402, F401
