"""APScheduler bridge: wake up when an incident's next deadline comes, and fire what is due.

The database is the truth. The scheduler holds one date job, at the earliest next deadline of
all open incidents, rebuilt from the database at start and after every sweep; a job is only a
wake-up call, never the record of a firing (the unique EscalationEvent insert is). A wake-up
fires and re-plans only the incidents due at that moment. What any process changes reaches the
scheduler through the change feed (app.services.change_feed), which asks it to re-plan those
incidents (`plan_soon`). As a safety net, a sweep re-plans every SLICE_EVERY the next slice of
all open incidents in turn, so that each is re-planned every FULL_SWEEP_EVERY without one long
pass ever holding the wake-ups back. Late jobs always run: no misfire grace period drops them.

The verbs: `start` (catch up, then the jobs), `catch_up` (every open incident, what came due
while nothing ran marked late), `plan_soon` (the incidents the change feed named, in the
background; `planned` waits for them), `sweep` (the every-second job: the next slice),
`sweep_now` (every open incident at once: a drill's new pace, a test's moved clock), `wake`
(the wake-up job: the incidents whose next deadline has come).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.domain.clock import wall_time
from app.domain.incident import FiredStep
from app.services.alert_delivery import AlertDeliverer, Delivery
from app.services.incident_service import IncidentService
from app.services.stopping import halt, quiet_when_stopping
from storage.write_gate import urgently

WAKE = object()  # `_fire`'s codes: those whose wake-up has come when the pass begins
ASKED = object()  # ... those `plan_soon` was asked for until the pass begins
SWEEP_JOB = "sweep"
WAKEUP_JOB = "wakeup"
DELIVERY_JOB = "deliver"
# Retries of failed alerts and alerts whose deliverer died are picked up this often.
DELIVERY_EVERY_S = 5.0
# A safety net only: wake-ups fire on time and the plan keys say what other processes changed,
# so every open incident is re-planned this seldom — a slice each sweep (10,000 in one pass
# take about a second, and the wake-ups due meanwhile would wait for it).
FULL_SWEEP_EVERY = timedelta(minutes=5)
# ... in slices this far apart: each pass has a fixed cost (a thread, a session, a query)
# that one incident a second would pay 300 times a round.
SLICE_EVERY = timedelta(seconds=10)
# A re-plan the database refused (a blip, a failover) is tried again this soon.
PLAN_AGAIN_S = 1.0


class EscalationScheduler:
    def __init__(
        self,
        service: IncidentService,
        scheduler: AsyncIOScheduler,
        on_fired: Callable[[list[FiredStep]], None],
        sweep_seconds: float = 1.0,
        deliverer: AlertDeliverer | None = None,
        on_delivered: Callable[[list[Delivery]], None] | None = None,
        actor: str = "scheduler",
    ) -> None:
        self.actor = actor  # who the timeline names for this process's firings
        # The last sweep's outcome: when it last went through, and what stopped the last one.
        self.swept_at: datetime | None = None
        self.problem: str | None = None
        self.deliverer = deliverer
        self.on_delivered = on_delivered
        self._delivery_lock = asyncio.Lock()
        self._deliveries: set[asyncio.Task] = set()
        self.service = service
        self.scheduler = scheduler
        self.on_fired = on_fired
        self.sweep_seconds = sweep_seconds
        self._lock = asyncio.Lock()
        self._wakeups: dict[str, datetime] = {}
        self._background: set[asyncio.Task] = set()
        self._to_plan: set[str] = set()  # asked for by plan_soon, not yet in a pass
        self._plan_all = False
        self._planning: asyncio.Task | None = None
        self.plan_again_s = PLAN_AGAIN_S
        self._rotation: list[str] = []
        self._round_size = 0
        self._sweeps_to_slice = 0
        self._wakeup_at: datetime | None = None  # when the wake-up job is set to run
        self._delivering: asyncio.Task | None = None
        self._deliver_again = False
        self.stopping = False  # the process quits: jobs return at once (app.services.stopping)

    def stop(self) -> None:
        """Quitting: no job starts, the running ones are cancelled quietly, a pass under way
        in a thread stops after the incident it is firing."""
        self.stopping = self.service.firing.stopping = True
        halt(self.scheduler, self._deliveries | self._background)

    async def start(self) -> None:
        """Fire what came due while nothing ran (marked late), then plan the wake-ups."""
        await self.catch_up()
        await self.deliver()
        if self.deliverer is not None:
            self.scheduler.add_job(
                self.deliver,
                "interval",
                seconds=DELIVERY_EVERY_S,
                id=DELIVERY_JOB,
                replace_existing=True,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
            )
        self.scheduler.add_job(
            self._sweep_job,
            "interval",
            seconds=self.sweep_seconds,
            id=SWEEP_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    @quiet_when_stopping
    async def deliver(self) -> None:
        """Deliver what the outbox holds for this process (off the event loop)."""
        if self.deliverer is None:
            return
        async with self._delivery_lock:
            more = True
            while more:  # batch after batch, each shown before the next is read
                try:
                    deliveries = await asyncio.to_thread(urgently, self.deliverer.deliver_pending)
                    more = self.deliverer.more_waiting
                except Exception as error:  # the database is away; the next pass tries again
                    deliveries = [
                        Delivery("outbox", {}, error=f"alerts could not be read ({error})")
                    ]
                    more = False
                if deliveries and self.on_delivered is not None:
                    self.on_delivered(deliveries)

    def deliver_soon(self) -> None:
        """Deliver what the outbox holds now, in the background; asked for while a delivery
        runs, one more follows it (a storm's passes make one more delivery pass, not one each
        that would queue). Asked for after a firing pass, not after each batch of its claims:
        sixteen sending threads started mid-pass left the pass a seventeenth of the interpreter
        (measured in a storm of 1,000 steps: firing p99 7 s)."""
        if self._delivering is not None and not self._delivering.done():
            self._deliver_again = True
            return
        self._delivering = asyncio.get_running_loop().create_task(self._deliver_until_done())
        self._deliveries.add(self._delivering)  # keep a reference until it is done
        self._delivering.add_done_callback(self._deliveries.discard)

    async def _deliver_until_done(self) -> None:
        self._deliver_again = True
        while self._deliver_again:
            self._deliver_again = False
            await self.deliver()

    @property
    def next_wakeup_at(self) -> datetime | None:
        """When the wake-up job is set to run (on the real clock), or None with nothing ahead."""
        return self._wakeup_at

    async def sweep_now(self) -> None:
        """Re-plan every open incident at once and fire what is due (a drill changed its pace,
        or a test moved the clock)."""
        await self._fire(None, catching_up=False)
        self._swept()
        await self.deliver()

    def plan_soon(self, codes: list[str] | None) -> None:
        """Re-plan these incidents (None: every open one) and fire what is due, in the
        background: what the change feed published. Whoever published it never waits. What is
        asked for while a pass runs is taken by the next pass, all together: in a storm of
        declarations each would otherwise wait for a pass of its own (200 one-incident passes
        queued for seconds on PostgreSQL)."""
        if codes is not None and not codes:
            return
        self._ask(codes)
        if self._planning is not None and not self._planning.done():
            return  # the running re-plan takes these in its next pass
        task = asyncio.get_running_loop().create_task(self._plan_in_background())
        self._planning = task
        self._background.add(task)  # keep a reference until it is done
        task.add_done_callback(self._background.discard)

    async def planned(self) -> None:
        """Until every re-plan asked for by `plan_soon` is done."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    @quiet_when_stopping
    async def _plan_in_background(self) -> None:
        while (self._plan_all or self._to_plan) and not self.stopping:
            try:
                await self._fire(ASKED, catching_up=False)
            except Exception as error:
                # The database is away (a blip, a failover): what the pass took is asked for
                # again (_fire) and tried in a moment, not left for the sweep's slices, which
                # reach each incident only every FULL_SWEEP_EVERY.
                self.problem = f"{type(error).__name__}: {error}"
                await asyncio.sleep(self.plan_again_s)

    def _ask(self, codes: list[str] | None) -> None:
        """Ask for these incidents (None: all) in the next re-plan."""
        self._plan_all |= codes is None
        self._to_plan.update(codes or ())

    def _take_asked(self) -> list[str] | None:
        """The incidents `plan_soon` asked for until now (None: all), no longer asked for."""
        codes = None if self._plan_all else sorted(self._to_plan)
        self._plan_all, self._to_plan = False, set()
        return codes

    @quiet_when_stopping
    async def _sweep_job(self) -> None:
        try:
            await self.sweep()
        except Exception as error:  # the database is away: the next sweep tries again
            self.problem = f"{type(error).__name__}: {error}"
            raise

    async def catch_up(self) -> None:
        """Re-plan every open incident and fire what came due while nothing ran (marked late;
        earlier rounds of a step recorded as missed): the first pass of a process."""
        await self._fire(None, catching_up=True)
        self._rotation = []  # all planned just now: the next round starts afresh
        self._swept()

    async def sweep(self) -> None:
        """The every-second job, a safety net only (changes reach the scheduler through the
        change feed): the next slice of every open incident in turn."""
        await self._replan_slice()
        self._swept()

    def _swept(self) -> None:
        self.swept_at, self.problem = self.service.clock.now(), None

    async def _replan_slice(self) -> None:
        self._sweeps_to_slice -= 1
        if self._sweeps_to_slice > 0:
            return
        every = max(1, round(SLICE_EVERY.total_seconds() / self.sweep_seconds))
        self._sweeps_to_slice = every
        if not self._rotation:
            self._rotation = sorted(await asyncio.to_thread(self.service.open_codes))
            self._round_size = len(self._rotation)
        slices = max(1, int(FULL_SWEEP_EVERY.total_seconds() / (self.sweep_seconds * every)))
        size = -(-self._round_size // slices)  # every incident once per round
        codes, self._rotation = self._rotation[:size], self._rotation[size:]
        if codes:
            await self._fire(codes, catching_up=False)

    @quiet_when_stopping
    async def wake(self) -> None:
        """The wake-up job: fire and re-plan the incidents whose next deadline has come —
        those due when the pass begins, not when the job was called: in a storm of steps due
        within one second, one pass takes all that came due while the one before it ran."""
        try:
            await self._fire(WAKE, catching_up=False)
        except Exception as error:
            # The database is away: the wake-ups stay (the pass fired none of them) and this
            # job runs again in a moment, not when the sweep's next slice (up to SLICE_EVERY
            # away) happens to set it again.
            self.problem = f"{type(error).__name__}: {error}"
            now = wall_time(self.service.clock, self.service.clock.now()).astimezone(UTC)
            self._wake_at(now + timedelta(seconds=self.plan_again_s))
            raise

    async def _fire(self, codes: list[str] | object | None, catching_up: bool) -> None:
        async with self._lock:  # one pass at a time in this process
            started = self.service.clock.now()
            asked = codes is ASKED
            if codes is WAKE:
                codes = [code for code, at in self._wakeups.items() if at <= started]
            elif asked:
                codes = self._take_asked()
            try:
                fired, wakeups = (
                    await self._pass(codes, catching_up, started)
                    if codes is None or codes
                    else ([], {})
                )
            except Exception:
                if asked:
                    self._ask(codes)  # the next re-plan takes them again
                raise
            if self.stopping:
                return  # the scheduler is shut down: nothing to plan
            if fired:
                self.on_fired(fired)
                self.deliver_soon()
            if codes is None:
                self._wakeups = {}
            for code in codes or ():
                self._wakeups.pop(code, None)
            self._wakeups.update(wakeups)
            self._schedule_next()

    async def _pass(
        self, codes: list[str] | None, catching_up: bool, started: datetime
    ) -> tuple[list, dict]:
        """One firing pass in a thread, the deliverer's pages waiting for it to end."""
        quiet = self.deliverer.firing_quiet if self.deliverer is not None else None
        if quiet is not None:
            quiet.clear()
        try:
            return await asyncio.to_thread(
                urgently, self.service.fire_due_and_plan, catching_up, self.actor, codes, started
            )
        finally:
            if quiet is not None:
                quiet.set()

    def _schedule_next(self) -> None:
        if not self._wakeups:
            self._wakeup_at = None
            if self.scheduler.get_job(WAKEUP_JOB):
                self.scheduler.remove_job(WAKEUP_JOB)
            return
        # a drill's deadlines are in drill time; the job waits on the real clock
        self._wake_at(wall_time(self.service.clock, min(self._wakeups.values())).astimezone(UTC))

    def _wake_at(self, run_date: datetime) -> None:
        if run_date == self._wakeup_at and self.scheduler.get_job(WAKEUP_JOB):
            return  # most passes leave the earliest wake-up where it was
        self._wakeup_at = run_date
        self.scheduler.add_job(
            self.wake,
            "date",
            run_date=run_date,
            id=WAKEUP_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            # A wake-up re-plans the next one while it still runs; with APScheduler's default
            # of one instance the new run would be skipped (seen: p99 lateness ~1 s, caught only
            # by the sweep). Passes are serialized by self._lock instead.
            max_instances=5,
        )
