"""The metrics screen's weekly sparkline stops at this week: weeks still to come are not drawn
as weeks without incidents."""

from __future__ import annotations

from textual.widgets import Sparkline

from app.domain.clock import FakeClock
from tests.ui.helpers import START, make_app, settle, wait_ready
from tests.ui.test_metrics_flow import SIZE, history


async def test_the_sparkline_ends_with_this_week(tmp_path):
    clock = FakeClock(START)
    history(tmp_path, clock, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        report = app.screen.report
        today = START.astimezone().date()
        past = [n for week, n in report.weekly if week <= today]
        assert len(past) < len(report.weekly)  # the quarter has weeks still to come
        assert list(app.screen.query_one("#metrics-weekly", Sparkline).data) == past
        assert sum(past) == 3
