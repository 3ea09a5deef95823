"""A paging channel's last failure, kept after it recovered.

An outbox row that failed and was then delivered has its error cleared (it is not failing any
more); the failure is still in its incident's timeline (a `page` entry per try). So the last
failure is either a row that still holds its error (at its last attempt) or a recovered row's
last failed try in the timeline. Rows are read newest attempt first through the (channel,
last_attempt_at) index, and the reading stops at the first row whose last attempt is older
than the failure already found: a failure never comes after its row's last attempt."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, or_, select

from storage.tables import OutboxRecord, TimelineEntryRecord

MAX_ROWS = 200  # rows looked at before settling for the newest failure found


def last_failure(session: Session, channel: str, name: str) -> tuple[datetime, str] | None:
    """When outbox channel `channel` (paging channel `name`) last failed, and what was said."""
    rows = session.exec(
        select(OutboxRecord)
        .where(
            OutboxRecord.channel == channel,
            col(OutboxRecord.last_attempt_at).is_not(None),
            or_(col(OutboxRecord.last_error).is_not(None), col(OutboxRecord.attempts) > 1),
        )
        .order_by(col(OutboxRecord.last_attempt_at).desc(), col(OutboxRecord.id).desc())
        .limit(MAX_ROWS)
    )
    found: tuple[datetime, str] | None = None
    for row in rows:
        if found is not None and row.last_attempt_at <= found[0]:
            break
        failure = (
            (row.last_attempt_at, row.last_error)
            if row.last_error
            else _failed_try(session, row, name)
        )
        if failure is not None and (found is None or failure[0] > found[0]):
            found = failure
    return found


def _failed_try(session: Session, row: OutboxRecord, name: str) -> tuple[datetime, str] | None:
    """The last failed try of a row that went through in the end, from its incident's timeline."""
    entries = session.exec(
        select(TimelineEntryRecord)
        .where(
            TimelineEntryRecord.incident_id == row.incident_id,
            TimelineEntryRecord.kind == "page",
        )
        .order_by(col(TimelineEntryRecord.at).desc(), col(TimelineEntryRecord.id).desc())
    )
    payload = row.payload or {}
    for entry in entries:
        data = entry.data or {}
        if (
            data.get("channel") == name
            and data.get("ok") is False
            and data.get("step") == payload.get("step")
            and data.get("round") == payload.get("round")
            and entry.at <= row.last_attempt_at
        ):
            return entry.at, data.get("error") or ""
    return None
