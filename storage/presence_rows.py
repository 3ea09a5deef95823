"""Presence rows: one per running app, replaced as it moves; read by place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.watch_tables import PresenceRecord


def set_presence(session: Session, record: PresenceRecord) -> None:
    """Where this client is now (a new row the first time); commits."""
    existing = session.get(PresenceRecord, record.client)
    if existing is None:
        session.add(record)
        try:
            session.commit()
            return
        except IntegrityError:  # the same client from another thread a moment ago
            session.rollback()
            existing = session.get(PresenceRecord, record.client)
    for name in ("person", "place", "section", "editing", "seen_at"):
        setattr(existing, name, getattr(record, name))
    session.commit()


def present(session: Session, place: str, since: datetime, but: str) -> list[PresenceRecord]:
    statement = (
        select(PresenceRecord)
        .where(PresenceRecord.place == place)
        .where(col(PresenceRecord.seen_at) >= since)
        .where(PresenceRecord.client != but)
        .order_by(PresenceRecord.person)
    )
    return list(session.exec(statement))


def remove_presence(session: Session, client: str, before: datetime | None = None) -> None:
    """This client's row, and any that have not been refreshed since `before`."""
    session.execute(delete(PresenceRecord).where(PresenceRecord.client == client))
    if before is not None:
        session.execute(delete(PresenceRecord).where(col(PresenceRecord.seen_at) < before))
    session.commit()
