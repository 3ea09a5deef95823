"""Queries for the outbox: the alerts each firing leaves for each channel, waiting, claimed
and delivered one at a time (many at a time: storage.outbox_claims). Rows in, rows out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from storage.outbox_claims import CLAIM_CHUNK
from storage.tables import OutboxRecord


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
