"""Queries for postmortems and their action items. Rows in, rows out."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.errors import StaleWrite
from storage.tables import ActionItemRecord, PostmortemRecord
from storage.versioned import versioned_update


def postmortem_for(session: Session, incident_id: int) -> PostmortemRecord | None:
    statement = select(PostmortemRecord).where(PostmortemRecord.incident_id == incident_id)
    return session.exec(statement).first()


def review_states(session: Session, incident_ids: list[int]) -> dict[int, tuple]:
    """(status, history, updated_at) of the postmortems of these incidents that have one."""
    if not incident_ids:
        return {}
    statement = select(
        PostmortemRecord.incident_id,
        PostmortemRecord.status,
        PostmortemRecord.history,
        PostmortemRecord.updated_at,
    ).where(col(PostmortemRecord.incident_id).in_(incident_ids))
    return {row[0]: tuple(row[1:]) for row in session.exec(statement)}


def action_items(session: Session, postmortem_id: int) -> list[ActionItemRecord]:
    statement = (
        select(ActionItemRecord)
        .where(ActionItemRecord.postmortem_id == postmortem_id)
        .order_by(ActionItemRecord.position)
    )
    return list(session.exec(statement))


def save_postmortem(
    session: Session, record: PostmortemRecord, expected_version: int, items, **changes
) -> int:
    """Write content and replace the action items, only if nobody saved since
    `expected_version`; returns the new version."""
    stale = StaleWrite(
        "Someone else saved this postmortem a moment ago; your text is still in the form. "
        "Copy what you need, then reopen the postmortem to see their version.",
        "storage.stale_postmortem",
    )
    version = versioned_update(
        session, PostmortemRecord, record.id, expected_version, stale, **changes
    )
    session.execute(delete(ActionItemRecord).where(ActionItemRecord.postmortem_id == record.id))
    for position, item in enumerate(items):
        session.add(ActionItemRecord(postmortem_id=record.id, position=position, **item))
    return version
