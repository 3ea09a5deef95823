"""The escalation engine one long-running process runs (the board, `storycart daemon`, the
intake, the kiosk): the scheduler that fires steps exactly once, the deliverer of their alerts,
this process's watcher row with a pass every interval, and the outside dead-man's switch
(`[engine] heartbeat_url`) pinged after each healthy pass.

A pass is healthy when the scheduler's last sweep went through lately and the pass itself was
recorded: a process whose database is away, or whose loop is stuck, stops pinging, and the
service at the far end of the heartbeat tells someone the engine is gone."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.request
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app import __version__
from app.domain.i18n import Catalog
from app.domain.incident import COMMAND_CHANNEL, SCREEN_CHANNELS, FiredStep
from app.domain.redact import redact_text
from app.domain.watcher_text import watcher_name
from app.domain.watchers import Watcher
from app.services.ack_links import page_links
from app.services.ack_secret import AckSecretError
from app.services.alert_delivery import AlertDeliverer, Delivery, desktop_notifier
from app.services.change_feed import ChangeFeed
from app.services.escalation_scheduler import EscalationScheduler
from app.services.incident_service import IncidentService
from app.services.paging import load_sender
from app.services.stopping import quiet_when_stopping
from app.services.watchers import ProcessIdentity, WatcherService, new_instance

PASS_JOB = "watcher-pass"
POLL_JOB = "changes"
PING_TIMEOUT_S = 5.0
# A sweep runs every second; one that has not gone through for this long means the engine is
# stuck (the database is away, the loop is blocked), however young the interval.
SWEPT_WITHIN = timedelta(seconds=5)


def ping_heartbeat(url: str, timeout: float = PING_TIMEOUT_S) -> None:
    """An HTTP GET of the dead-man's switch; raises OSError (URLError, a timeout) on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": f"storycart/{__version__}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read(4096)


