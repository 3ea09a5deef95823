"""Training records: added, and read back as plain tuples for the training view."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.tables import TrainingRecord


def add_training(session: Session, record: TrainingRecord) -> None:
    session.add(record)


def training_rows(session: Session) -> list[tuple]:
    """(checklist, item, person, done_at) of every record."""
    statement = select(
        TrainingRecord.checklist,
        TrainingRecord.item,
        TrainingRecord.person,
        TrainingRecord.done_at,
    )
    return [tuple(row) for row in session.exec(statement)]
