"""Incident use cases on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.domain.clock import FakeClock
from app.domain.escalation import LATE_NOT_RUNNING, MISSED, ON_TIME, SKIPPED_PREFIX, StepState
from app.domain.incident import IncidentError
from app.domain.policy.document import policy_to_toml
from app.domain.policy.parse import parse_policy_text
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.errors import StaleWrite
from storage.incident_rows import by_code, outbox_for, update_incident
from storage.tables import EscalationEventRecord
from tests.unit.test_escalation import TEST_POLICY

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    yield database, clock, service
    database.close()


def test_declare_numbers_incidents_and_logs_the_declaration(world):
    _database, _clock, service = world
    first = service.declare(
        WEB, "결제 API 응답 지연", "SEV-2", actor="민지", impact="결제 실패 12%"
    )
    second = service.declare(WEB, "ログイン不可", "SEV-1", actor="haruto")
    assert (first, second) == ("INC-2026-0001", "INC-2026-0002")
    view = service.view(first)
    assert view.record.title == "결제 API 응답 지연" and view.record.status == "investigating"
    assert view.policy == WEB and view.policy_version == 1
    assert [(e.kind, e.actor) for e in view.timeline] == [("declared", "민지")]


def test_bad_declarations_are_refused_with_a_reason(world):
    service = world[2]
    with pytest.raises(IncidentError, match="needs a title"):
        service.declare(WEB, "   ", "SEV-1", actor="a")
    with pytest.raises(IncidentError, match="'SEV-9' is not in policy web-service"):
        service.declare(WEB, "x", "SEV-9", actor="a")
    with pytest.raises(IncidentError, match="type 'data' is not in policy"):
        service.declare(WEB, "x", "SEV-1", actor="a", type_key="data")


def test_steps_fire_once_with_timeline_and_outbox(world):
    database, clock, service = world
    code = service.declare(WEB, "DB outage", "SEV-2", actor="a")
    fired = service.fire_due()
    assert [(f.step.step_id, f.reason) for f in fired] == [("SEV-2#0", ON_TIME)]
    assert service.fire_due() == []  # nothing fires twice
    clock.advance(timedelta(minutes=15))
    assert [f.step.step_id for f in service.fire_due()] == ["SEV-2#1"]
    view = service.view(code)
    assert [e.step_id for e in view.events] == ["SEV-2#0", "SEV-2#1"]
    assert [e.kind for e in view.timeline] == ["declared", "escalation", "escalation"]
    assert "notify L2 tech lead" in view.timeline[-1].text
    with database.session() as session:
        outbox = outbox_for(session, view.record.id)
    assert [o.channel for o in outbox] == ["bell", "flash", "desktop"] * 2
    assert outbox[-1].payload["notify"] == ["L2 tech lead"]


def test_acknowledging_in_time_means_the_tech_lead_is_not_paged(world):
    _database, clock, service = world
    code = service.declare(WEB, "Slow pages", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=5))
    service.acknowledge(code, actor="oncall")
    clock.advance(timedelta(minutes=20))
    assert service.fire_due() == []
    with pytest.raises(IncidentError, match="already acknowledged"):
        service.acknowledge(code, actor="oncall")


def test_catch_up_after_downtime_fires_each_missed_step_once_marked_late(world):
    _database, clock, service = world
    code = service.declare(WEB, "Down while nobody ran", "SEV-2", actor="a")
    clock.advance(timedelta(minutes=45))
    fired = service.fire_due(catching_up=True)
    assert [(f.step.step_id, f.reason) for f in fired] == [
        ("SEV-2#0", LATE_NOT_RUNNING),
        ("SEV-2#1", LATE_NOT_RUNNING),
        ("SEV-2#2", LATE_NOT_RUNNING),
    ]
    late = {e.step_id: e.fired_at - e.due_at for e in service.view(code).events}
    assert late == {
        "SEV-2#0": timedelta(minutes=45),
        "SEV-2#1": timedelta(minutes=30),
        "SEV-2#2": timedelta(minutes=15),
    }
    assert service.fire_due(catching_up=True) == []


def test_two_processes_sweeping_at_once_fire_each_step_once(database_url):
    setup = Database.open(database_url)
    clock = FakeClock(START)
    first = IncidentService(setup, clock, PolicyVersions(setup, clock))
    for number in range(5):
        first.declare(WEB, f"incident {number}", "SEV-1", actor="a")
    clock.advance(timedelta(hours=2))

    def sweep(_):
        database = Database.open(database_url)
        try:
            service = IncidentService(database, clock, PolicyVersions(database, clock))
            return len(service.fire_due())
        finally:
            database.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        total = sum(pool.map(sweep, range(4)))
    with setup.session() as session:
        events = session.exec(select(EscalationEventRecord)).all()
    setup.close()
    keys = [(e.incident_id, e.step_id, e.round) for e in events]
    # Per incident: round 1's four steps, then round 2 (starting at 75 min: last step at 60 min
    # + 15 min pause) has L1 and L3 at 75 min and L2 at 90 min due by 2 h: seven recorded.
    assert len(keys) == len(set(keys)) == 5 * 7
    # Each person is paged once: round 2 of L1 / L3 / L2 and round 1 of L4; the three round-1
    # steps overtaken by round 2 are recorded as missed, not paged.
    assert total == 5 * 4
    assert sorted(e.reason for e in events).count(MISSED) == 5 * 3


def test_acknowledged_then_forgotten_restarts_the_ladder(world):
    _database, clock, service = world
    drill = TEST_POLICY
    code = service.declare(drill, "Queue stuck", "SEV-1", actor="a")
    service.fire_due()
    clock.advance(timedelta(seconds=5))
    service.acknowledge(code, actor="oncall")
    clock.advance(timedelta(seconds=21))
    fired = service.fire_due()
    view = service.view(code)
    assert "ack_timed_out" in [e.kind for e in view.timeline]
    assert view.record.acknowledged_at is None
    assert fired[0].step.step_id == "SEV-1#0" and fired[0].step.round == 1


def test_a_stale_write_is_refused(world):
    database, _clock, service = world
    code = service.declare(WEB, "Race", "SEV-3", actor="a")
    with database.session() as one, database.session() as two:
        mine, theirs = by_code(one, code), by_code(two, code)
        update_incident(one, mine, status="identified")
        one.commit()
        with pytest.raises(StaleWrite, match="changed by someone else"):
            update_incident(two, theirs, status="mitigating")


def test_severity_change_and_resolve_and_reopen(world):
    _database, clock, service = world
    code = service.declare(WEB, "Typo on pricing", "SEV-4", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=1))
    service.change_severity(code, actor="ic", severity="SEV-1")
    fired = [f.step.step_id for f in service.fire_due()]
    assert fired == ["SEV-1#0", "SEV-1#1"]  # L1 and L3 at once for SEV-1
    service.post_update(code, actor="ic", status="mitigating", text="rolled back")
    service.resolve(code, actor="ic")
    clock.advance(timedelta(hours=3))
    assert service.fire_due() == []
    service.reopen(code, actor="ic")
    kinds = [e.kind for e in service.view(code).timeline]
    assert [kind for kind in kinds if kind != "escalation"] == [
        "declared",
        "severity_changed",
        "status_update",
        "resolved",
        "reopened",
    ]
    assert service.view(code).record.status == "investigating"


def test_policy_snapshot_an_edited_policy_only_affects_new_incidents(world):
    _database, _clock, service = world
    old = service.declare(WEB, "Before the edit", "SEV-2", actor="a")
    edited = parse_policy_text(
        policy_to_toml(WEB).replace('response = "15m"', 'response = "5m"', 1), "edited.toml"
    )
    new = service.declare(edited, "After the edit", "SEV-2", actor="a")
    assert (service.view(old).policy_version, service.view(new).policy_version) == (1, 2)
    assert service.view(old).policy.severity("SEV-2").response_s == 900
    assert service.view(new).policy.severity("SEV-2").response_s == 300


def _paged(database, code: str) -> list[str]:
    with database.session() as session:
        record = by_code(session, code)
        return [o.payload["step"] for o in outbox_for(session, record.id) if o.channel == "bell"]


def test_catch_up_over_several_rounds_pages_each_step_once(world):
    database, clock, service = world
    code = service.declare(WEB, "Nobody was running", "SEV-1", actor="a")
    clock.advance(timedelta(hours=2))  # round 2 of L1 / L3 / L2 came due as well
    fired = service.fire_due(catching_up=True)
    assert sorted((f.step.step_id, f.step.round) for f in fired) == [
        ("SEV-1#0", 1),
        ("SEV-1#1", 1),
        ("SEV-1#2", 1),
        ("SEV-1#3", 0),
    ]
    assert sorted(_paged(database, code)) == ["SEV-1#0", "SEV-1#1", "SEV-1#2", "SEV-1#3"]
    states = {(s.step_id, s.round): s.state for s in service.view(code).plan.steps}
    assert [states[(f"SEV-1#{n}", 0)] for n in range(3)] == [StepState.MISSED] * 3


def test_an_ack_that_came_after_the_due_time_while_nothing_ran_stops_the_page(world):
    database, clock, service = world
    code = service.declare(WEB, "Quiet night", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=20))  # L2 was due at 15 min; nothing was running
    service.acknowledge(code, actor="oncall")
    assert service.fire_due(catching_up=True) == []
    assert _paged(database, code) == ["SEV-2#0"]
    step = next(s for s in service.view(code).plan.steps if s.step_id == "SEV-2#1")
    assert (step.state, step.skipped_because) == (StepState.SKIPPED, "acknowledged")
    events = {e.step_id: e.reason for e in service.view(code).events}
    assert events["SEV-2#1"] == "skipped: acknowledged"


def test_a_step_due_before_a_resolve_made_while_nothing_ran_is_recorded(world):
    database, clock, service = world
    code = service.declare(WEB, "Fixed from the CLI", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=40))  # L2 (15 min) and L3 (30 min) were due, never fired
    service.resolve(code, actor="oncall", text="restarted")
    view = service.view(code)
    assert not [s for s in view.plan.steps if s.state is StepState.DUE]
    assert {e.step_id: e.reason for e in view.events} == {
        "SEV-2#0": ON_TIME,
        "SEV-2#1": "skipped: resolved",
        "SEV-2#2": "skipped: resolved",
    }
    assert _paged(database, code) == ["SEV-2#0"]


def test_a_manual_escalation_is_early_and_an_on_time_one_is_on_time(world):
    _database, clock, service = world
    code = service.declare(WEB, "Queue stuck", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(seconds=9))
    service.escalate_now(code, actor="lead")
    steps = {s.step_id: s for s in service.view(code).plan.steps if s.round == 0}
    assert steps["SEV-2#0"].timing == "on_time"
    assert steps["SEV-2#1"].timing == "early"
    assert steps["SEV-2#1"].late_by == timedelta(minutes=-14, seconds=-51)


def test_the_ladder_keeps_earlier_rounds_after_an_ack_timeout_and_resolve(world):
    _database, clock, service = world
    code = service.declare(WEB, "Flapping", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=5))
    service.acknowledge(code, actor="oncall")
    clock.advance(timedelta(hours=1, seconds=1))  # the ack timed out: the ladder restarts
    service.fire_due()
    rounds_before = {(s.step_id, s.round) for s in service.view(code).plan.steps}
    service.resolve(code, actor="oncall", text="done")
    steps = {(s.step_id, s.round): s for s in service.view(code).plan.steps}
    assert rounds_before <= set(steps)
    assert ("SEV-2#0", 0) in rounds_before and ("SEV-2#0", 1) in rounds_before
    assert steps[("SEV-2#0", 0)].state is steps[("SEV-2#0", 1)].state is StepState.FIRED
    assert steps[("SEV-2#0", 2)].skipped_because == "resolved"


def test_an_incident_whose_clocks_overflow_never_stops_the_others(tmp_path):
    """A policy stored before durations were bounded: its incident is reported, the rest fire.
    (SQLite only: PostgreSQL's integer column cannot hold a duration past the year 9999.)"""
    from sqlalchemy import text

    database = Database.open(f"sqlite:///{tmp_path / 'old.db'}")
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    bad = service.declare(WEB, "Checkout down", "SEV-1", actor="민지")
    good = service.declare(WEB, "Login slow", "SEV-2", actor="민지")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE escalation_step SET after_s = 315360000000 "
                "WHERE severity_key = 'SEV-1' AND position = 2"
            )
        )
    fresh = IncidentService(database, clock, PolicyVersions(database, clock))
    fired = fresh.fire_due()
    assert {f.code for f in fired} == {good}
    assert "OverflowError" in fresh.unplannable[bad]
    database.close()


