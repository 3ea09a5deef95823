"""Who is on call, in the real app: the palette's "Who's on call" lists each level's person,
contact and handover, and the first-report guide names the person beside the ladder target —
with seed 002's "do not act alone" point."""

from __future__ import annotations

from textual.widgets import DataTable

from app.domain.clock import FakeClock
from app.domain.roster import parse_roster
from app.tui import StoryCartApp
from tests.conftest import make_settings
from tests.ui.helpers import START, settle, text_of, wait_ready

SIZE = (120, 40)
ROSTER = {
    "people": {
        "minji": {"name": "민지", "contact": "010-1234-5678"},
        "haruto": {"name": "はると", "contact": "@haruto"},
    },
    "levels": {
        "L1 on-call engineer": {
            "rotation": ["haruto", "minji"],
            "start": "2026-11-16T01:00+00:00",
        }
    },
}


def app_with_roster(tmp_path, lang: str) -> StoryCartApp:
    settings = make_settings(tmp_path, lang=lang).with_overrides(roster=parse_roster(ROSTER))
    return StoryCartApp(settings, clock=FakeClock(START), start_scheduler=False)


async def test_whos_on_call_from_the_palette(tmp_path):
    app = app_with_roster(tmp_path, "ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("ctrl+p", *"지금 당번")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.screen.query_one("#oncall-table", DataTable)
        row = [str(getattr(cell, "plain", cell)) for cell in table.get_row_at(0)]
        # START is Tuesday 2026-11-24: the second week of the rotation, minji's.
        assert row == ["L1 on-call engineer", "민지", "010-1234-5678", "2026-11-30 01:00 UTC"]


async def test_the_first_report_guide_names_who_to_call(tmp_path):
    app = app_with_roster(tmp_path, "ja")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        notify = text_of(app, ".coach-notify")
        assert "L1 オンコールエンジニア → 민지 (010-1234-5678)" in notify, notify
        points = " ".join(p.render().plain for p in app.screen.query(".coach-point"))
        assert "一人で暴走しない" in points


async def test_a_minor_incident_gets_no_care_card_a_published_hard_one_does(tmp_path):
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from app.services.postmortem_service import PostmortemService
    from storage.database import Database
    from tests.postmortem_helpers import complete_postmortem
    from tests.ui.helpers import make_app, seed

    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ja")
    minor, hard = seed(
        settings,
        clock,
        [dict(title="誤字", severity="SEV-4"), dict(title="決済API障害", severity="SEV-2")],
    )
    database = Database.open(settings.db_url)
    IncidentService(database, clock, PolicyVersions(database, clock)).resolve(hard, "はると")
    complete_postmortem(
        PostmortemService(database, clock), hard, "はると", "ja", status="in_review"
    )
    database.close()
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        app.screen_stack[0].select_code(minor)
        await pilot.press("r", "enter")
        await settle(app, pilot)
        assert not app.screen.query("#care-system")  # a SEV-4: no card
        app.screen_stack[0].select_code(hard)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"ポストモーテムを公開")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert "人のミスを見逃すシステム" in text_of(app, "#care-system")
