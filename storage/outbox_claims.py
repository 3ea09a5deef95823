"""Outbox rows claimed and finished many at a time: a storm of pages due together costs a few
statements and two commits, not two transactions per page (each SQLite commit holds the write
lock the next firing waits for)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_

from storage.tables import OutboxRecord

CLAIM_CHUNK = 500  # ids in one IN (...): well under SQLite's limit of bound parameters


def claim_alerts(
    session: Session, alert_ids: list[int], claimer: str, now: datetime, expired_before: datetime
) -> set[int]:
    """Take these undelivered alerts for delivery, a few hundred to a statement, except those
    another process holds a live claim on; the ids taken."""
    taken: set[int] = set()
    for start in range(0, len(alert_ids), CLAIM_CHUNK):
        chunk = alert_ids[start : start + CLAIM_CHUNK]
        statement = (
            update(OutboxRecord)
            .where(
                col(OutboxRecord.id).in_(chunk),
                col(OutboxRecord.delivered_at).is_(None),
                or_(
                    col(OutboxRecord.claimed_at).is_(None),
                    col(OutboxRecord.claimed_at) < expired_before,
                ),
            )
            .values(
                claimed_at=now,
                claimed_by=claimer,
                attempts=OutboxRecord.attempts + 1,
                last_attempt_at=now,
            )
            .returning(OutboxRecord.id)
            .execution_options(synchronize_session=False)
        )
        taken.update(session.execute(statement).scalars())
    return taken


def finish_alerts(
    session: Session, outcomes: Iterable[tuple[int, datetime | None, str | None, datetime | None]]
) -> None:
    """Record each (id, delivered_at, error, retry_at): delivered (delivered_at set: no more
    tries), or a failed attempt to be tried again at `retry_at` (the claim released); inside the
    caller's transaction, one UPDATE for the alerts with the same outcome (a storm's pages
    delivered together share theirs)."""
    alike: dict[tuple, list[int]] = {}
    for alert_id, *outcome in outcomes:
        alike.setdefault(tuple(outcome), []).append(alert_id)
    for (delivered_at, error, retry_at), ids in alike.items():
        values: dict = {"last_error": error}
        if delivered_at is not None:
            values["delivered_at"] = delivered_at
        else:
            values["claimed_at"] = None
            values["next_attempt_at"] = retry_at
        for start in range(0, len(ids), CLAIM_CHUNK):
            session.execute(
                update(OutboxRecord)
                .where(col(OutboxRecord.id).in_(ids[start : start + CLAIM_CHUNK]))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