def test_an_ack_timeout_restarts_the_ladder_from_the_timeout_not_from_the_late_sweep(world):
    _database, clock, service = world
    code = service.declare(WEB, "Slow checkout", "SEV-2", actor="a")
    service.fire_due()
    clock.advance(timedelta(minutes=5))
    service.acknowledge(code, actor="oncall")  # SEV-2's ack_timeout is 1 h: it lapses at 10:05
    clock.advance(timedelta(hours=1, minutes=25))  # nothing ran until 10:30
    service.fire_due(catching_up=True)
    view = service.view(code)
    timed_out_at = START + timedelta(hours=1, minutes=5)
    assert view.record.ladder_started_at == timed_out_at
    first = next(s for s in view.plan.steps if s.step_id == "SEV-2#0" and s.fired_at == clock.now())
    due = {s.step_id: s.due_at for s in view.plan.steps if s.round == first.round}
    # Counted from 10:05: L1 at 10:05, L2 at 10:20 (both paged late at 10:30), L3 at 10:35 —
    # not 10:30 / 10:45 / 11:00, which counting from the late sweep would give.
    assert due["SEV-2#0"] == timed_out_at
    assert due["SEV-2#1"] == timed_out_at + timedelta(minutes=15)
    assert due["SEV-2#2"] == timed_out_at + timedelta(minutes=30)


