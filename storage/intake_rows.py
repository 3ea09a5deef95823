"""Queries for the alerts taken in from monitors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.watch_tables import HeartbeatRecord, IntakeKeyRecord, MaintenanceRecord


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


def heartbeat(session: Session, name: str) -> HeartbeatRecord | None:
    return session.exec(select(HeartbeatRecord).where(HeartbeatRecord.name == name)).first()


_KEEP = object()


def save_heartbeat(
    session: Session, name: str, last_ping_at: datetime, missed: str | None, incident=_KEEP
):
    """The heartbeat's last ping and the incident its current silence opened (`missed`, None
    once it pinged again); `incident`, when given, is the incident the latest silence opened,
    kept after the recovery."""
    record = heartbeat(session, name) or HeartbeatRecord(name=name, last_ping_at=last_ping_at)
    record.last_ping_at, record.missed_code = last_ping_at, missed
    if incident is not _KEEP:
        record.incident_code = incident
    session.add(record)
    session.commit()


def active_windows(session: Session, now: datetime) -> list[MaintenanceRecord]:
    statement = (
        select(MaintenanceRecord)
        .where(MaintenanceRecord.starts_at <= now, MaintenanceRecord.ends_at > now)
        .order_by(MaintenanceRecord.ends_at)
    )
    return list(session.exec(statement))


def add_window(session: Session, window: MaintenanceRecord) -> MaintenanceRecord:
    session.add(window)
    session.commit()
    session.refresh(window)
    return window


def end_windows(session: Session, name: str, now: datetime) -> int:
    statement = (
        update(MaintenanceRecord)
        .where(MaintenanceRecord.name == name, MaintenanceRecord.ends_at > now)
        .values(ends_at=now)
    )
    count = session.execute(statement).rowcount
    session.commit()
    return count
