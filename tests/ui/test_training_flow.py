"""Training checklists through the real app: opened from the palette, an item recorded as done
with `d` (green, counted, stored), a person added with `a`, in Japanese."""

from __future__ import annotations

from app.domain.clock import FakeClock
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready


async def test_training_is_recorded_from_the_keyboard(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "佐藤")
    app = make_app(tmp_path, lang="ja", clock=FakeClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "研修チェックリスト" in titles
        app.action_show_training()
        await settle(app, pilot)
        assert app.screen.name == "training"
        table = app.screen.query_one("#training-table")
        assert table.row_count == 7  # the user's own seven items
        assert text_of(app, "#training-summary").startswith("7 件中 0 件完了")
        await pilot.press("down", "down", "down", "down", "d")  # quarterly/tabletop
        await settle(app, pilot)
        assert text_of(app, "#training-summary").startswith("7 件中 1 件完了")
        row = [str(cell) for cell in table.get_row_at(4)]
        assert row[:3] == [
            "佐藤",
            "定期研修（四半期ごと）",
            "インシデントシミュレーション（机上訓練）",
        ]
        assert row[3] == "2026-11-24 09:00 UTC"
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press(*"田中", "enter")
        await settle(app, pilot)
        assert table.row_count == 14
        assert text_of(app, "#training-summary").startswith("14 件中 1 件完了")
    (stored,) = [s for s in app.services.training.states() if s.current]
    assert (stored.person, stored.item.ref) == ("佐藤", "quarterly/tabletop")
