"""Queries for the alerts taken in from monitors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.tables import IntakeKeyRecord


def intake_key(session: Session, dedup_key: str) -> IntakeKeyRecord | None:
    statement = select(IntakeKeyRecord).where(IntakeKeyRecord.dedup_key == dedup_key)
    return session.exec(statement).first()


def remember_key(
    session: Session, dedup_key: str, source: str, code: str, at: datetime
) -> IntakeKeyRecord | None:
    """Store a new key pointing at `code`; None when another process stored it first."""
    record = IntakeKeyRecord(
        dedup_key=dedup_key, source=source, incident_code=code, first_at=at, last_at=at
    )
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return record


def count_key(session: Session, dedup_key: str, status: str, at: datetime) -> int:
    """One more alert on this key (counted in the database, so two receivers never lose one);
    returns how many it has had."""
    statement = (
        update(IntakeKeyRecord)
        .where(IntakeKeyRecord.dedup_key == dedup_key)
        .values(count=IntakeKeyRecord.count + 1, last_at=at, last_status=status)
    )
    session.execute(statement)
    session.commit()
    return intake_key(session, dedup_key).count


def repoint_key(session: Session, dedup_key: str, code: str, at: datetime) -> None:
    """The key fires again after its incident was resolved: it opens a new incident."""
    statement = (
        update(IntakeKeyRecord)
        .where(IntakeKeyRecord.dedup_key == dedup_key)
        .values(incident_code=code, count=1, first_at=at, last_at=at, last_status="firing")
    )
    session.execute(statement)
    session.commit()
