"""The incident screen in Korean and Japanese (issue 31): the declaration message's hints for
what the incident does not know yet are in the reader's words ([영향], [影響]), and the checklist
names the war room's channel, filled."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable

from app.domain.clock import FakeClock
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, settle, wait_ready

SIZE = (120, 40)


@pytest.mark.parametrize(
    ("lang", "hints"),
    [("ko", ["[영향]", "[테크니컬 리드]"]), ("ja", ["[影響]", "[テクニカルリード]"])],
)
async def test_the_declaration_message_hints_in_the_readers_language(tmp_path, lang, hints):
    clock = FakeClock(START)
    seed(make_settings(tmp_path, lang=lang), clock, [dict(title="결제 장애", severity="SEV-1")])
    app = make_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        text = app.screen.query_one("#template-text").text
        assert all(hint in text for hint in hints), text
        assert re.findall(r"\[[A-Za-z_ ]+\]", text) == []  # no [impact], no [tech_lead]
        await pilot.press("4")
        await settle(app, pilot)
        table = app.screen.query_one("#checklist-table", DataTable)
        items = [table.get_row_at(row)[0].plain for row in range(table.row_count)]
        assert any("#incident-2026" in item for item in items)
        assert not any("{" in item for item in items)
