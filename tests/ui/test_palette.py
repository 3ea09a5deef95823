"""The command palette speaks the reader's language, Textual's own entries included."""

from __future__ import annotations

from textual.command import CommandInput, CommandPalette

from tests.ui.helpers import make_app, palette_hit, settle, wait_ready, wait_until

SIZE = (120, 40)
TEXTUAL_ENGLISH = {"Theme", "Quit", "Keys", "Screenshot", "Maximize", "Minimize"}


async def test_a_korean_palette_has_no_english_entries_and_its_screenshot_works(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"테마", "종료", "키 패널", "스크린샷"} <= titles
        assert not titles & TEXTUAL_ENGLISH
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "명령 검색…"
        await pilot.press(*"스크린샷")
        await wait_until(pilot, palette_hit(app, "스크린샷"), what="the screenshot command's hit")
        await pilot.press("enter")
        exports = tmp_path / "data" / "storycart" / "exports"
        await wait_until(
            pilot, lambda: any(exports.glob("*.svg")), what="the screenshot in the exports folder"
        )
        await settle(app, pilot)
        shots = list(exports.glob("*.svg"))
        assert len(shots) == 1 and "INC" not in shots[0].name
        assert "<svg" in shots[0].read_text("utf-8")


async def test_the_theme_picker_asks_in_japanese(tmp_path):
    app = make_app(tmp_path, lang="ja")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"テーマ")
        await wait_until(pilot, palette_hit(app, "テーマ"), what="the theme command's hit")
        await pilot.press("enter")
        await wait_until(  # the theme picker is a second palette, asking its own question
            pilot,
            lambda: (
                isinstance(app.screen, CommandPalette)
                and app.screen.query_one(CommandInput).placeholder != "コマンドを検索…"
            ),
            what="the theme picker",
        )
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == "テーマを検索…"
