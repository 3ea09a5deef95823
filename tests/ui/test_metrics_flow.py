"""The metrics and follow-ups screens driven by keys in the real app: the quarter's figures
against the targets, the incidents behind a figure and on into one of them, an earlier quarter,
and a follow-up closed from the cross-postmortem list."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import make_settings
from tests.postmortem_helpers import complete_postmortem
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready

WEB = load_policies(policy_sources(None)).get("web-service")
SIZE = (120, 40)


def history(tmp_path, clock: FakeClock, lang: str) -> list[str]:
    """Three SEV-1s this quarter resolved after 40, 100 and 25 minutes (the 100-minute one with
    a postmortem whose follow-up is overdue), and one last quarter."""
    database = Database.open(make_settings(tmp_path, lang=lang).db_url)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    codes = []
    clock.set(START - timedelta(days=100))
    for when, title, minutes in (
        (START - timedelta(days=100), "Old outage", 10),
        (START - timedelta(days=30), "Checkout down", 40),
        (START - timedelta(days=20), "결제 지연", 100),
        (START - timedelta(days=10), "ログイン不可", 25),
    ):
        clock.set(when)
        code = incidents.declare(WEB, title, "SEV-1", "ops")
        clock.advance(timedelta(minutes=minutes))
        incidents.resolve(code, "ops")
        codes.append(code)
    complete_postmortem(
        PostmortemService(database, clock),
        codes[2],
        "민지",
        "ko",
        actions=[ActionItem("갱신 자동화", "민지", "2026-11-01")],
    )
    database.close()
    clock.set(START)
    return codes


def rows(table: DataTable) -> list[list[str]]:
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(r)] for r in range(table.row_count)
    ]


async def test_the_quarters_figures_drill_into_the_incidents_behind_them(tmp_path):
    clock = FakeClock(START)
    codes = history(tmp_path, clock, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        assert "this quarter · web-service · 2026-10-01 – 2026-12-31 · incidents: 3" in text_of(
            app, "#metrics-heading"
        )
        table = app.screen.query_one("#metrics-table", DataTable)
        resolve = next(r for r in rows(table) if r[1] == "time to resolve")
        # n, median, p90, mean, max, target, met: 25, 40 and 100 minutes against one hour.
        assert resolve[:9] == [
            "",
            "time to resolve",
            "3",
            "40m",
            "1h40m",
            "55m",
            "1h40m",
            "1h",
            "2/3 (67%)",
        ]
        table.move_cursor(row=3)  # SEV-1 time to resolve
        await pilot.press("enter")
        await settle(app, pilot)
        drill = app.screen.query_one("#drill-table", DataTable)
        assert [r[0] for r in rows(drill)] == [codes[2], codes[1], codes[3]]  # longest first
        assert rows(drill)[0][2] == "결제 지연"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.name == "incident" and app.screen.code == codes[2]
        await pilot.press("escape")  # back to the board; M brings the metrics again
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        heading = text_of(app, "#metrics-heading")
        assert "2026-07-01 – 2026-09-30 · incidents: 1" in heading, heading
        await pilot.press("c")  # a period of one's own: October only
        await settle(app, pilot)
        app.screen.query_one("#period-since").value = "2026-10-01"
        app.screen.query_one("#period-until").value = "2026-09-01"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "The start must come before the end." in text_of(app, ".dialog-error")
        app.screen.query_one("#period-until").value = "2026-11-01"
        await pilot.press("enter")
        await settle(app, pilot)
        heading = text_of(app, "#metrics-heading")
        assert "custom period · web-service · 2026-10-01 – 2026-10-31 · incidents: 1" in heading
        await pilot.press("question_mark")  # the keys, and what the figures mean
        await settle(app, pilot)
        assert "a resolve is not an acknowledgement" in text_of(app, "#help-note")


async def test_follow_ups_are_closed_from_one_list_by_keyboard(tmp_path):
    clock = FakeClock(START)
    codes = history(tmp_path, clock, "ko")
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        assert "기한 초과 후속 조치: 1건" in text_of(app, "#board-summary")
        await pilot.press("F")
        await settle(app, pilot)
        table = app.screen.query_one("#follow-ups-table", DataTable)
        (row,) = rows(table)
        assert row == [codes[2], "2026-11-01 !", "열림", "민지", "갱신 자동화"]
        assert "기한 초과 1건" in text_of(app, "#follow-ups-count")
        await pilot.press("d")
        await settle(app, pilot)
        assert table.row_count == 0  # done: the list shows what is not done
        await pilot.press("v")  # all of them
        await settle(app, pilot)
        assert rows(table)[0][1:3] == ["2026-11-01", "완료"]
        assert "기한 초과 0건" in text_of(app, "#follow-ups-count")
        await pilot.press("escape")
        await settle(app, pilot)
        assert "후속 조치" not in text_of(app, "#board-summary")


async def test_when_the_impact_began_is_corrected_from_the_incident_screen(tmp_path):
    from tests.ui.helpers import seed, stored

    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ja")
    (code,) = seed(settings, clock, [dict(title="決済API障害", severity="SEV-2")])
    clock.advance(timedelta(minutes=20))
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        started = app.screen.query_one("#times-started")
        assert started.value == "2026-11-24 09:00"
        started.value = "2026-11-24 09:10"  # after the first signal: refused in the dialog
        await pilot.press("enter")
        await settle(app, pilot)
        assert "影響の開始は最初の検知より後にはできません" in text_of(app, ".dialog-error")
        started.value = "45m ago"
        app.screen.query_one("#times-detected").value = "2026-11-24 08:55"
        await pilot.press("enter")
        await settle(app, pilot)
    record = stored(tmp_path, code).record
    assert record.started_at == START - timedelta(minutes=25)
    assert record.detected_at == START - timedelta(minutes=5)


async def test_the_review_of_the_quarter_shown_is_printed_from_the_metrics_screen(tmp_path):
    from tests.export.pdf_checks import squeeze
    from tests.ui.test_print_flow import choose, written

    clock = FakeClock(START)
    history(tmp_path, clock, "ko")
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("left_square_bracket")  # last quarter: one incident
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        reader, path = written(await choose(app, pilot, "인시던트 리뷰"))
    assert "/exports/metrics-web-service-ko-" in path
    text = squeeze("".join(page.extract_text() for page in reader.pages))
    assert squeeze("2026-07-01 – 2026-09-30 · 인시던트 1건") in text
