"""Queries for incidents, their timelines, fired steps and the outbox. Rows in, rows out."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.errors import StaleWrite
from storage.models import (
    EscalationEventRecord,
    IncidentRecord,
    OutboxRecord,
    TimelineEntryRecord,
)


def codes_in_year(session: Session, prefix: str) -> list[str]:
    statement = select(IncidentRecord.code).where(col(IncidentRecord.code).startswith(prefix))
    return list(session.exec(statement))


def by_code(session: Session, code: str) -> IncidentRecord | None:
    return session.exec(select(IncidentRecord).where(IncidentRecord.code == code)).first()


def open_incidents(session: Session) -> list[IncidentRecord]:
    statement = (
        select(IncidentRecord)
        .where(col(IncidentRecord.resolved_at).is_(None))
        .order_by(IncidentRecord.declared_at)
    )
    return list(session.exec(statement))


def open_signature(session: Session) -> tuple[int, int, int]:
    """Changes whenever an incident is declared, changed, resolved or reopened (one query)."""
    statement = select(
        func.count(IncidentRecord.id),
        func.coalesce(func.max(IncidentRecord.id), 0),
        func.coalesce(func.sum(IncidentRecord.version), 0),
    ).where(col(IncidentRecord.resolved_at).is_(None))
    count, newest, versions = session.exec(statement).one()
    return int(count), int(newest), int(versions)


def by_codes(session: Session, codes: list[str]) -> list[IncidentRecord]:
    if not codes:
        return []
    return list(session.exec(select(IncidentRecord).where(col(IncidentRecord.code).in_(codes))))


def all_incidents(session: Session) -> list[IncidentRecord]:
    return list(session.exec(select(IncidentRecord).order_by(IncidentRecord.declared_at)))


def events_by_incident(
    session: Session, incident_ids: list[int]
) -> dict[int, list[EscalationEventRecord]]:
    """Fired steps of many incidents in one query."""
    grouped: dict[int, list[EscalationEventRecord]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return grouped
    statement = (
        select(EscalationEventRecord)
        .where(col(EscalationEventRecord.incident_id).in_(incident_ids))
        .order_by(EscalationEventRecord.fired_at, EscalationEventRecord.id)
    )
    for event in session.exec(statement):
        grouped[event.incident_id].append(event)
    return grouped


def events_for(session: Session, incident_id: int) -> list[EscalationEventRecord]:
    return events_by_incident(session, [incident_id])[incident_id]


def timeline_for(session: Session, incident_id: int) -> list[TimelineEntryRecord]:
    statement = (
        select(TimelineEntryRecord)
        .where(TimelineEntryRecord.incident_id == incident_id)
        .order_by(TimelineEntryRecord.at, TimelineEntryRecord.id)
    )
    return list(session.exec(statement))


def outbox_for(session: Session, incident_id: int) -> list[OutboxRecord]:
    statement = (
        select(OutboxRecord)
        .where(OutboxRecord.incident_id == incident_id)
        .order_by(OutboxRecord.id)
    )
    return list(session.exec(statement))


def update_incident(session: Session, record: IncidentRecord, **changes) -> None:
    """Write changes only if nobody else changed the incident since it was read."""
    statement = (
        update(IncidentRecord)
        .where(IncidentRecord.id == record.id, IncidentRecord.version == record.version)
        .values(**changes, version=record.version + 1)
    )
    if session.execute(statement).rowcount != 1:
        raise StaleWrite(
            f"Incident {record.code} was changed by someone else a moment ago; "
            "reload it and try again."
        )
    session.expire(record)  # the next read sees what the database now holds
