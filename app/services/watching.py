"""One call for a long-running process to fire escalations and say it watches:

    async with watching(settings, clock, kind="intake") as engine:
        ...  # serve, until told to stop

or, for a process without an event loop of its own (a threaded server):

    stop = watch_in_thread(settings, kind="kiosk")
    ...
    stop()
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.domain.clock import Clock, SystemClock
from app.domain.incident import FiredStep, alert_channels
from app.services.alert_delivery import Delivery
from app.services.engine import Engine, build_engine
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from storage.database import Database

START_TIMEOUT_S = 120.0  # the start-up sweep over thousands of incidents takes a while


@asynccontextmanager
async def watching(
    settings: Any,
    clock: Clock,
    kind: str,
    on_fired: Callable[[list[FiredStep]], None] | None = None,
    on_delivered: Callable[[list[Delivery]], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Engine]:
    """The engine of a process of ``kind`` on the running loop, over its own connection to the
    database of ``settings`` (app.config.Settings); stopped cleanly (the watcher row marked
    stopped) when the block ends. ``stop`` set while the engine starts (a signal during the
    start-up sweep over thousands of incidents) halts it at once: the sweep ends after the
    incident it is firing and the block is entered stopped."""
    database = await asyncio.to_thread(Database.open, settings.db_url)
    scheduler = AsyncIOScheduler()
    try:
        incidents = IncidentService(
            database,
            clock,
            PolicyVersions(database, clock),
            alert_channels(settings),
            settings.channels,
            settings.roster,
        )
        engine = build_engine(
            settings,
            incidents,
            kind,
            scheduler,
            on_fired or (lambda _fired: None),
            on_delivered,
            on_problem=on_problem,
        )
        scheduler.start()
        halting = asyncio.ensure_future(_halt_when(stop, engine)) if stop is not None else None
        try:
            try:
                await engine.start()
            finally:
                if halting is not None:
                    halting.cancel()  # started: ending the block stops it
            # What start-up loaded (SQLAlchemy, Apprise's plugins, the policies) lives as long
            # as the process: out of the collector's way, a full collection during an alert
            # storm takes no time instead of ~50 ms with every thread stopped.
            gc.freeze()
            yield engine
        finally:
            await engine.stop()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await asyncio.to_thread(database.close)


async def _halt_when(stop: asyncio.Event, engine: Engine) -> None:
    await stop.wait()
    engine.bridge.stop()


class ThreadedWatch:
    """An engine on an event loop of its own in a thread (see `watch_in_thread`): call it to
    stop; `made_here(codes)` tells it, from any thread, that those incidents changed here."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.engine: Engine | None = None
        self.thread: threading.Thread | None = None

    def made_here(self, codes: list[str]) -> None:
        """These incidents changed here (an alert taken): they enter the engine's change feed,
        which has them planned at once (from any thread)."""
        engine = self.engine
        if engine is not None:
            engine.changes.made_here(codes)

    def __call__(self) -> None:
        loop, thread = self.loop, self.thread
        if thread is None:
            return
        if not loop.is_closed() and thread.is_alive():
            loop.call_soon_threadsafe(self.stop.set)
            thread.join(timeout=10)
        if not thread.is_alive() and not loop.is_closed():
            loop.close()


def watch_in_thread(
    settings: Any,
    kind: str,
    clock: Clock | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> ThreadedWatch:
    """`watching` on an event loop of its own in a thread; returns once the engine has made
    its first pass (raising what stopped it from starting) the ThreadedWatch that stops it."""
    started = threading.Event()
    failure: list[BaseException] = []
    watch = ThreadedWatch()

    async def run() -> None:
        try:
            async with watching(settings, clock or SystemClock(), kind, on_problem=on_problem) as (
                engine
            ):
                watch.engine = engine
                started.set()
                await watch.stop.wait()
        except BaseException as error:  # told to the caller below, or after start
            failure.append(error)
        finally:
            watch.engine = None
            started.set()

    watch.thread = threading.Thread(
        target=watch.loop.run_until_complete, args=(run(),), daemon=True
    )
    watch.thread.start()
    started.wait(START_TIMEOUT_S)
    if failure:
        watch.thread.join()
        watch.loop.close()
        raise failure[0]
    return watch
