"""Queries for the alerts taken in from monitors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from storage.watch_tables import HeartbeatRecord, IntakeKeyRecord, MaintenanceRecord


def intake_key(session: Session, dedup_key: str) -> IntakeKeyRecord | None:
    statement = select(IntakeKeyRecord).where(IntakeKeyRecord.dedup_key == dedup_key)
    return session.exec(statement).first()


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
