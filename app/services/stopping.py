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
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler


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


def halt(scheduler: AsyncIOScheduler, tasks: set[asyncio.Task]) -> None:
    """Shut the scheduler down (its running jobs cancelled) and cancel ``tasks``."""
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for task in list(tasks):
        task.cancel()
