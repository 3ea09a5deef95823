"""An alert's dedup key claimed before its incident is declared, so two intakes taking the same
alert at once never both declare: the key's row (unique in the database) is inserted, or taken
over with a compare-and-set, by exactly one of them; the others wait for its incident.

A claim is the key with no incident and last_status "claiming"; a claim older than a few
seconds belongs to a process that died between claiming and declaring and may be taken over.
Every write transaction here starts with its write, so SQLite takes its write lock first (no
"database is locked" from a read turned write) and PostgreSQL locks the row first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.watch_tables import IntakeKeyRecord

CLAIMING = "claiming"
RELEASED = "released"  # a claim whose declaration failed: free for the next alert at once
SUPPRESSED = "suppressed"

T = TypeVar("T")


def claim_new(session: Session, dedup_key: str, source: str, at: datetime) -> bool:
    """Insert the key as claimed; False when it is already there (another intake has it)."""
    return _insert_without_incident(session, dedup_key, source, at, CLAIMING)


def claim_again(
    session: Session, dedup_key: str, seen_code: str, at: datetime, stale_before: datetime
) -> bool:
    """Take the key for a new declaration: its incident `seen_code` was resolved, or it has
    none (suppressed, released, or a claim older than `stale_before`). Exactly one of several
    intakes that saw the same row wins; the others find it changed."""
    statement = update(IntakeKeyRecord).where(IntakeKeyRecord.dedup_key == dedup_key)
    if seen_code:
        statement = statement.where(IntakeKeyRecord.incident_code == seen_code)
    else:
        statement = statement.where(
            IntakeKeyRecord.incident_code == "",
            or_(
                IntakeKeyRecord.last_status != CLAIMING,
                IntakeKeyRecord.last_at < stale_before,
            ),
        )
    statement = statement.values(
        incident_code="", last_status=CLAIMING, count=1, first_at=at, last_at=at
    )
    won = session.execute(statement).rowcount == 1
    session.commit()
    return won


def settle_claim(
    session: Session, dedup_key: str, code: str, at: datetime, severity: str, context: dict
) -> bool:
    """The claimed key points at the incident just declared; False when the claim was taken
    over meanwhile (this process was slower than the claim's lease)."""
    statement = (
        update(IntakeKeyRecord)
        .where(
            IntakeKeyRecord.dedup_key == dedup_key,
            IntakeKeyRecord.incident_code == "",
            IntakeKeyRecord.last_status == CLAIMING,
        )
        .values(
            incident_code=code,
            last_status="firing",
            last_at=at,
            severity=severity,
            context=context,
        )
    )
    won = session.execute(statement).rowcount == 1
    session.commit()
    return won


def release_claim(session: Session, dedup_key: str, at: datetime) -> None:
    """The declaration failed: the next alert may claim the key at once."""
    session.execute(
        update(IntakeKeyRecord)
        .where(
            IntakeKeyRecord.dedup_key == dedup_key,
            IntakeKeyRecord.incident_code == "",
            IntakeKeyRecord.last_status == CLAIMING,
        )
        .values(last_status=RELEASED, last_at=at)
    )
    session.commit()


def remember_suppressed(session: Session, dedup_key: str, source: str, at: datetime) -> None:
    """An alert taken during maintenance: its key is kept (counted), with no incident."""
    if not _insert_without_incident(session, dedup_key, source, at, SUPPRESSED):
        touch_key(session, dedup_key, SUPPRESSED, at, lambda _record: None)


def _insert_without_incident(
    session: Session, dedup_key: str, source: str, at: datetime, status: str
) -> bool:
    """Insert the key, pointing at no incident yet; False when it is already there."""
    session.add(
        IntakeKeyRecord(
            dedup_key=dedup_key,
            source=source,
            incident_code="",
            first_at=at,
            last_at=at,
            last_status=status,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def touch_key(
    session: Session,
    dedup_key: str,
    status: str,
    at: datetime,
    change: Callable[[IntakeKeyRecord], T],
    commit: bool = True,
) -> tuple[IntakeKeyRecord, T] | None:
    """Count one more alert on the key, then let `change` update the locked row (its context
    and severity) in the same transaction; (the row, what change returned), or None when the
    key is not there. `commit` False: part of the caller's transaction, which commits it."""
    counted = session.execute(
        update(IntakeKeyRecord)
        .where(IntakeKeyRecord.dedup_key == dedup_key)
        .values(count=IntakeKeyRecord.count + 1, last_at=at, last_status=status)
    )
    if counted.rowcount != 1:
        if commit:
            session.rollback()
        return None
    statement = select(IntakeKeyRecord).where(IntakeKeyRecord.dedup_key == dedup_key)
    record = session.exec(statement.execution_options(populate_existing=True)).one()
    result = change(record)
    session.add(record)
    if commit:
        session.commit()
    return record, result


def keys_for_incident(session: Session, code: str) -> list[IntakeKeyRecord]:
    """The alert keys that opened or fed incident `code`, the latest first."""
    statement = (
        select(IntakeKeyRecord)
        .where(IntakeKeyRecord.incident_code == code)
        .order_by(IntakeKeyRecord.last_at.desc())
    )
    return list(session.exec(statement))
