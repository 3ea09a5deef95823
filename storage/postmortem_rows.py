"""Queries for postmortems and their action items. Rows in, rows out."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, select

from storage.errors import StaleWrite
from storage.models import ActionItemRecord, PostmortemRecord


def postmortem_for(session: Session, incident_id: int) -> PostmortemRecord | None:
    statement = select(PostmortemRecord).where(PostmortemRecord.incident_id == incident_id)
    return session.exec(statement).first()


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
    statement = (
        update(PostmortemRecord)
        .where(PostmortemRecord.id == record.id, PostmortemRecord.version == expected_version)
        .values(**changes, version=expected_version + 1)
    )
    if session.execute(statement).rowcount != 1:
        raise StaleWrite(
            "Someone else saved this postmortem a moment ago; your text is still in the form. "
            "Copy what you need, then reopen the postmortem to see their version."
        )
    session.execute(delete(ActionItemRecord).where(ActionItemRecord.postmortem_id == record.id))
    for position, item in enumerate(items):
        session.add(ActionItemRecord(postmortem_id=record.id, position=position, **item))
    return expected_version + 1
