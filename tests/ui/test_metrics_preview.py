"""The quarter's figures read ahead in the background: `M` shows them in the metrics screen's
first frame, before the screen's own read is back, and a change to the incidents makes the
app read them again once things are quiet (screens/metrics_preview.py)."""

from __future__ import annotations

import gc
import threading

from textual.widgets import DataTable

from app.domain.clock import FakeClock
from app.services import metrics_service
from app.services.incident_service import IncidentService
from app.services.metrics_service import MetricsService
from app.services.policy_versions import PolicyVersions
from screens.metrics import MetricsScreen
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, text_of, wait_ready, wait_until
from tests.ui.test_metrics_flow import SIZE, WEB, history


async def test_figures_read_ahead_are_on_screen_at_once_and_follow_a_change(tmp_path, monkeypatch):
    # The read in the background leaves garbage collection on: a pause is every thread's, and
    # the board's garbage piled up behind it (10,000 open incidents: 632 MiB instead of 254).
    collecting: list[bool] = []
    read_times = metrics_service.incident_times

    def watched(*args):
        collecting.append(gc.isenabled())
        return read_times(*args)

    monkeypatch.setattr(metrics_service, "incident_times", watched)
    clock = FakeClock(START)
    history(tmp_path, clock, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await wait_until(
            pilot,
            lambda: app.metrics_preview.report is not None,
            what="the quarter's figures read ahead (3 s after start)",
        )
        assert app.metrics_preview.report.total == 3
        assert collecting and all(collecting), collecting

        # The screen's own read is held back: the figures it shows are the ones read ahead.
        held = threading.Event()
        own_read = app.services.metrics.report

        def held_back(*args):
            held.wait(30)
            return own_read(*args)

        app.services.metrics.report = held_back
        try:
            await pilot.press("M")
            assert "incidents: 3" in text_of(app, "#metrics-heading")
            table = app.screen.query_one("#metrics-table", DataTable)
            assert table.row_count > 0
        finally:
            held.set()
            app.services.metrics.report = own_read
        await pilot.press("escape")

        # Another process declares an incident: the app hears of it and reads the figures again.
        database = Database.open(make_settings(tmp_path, lang="en").db_url)
        IncidentService(database, clock, PolicyVersions(database, clock)).declare(
            WEB, "Search is slow", "SEV-2", "ops"
        )
        database.close()
        await wait_until(
            pilot,
            lambda: (
                app.metrics_preview.report is not None and app.metrics_preview.report.total == 4
            ),
            what="the figures read again after the change",
        )


async def test_m_during_the_read_ahead_waits_for_it_instead_of_reading_twice(tmp_path, monkeypatch):
    # The read ahead starts as soon as the board shows its incidents; `M` pressed while it is
    # under way shows its figures when it lands, and the screen does not read them a second
    # time beside it (two reads at once slowed both: 520 ms from key to rows, 100,000 incidents).
    held = threading.Event()
    reads: list[str] = []
    report = MetricsService.report

    def held_back(service, *args, **kwargs):
        reads.append("read")
        held.wait(30)
        return report(service, *args, **kwargs)

    monkeypatch.setattr(MetricsService, "report", held_back)
    clock = FakeClock(START)
    history(tmp_path, clock, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        try:
            await wait_until(pilot, lambda: reads, what="the figures read once the board shows")
            await pilot.press("M")
            await wait_until(pilot, lambda: isinstance(app.screen, MetricsScreen))
            assert "incidents" not in text_of(app, "#metrics-heading")
        finally:
            held.set()
        await wait_until(
            pilot,
            lambda: "incidents: 3" in text_of(app, "#metrics-heading"),
            what="the figures of the read the screen waited for",
        )
        await app.workers.wait_for_complete()
        assert reads == ["read"]
