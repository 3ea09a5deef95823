"""Queries for incidents, their timelines and fired steps (the outbox: storage.outbox_rows).
Rows in, rows out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.errors import StaleWrite
from storage.tables import (
    ChecklistTickRecord,
    EscalationEventRecord,
    IncidentRecord,
    OutboxRecord,
    PostmortemRecord,
    RoleAssignmentRecord,
    TimelineEntryRecord,
)
from storage.versioned import versioned_update


def by_code(session: Session, code: str) -> IncidentRecord | None:
    return session.exec(select(IncidentRecord).where(IncidentRecord.code == code)).first()


def open_incidents(session: Session) -> list[IncidentRecord]:
    statement = select(IncidentRecord).where(open_where()).order_by(IncidentRecord.declared_at)
    return list(session.exec(statement))


def open_codes(session: Session) -> list[str]:
    """The codes of every open incident, first declared first (the order a pass fires in)."""
    statement = select(IncidentRecord.code).where(open_where())
    return list(session.exec(statement.order_by(IncidentRecord.declared_at)).all())


def is_open(session: Session, code: str) -> bool:
    """Whether incident `code` exists and is not resolved."""
    statement = select(IncidentRecord.id).where(open_where([code]))
    return session.exec(statement).first() is not None


def by_codes(session: Session, codes: list[str]) -> list[IncidentRecord]:
    if not codes:
        return []
    return list(session.exec(select(IncidentRecord).where(codes_where(codes))))


def all_incidents(session: Session) -> list[IncidentRecord]:
    return list(session.exec(select(IncidentRecord).order_by(IncidentRecord.declared_at)))


def first_declared_code(session: Session) -> str | None:
    statement = select(IncidentRecord.code).order_by(IncidentRecord.declared_at, IncidentRecord.id)
    return session.exec(statement.limit(1)).first()


def recently_resolved(session: Session, limit: int) -> list[IncidentRecord]:
    statement = (
        select(IncidentRecord)
        .where(col(IncidentRecord.resolved_at).is_not(None))
        .order_by(col(IncidentRecord.resolved_at).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def events_by_incident(
    session: Session, incident_ids: list[int]
) -> dict[int, list[EscalationEventRecord]]:
    """Fired steps of many incidents in one query."""
    statement = _fired(incident_ids, select(EscalationEventRecord))
    return _by_incident(session.exec(statement) if incident_ids else (), incident_ids)


def firings_by_incident(session: Session, incident_ids: list[int]) -> dict[int, list]:
    """What planning needs of the fired steps of many incidents (step_id, round, due_at,
    fired_at, reason), as plain rows: 10,000 open incidents have ~55,000 of them, and as ORM
    objects they were most of the board's start-up memory."""
    event = EscalationEventRecord
    columns = (event.incident_id, event.step_id, event.round, event.due_at, event.fired_at)
    statement = _fired(incident_ids, sa_select(*columns, event.reason))
    return _by_incident(session.execute(statement) if incident_ids else (), incident_ids)


def _fired(incident_ids: list[int], statement):
    """`statement` narrowed to these incidents' fired steps, in the order they fired."""
    event = EscalationEventRecord
    return statement.where(col(event.incident_id).in_(incident_ids)).order_by(
        event.fired_at, event.id
    )


def _by_incident(rows, incident_ids: list[int]) -> dict[int, list]:
    grouped: dict[int, list] = {i: [] for i in incident_ids}
    for row in rows:
        grouped[row.incident_id].append(row)
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
    stale = StaleWrite(
        f"Incident {record.code} was changed by someone else a moment ago; "
        "reload it and try again.",
        "storage.stale_incident",
        code=record.code,
    )
    versioned_update(session, IncidentRecord, record.id, record.version, stale, **changes)
    session.expire(record)  # the next read sees what the database now holds


def board_incidents(session: Session, resolved_since: datetime) -> list[IncidentRecord]:
    """Open incidents and those resolved since the given moment (their postmortem clock)."""
    return list(session.exec(select(IncidentRecord).where(board_where(resolved_since))))