class Engine:
    def __init__(
        self,
        bridge: EscalationScheduler,
        watchers: WatcherService | None,
        identity: ProcessIdentity,
        interval_s: float,
        heartbeat_url: str = "",
        on_problem: Callable[[str], None] | None = None,
        ping: Callable[[str], None] = ping_heartbeat,
        changes: ChangeFeed | None = None,
    ) -> None:
        """``watchers`` None: fire and deliver without saying so (a drill's private app).
        ``changes``: the process's change feed; the engine polls it every sweep unless the
        process drives it itself (`poll_changes` False: the board's own timer)."""
        self.bridge = bridge
        if changes is None and bridge is not None:
            changes = feed_for(bridge.service)
        self.changes = changes
        self.poll_changes = True
        self.watchers = watchers
        self.identity = identity
        self.interval_s = interval_s
        self.heartbeat_url = heartbeat_url
        self.on_problem = on_problem or (lambda _problem: None)
        self._ping = ping
        self.watcher: Watcher | None = None
        # Its row's name, known before the row is written: a board that reads who watches
        # while this engine registers must not name its own row as another board.
        self._instance = new_instance() if watchers is not None else None
        self.healthy = True  # the last pass's verdict (none failed before the first)
        self.pings = 0  # heartbeats that went through
        self.ping_error: str | None = None
        self.ping_task: asyncio.Future | None = None

    @property
    def scheduler(self) -> AsyncIOScheduler:
        return self.bridge.scheduler

    @property
    def stopping(self) -> bool:
        return self.bridge.stopping

    @property
    def instance(self) -> str | None:
        return self._instance

    async def start(self, first_pass_after: Callable[[], Awaitable[Any]] | None = None) -> None:
        """Say this process watches, fire what came due meanwhile (once `first_pass_after()`
        is done: the board's first read), then pass every interval. Changes are heard from
        the start either way."""
        changes = self.changes
        if not changes.has_baseline:
            await asyncio.to_thread(changes.take_baseline)
        changes.start()
        if self.poll_changes:
            self.scheduler.add_job(
                self._poll_changes,
                "interval",
                seconds=self.bridge.sweep_seconds,
                id=POLL_JOB,
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
            )
        if self.watchers is not None:
            self.watcher = await asyncio.to_thread(
                self.watchers.start, self.identity, self._instance
            )
        deliverer = self.bridge.deliverer
        if deliverer is not None and deliverer.paging:
            await asyncio.to_thread(load_sender)
        if first_pass_after is not None:
            await first_pass_after()
        await self.bridge.start()
        self.scheduler.add_job(
            self.make_pass,
            "interval",
            seconds=self.interval_s,
            id=PASS_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )
        await self.make_pass()

    @quiet_when_stopping
    async def _poll_changes(self) -> None:
        """The change poll's job, on the loop (it only queues a look for the feed's own drain):
        no job in an executor thread for the scheduler's shutdown to cancel noisily."""
        self.changes.poll()

    @quiet_when_stopping
    async def make_pass(self) -> None:
        """Record the pass and, when the engine is healthy, ping the heartbeat (in a thread,
        never holding the loop: a slow heartbeat service must not delay a firing)."""
        problem = self.bridge.problem
        swept = self.bridge.swept_at
        now = self.bridge.service.clock.now()
        if problem is None and (swept is None or now - swept > self._swept_within()):
            problem = "the scheduler has not swept lately"
        if self.watcher is not None:
            try:
                await asyncio.to_thread(self.watchers.passed, self.watcher)
            except Exception as error:  # the database is away: no pass, no ping
                problem = f"the pass could not be recorded ({type(error).__name__}: {error})"
        self.healthy = problem is None
        if problem is not None:
            self.on_problem(problem)
        elif self.heartbeat_url and (self.ping_task is None or self.ping_task.done()):
            loop = asyncio.get_running_loop()
            self.ping_task = loop.run_in_executor(None, self._ping_once)

    def _swept_within(self) -> timedelta:
        return max(SWEPT_WITHIN, timedelta(seconds=self.bridge.sweep_seconds * 3))

    def _ping_once(self) -> None:
        try:
            self._ping(self.heartbeat_url)
        except Exception as error:  # said once per outage, tried again next pass
            if self.ping_error is None:
                said = redact_text(f"{type(error).__name__}: {error}")
                self.on_problem(f"heartbeat ping failed ({said})")
            self.ping_error = redact_text(str(error))
            return
        self.pings += 1
        self.ping_error = None

    async def stop(self) -> None:
        """A clean exit: the jobs stop (quietly, app.services.stopping) and the row says
        stopped, so a reader knows at once, not intervals later."""
        self._stop_passing()
        await asyncio.to_thread(self._say_stopped)

    def leave(self) -> None:
        """`stop`, blocking (the app's last moments, on its loop)."""
        self._stop_passing()
        self._say_stopped()

    def _stop_passing(self) -> None:
        """The change feed stops; the scheduler's jobs (sweeps, wake-ups, deliveries, passes,
        the change poll) stop with the scheduler, quietly (app.services.stopping)."""
        if self.changes is not None:
            self.changes.stop()
        self.bridge.stop()

    def _say_stopped(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            # The database may be away: then the row simply goes stale.
            with contextlib.suppress(Exception):
                self.watchers.stop(watcher)


def build_engine(
    settings: Any,
    incidents: IncidentService,
    kind: str,
    scheduler: AsyncIOScheduler,
    on_fired: Callable[[list[FiredStep]], None],
    on_delivered: Callable[[list[Delivery]], None] | None = None,
    *,
    screen: bool = False,
    watch: bool = True,
    on_problem: Callable[[str], None] | None = None,
    changes: ChangeFeed | None = None,
) -> Engine:
    """The engine for a process of ``kind`` (board, daemon, intake, kiosk) over ``incidents``'
    database, with these settings (app.config.Settings). ``screen``: the process shows the bell
    and the banner; ``watch`` False: no watcher row and no heartbeat (a drill)."""
    database, clock = incidents.database, incidents.clock
    identity = ProcessIdentity.here(kind, settings.user)
    actor = watcher_name(kind, identity.host, identity.user, Catalog(settings.lang))
    deliverer = AlertDeliverer(
        database,
        clock,
        channels=(*(SCREEN_CHANNELS if screen else ()), "desktop", COMMAND_CHANNEL),
        command=settings.alert_command,
        notifier=desktop_notifier() if settings.desktop_notifications else None,
        paging=settings.channels,
        lang=settings.lang,
        views=incidents.view,
        lease=timedelta(seconds=settings.claim_lease),
        actor=actor,
        links=_links(settings, incidents, on_problem) if watch else None,
    )
    changes = changes or feed_for(incidents)

    def fired(steps: list[FiredStep]) -> None:
        codes = {step.code for step in steps}
        changes.made_here(codes, planned=codes)  # the pass that fired them planned them
        on_fired(steps)

    def delivered(deliveries: list[Delivery]) -> None:
        # A page sent or failed: the timeline and the "paging broken" banner moved.
        codes = {d.payload["incident"] for d in deliveries if "incident" in d.payload}
        changes.made_here(codes, planned=codes, board=True)
        if on_delivered is not None:
            on_delivered(deliveries)

    bridge = EscalationScheduler(
        incidents, scheduler, fired, deliverer=deliverer, on_delivered=delivered, actor=actor
    )
    changes.subscribe(lambda batch: bridge.plan_soon(batch.to_plan()))
    engine_settings = settings.engine
    return Engine(
        bridge,
        WatcherService(database, clock) if watch else None,
        identity,
        engine_settings.interval_s,
        engine_settings.heartbeat_url if watch else "",
        on_problem,
        changes=changes,
    )


def feed_for(incidents: IncidentService) -> ChangeFeed:
    """The change feed over this database's board: what moves when an incident changed."""
    return ChangeFeed(incidents.board_signature, incidents.board_heads)


def _links(settings: Any, incidents: IncidentService, on_problem: Callable[[str], None] | None):
    """The acknowledge links pages carry ([intake] public_url), or None. A key file that cannot
    be used is said through ``on_problem`` and the pages go out without links, never not at
    all (the command lines check the key before they start: `check_ack_key`)."""
    try:
        return page_links(
            incidents.database,
            incidents.clock,
            incidents,
            settings.intake.public_url,
            settings.config_path,
        )
    except AckSecretError as error:
        if on_problem is not None:
            on_problem(str(error))
        return None
