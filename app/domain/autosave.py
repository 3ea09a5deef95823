"""When a form's typing is due to be saved: a fixed delay after the first change that is not
saved yet. The deadline is stored and compared with the injected clock, so a FakeClock drives
it in tests and nothing waits on real time."""

from __future__ import annotations

from datetime import datetime, timedelta


class Autosave:
    def __init__(self, delay: timedelta) -> None:
        self.delay = delay
        self.due_at: datetime | None = None

    def changed(self, now: datetime) -> None:
        """Something was typed; the first unsaved change starts the delay."""
        if self.due_at is None:
            self.due_at = now + self.delay

    def due(self, now: datetime) -> bool:
        return self.due_at is not None and now >= self.due_at

    def taken(self) -> None:
        """A save has taken every change made so far."""
        self.due_at = None
