"""Queries for incidents, their timelines, fired steps and the outbox. Rows in, rows out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, update
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

CLAIM_CHUNK = 500  # ids in one IN (...): well under SQLite's limit of bound parameters


def by_code(session: Session, code: str) -> IncidentRecord | None:
    return session.exec(select(IncidentRecord).where(IncidentRecord.code == code)).first()


def open_incidents(session: Session) -> list[IncidentRecord]:
    statement = (
        select(IncidentRecord)
        .where(col(IncidentRecord.resolved_at).is_(None))
        .order_by(IncidentRecord.declared_at)
    )
    return list(session.exec(statement))


def open_codes(session: Session) -> list[str]:
    """The codes of every open incident."""
    statement = select(IncidentRecord.code).where(col(IncidentRecord.resolved_at).is_(None))
    return list(session.exec(statement).all())


def by_codes(session: Session, codes: list[str]) -> list[IncidentRecord]:
    if not codes:
        return []
    return list(session.exec(select(IncidentRecord).where(col(IncidentRecord.code).in_(codes))))


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


def firings_by_incident(session: Session, incident_ids: list[int]) -> dict[int, list]:
    """What planning needs of the fired steps of many incidents (step_id, round, due_at,
    fired_at, reason), as plain rows: 10,000 open incidents have ~55,000 of them, and as ORM
    objects they were most of the board's start-up memory."""
    grouped: dict[int, list] = {i: [] for i in incident_ids}
    if not incident_ids:
        return grouped
    event = EscalationEventRecord
    statement = (
        select(event.incident_id, event.step_id, event.round, event.due_at, event.fired_at)
        .add_columns(event.reason)
        .where(col(event.incident_id).in_(incident_ids))
        .order_by(event.fired_at, event.id)
    )
    for row in session.execute(statement):
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
    return list(session.exec(select(IncidentRecord).where(_on_board(resolved_since))))


def _on_board(resolved_since: datetime):
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
        .where(_on_board(resolved_since))
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
    ).where(_on_board(resolved_since))
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


def pending_alerts(
    session: Session, channels: list[str], now: datetime, limit: int | None = None
) -> list[OutboxRecord]:
    """Undelivered alerts on these channels whose next try is due, the oldest `limit` of them."""
    statement = (
        select(OutboxRecord)
        .where(
            col(OutboxRecord.delivered_at).is_(None),
            col(OutboxRecord.channel).in_(channels),
            or_(
                col(OutboxRecord.next_attempt_at).is_(None),
                col(OutboxRecord.next_attempt_at) <= now,
            ),
        )
        .order_by(OutboxRecord.id)
        .limit(limit)
    )
    return list(session.exec(statement))


def oldest_undelivered(session: Session, channels: list[str]) -> dict[tuple[str, int], int]:
    """(channel, incident id) → the id of its oldest alert not yet delivered nor given up."""
    if not channels:
        return {}
    statement = (
        select(OutboxRecord.channel, OutboxRecord.incident_id, func.min(OutboxRecord.id))
        .where(col(OutboxRecord.delivered_at).is_(None), col(OutboxRecord.channel).in_(channels))
        .group_by(OutboxRecord.channel, OutboxRecord.incident_id)
    )
    return {(channel, incident): first for channel, incident, first in session.exec(statement)}


def _claimable(expired_before: datetime):
    """Undelivered, and no other process holds a live claim on it."""
    return (
        col(OutboxRecord.delivered_at).is_(None),
        or_(col(OutboxRecord.claimed_at).is_(None), col(OutboxRecord.claimed_at) < expired_before),
    )


def claim_alert(
    session: Session, alert_id: int, claimer: str, now: datetime, expired_before: datetime
) -> bool:
    """Take an undelivered alert for delivery unless another process holds a live claim."""
    statement = (
        update(OutboxRecord)
        .where(OutboxRecord.id == alert_id, *_claimable(expired_before))
        .values(
            claimed_at=now,
            claimed_by=claimer,
            attempts=OutboxRecord.attempts + 1,
            last_attempt_at=now,
        )
    )
    return session.execute(statement).rowcount == 1


def claim_delivered(
    session: Session, alert_ids: list[int], claimer: str, now: datetime, expired_before: datetime
) -> set[int]:
    """Claim and mark delivered at once the alerts whose delivery cannot fail (the screen's),
    a few hundred to a statement; the ids taken (the others another process holds)."""
    taken: set[int] = set()
    for start in range(0, len(alert_ids), CLAIM_CHUNK):
        chunk = alert_ids[start : start + CLAIM_CHUNK]
        statement = (
            update(OutboxRecord)
            .where(col(OutboxRecord.id).in_(chunk), *_claimable(expired_before))
            .values(
                claimed_at=now,
                claimed_by=claimer,
                attempts=OutboxRecord.attempts + 1,
                last_attempt_at=now,
                delivered_at=now,
                last_error=None,
            )
            .returning(OutboxRecord.id)
            .execution_options(synchronize_session=False)
        )
        taken.update(session.execute(statement).scalars())
    return taken


def finish_alert(
    session: Session,
    alert_id: int,
    delivered_at: datetime | None,
    error: str | None,
    retry_at: datetime | None = None,
) -> None:
    """Record a delivery or a last attempt (delivered_at set: no more tries), or a failed
    attempt to be tried again at `retry_at` (the claim released)."""
    values: dict = {"last_error": error}
    if delivered_at is not None:
        values["delivered_at"] = delivered_at
    else:
        values["claimed_at"] = None
        values["next_attempt_at"] = retry_at
    session.execute(update(OutboxRecord).where(OutboxRecord.id == alert_id).values(**values))


def last_attempts(session: Session, channels: list[str]) -> dict[str, OutboxRecord]:
    """The most recently tried alert of each channel (one indexed query per channel)."""
    latest: dict[str, OutboxRecord] = {}
    for channel in channels:
        statement = (
            select(OutboxRecord)
            .where(
                OutboxRecord.channel == channel,
                col(OutboxRecord.last_attempt_at).is_not(None),
            )
            .order_by(col(OutboxRecord.last_attempt_at).desc(), col(OutboxRecord.id).desc())
            .limit(1)
        )
        row = session.exec(statement).first()
        if row is not None:
            latest[channel] = row
    return latest


def last_success(session: Session, channel: str) -> OutboxRecord | None:
    """The channel's most recent alert that was delivered without an error."""
    statement = (
        select(OutboxRecord)
        .where(
            OutboxRecord.channel == channel,
            col(OutboxRecord.delivered_at).is_not(None),
            col(OutboxRecord.last_error).is_(None),
        )
        .order_by(col(OutboxRecord.last_attempt_at).desc(), col(OutboxRecord.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def enqueue_broadcast(session: Session, incident_id: int, channels, payload: dict, at) -> None:
    """One outbox row per incident channel, in the caller's transaction."""
    for channel in channels:
        session.add(
            OutboxRecord(
                incident_id=incident_id,
                event_id=None,
                channel=channel.outbox_channel,
                payload=payload,
                created_at=at,
            )
        )
