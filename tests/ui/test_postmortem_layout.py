"""The postmortem's lists laid out for 80x24 first: the text column keeps its room in the edit
row, and the table is never wider than its pane (short columns shrink, their words end in
"…", a Korean character is never cut in half)."""

from __future__ import annotations

import pytest

from tests.ui.helpers import make_app, settle, wait_ready, wait_until
from tests.ui.test_postmortem_flow import resolved_incident

TEXT_ROOM = 16  # cells the text column keeps (widgets.column_widths)
# Presses of F8 from the summary, and the list's text column.
LISTS = {"timeline": (2, "text"), "actions": (9, "title")}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("lang", ["ko", "en"])
async def test_the_lists_fit_their_pane_and_the_text_keeps_its_room(tmp_path, size, lang):
    clock, _code = resolved_incident(tmp_path, lang)
    app = make_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=size) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        done = 0
        for name, (steps, text) in LISTS.items():
            for _ in range(steps - done):
                await pilot.press("f8")
            done = steps
            await pilot.press("ctrl+n")  # a row to edit (the timeline has some already)
            editor = app.screen.query_one(f"#pm-{name}")
            field = app.screen.query_one(f"#pm-{name}-{text}")
            await wait_until(  # laid out for the pane's width once it has one (on_resize)
                pilot,
                lambda editor=editor, field=field: (
                    field.region.width >= TEXT_ROOM
                    and editor.table.virtual_size.width <= editor.table.region.width
                ),
                what=f"the {name} list laid out for its pane",
            )
            assert field.region.width >= TEXT_ROOM, (name, field.region.width)
            fields = [f.region for f in editor.query(".list-field")]
            assert max(r.right for r in fields) <= editor.region.right, name
            table = editor.table
            assert table.virtual_size.width <= table.region.width, (
                name,
                table.virtual_size.width,
                table.region.width,
            )
