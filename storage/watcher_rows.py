"""Watcher rows: one per running process that fires escalations, its pass recorded every
interval, marked stopped by a clean exit; rows long gone are forgotten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from storage.watch_tables import WatcherRecord


def add_watcher(session: Session, record: WatcherRecord, forget_before: datetime) -> None:
    """A new watcher; rows that made no pass (or stopped) before `forget_before` go. Commits."""
    session.execute(
        delete(WatcherRecord).where(
            or_(
                col(WatcherRecord.last_pass_at) < forget_before,
                col(WatcherRecord.stopped_at) < forget_before,
            )
        )
    )
    session.add(record)
    session.commit()


def record_pass(session: Session, instance: str, now: datetime) -> bool:
    """This watcher made a pass now; False when its row is gone (forgotten by another process
    after a long sleep) or marked stopped. Commits."""
    statement = (
        update(WatcherRecord)
        .where(WatcherRecord.instance == instance, col(WatcherRecord.stopped_at).is_(None))
        .values(last_pass_at=now)
    )
    done = session.execute(statement).rowcount == 1
    session.commit()
    return done


def mark_stopped(session: Session, instance: str, now: datetime) -> None:
    session.execute(
        update(WatcherRecord).where(WatcherRecord.instance == instance).values(stopped_at=now)
    )
    session.commit()


def drop_watcher(session: Session, instance: str) -> None:
    session.execute(delete(WatcherRecord).where(WatcherRecord.instance == instance))
    session.commit()


def watchers_since(session: Session, since: datetime) -> list[WatcherRecord]:
    """Watchers not stopped whose last pass is `since` or later, the latest pass first."""
    statement = (
        select(WatcherRecord)
        .where(col(WatcherRecord.stopped_at).is_(None))
        .where(col(WatcherRecord.last_pass_at) >= since)
        .order_by(col(WatcherRecord.last_pass_at).desc(), col(WatcherRecord.id))
    )
    return list(session.exec(statement))
