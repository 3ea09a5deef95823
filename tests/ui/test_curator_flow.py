"""The curator's view by keyboard in the real app: the summary with its reminders, feedback
marked handled with h, the cart moved with g to a place with its own lens — and the reader of the
story of the week then opens on that lens."""

from __future__ import annotations

from textual.widgets import DataTable

from app.domain.clock import FakeClock
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready

SIZE = (120, 40)


async def test_the_curator_handles_feedback_and_moves_the_cart_to_the_product_lens(tmp_path):
    app = make_app(tmp_path, lang="en", clock=FakeClock(START))
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("ctrl+p", *"Cart feedback")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press(*"More diagrams please", "enter")
        await settle(app, pilot)
        await pilot.press("C")
        await settle(app, pilot)
        summary = text_of(app, "#curator-summary")
        assert "Time for new stories" in summary and "Unhandled feedback: 1" in summary
        assert "not recorded yet" in summary
        feedback = app.screen.query_one("#curator-feedback", DataTable)
        assert str(feedback.get_row_at(0)[3]) == "More diagrams please"
        await pilot.press("h")
        await settle(app, pilot)
        assert "Unhandled feedback: 0" in text_of(app, "#curator-summary")
        assert str(feedback.get_row_at(0)[4]).startswith("✓")
        await pilot.press("g", *"Product area", "enter")
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")  # no lens, engineering, product
        await settle(app, pilot)
        assert "The cart stands at Product area" in text_of(app, "#curator-summary")
        places = app.screen.query_one("#curator-places", DataTable)
        assert [str(c) for c in places.get_row_at(0)[:3:2]] == ["Product area", "Product"]
        await pilot.press("escape", "w")
        await settle(app, pilot)
        assert text_of(app, "#reader-lens-title").startswith("Lens: Product")
