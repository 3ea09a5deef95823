"""Re-plans asked for while a firing pass runs are taken by the next pass together.

In an alert storm the intake declares 200 incidents within a second and the change feed asks
the scheduler to re-plan each. One pass each, queued behind one another, held the 200th
incident's first page back for 5–7 s on PostgreSQL (tests/bench/bench_alert_storm.py); taken
together, the whole storm fires within a few passes. A pass the database refused leaves what
it took asked for, tried again in a moment; so does a refused wake-up.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import OperationalError

from app.domain.clock import FakeClock
from app.domain.escalation import SKIPPED_PREFIX
from app.services.escalation_scheduler import EscalationScheduler
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def hold_the_first_pass(service: IncidentService):
    """Record each pass's codes; the first waits in its thread until `let_it_go` is set."""
    passes: list[list[str] | None] = []
    first_pass_began, let_it_go = threading.Event(), threading.Event()
    fire_due_and_plan = service.fire_due_and_plan

    def held_first_pass(catching_up, actor, pass_codes, fired_from):
        passes.append(None if pass_codes is None else list(pass_codes))
        if len(passes) == 1:
            first_pass_began.set()
            assert let_it_go.wait(30), "the test never let the first pass go"
        return fire_due_and_plan(catching_up, actor, pass_codes, fired_from)

    service.fire_due_and_plan = held_first_pass
    return passes, first_pass_began, let_it_go


def refuse_the_first_pass(service: IncidentService) -> list[list[str] | None]:
    """The first pass fails as a dropped connection does; the list gets each pass's codes."""
    passes: list[list[str] | None] = []
    refusals = [OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))]
    fire_due_and_plan = service.fire_due_and_plan

    def refused_once(catching_up, actor, pass_codes, fired_from):
        passes.append(None if pass_codes is None else list(pass_codes))
        if refusals:
            raise refusals.pop()
        return fire_due_and_plan(catching_up, actor, pass_codes, fired_from)

    service.fire_due_and_plan = refused_once
    return passes


def paged_once(service: IncidentService, code: str) -> bool:
    """The SEV-1 ladder's two steps due at declaration each fired (paged) exactly once."""
    events = [e for e in service.view(code).events if not e.reason.startswith(SKIPPED_PREFIX)]
    return sorted(e.step_id for e in events) == ["SEV-1#0", "SEV-1#1"]


@pytest.mark.parametrize(
    ("asked", "second_pass"),
    [
        # the change feed's batches arriving while the first pass runs
        ([[1], [3, 2], [4], [5, 1]], [1, 2, 3, 4, 5]),
        # a reconnect asks for everything (None): the codes asked beside it add nothing
        ([[1], None, [2]], None),
    ],
    ids=["codes", "everything"],
)
async def test_what_is_asked_during_a_pass_is_fired_by_one_next_pass(
    database_url, asked, second_pass
):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    titles = [f"결제 {n} / 決済 {n}" for n in range(6)]
    codes = [service.declare(WEB, title, "SEV-1", actor="intake") for title in titles]
    passes, first_pass_began, let_it_go = hold_the_first_pass(service)
    bridge = EscalationScheduler(service, AsyncIOScheduler(), lambda _fired: None)
    try:
        bridge.plan_soon([codes[0]])
        assert await asyncio.to_thread(first_pass_began.wait, 30)
        for ask in asked:
            bridge.plan_soon(None if ask is None else [codes[n] for n in ask])
        let_it_go.set()
        await bridge.planned()
    finally:
        let_it_go.set()

    expected = None if second_pass is None else [codes[n] for n in second_pass]
    assert passes == [[codes[0]], expected]
    assert [code for code in codes if paged_once(service, code)] == codes
    database.close()


async def test_a_re_plan_the_database_refused_is_tried_again_at_once_not_at_the_sweep(
    database_url,
):
    """A storm's declarations re-planned in one pass that the database refused (a blip, a
    failover) were left for the sweep's slices, which reach each incident only every five
    minutes: their first pages came that late. They are tried again in a moment."""
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    codes = [service.declare(WEB, f"障害 {n}", "SEV-1", actor="intake") for n in range(3)]
    passes = refuse_the_first_pass(service)
    bridge = EscalationScheduler(service, AsyncIOScheduler(), lambda _fired: None)
    bridge.plan_again_s = 0.01
    bridge.plan_soon(codes)
    await asyncio.wait_for(bridge.planned(), 30)

    assert passes == [codes, codes]
    assert "server closed the connection" in (bridge.problem or "")
    assert [code for code in codes if paged_once(service, code)] == codes
    database.close()


async def test_a_wake_up_the_database_refused_runs_again_in_a_moment(database_url):
    """A step comes due, and the wake-up's pass is refused (a blip): the job is set again at
    once instead of waiting for the sweep's next slice (up to ten seconds) to set it."""
    from datetime import timedelta

    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    code = service.declare(WEB, "결제 지연 / 決済遅延", "SEV-1", actor="intake")
    service.fire_due()  # the steps due at once; the next one is due 15 minutes later
    scheduler = AsyncIOScheduler()
    fired = asyncio.Event()
    bridge = EscalationScheduler(service, scheduler, lambda steps: steps and fired.set())
    await bridge.catch_up()  # plans that wake-up (the job waits: the scheduler is not running)
    clock.advance(timedelta(minutes=15, seconds=1))
    passes = refuse_the_first_pass(service)

    def fired_late() -> list[str]:
        due = START + timedelta(minutes=15)
        return [e.step_id for e in service.view(code).events if e.due_at == due]

    scheduler.start()  # the wake-up job runs (its time has passed) and is refused
    try:
        await asyncio.wait_for(fired.wait(), 10)  # by the job set again, no sweep running
        assert passes == [[code], [code]]
        assert len(fired_late()) == 1
    finally:
        scheduler.shutdown(wait=False)
        database.close()
