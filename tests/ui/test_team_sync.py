"""Team mode through the real app on a real PostgreSQL server: with the fallback poll switched
off (an hour), another laptop's declaration, acknowledgement and published story reach this
board and this library through NOTIFY alone. How fast is tests/bench/bench_sync.py's figure
(real processes, a table); here a change only has to arrive long before any poll could."""

from __future__ import annotations

import contextlib

from app.domain.clock import FakeClock
from app.domain.story.model import Story
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.tui import StoryCartApp
from storage.database import Database
from tests.conftest import library_services, make_settings
from tests.ui.helpers import START, board_of, settle, wait_ready, wait_until
from widgets.board_table import BoardTable

WEB = load_policies(policy_sources(None)).get("web-service")


async def arrives(pilot, predicate) -> None:
    """The other laptop's change is on screen; with the poll an hour away, only NOTIFY brings it."""
    await wait_until(pilot, predicate, timeout=15, what="the other laptop's change")


async def test_another_laptops_changes_arrive_by_notify(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setattr(StoryCartApp, "FALLBACK_POLL_SECONDS", 3600)  # NOTIFY or nothing
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko").with_overrides(db_url=postgres_url)
    app = StoryCartApp(settings, clock=clock, start_scheduler=False)
    other = Database.open(postgres_url)  # the other laptop
    incidents = IncidentService(other, clock, PolicyVersions(other, clock))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(app, pilot)
            await settle(app, pilot)
            table = board_of(app).query_one(BoardTable)
            code = incidents.declare(WEB, "다른 노트북에서 선언", "SEV-2", "준호")
            await arrives(pilot, lambda: table.row_count == 1)
            incidents.acknowledge(code, "준호")
            await arrives(pilot, lambda: table.cell_text(code, "ack").startswith("✓"))
            await pilot.press("l")
            await settle(app, pilot)
            lib = library_services(other, clock)
            view = lib.stories.create(
                Story(key="sync/ko", lang="ko", title="다른 노트북의 스토리", narrative="본문",
                      highlight="요약", prompts=["질문?"]),
                "준호",
            )  # fmt: skip
            lib.stories.publish(view.story, view.version, "준호")
            library = app.screen
            await arrives(pilot, lambda: any(item.key == "sync/ko" for item in library.items))
    finally:
        other.close()


async def test_a_server_restart_mid_incident_loses_nothing_and_fires_once(tmp_path, monkeypatch):
    """Two laptops on a real server that is stopped (immediate) and started again mid-incident:
    both boards come back by themselves, the change made after the restart reaches the other
    board by NOTIFY (the listener reconnected), and every ladder step fired exactly once."""
    from sqlalchemy import text

    from tests.pg_server import PostgresServer

    monkeypatch.setattr(StoryCartApp, "FALLBACK_POLL_SECONDS", 3600)
    server = PostgresServer()
    server.start()
    try:
        url = server.fresh_database()
        clock = FakeClock(START)
        settings = make_settings(tmp_path, lang="en").with_overrides(db_url=url)
        app = StoryCartApp(settings, clock=clock, start_scheduler=False)
        # Each time the listener (re)connects the app reads everything again, stories included;
        # nothing else in this test changes a story.
        connected = []

        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            app.changes.subscribe(
                app,
                lambda changes: changes.everything and connected.append(changes),
                immediate=True,
            )
            await wait_ready(app, pilot)
            table = board_of(app).query_one(BoardTable)
            other = Database.open(url)
            incidents = IncidentService(other, clock, PolicyVersions(other, clock))
            code = incidents.declare(WEB, "Checkout down", "SEV-1", "jun")
            await arrives(pilot, lambda: table.row_count == 1)
            await app.escalations.sweep_now()  # this laptop fires the immediate steps
            await wait_until(pilot, lambda: connected, what="the listener's first connection")
            server.pause()
            before = len(connected)
            clock.advance(16 * 60)  # L2's 15 minutes pass while the server is down
            with contextlib.suppress(Exception):  # the server is away: this pass cannot fire
                await app.escalations.sweep_now()
            server.resume()
            await wait_until(  # after its back-off (0.5 s, 1 s …) the listener is back
                pilot,
                lambda: len(connected) > before,
                timeout=30,
                what="the listener to reconnect",
            )
            incidents.acknowledge(code, "jun")  # on the other laptop, after the restart
            await arrives(pilot, lambda: table.cell_text(code, "ack").startswith("✓"))
            await app.escalations.sweep_now()
            await app.escalations.sweep_now()
            with other.session() as session:
                fired = session.execute(
                    text("SELECT step_id, count(*) FROM escalation_event GROUP BY step_id")
                ).all()
            other.close()
        assert {step: count for step, count in fired} == {"SEV-1#0": 1, "SEV-1#1": 1, "SEV-1#2": 1}
    finally:
        server.stop()
