"""Training checklists: record that someone did an item (now, or when they did it), and the
state of everyone's training."""

from __future__ import annotations

from datetime import datetime

from app.domain.clock import Clock
from app.domain.textsafe import printable
from app.domain.training import TrainingError, TrainingState, find_item, states
from storage.database import Database
from storage.tables import TrainingRecord
from storage.training_rows import add_training, training_rows


class TrainingService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def record(
        self, ref: str, people: list[str], actor: str, done_at: datetime | None = None
    ) -> list[str]:
        """`ref` (`quarterly/tabletop`) done by each of `people`; returns their names as kept."""
        checklist, item = find_item(ref)
        names = [printable(name).strip() for name in people]
        if not names or not all(names):
            raise TrainingError("Name who did the training.", "training.needs_person")
        now = self.clock.now()
        if done_at is not None and done_at > now:
            raise TrainingError("Training cannot be done in the future.", "training.future")
        with self.database.session() as session:
            for name in dict.fromkeys(names):
                add_training(
                    session,
                    TrainingRecord(
                        checklist=checklist.key,
                        item=item.key,
                        person=name,
                        done_at=done_at or now,
                        recorded_by=actor,
                        recorded_at=now,
                    ),
                )
            session.commit()
        return list(dict.fromkeys(names))

    def states(self, people: list[str] = ()) -> list[TrainingState]:
        with self.database.session() as session:
            rows = training_rows(session)
        return states(rows, list(people), self.clock.now())
