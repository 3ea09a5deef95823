"""Queries for the metrics: the times of incidents declared in a period (columns only, no
timeline, one query) and every follow-up of every postmortem. Rows in, tuples out."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, cast, func, select
from sqlmodel import Session, col

from storage.errors import StaleWrite
from storage.tables import ActionItemRecord, IncidentRecord, PolicyRecord, PostmortemRecord
from storage.versioned import versioned_update

UNIX_EPOCH_JULIAN_DAY = 2440587.5


def _epoch(column, dialect: str):
    """The moment as seconds since the epoch, computed by the database."""
    if dialect == "sqlite":
        return (func.julianday(column) - UNIX_EPOCH_JULIAN_DAY) * 86400.0
    return cast(func.extract("epoch", column), Float)


def _seconds_between(start, end, dialect: str):
    """end − start in seconds (NULL when end is NULL), computed by the database: tens of
    thousands of rows come back as plain numbers instead of datetimes to parse. SQLite's
    julianday arithmetic is exact to tens of microseconds: rounded to the millisecond."""
    if dialect == "sqlite":
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return cast(func.extract("epoch", end - start), Float)


def _in_period(statement, since: datetime, until: datetime, policy: str | None):
    statement = statement.join(PolicyRecord, PolicyRecord.id == IncidentRecord.policy_id).where(
        col(IncidentRecord.declared_at) >= since, col(IncidentRecord.declared_at) < until
    )
    return statement if policy is None else statement.where(PolicyRecord.name == policy)


def incident_times(
    session: Session, since: datetime, until: datetime, policy: str | None = None
) -> list[tuple]:
    """(code, title, policy, severity, type, declared as epoch seconds, then the seconds to
    detect, acknowledge, mitigate and resolve or None — app.domain.metrics.Timed's fields) of
    incidents declared in [since, until), found by the declaration index, as plain tuples."""
    dialect = session.get_bind().dialect.name
    declared = IncidentRecord.declared_at
    began = func.coalesce(IncidentRecord.started_at, declared)
    statement = select(
        IncidentRecord.code,
        IncidentRecord.title,
        PolicyRecord.name,
        IncidentRecord.severity,
        IncidentRecord.type_key,
        _epoch(declared, dialect),
        _seconds_between(began, func.coalesce(IncidentRecord.detected_at, declared), dialect),
        _seconds_between(declared, IncidentRecord.first_acknowledged_at, dialect),
        _seconds_between(began, IncidentRecord.mitigated_at, dialect),
        _seconds_between(began, IncidentRecord.resolved_at, dialect),
    )
    # Plain tuples straight from the driver: a year is ~100,000 rows of strings and floats
    # (no column here needs SQLAlchemy's conversion), and making a Row of each costs more than
    # the query.
    result = session.connection().execute(_in_period(statement, since, until, policy))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def follow_ups_in_period(
    session: Session, since: datetime, until: datetime, policy: str | None = None
) -> list[tuple]:
    """follow_ups() of the postmortems of incidents declared in [since, until)."""
    return [
        tuple(row) for row in session.execute(_in_period(_follow_up_query(), since, until, policy))
    ]


def _follow_up_query():
    return (
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


def follow_ups(session: Session) -> list[tuple]:
    """(item id, incident code, title, owner, due, status, priority) of every action item,
    oldest incident first, in the postmortem's order."""
    return [tuple(row) for row in session.execute(_follow_up_query())]


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