def incident_rows(session: Session, where) -> list:
    """Incidents as plain rows (an attribute per column, no ORM identity), for reading many at
    once to plan or to show, never to change: 10,000 ORM objects at once were tens of MiB."""
    statement = sa_select(*IncidentRecord.__table__.columns).where(where)
    return list(session.execute(statement.order_by(IncidentRecord.declared_at)))


def codes_where(codes: list[str]):
    return col(IncidentRecord.code).in_(codes)


def open_where(codes: list[str] | None = None):
    """Open incidents (those named, if any)."""
    still_open = col(IncidentRecord.resolved_at).is_(None)
    return still_open if codes is None else and_(still_open, codes_where(codes))


def board_where(resolved_since: datetime):
    """Open incidents and those resolved since the given moment."""
    return or_(
        col(IncidentRecord.resolved_at).is_(None),
        col(IncidentRecord.resolved_at) >= resolved_since,
    )


def board_heads(session: Session, resolved_since: datetime) -> dict[str, tuple]:
    """Each board incident's code with what moves when the board must read it again: its
    version, how many of its steps fired, and its postmortem's review state (a draft saving
    every few seconds changes nothing on the board)."""
    fired = (
        select(func.count(EscalationEventRecord.id))
        .where(EscalationEventRecord.incident_id == IncidentRecord.id)
        .scalar_subquery()
    )
    statement = (
        select(
            IncidentRecord.code,
            IncidentRecord.version,
            fired,
            PostmortemRecord.status,
            PostmortemRecord.updated_at,
        )
        .outerjoin(PostmortemRecord, col(PostmortemRecord.incident_id) == IncidentRecord.id)
        .where(board_where(resolved_since))
    )
    return {
        code: (version, fired, None if status in (None, "draft") else (status, updated_at))
        for code, version, fired, status, updated_at in session.exec(statement)
    }


def board_signature(session: Session, resolved_since: datetime) -> tuple:
    """Changes whenever anything the board shows changes: an incident declared, changed,
    resolved or reopened (by this process or another), or a step fired."""
    incidents = select(
        func.count(IncidentRecord.id),
        func.coalesce(func.max(IncidentRecord.id), 0),
        func.coalesce(func.sum(IncidentRecord.version), 0),
    ).where(board_where(resolved_since))
    newest_event = select(func.coalesce(func.max(EscalationEventRecord.id), 0))
    # A postmortem handed in for review meets the postmortem clock; drafts saving every second
    # do not change anything on the board.
    reviews = select(func.count(PostmortemRecord.id), func.max(PostmortemRecord.updated_at)).where(
        PostmortemRecord.status != "draft"
    )
    return (
        *session.exec(incidents).one(),
        session.exec(newest_event).one(),
        *session.exec(reviews).one(),
    )


def roles_for(session: Session, incident_id: int) -> list[RoleAssignmentRecord]:
    statement = select(RoleAssignmentRecord).where(RoleAssignmentRecord.incident_id == incident_id)
    return list(session.exec(statement))


def set_role(
    session: Session, incident_id: int, role: str, person: str, at: datetime, by: str
) -> str | None:
    """Assign (or with an empty person, clear) a role; returns who held it before."""
    current = session.exec(
        select(RoleAssignmentRecord).where(
            RoleAssignmentRecord.incident_id == incident_id, RoleAssignmentRecord.role == role
        )
    ).first()
    previous = current.person if current else None
    if current is not None and not person:
        session.delete(current)
    elif current is not None:
        current.person, current.assigned_at, current.assigned_by = person, at, by
        session.add(current)
    elif person:
        session.add(
            RoleAssignmentRecord(
                incident_id=incident_id, role=role, person=person, assigned_at=at, assigned_by=by
            )
        )
    return previous


def ticks_for(session: Session, incident_id: int) -> list[ChecklistTickRecord]:
    statement = select(ChecklistTickRecord).where(ChecklistTickRecord.incident_id == incident_id)
    return list(session.exec(statement))


def untick(session: Session, incident_id: int, checklist: str, item: str) -> int:
    statement = delete(ChecklistTickRecord).where(
        ChecklistTickRecord.incident_id == incident_id,
        ChecklistTickRecord.checklist == checklist,
        ChecklistTickRecord.item == item,
    )
    return session.execute(statement).rowcount
