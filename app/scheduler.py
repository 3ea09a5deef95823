"""APScheduler bridge: wake up when an incident's next deadline comes, and fire what is due.

The database is the truth. Jobs live in APScheduler's memory store and are rebuilt from the
database at start and after every sweep; a date job is only a wake-up call, never the record of
a firing (the unique EscalationEvent insert is). A periodic sweep catches anything a job missed
(a loop blocked, an incident declared by another process). Late jobs always run: no
misfire grace period drops them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.incidents import FiredStep, IncidentService

SWEEP_JOB = "sweep"
WAKEUP_PREFIX = "wakeup:"


class EscalationScheduler:
    def __init__(
        self,
        service: IncidentService,
        scheduler: AsyncIOScheduler,
        on_fired: Callable[[list[FiredStep]], None],
        sweep_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.scheduler = scheduler
        self.on_fired = on_fired
        self.sweep_seconds = sweep_seconds
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Fire what came due while nothing ran (marked late), then plan the wake-ups."""
        await self._fire(catching_up=True)
        self.scheduler.add_job(
            self._fire,
            "interval",
            seconds=self.sweep_seconds,
            id=SWEEP_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    async def _fire(self, catching_up: bool = False) -> None:
        async with self._lock:  # one sweep at a time in this process
            fired = await asyncio.to_thread(self.service.fire_due, catching_up)
            if fired:
                self.on_fired(fired)
            wakeups = await asyncio.to_thread(self._next_wakeups)
        self._schedule(wakeups)

    def _next_wakeups(self) -> dict[str, datetime]:
        return {
            record.code: current.next_wakeup
            for record, current in self.service.open_plans()
            if current.next_wakeup is not None
        }

    def _schedule(self, wakeups: dict[str, datetime]) -> None:
        wanted = {f"{WAKEUP_PREFIX}{code}": at for code, at in wakeups.items()}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(WAKEUP_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, at in wanted.items():
            self.scheduler.add_job(
                self._fire,
                "date",
                run_date=at.astimezone(UTC),
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
            )