class SlowClock(FakeClock):
    """Each read is a little later than the one before: a pass that takes time."""

    def __init__(self, start: datetime, tick: timedelta) -> None:
        super().__init__(start)
        self.tick = tick

    def now(self) -> datetime:
        now = super().now()
        self.advance(self.tick)
        return now


async def test_a_step_that_comes_due_while_a_pass_runs_is_not_left_for_the_full_sweep(
    database_url,
):
    """A pass fires what is due, then reads the plans a moment later; a step that came due in
    between must stay on the wake-up list (it used to be dropped and fire ~30 s late)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from app.services.escalation_scheduler import EscalationScheduler

    database = Database.open(database_url)
    clock = SlowClock(START, tick=timedelta(0))
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    code = service.declare(WEB, "Slow queue", "SEV-1", actor="ops")
    service.fire_due()  # the steps due at once have fired; the next is due in 15 min
    next_due = START + timedelta(minutes=15)
    clock.set(next_due - timedelta(milliseconds=5))
    clock.tick = timedelta(milliseconds=4)  # the step comes due during the pass
    bridge = EscalationScheduler(service, AsyncIOScheduler(), lambda _fired: None)
    bridge.plan_soon([code])  # what the change feed asks after a change
    await bridge.planned()
    assert bridge.next_wakeup_at == next_due  # still to wake for, at once
    clock.tick = timedelta(0)
    clock.set(next_due + timedelta(milliseconds=5))
    await bridge.wake()  # the wake-up job alone, no sweep
    fired = [e for e in service.view(code).events if e.due_at == next_due]
    assert len(fired) == 1 and fired[0].fired_at - next_due < timedelta(seconds=1)
    assert [e.kind for e in service.view(code).timeline].count("escalation") == 3
    database.close()


async def test_only_what_another_process_changed_is_replanned_besides_a_slice_of_the_rest(
    database_url,
):
    """Ten thousand open incidents must not be re-planned in one pass every time another
    laptop or daemon touches one: the change feed's poll names the incidents that moved (and
    the new ones) and the scheduler re-plans those; a sweep re-plans the next slice of all of
    them, each once per FULL_SWEEP_EVERY. Seen from outside: a due step fires when its
    incident's turn comes, not before."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from app.services.engine import feed_for
    from app.services.escalation_scheduler import FULL_SWEEP_EVERY, EscalationScheduler

    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    codes = sorted(service.declare(WEB, f"Queue {n}", "SEV-2", actor="ops") for n in range(7))

    def fired(step_id: str) -> list[str]:
        """The incidents whose step `step_id` has fired (paged), in code order."""
        return [
            code
            for code in sorted(codes + extra)
            if any(
                e.step_id == step_id and not e.reason.startswith(SKIPPED_PREFIX)
                for e in service.view(code).events
            )
        ]

    extra: list[str] = []
    # three sweeps a round: slices of 3, 3 and 1 of the seven incidents
    sweep_seconds = FULL_SWEEP_EVERY.total_seconds() / 3
    bridge = EscalationScheduler(
        service, AsyncIOScheduler(), lambda _fired: None, sweep_seconds=sweep_seconds
    )
    await bridge.catch_up()  # at start: everything
    assert fired("SEV-2#0") == codes
    clock.advance(timedelta(minutes=15))  # every incident's L2 step is due now
    await bridge.sweep()
    assert fired("SEV-2#1") == codes[:3]
    await bridge.sweep()
    assert fired("SEV-2#1") == codes[:6]
    await bridge.sweep()
    assert fired("SEV-2#1") == codes

    changes = feed_for(service)
    changes.subscribe(lambda batch: bridge.plan_soon(batch.to_plan()))
    changes.take_baseline()
    changes.start()
    clock.advance(timedelta(minutes=15))  # every incident's L3 step is due now
    elsewhere = IncidentService(database, clock, PolicyVersions(database, clock))
    elsewhere.acknowledge(codes[4], "mina")
    new = elsewhere.declare(WEB, "Disk full", "SEV-1", actor="mina")
    extra.append(new)
    elsewhere.resolve(codes[5], "mina")
    changes.poll()
    await changes.drained()
    await bridge.planned()
    await bridge.sweep()
    # what moved (the acknowledged one; the new one pages at once; the resolved one never
    # again) and the next slice of all of them (the first three), nothing else
    assert fired("SEV-2#2") == [*codes[:3], codes[4]]
    assert fired("SEV-1#0") == [new]
    view = service.view(codes[5])
    assert [e.reason for e in view.events if e.step_id == "SEV-2#2"] == ["skipped: resolved"]
    database.close()


