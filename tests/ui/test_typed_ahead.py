"""Keys typed ahead arrive in one burst (a fast typist, `tmux send-keys`, a slow SSH link): each
key goes to the field that has focus when the key's turn comes, in order, never to the field
that had focus when the burst arrived."""

from __future__ import annotations

from textual.events import Paste
from textual.widgets import TextArea

from tests.ui.burst import send_burst
from tests.ui.helpers import make_app, settle, stored, wait_ready
from tests.ui.test_postmortem_flow import SIZE, resolved_incident


async def mitigation_boxes(pilot, app) -> tuple[TextArea, TextArea]:
    """The postmortem of a resolved incident open on its mitigation section (the 9th)."""
    await wait_ready(app, pilot)
    await pilot.press("p")
    await settle(app, pilot)
    await pilot.press(*["f8"] * 8)
    temporary = app.screen.query_one("#pm-temporary", TextArea)
    assert app.focused is temporary
    return temporary, app.screen.query_one("#pm-permanent", TextArea)


async def test_a_tab_typed_ahead_in_a_text_box_moves_on_before_the_next_words(tmp_path):
    clock, _code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        temporary, permanent = await mitigation_boxes(pilot, app)
        await send_burst(app, pilot, *"Rolled back", "tab", *"Pool size check in CI")
        assert temporary.text == "Rolled back"
        assert permanent.text == "Pool size check in CI"


async def test_a_paste_after_a_tab_typed_ahead_lands_in_the_next_box(tmp_path):
    clock, _code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        temporary, permanent = await mitigation_boxes(pilot, app)
        await send_burst(app, pilot, Paste("수동 갱신"), "tab", Paste("自動更新\nin CI"))
        assert (temporary.text, permanent.text) == ("수동 갱신", "自動更新\nin CI")


async def test_a_whole_declaration_typed_ahead_from_the_board(tmp_path):
    """`n`, the title, the severity list opened and chosen, the impact and Enter, all sent
    before the dialog has even opened: every key lands where it would typed slowly."""
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await send_burst(
            app,
            pilot,
            "n",
            *"결제 API 장애",
            *("tab", "space", "down", "down", "enter"),
            *("tab", "tab", *"카드 결제 실패 12%", "enter"),
        )
        await settle(app, pilot)
        assert app.screen.name == "board"
    view = stored(tmp_path, "INC-2026-0001")
    assert (view.record.title, view.record.severity) == ("결제 API 장애", "SEV-2")
    assert view.record.impact == "카드 결제 실패 12%"
