"""Quitting while escalations are being fired: what a process's scheduled jobs (sweeps,
wake-ups, deliveries, watcher passes) do once it stops.

`halt` marks the process stopping, shuts APScheduler down without waiting (its in-flight jobs
are cancelled) and cancels the deliveries under way. A job wrapped in `quiet_when_stopping`
then returns at once instead of starting, and its cancellation ends it quietly: no "Job …
raised an exception … CancelledError" on the terminal after the app or the daemon exits. A
pass already in a thread stops after the incident it is firing (`EscalationFiring.stopping`);
each step's claim is its own transaction, so nothing is left half-fired."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler


def quiet_when_stopping(job: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A scheduled job of an object with a ``stopping`` flag: skipped once it is set, and
    cancelled quietly by the shutdown (a cancellation while running on is passed on)."""

    @functools.wraps(job)
    async def run(owner: Any, *args: Any, **kwargs: Any) -> None:
        if owner.stopping:
            return
        try:
            await job(owner, *args, **kwargs)
        except asyncio.CancelledError:
            if not owner.stopping:
                raise

    return run


class _CancelledIsNoError(logging.Filter):
    """A job whose task the shutdown cancelled before its first step (it came due a moment
    before the quit) never reaches `quiet_when_stopping`, and APScheduler's executor logged
    it as "Error running job … CancelledError". A cancelled job is the shutdown, not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


_quiet_cancellations = _CancelledIsNoError()


def halt(scheduler: AsyncIOScheduler, tasks: set[asyncio.Task]) -> None:
    """Shut the scheduler down (its running jobs cancelled) and cancel ``tasks``; on the
    scheduler's loop, so `scheduler.running` is False on return.

    APScheduler 3.11's `AsyncIOScheduler.shutdown` only schedules the shutdown on the loop:
    whoever else shuts the scheduler down before the loop runs again (the App's unmount, in
    the same callback) would see it running and shut it down twice, and the second prints
    "SchedulerNotRunningError" on the terminal. So this does what that scheduled call does,
    at once: the base shutdown (executors cancel their running jobs), then its timer."""
    executors = logging.getLogger("apscheduler.executors.default")
    if _quiet_cancellations not in executors.filters:
        executors.addFilter(_quiet_cancellations)
    if scheduler.running:
        BaseScheduler.shutdown(scheduler, wait=False)
        scheduler._stop_timer()  # no wake-up left to process jobs on a stopped scheduler
    for task in list(tasks):
        task.cancel()
