"""The regulatory duty by keyboard: R on a data incident decides "not required" (who decided is
recorded); its roles include legal / compliance; the roles tab says what each role does."""

from __future__ import annotations

from app.domain.clock import FakeClock
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, settle, stored, text_of, wait_ready

SIZE = (140, 40)


async def test_r_decides_that_no_report_is_required(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    (code,) = seed(
        settings,
        clock,
        [dict(title="로그에 이메일 노출", severity="P1", type_key="data", policy="ai-ops")],
    )
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # not required
        await settle(app, pilot)
        await pilot.press("3")  # roles: ai-ops adds legal / compliance (seed 001 §2-1)
        await settle(app, pilot)
        roles = app.screen.query_one("#roles-table")
        assert str(roles.get_row_at(roles.row_count - 1)[0]) == "법무/컴플라이언스"
    record = stored(tmp_path, code).record
    assert (record.report_duty, record.report_decided_by) == ("not_required", settings.user)


async def test_the_roles_tab_says_what_each_role_does(tmp_path):
    clock = FakeClock(START)
    seed(make_settings(tmp_path, lang="ja"), clock, [dict(title="決済API障害", severity="SEV-1")])
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        app.screen.query_one("#roles-table").focus()
        await pilot.press("down")
        await settle(app, pilot)
        duties = text_of(app, "#role-duties")
        assert duties.startswith("テクニカルリード: 技術的な診断と解決。"), duties
        assert "復旧手順の実行" in duties