def test_a_firing_that_finds_sqlite_locked_waits_its_turn_and_fires_once(tmp_path, monkeypatch):
    import sqlite3
    import threading

    import storage.engine

    monkeypatch.setattr(storage.engine, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "locked.db"
    database = Database.open(f"sqlite:///{path}")
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock), ("flash",))
    code = service.declare(WEB, "결제 API 장애", "SEV-1", actor="ops")
    # Another process, writing for 150 ms.
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.15, other.execute, ("COMMIT",)).start()
    try:
        fired = service.fire_due()  # each try gives up after 50 ms; the third one gets in
    finally:
        other.close()
        database.close()
    assert sorted(step.step.step_id for step in fired) == ["SEV-1#0", "SEV-1#1"]
    assert all(step.code == code for step in fired)


def test_declarations_at_once_from_four_processes_take_each_number_once(database_url):
    """Four laptops declaring at the same moment: every declaration gets its own code, and the
    codes run 0001..0020 with no gap and no repeat."""
    Database.open(database_url).close()  # the schema, once
    clock = FakeClock(START)

    def declare_five(laptop: int) -> list[str]:
        database = Database.open(database_url)
        try:
            service = IncidentService(database, clock, PolicyVersions(database, clock))
            return [service.declare(WEB, f"{laptop}/{n}", "SEV-3", actor="a") for n in range(5)]
        finally:
            database.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = [code for batch in pool.map(declare_five, range(4)) for code in batch]
    assert sorted(codes) == [f"INC-2026-{n:04d}" for n in range(1, 21)]


