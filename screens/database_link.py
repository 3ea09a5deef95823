"""The App's link to the database: one connection, opened (and migrated) in a worker after the
first frame; then the escalation engine and its scheduler on the App's loop, the team's NOTIFY
feed on PostgreSQL, and the poll that notices changes made elsewhere. The App holds one
(`app.database`); the services, the engine and the escalations stay on the App, where the
screens find them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.app_messages import INCIDENT_TABLES, STORY_TABLES
from screens.delivery_notices import show_deliveries

if TYPE_CHECKING:
    from textual.app import App

    from app.services.bundle import Connection, Services


class DatabaseLink:
    def __init__(self, app: App) -> None:
        self.app = app
        self._connection: Connection | None = None
        self._scheduler = None
        self._listener = None
        self._incidents_signature: tuple | None = None

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
        services = self.connection().get()
        self.app.policy_keeper.keep(services, self.app.policies)
        self.app.call_later(self._ready, services)

    async def _ready(self, services: Services) -> None:
        """Start the escalation engine on this loop (this board watches) and tell the screens."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from app.services.engine import build_engine

        app = self.app
        app.services = services
        self._scheduler = AsyncIOScheduler()
        if app.start_scheduler:
            self._scheduler.start()
        kind = "kiosk" if app.start_in_kiosk else "board"
        app.engine = build_engine(
            app.settings,
            services.incidents,
            kind,
            self._scheduler,
            lambda _fired: app.incidents_changed.publish(None),
            lambda deliveries: show_deliveries(app, deliveries),
            screen=True,
            watch=app.drill_run is None,  # a drill's database is its own: nobody to tell
            on_problem=lambda said: app.notify(said, severity="error", markup=False),
        )
        app.escalations = app.engine.bridge
        app.services_ready.publish(services)
        app.library_preview.start(app)
        # With the team's NOTIFY heard at once, the poll is only the fallback.
        poll = app.FALLBACK_POLL_SECONDS if self._listen_to_the_team(services) else None
        app.set_interval(poll or app.POLL_SECONDS, self.watch_incidents)
        await app.engine.start()
        if not app.screen_stack:
            return  # quit while the start-up sweep ran (2,000 fresh incidents take a while)
        app.presence.start()
        if app.drill_run is not None:
            app.drills.start(services)

    def _listen_to_the_team(self, services: Services) -> bool:
        """On a team database, hear other laptops' commits at once; True when listening."""
        from app.services.team_feed import listen_to_the_team

        app = self.app
        self._listener = listen_to_the_team(
            services,
            on_change=lambda tables: app.call_later(self._team_changed, tables),
            on_connected=lambda: app.call_later(self._team_changed, None),
        )
        return self._listener is not None

    def _team_changed(self, tables) -> None:
        app = self.app
        if tables is None or tables & INCIDENT_TABLES:
            app.incidents_changed.publish(None)
        if tables is None or tables & STORY_TABLES:
            app.stories_changed.publish(None)
        if tables is None or "presence" in tables:
            app.presence.reread()

    def watch_incidents(self) -> None:
        """Every POLL_SECONDS: notice changes made elsewhere (another laptop, the daemon)."""
        self.app.run_worker(
            self._watch, thread=True, exit_on_error=False, group="watch", exclusive=True
        )

    def _watch(self) -> None:
        signature = self.app.services.incidents.board_signature()
        if signature != self._incidents_signature:
            # The first time too: a change may have landed after the board's first read.
            self._incidents_signature = signature
            self.app.call_later(self.app.incidents_changed.publish, None)

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
