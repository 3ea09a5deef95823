"""The incident board and the incident screen, driven through the real app with Pilot and a
FakeClock: declare, countdowns, escalations, actions, detail tabs, restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, OptionList, TabbedContent

from app.domain.clock import FakeClock
from app.domain.escalation import LATE_NOT_RUNNING, MANUAL, ON_TIME
from app.tui import StoryCartApp
from screens.board import BoardScreen
from screens.declare_dialog import DeclareDialog
from screens.dialogs import CoachDialog
from screens.incident import IncidentScreen
from storage.database import Database
from storage.incident_rows import by_code, outbox_for
from tests.conftest import make_settings
from tests.ui.helpers import (
    START,
    board_of,
    make_app,
    notices,
    seed,
    settle,
    stored,
    text_of,
    wait_ready,
    wait_until,
)
from widgets.board_table import BoardTable

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")


def board_cell(app, code: str, column: str) -> str:
    return board_of(app).query_one(BoardTable).cell_text(code, column)


async def test_declare_in_korean_from_the_board(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        assert app.screen.query_one("#board-empty").display
        await pilot.press("n")
        assert isinstance(app.screen, DeclareDialog)
        await pilot.press(*"결제 API 장애")
        # Nothing is preselected: the list opens on its prompt, two downs reach SEV-2.
        await pilot.press("tab", "space", "down", "down", "enter")  # severity: SEV-2
        await pilot.press("tab", "tab", *"카드 결제 실패 12%")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert board_cell(app, "INC-2026-0001", "title") == "결제 API 장애"
        assert board_cell(app, "INC-2026-0001", "severity") == "SEV-2"
        assert board_cell(app, "INC-2026-0001", "ack") == "15m"
        assert not app.screen.query_one("#board-empty").display
    view = stored(tmp_path, "INC-2026-0001")
    assert (view.record.severity, view.record.impact) == ("SEV-2", "카드 결제 실패 12%")
    assert (view.timeline[0].kind, view.timeline[0].actor) == ("declared", "민지")


async def test_enter_on_a_list_submits_and_tab_back_keeps_what_was_typed(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n", *"Checkout down")
        # Round the form with Tab back to the title, then keep typing: nothing is replaced.
        for _field in range(5):
            await pilot.press("tab")
        await pilot.press(*" in EU")
        await pilot.press("tab")  # on the severity list now
        await pilot.press("space", "down", "down", "down", "enter")  # SEV-3
        await pilot.press("enter")  # submits, as Enter does in a text field
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert board_cell(app, "INC-2026-0001", "title") == "Checkout down in EU"


async def test_a_new_declaration_is_selected_and_the_next_action_applies_to_it(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path)
    # Two incidents already open, both worse than the one about to be declared.
    seed(
        settings,
        clock,
        [dict(title="Checkout down", severity="SEV-1"), dict(title="Login slow", severity="SEV-2")],
    )
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        assert app.screen.selected_code() == "INC-2026-0001"
        await pilot.press("n", *"Typo on pricing page")
        await pilot.press("tab", "space", "down", "down", "down", "enter", "enter")  # SEV-3
        await settle(app, pilot)
        assert app.screen.selected_code() == "INC-2026-0003"
        await pilot.press("u", *"fixing the copy", "enter")
        await settle(app, pilot)
    updates = [e.text for e in stored(tmp_path, "INC-2026-0003").timeline]
    assert any("fixing the copy" in text for text in updates)
    for other in ("INC-2026-0001", "INC-2026-0002"):
        assert not any("fixing the copy" in e.text for e in stored(tmp_path, other).timeline)


async def test_declaring_without_a_title_says_so_and_keeps_the_dialog(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n", "enter")
        assert isinstance(app.screen, DeclareDialog)
        assert text_of(app, ".dialog-error") == "An incident needs a title."
        await pilot.press("f2")
        assert isinstance(app.screen, CoachDialog)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_a_stray_enter_declares_nothing_and_asks_for_a_severity(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n", *"결제 API 장애", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DeclareDialog)
        assert text_of(app, ".dialog-error") == "심각도를 고르세요 (F2: 단계별 호출 대상)."
        assert app.focused is app.screen.query_one("#declare-severity")
        assert app.services.incidents.list() == []
        await pilot.press("enter")  # Enter again on the untouched list: still nothing
        await settle(app, pilot)
        assert isinstance(app.screen, DeclareDialog)
        assert app.services.incidents.list() == []
        await pilot.press("space", "down", "down", "down", "down", "enter", "enter")  # SEV-4
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert board_cell(app, "INC-2026-0001", "severity") == "SEV-4"
        assert board_cell(app, "INC-2026-0001", "title") == "결제 API 장애"


async def test_countdowns_tick_in_place_and_turn_red_when_missed(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="Slow checkout", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        table = app.screen.query_one(BoardTable)
        assert board_cell(app, code, "ack") == "15m"
        assert board_cell(app, code, "resolution") == "4h00m"
        clock.advance(timedelta(minutes=10, seconds=2))  # five minutes to go: seconds tick
        app.screen.refresh_clocks()
        assert board_cell(app, code, "ack") == "04:58"
        clock.advance(timedelta(minutes=8, seconds=10))
        app.screen.refresh_clocks()
        assert board_cell(app, code, "ack") == "+03:12"
        await pilot.pause()
        drawn = {seg.text: seg.style for seg in table.render_line(0)}
        assert drawn["+03:12"].bgcolor.name == "#b3261e"  # drawn in red
        assert board_cell(app, code, "age") == "18m"
        assert "overdue" in text_of(app, "#board-summary")
        # A clock jump backwards (suspend / resume, NTP) just recomputes.
        clock.advance(timedelta(minutes=-10))
        app.screen.refresh_clocks()
        assert board_cell(app, code, "ack") == "6m"
        assert table.row_count == 1


async def test_a_step_fires_on_time_once_with_bell_and_flash(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="Login fails", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    bells = []
    app.bell = lambda: bells.append(clock.now())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        assert not app.screen.query_one("#flash").display
        clock.advance(15 * 60)  # L2 tech lead: no response within 15 min
        await app.escalations.sweep_now()
        await app.escalations.sweep_now()  # a second pass fires nothing more
        await settle(app, pilot)
        assert bells == [clock.now()]
        flash = app.screen.query_one("#flash")
        assert flash.display and "L2 tech lead" in flash.render().plain
        assert board_cell(app, code, "next_step") != "+00:00"
    view = stored(tmp_path, code)
    assert [(e.step_id, e.reason) for e in view.events] == [
        ("SEV-2#0", ON_TIME),
        ("SEV-2#1", ON_TIME),
    ]
    database = Database.open(make_settings(tmp_path).db_url)
    with database.session() as session:
        rows = outbox_for(session, by_code(session, code).id)
        assert all(r.delivered_at is not None for r in rows if r.channel in ("bell", "flash"))
    database.close()


async def test_a_start_after_an_outage_rings_once_and_shows_one_banner_for_all_it_fired(tmp_path):
    clock = FakeClock(START)
    specs = [dict(title=f"Shard {n} down", severity="SEV-2") for n in range(12)]
    codes = seed(make_settings(tmp_path), clock, specs)
    clock.advance(20 * 60)  # nothing ran meanwhile: every L2 step came due
    app = make_app(tmp_path, clock=clock)
    bells = []
    app.bell = lambda: bells.append(clock.now())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await settle(app, pilot)
        banner = app.screen.query_one("#flash")
        assert banner.display
        assert banner.render().plain.startswith(f"ESCALATION {codes[-1]} SEV-2")
        assert banner.render().plain.endswith("(+11 more)")
        assert bells == [clock.now()]  # one ring for the storm, not twelve
        assert await notices(app, pilot) == []
    for code in codes:
        assert [e.step_id for e in stored(tmp_path, code).events] == ["SEV-2#0", "SEV-2#1"]


async def test_the_flash_clears_when_its_incident_is_resolved_and_age_stops(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="Login fails", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    app.bell = lambda: None
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        clock.advance(15 * 60)
        await app.escalations.sweep_now()
        await settle(app, pilot)
        assert app.screen.query_one("#flash").display
        await pilot.press("r", *"restarted the pool", "enter")
        await settle(app, pilot)
        assert app.screen.query_one("#care-system")  # a SEV-2: the self-care card first
        await pilot.press("escape")
        await settle(app, pilot)
        assert not app.screen.query_one("#flash").display
        assert board_cell(app, code, "age") == "15m"
        clock.advance(20 * 60)
        app.screen.refresh_clocks()
        assert board_cell(app, code, "age") == "15m"  # how long it was open, not since


async def test_acknowledge_update_severity_resolve_and_reopen_by_keyboard(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="API 5xx", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        clock.advance(5 * 60)
        await pilot.press("a")
        await settle(app, pilot)
        assert board_cell(app, code, "ack") == "✓ 1h00m"  # SEV-2 ack timeout: 1 h
        await pilot.press("u")
        await pilot.press("tab", "shift+tab")  # focus stays usable; text field first
        await pilot.press(*"cache node replaced")
        await pilot.press("enter")
        await settle(app, pilot)
        assert board_cell(app, code, "update") == "15m"  # the update clock restarted
        await pilot.press("s")
        assert isinstance(app.screen.query_one(OptionList), OptionList)
        await pilot.press("up", "enter")  # SEV-1
        await settle(app, pilot)
        assert board_cell(app, code, "severity") == "SEV-1"
        await pilot.press("r", *"rolled back", "enter")
        await settle(app, pilot)
        assert board_cell(app, code, "status") == "resolved"
        # A SEV-1 is behind whoever resolved it: seed 002's self-care card, then back.
        assert "the cause is usually a system" in text_of(app, "#care-system")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert board_cell(app, code, "status") == "investigating"
    kinds = [(e.kind, e.actor) for e in stored(tmp_path, code).timeline]
    assert [k for k, _ in kinds if k != "escalation"] == [
        "declared",
        "acknowledged",
        "status_update",
        "severity_changed",
        "resolved",
        "reopened",
    ]
    assert all(actor == "민지" for kind, actor in kinds[1:] if kind != "escalation")


async def test_refused_actions_explain_themselves(tmp_path):
    clock = FakeClock(START)
    seed(make_settings(tmp_path), clock, [dict(title="x", severity="SEV-3")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        messages = await notices(app, pilot)
        assert "Incident INC-2026-0001 is already acknowledged." in messages
        assert isinstance(app.screen, BoardScreen)


async def test_manual_escalation_asks_first_then_fires_the_next_step(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="Queue stuck", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("e", "n")
        await settle(app, pilot)
        await pilot.press("e", "y")
        await settle(app, pilot)
    events = stored(tmp_path, code).events
    assert [(e.step_id, e.reason) for e in events] == [("SEV-2#0", ON_TIME), ("SEV-2#1", MANUAL)]


async def test_steps_missed_while_closed_fire_once_on_start_marked_late(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(make_settings(tmp_path), clock, [dict(title="Disk full", severity="SEV-2")])
    clock.advance(timedelta(minutes=20))
    for _restart in range(2):
        app = make_app(tmp_path, clock=clock)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_ready(app, pilot)
    events = stored(tmp_path, code).events
    assert [(e.step_id, e.reason) for e in events] == [
        ("SEV-2#0", ON_TIME),
        ("SEV-2#1", LATE_NOT_RUNNING),
    ]
    assert events[1].fired_at - events[1].due_at == timedelta(minutes=5)


async def test_incident_screen_ladder_timeline_roles_checklist_and_messages(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(
        make_settings(tmp_path),
        clock,
        [dict(title="[b]DB[/b] down \x1b[31m", severity="SEV-1", impact="all users")],
    )
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        assert board_cell(app, code, "title") == "[b]DB[/b] down [31m"
        clock.advance(2 * 60)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        assert "[b]DB[/b] down [31m" in text_of(app, "#incident-summary")
        ladder = screen.query_one("#ladder-table", DataTable)
        states = [ladder.get_cell_at((row, 4)).plain for row in range(4)]
        assert states[0].startswith("fired at 09:00:00") and states[1].startswith("fired at")
        assert states[2] == "pending · due in 13:00"  # L2 at 15 min

        await pilot.press("t", *"no trace in access log, cannot rule out")
        await pilot.press("tab", "space", "down", "enter", "ctrl+s")  # hypothesis
        await settle(app, pilot)
        await pilot.press("2")
        timeline = screen.query_one("#timeline-table", DataTable)
        last = timeline.get_row_at(timeline.row_count - 1)
        assert [last[1].plain, last[3].plain] == [
            "hypothesis",
            "no trace in access log, cannot rule out",
        ]

        await pilot.press("3", "down", "enter")  # roles: tech lead
        await pilot.press(*"はると", "enter")
        await settle(app, pilot)
        roles = screen.query_one("#roles-table", DataTable)
        assert roles.get_cell("tech_lead", "person").plain == "はると"

        await pilot.press("4")
        assert screen.query_one(TabbedContent).active == "checklists"
        assert "Immediate actions (0–5 min)" in text_of(app, "#phase-line")
        await pilot.press("down", "space")
        await settle(app, pilot)
        checklist = screen.query_one("#checklist-table", DataTable)
        assert checklist.get_cell("sev1-immediate/verify", "item").plain.startswith("  [x]")

        await pilot.press("5")
        text = screen.query_one("#template-text").text
        assert "INC-2026-0001" in text and "Technical Lead: @はると" in text
        assert "[b]DB[/b] down" in text
        await pilot.press("c")  # the message kind is focused: c copies
        assert app.clipboard == text
        await pilot.press("w")
        await settle(app, pilot)
        saved = tmp_path / "data" / "storycart" / "exports" / "INC-2026-0001-declaration.txt"
        assert saved.read_text("utf-8") == text
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)

    # The tick survives a restart.
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("4")
        checklist = app.screen.query_one("#checklist-table", DataTable)
        assert checklist.get_cell("sev1-immediate/verify", "item").plain.startswith("  [x]")


async def test_first_report_guide_lists_whom_to_notify_first(tmp_path):
    app = make_app(tmp_path, lang="ja")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("f")
        assert isinstance(app.screen, CoachDialog)
        text = " ".join(w.render().plain for w in app.screen.query(".coach-point, .coach-notify"))
        assert "SEV-1: L1 オンコールエンジニア、L3 エンジニアリングマネージャー" in text
        assert "痕跡は見つからなかったが、可能性は否定できない" in text


async def test_palette_offers_every_incident_action(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in (
            "Incident board",
            "Declare an incident",
            "Acknowledge incident",
            "Post status update",
            "Resolve incident",
            "Reopen incident",
            "Change severity",
            "Escalate now",
            "Add timeline note",
            "First report guide",
            "Severity matrix",
        ):
            assert title in titles


async def test_a_korean_reader_sees_the_timeline_and_ladder_in_korean(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    seed(settings, clock, [dict(title="결제 장애", severity="SEV-1")])
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("e", "y")  # escalate the next step by hand, long before its time
        await settle(app, pilot)
        screen = app.screen
        ladder = screen.query_one("#ladder-table", DataTable)
        states = [ladder.get_cell_at((row, 4)).plain for row in range(3)]
        assert states[2] == "09:00:00 실행 · 15:00 일찍 (수동)", states
        await pilot.press("2")
        timeline = screen.query_one("#timeline-table", DataTable)
        texts = [timeline.get_row_at(row)[3].plain for row in range(timeline.row_count)]
        assert texts[0] == "SEV-1 선언: 결제 장애"
        assert any("에스컬레이션 3단계 (1회차)" in t and "수동 호출" in t for t in texts), texts
        assert not any("escalation" in t for t in texts), texts


async def test_a_paging_channel_that_fails_shows_on_the_board_until_a_page_gets_through(
    tmp_path,
):
    from app.domain.paging import PagingChannel
    from app.services.incident_service import IncidentService
    from app.services.policy_set import load_policies, policy_sources
    from app.services.policy_versions import PolicyVersions
    from tests.http_receiver import Receiver

    clock = FakeClock(START)
    with Receiver() as receiver:
        hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook")
        settings = make_settings(tmp_path, lang="ja").with_overrides(channels=(hook,))
        database = Database.open(settings.db_url)
        policies = PolicyVersions(database, clock)
        web = load_policies(policy_sources(None)).get("web-service")
        IncidentService(database, clock, policies).declare(web, "検索が遅い", "SEV-4", "ops")
        database.close()  # not fired yet: the app's start-up sweep fires and pages
        receiver.failing = True
        app = StoryCartApp(settings, clock=clock, start_scheduler=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(app, pilot)
            await settle(app, pilot)
            banner = board_of(app).query_one("#paging-broken")
            assert banner.display
            said = text_of(app, "#paging-broken")
            assert said.startswith("呼び出し不能: 呼び出しチャネル hook が "), said
            assert "に失敗しました: 「" in said and "Internal server error" in said, said
            assert said.endswith("」"), said
            receiver.failing = False
            clock.advance(10)  # the retry's pause
            await app.escalations.deliver()
            await settle(app, pilot)
            assert not banner.display
        assert len(receiver.requests) == 2


async def test_an_open_maintenance_window_shows_on_the_board(tmp_path):
    from app.services.watch_service import MaintenanceService

    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    database = Database.open(settings.db_url)
    MaintenanceService(database, clock).start("db-upgrade", timedelta(hours=2), "민지", "db")
    database.close()
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await settle(app, pilot)
        note = text_of(app, "#maintenance")
        assert note.startswith("유지보수 db-upgrade (2026-11-24 ")  # the local end time
        assert "“db”에 해당하는 인테이크 알림이 아무도 호출하지 않음" in note
        clock.advance(timedelta(hours=2))  # the window closes by itself: nothing changed
        banner = board_of(app).query_one("#maintenance")
        await wait_until(pilot, lambda: not banner.display, what="the closed window's banner to go")


async def test_a_maintenance_window_is_started_from_the_palette_by_keyboard(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("ctrl+p", *"유지보수 창")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"db-upgrade", "tab", "tab", *"db", "enter")
        await settle(app, pilot)
        note = text_of(app, "#maintenance")
        assert note.startswith("유지보수 db-upgrade (") and "“db”에 해당하는" in note
