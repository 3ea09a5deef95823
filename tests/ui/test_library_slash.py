"""The library's documented `/` (README: "Search field"): it moves to the search box from the
list and never becomes the first character of a query, so a search is not silently emptied."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from tests.ui.helpers import make_app, settle, text_of, wait_ready
from tests.ui.test_story_flow import searched

SIZE = (120, 40)


async def test_slash_in_the_empty_search_box_types_nothing(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        search = app.screen.query_one("#library-search", Input)
        assert app.focused is search
        await pilot.press("slash", *"인증")
        await searched(app, pilot, "인증")
        assert search.value == "인증"
        assert text_of(app, "#library-count") == "스토리 6개 중 1개"


async def test_slash_from_the_list_goes_to_the_search_box_and_keeps_the_query(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press(*"인증")
        await searched(app, pilot, "인증")
        await pilot.press("enter")  # to the list
        assert app.focused is app.screen.query_one("#library-table", DataTable)
        await pilot.press("slash")
        search = app.screen.query_one("#library-search", Input)
        assert app.focused is search
        assert (search.value, search.selection.is_empty) == ("인증", True)
        await pilot.press("slash", "x")  # inside a query "/" is an ordinary character
        assert search.value == "인증/x"


async def test_the_follow_ups_filter_takes_slash_the_same_way(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("F")
        await settle(app, pilot)
        await pilot.press("slash", "slash")  # the second one lands in the focused, empty filter
        box = app.screen.query_one("#follow-ups-filter", Input)
        assert (app.focused, box.value) == (box, "")
