"""Queries for the metrics: the times of incidents declared in a period (columns only, no
timeline, one query) and every follow-up of every postmortem. Rows in, tuples out."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.errors import StaleWrite
from storage.tables import ActionItemRecord, IncidentRecord, PolicyRecord, PostmortemRecord
from storage.versioned import versioned_update

METRIC_COLUMNS = (
    IncidentRecord.code,
    IncidentRecord.title,
    PolicyRecord.name,
    IncidentRecord.severity,
    IncidentRecord.type_key,
    IncidentRecord.declared_at,
    IncidentRecord.started_at,
    IncidentRecord.detected_at,
    IncidentRecord.first_acknowledged_at,
    IncidentRecord.mitigated_at,
    IncidentRecord.resolved_at,
)


def incident_times(
    session: Session, since: datetime, until: datetime, policy: str | None = None
) -> list[tuple]:
    """(code, title, policy, severity, type, declared, started, detected, first ack,
    mitigated, resolved) of incidents declared in [since, until), by the declaration index."""
    statement = (
        select(*METRIC_COLUMNS)
        .join(PolicyRecord, PolicyRecord.id == IncidentRecord.policy_id)
        .where(col(IncidentRecord.declared_at) >= since, col(IncidentRecord.declared_at) < until)
        .order_by(IncidentRecord.declared_at)
    )
    if policy is not None:
        statement = statement.where(PolicyRecord.name == policy)
    return [tuple(row) for row in session.execute(statement)]


def follow_ups(session: Session, incident_codes: list[str] | None = None) -> list[tuple]:
    """(item id, incident code, title, owner, due, status, priority) of every action item (or
    those of these incidents), oldest incident first, in the postmortem's order."""
    statement = (
        select(
            ActionItemRecord.id,
            IncidentRecord.code,
            ActionItemRecord.title,
            ActionItemRecord.owner,
            ActionItemRecord.due,
            ActionItemRecord.status,
            ActionItemRecord.priority,
        )
        .join(PostmortemRecord, PostmortemRecord.id == ActionItemRecord.postmortem_id)
        .join(IncidentRecord, IncidentRecord.id == PostmortemRecord.incident_id)
        .order_by(IncidentRecord.declared_at, ActionItemRecord.position)
    )
    if incident_codes is not None:
        statement = statement.where(col(IncidentRecord.code).in_(incident_codes))
    return [tuple(row) for row in session.execute(statement)]


def count_overdue(session: Session, today: date) -> int:
    """Action items not done whose due date is before today."""
    statement = select(func.count(ActionItemRecord.id)).where(
        ActionItemRecord.status != "done",
        col(ActionItemRecord.due).is_not(None),
        col(ActionItemRecord.due) < today,
    )
    return session.execute(statement).scalar_one()


def set_follow_up_status(session: Session, item_id: int, status: str) -> tuple[int, str] | None:
    """Change one action item's status; the postmortem's version moves on, so a form open on it
    cannot save over the change unseen. Returns (incident id, item title), None if gone."""
    row = session.execute(
        select(ActionItemRecord, PostmortemRecord)
        .join(PostmortemRecord, PostmortemRecord.id == ActionItemRecord.postmortem_id)
        .where(ActionItemRecord.id == item_id)
    ).first()
    if row is None:
        return None
    item, postmortem = row
    stale = StaleWrite(
        "Someone saved this postmortem a moment ago; reload the follow-ups and try again.",
        "storage.stale_follow_up",
    )
    versioned_update(session, PostmortemRecord, postmortem.id, postmortem.version, stale)
    item.status = status
    session.add(item)
    return postmortem.incident_id, item.title
