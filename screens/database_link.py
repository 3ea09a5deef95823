"""The App's link to the database: one connection, opened (and migrated) in a worker after the
first frame; then the escalation engine and its scheduler on the App's loop, and what feeds the
engine's change feed from outside (the team's NOTIFY on PostgreSQL, the poll every second).
The App holds one (`app.database`); the services, the engine and the escalations stay on the
App, where the screens find them."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.domain.i18n import said_in
from screens.delivery_notices import show_deliveries

if TYPE_CHECKING:
    from textual.app import App

    from app.services.bundle import Connection, Services
    from app.services.change_feed import ChangeFeed

# The engine's first pass waits for the board's first read, at most this long (the kiosk, or a
# board whose read failed): run side by side over 10,000 open incidents, the two reads of the
# same rows took 5.7 and 6 s; one after the other, 2 and 2.5.
FIRST_PASS_WAITS_S = 5.0
# A database that could not be opened (the team's server down, the network away) is tried
# again after 2 s, then twice as long each time, at most this far apart.
OPEN_AGAIN_MOST_S = 30.0


class DatabaseLink:
    def __init__(self, app: App) -> None:
        self.app = app
        self._connection: Connection | None = None
        self._scheduler = None
        self._listener = None
        self._board_shown = asyncio.Event()
        self._opened = threading.Event()  # the services and the engine are there
        # Why the last open failed, while the database has not opened since (the board says so
        # instead of showing an empty board), and when it is tried again.
        self.unreachable: str | None = None
        self._failures = 0
        self._after_open: tuple[Callable[[], object], object] | None = None

    def connection(self) -> Connection:
        """The one connection to the database, opened by whoever needs it first."""
        if self._connection is None:
            from app.services.bundle import connection_for

            self._connection = connection_for(self.app.settings, self.app.clock)
        return self._connection

    def open(self) -> None:
        """Open (and migrate) the database, store the policies, then hand the services over."""
        self.app.run_worker(
            self._open, thread=True, exit_on_error=False, group="storage", exclusive=True
        )

    def _open(self) -> None:
        from app.services.engine import feed_for
        from app.services.errors import DatabaseUnavailable

        try:
            services = self.connection().get()
        except DatabaseUnavailable as error:
            self.app.call_from_thread(self._open_again_later, error)
            if self._failures > 1:  # counted by now: call_from_thread waits for it
                return  # said at the first failure; the board's summary keeps saying it
            raise  # the App's one place for failures explains it
        self.app.policy_keeper.keep(services, self.app.policies)
        # Before the screens' first read: what changes after it is what the feed names.
        changes = feed_for(services.incidents)
        changes.take_baseline()
        self.app.call_later(self._ready, services, changes)

    def _open_again_later(self, error: Exception) -> None:
        self._failures += 1
        # The driver's reason alone when there is one: the summary is one line, and the
        # database's own URL (the user's setting, said in the first notice) would hide it.
        reason = getattr(error, "catalog_values", {}).get("reason")
        self.unreachable = str(reason) if reason else said_in(error, self.app.catalog)
        self.app.set_timer(min(OPEN_AGAIN_MOST_S, 2.0**self._failures), self.open)

    def after_open(self, action: Callable[[], object]) -> bool:
        """`action` (a screen asked for before the database is open: a key pressed on the first
        look) is carried out once it opens, unless the user has gone to another screen by then;
        the last one asked for wins. False, keeping nothing, while it cannot be opened (the
        board's summary says why)."""
        if self.unreachable is not None:
            return False
        self._after_open = (action, self.app.screen)
        return True

    def _ready(self, services: Services, changes: ChangeFeed) -> None:
        """Build the escalation engine on this loop (this board watches), tell the screens,
        and start the engine in the background: its first pass over thousands of incidents
        takes a while, and neither keys nor a quit wait for it."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from app.services.engine import build_engine

        app = self.app
        app.services = services
        self.unreachable, self._failures = None, 0
        self._scheduler = AsyncIOScheduler()
        if app.start_scheduler:
            self._scheduler.start()
        kind = "kiosk" if app.start_in_kiosk else "board"
        app.engine = build_engine(
            app.settings,
            services.incidents,
            kind,
            self._scheduler,
            lambda _fired: None,  # shown through the change feed and the deliveries
            lambda deliveries: show_deliveries(app, deliveries),
            screen=True,
            watch=app.drill_run is None,  # a drill's database is its own: nobody to tell
            on_problem=lambda said: app.notify(said, severity="error", markup=False),
            changes=changes,
        )
        app.engine.poll_changes = False  # the App's own timer below, which tests run too
        changes.subscribe(app.changes.publish)
        app.escalations = app.engine.bridge
        app.board_shown.subscribe(app, lambda _none: self._board_shown.set())
        self._opened.set()
        app.services_ready.publish(services)
        app.library_preview.start(app)
        app.metrics_preview.start(app)
        # With the team's NOTIFY heard at once, the poll is only the fallback.
        listening = self._listen_to_the_team(services, changes)
        app.set_interval(app.FALLBACK_POLL_SECONDS if listening else app.POLL_SECONDS, changes.poll)
        app.run_worker(self._start_engine, group="engine", exit_on_error=False)
        if self._after_open is not None:
            action, asked_on = self._after_open
            self._after_open = None
            if app.screen is asked_on:
                action()

    def services_when_open(self, timeout: float) -> Services | None:
        """From a worker thread: the services once the database is open, or None after
        `timeout` seconds."""
        return self.app.services if self._opened.wait(timeout) else None

    async def _start_engine(self) -> None:
        app = self.app
        await app.engine.start(first_pass_after=self._board_read)
        if not app.screen_stack:
            return  # quit while the start-up sweep ran (2,000 fresh incidents take a while)
        app.presence.start()
        if app.drill_run is not None:
            app.drills.start(app.services)

    async def _board_read(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._board_shown.wait(), FIRST_PASS_WAITS_S)

    def _listen_to_the_team(self, services: Services, changes: ChangeFeed) -> bool:
        """On a team database, hear other laptops' commits at once; True when listening."""
        from app.services.team_feed import listen_to_the_team

        self._listener = listen_to_the_team(
            services, on_change=changes.heard, on_connected=lambda: changes.heard(None)
        )
        return self._listener is not None

    def close(self) -> None:
        """On the App's unmount: leave the engine, stop listening, close the connection."""
        if self.app.engine is not None:
            self.app.engine.leave()  # a clean exit: nobody counts on this board any more
        if self._listener is not None:
            self._listener.stop()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._connection is not None:
            self._connection.close()