def test_the_ten_thousandth_incident_of_a_year_follows_the_9999th(world):
    database, _clock, service = world
    code = service.declare(WEB, "first", "SEV-3", actor="a")
    with database.session() as session:
        record = by_code(session, code)
        update_incident(session, record, code="INC-2026-9999")
        session.commit()
    assert service.declare(WEB, "next", "SEV-3", actor="a") == "INC-2026-10000"
    assert service.declare(WEB, "and the next", "SEV-3", actor="a") == "INC-2026-10001"


def test_listing_incidents_reads_them_together_not_one_by_one(world):
    """`incident list` over 30 incidents: the same views as reading each, from a handful of
    statements (one per kind of row), not a few per incident."""
    from sqlalchemy import event

    database, clock, service = world
    codes = []
    for n in range(30):
        codes.append(service.declare(WEB, f"장애 {n}", "SEV-2", actor="민지"))
        clock.advance(timedelta(seconds=1))
    service.fire_due()
    service.assign_role(codes[3], "민지", "commander", "haruto")
    service.resolve(codes[7], "민지")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        listed = service.list()
        everything = service.list(include_resolved=True)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert [view.record.code for view in listed] == [c for c in codes if c != codes[7]]
    assert listed == [service.view(code) for code in codes if code != codes[7]]
    assert [view.record.code for view in everything] == codes
    assert len(statements) <= 2 * 8  # two lists, each a handful of queries
