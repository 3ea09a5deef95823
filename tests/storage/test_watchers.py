"""Watchers on a real SQLite file and a real PostgreSQL database: a process that fires
escalations says so (its row, a pass every interval), counts as gone once its last pass is
older than two and a half intervals, and is gone at once when it exits cleanly; the engine
names itself in the timeline as a reader would, and pings the dead-man's switch (a real HTTP
receiver) only after a healthy pass."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.domain.clock import FakeClock
from app.domain.watchers import EngineSettings
from app.services.engine import build_engine
from app.services.engine_report import engine_report
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.watchers import ProcessIdentity, WatcherService
from storage.database import Database
from tests.conftest import make_settings

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOST = socket.gethostname()


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(NOW)
    yield database, clock
    database.close()


def test_a_watcher_is_there_while_it_passes_and_gone_after_two_and_a_half_intervals(world):
    database, clock = world
    watchers = WatcherService(database, clock)
    daemon = watchers.start(ProcessIdentity("daemon", "team-server", 4242, "ops"))
    board = watchers.start(ProcessIdentity("board", "laptop-3", 77, "alice"))
    (first, second) = watchers.current()
    assert {first.kind, second.kind} == {"daemon", "board"}
    clock.advance(75)  # 2.5 × 30 s: still there
    watchers.passed(board)
    assert [w.alive(clock.now(), 30) for w in watchers.current()] == [True, True]
    clock.advance(1)  # the daemon's last pass is 76 s old now
    seen = {w.kind: w.alive(clock.now(), 30) for w in watchers.current()}
    assert seen == {"board": True, "daemon": False}
    watchers.passed(daemon)
    assert all(w.alive(clock.now(), 30) for w in watchers.current())
    watchers.stop(board)  # a clean exit: gone at once
    assert [(w.kind, w.host, w.pid, w.user) for w in watchers.current()] == [
        ("daemon", "team-server", 4242, "ops")
    ]


def test_a_row_forgotten_while_its_machine_slept_comes_back_with_its_next_pass(world):
    database, clock = world
    watchers = WatcherService(database, clock)
    laptop = watchers.start(ProcessIdentity("board", "laptop-3", 77, "alice"))
    clock.advance(timedelta(days=2))  # the laptop slept; a daemon starting forgets its row
    watchers.start(ProcessIdentity("daemon", "team-server", 4242, "ops"))
    assert [w.kind for w in watchers.current()] == ["daemon"]
    watchers.passed(laptop)
    assert sorted(w.kind for w in watchers.current()) == ["board", "daemon"]


def _declare(database, clock) -> str:
    policy = load_policies(policy_sources(None)).get("web-service")
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    return service.declare(policy, title="Checkout is down", severity="SEV-1", actor="민지")


async def _until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        await asyncio.sleep(0.02)


async def test_the_engine_fires_as_a_named_process_and_pings_only_when_healthy(
    world, tmp_path, receiver
):
    database, clock = world
    code = _declare(database, clock)
    url = f"http://127.0.0.1:{receiver.port}/ping/abc"
    settings = make_settings(tmp_path).with_overrides(
        engine=EngineSettings(heartbeat_url=url, interval_s=30)
    )
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    problems: list[str] = []
    engine = build_engine(
        settings,
        incidents,
        "daemon",
        AsyncIOScheduler(),  # not started: the test makes the passes
        lambda _fired: None,
        on_problem=problems.append,
    )
    await engine.start()  # the catch-up sweep fires the SEV-1's first steps, then a pass
    await _until(lambda: len(receiver.requests) == 1)
    (ping,) = receiver.requests
    assert (ping.method, ping.path) == ("GET", "/ping/abc")
    view = incidents.view(code)
    fired = [entry for entry in view.timeline if entry.kind == "escalation"]
    assert fired and {entry.actor for entry in fired} == {f"daemon on {HOST}"}

    report = engine_report(incidents, WatcherService(database, clock), None, 30)
    assert [(w.kind, w.host) for w in report.alive()] == [("daemon", HOST)]
    assert report.open_incidents == 1 and not report.unwatched

    clock.advance(10)  # no sweep went through for 10 s: the engine is stuck
    pinged = engine.ping_task
    await engine.make_pass()
    assert not engine.healthy and problems == ["the scheduler has not swept lately"]
    assert engine.ping_task is pinged and pinged.done()  # no ping was sent off
    assert len(receiver.requests) == 1

    await engine.bridge.sweep_now()  # sweeping again: the next pass pings
    await engine.make_pass()
    await _until(lambda: len(receiver.requests) == 2)

    await engine.stop()  # a clean exit: nobody is watching, at once
    report = engine_report(incidents, WatcherService(database, clock), None, 30)
    assert report.alive() == [] and report.unwatched


async def test_a_failing_heartbeat_service_is_said_once_and_pinged_again(world, tmp_path, receiver):
    database, clock = world
    receiver.failing = True
    url = f"http://127.0.0.1:{receiver.port}/hb"
    settings = make_settings(tmp_path).with_overrides(
        engine=EngineSettings(heartbeat_url=url, interval_s=30)
    )
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    problems: list[str] = []
    scheduler = AsyncIOScheduler()
    engine = build_engine(
        settings, incidents, "intake", scheduler, lambda _f: None, on_problem=problems.append
    )
    await engine.start()
    # The failed ping's error is kept before its task is done; a pass sends the next ping only
    # once the last one is done.
    await _until(lambda: engine.ping_error is not None and engine.ping_task.done())
    await engine.make_pass()
    await _until(lambda: len(receiver.requests) == 2)
    await _until(lambda: engine.ping_task.done())
    assert len(problems) == 1 and "heartbeat ping failed" in problems[0]
    receiver.failing = False
    await engine.make_pass()
    await _until(lambda: engine.pings == 1)
    assert engine.ping_error is None
    await engine.stop()


def test_a_board_reading_while_its_engine_registers_names_itself_once(world):
    """The engine names its row before writing it, so a board that reads who watches between
    the row's insert and the engine hearing back (seen in a snapshot: "this board · board of
    root on vm, just now") still names itself once."""
    from app.domain.i18n import Catalog
    from app.domain.watcher_text import watcher_line
    from app.services.engine import Engine

    database, clock = world
    watchers = WatcherService(database, clock)
    identity = ProcessIdentity("board", "laptop-3", 77, "alice")
    engine = Engine(None, watchers, identity, interval_s=30)
    row = watchers.start(identity, engine.instance)  # what Engine.start writes first
    read_meanwhile = watchers.current()
    text, nobody = watcher_line(read_meanwhile, clock.now(), 30, Catalog("en"), engine.instance)
    assert (text, nobody) == ("escalations: this board", False)
    assert row.instance == engine.instance
