"""app.services.stopping: halting a process's APScheduler while a job runs. The scheduler is
stopped the moment `halt` returns (the App's unmount then sees it stopped and does not shut it
down a second time), and the running job ends quietly: nothing is logged or handed to the
loop's exception handler."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.services.stopping import halt, quiet_when_stopping


class Busy:
    """An owner with a `stopping` flag and one long job, as the engine's sweeps are."""

    def __init__(self) -> None:
        self.stopping = False
        self.started = asyncio.Event()
        self.runs = 0

    @quiet_when_stopping
    async def job(self) -> None:
        self.runs += 1
        self.started.set()
        await asyncio.sleep(60)


async def test_halt_stops_the_scheduler_at_once_and_its_running_job_quietly(caplog):
    loop = asyncio.get_running_loop()
    handed: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: handed.append(context))
    caplog.set_level(logging.DEBUG, logger="apscheduler")
    scheduler = AsyncIOScheduler()
    scheduler.start()
    owner = Busy()
    scheduler.add_job(owner.job, "interval", seconds=0.05, max_instances=1)
    await asyncio.wait_for(owner.started.wait(), 10)

    owner.stopping = True
    delivery = loop.create_task(asyncio.sleep(60))
    halt(scheduler, {delivery})
    assert not scheduler.running  # at once, not on the loop's next turn
    if scheduler.running:  # what the App's unmount does next (screens/database_link.py)
        scheduler.shutdown(wait=False)
    for _ in range(20):  # let the loop run the cancellations and anything scheduled
        await asyncio.sleep(0.01)

    assert delivery.cancelled()
    assert owner.runs == 1  # the stopped scheduler started the job no more
    assert handed == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_job_cancelled_before_it_began_is_not_an_error(caplog):
    """The shutdown a moment after a job came due: its task is cancelled before its first
    step, so the quiet wrapper never runs, and APScheduler logged "Error running job …
    CancelledError" on the terminal (seen once in ~250 quits of the clean-exit test)."""
    caplog.set_level(logging.DEBUG, logger="apscheduler")
    scheduler = AsyncIOScheduler()
    scheduler.start()
    owner = Busy()
    job = scheduler.add_job(owner.job, "interval", seconds=3600)
    owner.stopping = True
    scheduler._lookup_executor("default").submit_job(job, [job.next_run_time])  # due now
    halt(scheduler, set())  # in the same turn of the loop: the task has not begun
    for _ in range(20):
        await asyncio.sleep(0.01)
    assert owner.runs == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
