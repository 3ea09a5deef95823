"""A start draws the board's incidents in its first frame, before its database services are
open (what a cold start spends most of its first second on): read by the first look, then
read again by the board itself, with nothing on screen changing."""

from __future__ import annotations

import threading

from app.domain.clock import FakeClock
from app.services.bundle import Services
from tests.conftest import make_settings
from tests.ui.helpers import (
    START,
    board_of,
    make_app,
    notices,
    seed,
    stored,
    text_of,
    wait_ready,
    wait_until,
)
from widgets.board_table import BoardTable

SIZE = (140, 40)


def hold_services(monkeypatch) -> threading.Event:
    """Services.open waits until the returned event is set (at most 30 s)."""
    may_open = threading.Event()
    open_services = Services.open.__func__

    def held_open(cls, *args, **kwargs):
        may_open.wait(30)
        return open_services(cls, *args, **kwargs)

    monkeypatch.setattr(Services, "open", classmethod(held_open))
    return may_open


async def test_the_incidents_are_on_screen_before_the_database_is_open(tmp_path, monkeypatch):
    clock = FakeClock(START)
    codes = seed(
        make_settings(tmp_path),
        clock,
        [
            dict(title="결제 승인 지연", severity="SEV-1"),
            dict(title="ログイン障害", severity="SEV-2"),
            dict(title="Search results stale", severity="SEV-3"),
        ],
    )
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path, clock=clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = board_of(app)
            table = board.query_one(BoardTable)
            assert app.services is None and not board.loaded  # nothing read through them yet
            assert table.row_count == 3
            first = {code: table.row(code).cells for code in codes}
            assert table.cell_text(codes[0], "title") == "결제 승인 지연"
            assert table.cell_text(codes[1], "title") == "ログイン障害"
            may_open.set()
            await wait_ready(app, pilot)
            assert board.loaded and table.row_count == 3
            assert {code: table.row(code).cells for code in codes} == first
    finally:
        may_open.set()


async def test_a_quiet_board_says_so_before_the_database_is_open(tmp_path, monkeypatch):
    seed(make_settings(tmp_path), FakeClock(START), [])
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path)
    try:
        async with app.run_test(size=SIZE):
            board = board_of(app)
            assert app.services is None
            assert board.query_one("#board-empty").display
            assert "No active incidents" in text_of(app, "#board-empty")
    finally:
        may_open.set()


async def test_a_key_pressed_before_the_database_is_open_is_carried_out_once_it_is(
    tmp_path, monkeypatch
):
    """`a` on the first look's top row, while the services are still held: nothing refused;
    once they open, that incident is acknowledged, by this user, and the board says so."""
    clock = FakeClock(START)
    first, second = seed(
        make_settings(tmp_path),
        clock,
        [
            dict(title="결제 승인 지연", severity="SEV-1"),
            dict(title="ログイン障害", severity="SEV-2"),
        ],
    )
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path, clock=clock)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            table = board_of(app).query_one(BoardTable)
            assert app.services is None and table.selected_code() == first
            await pilot.press("a")
            assert app.services is None  # the key was taken while the database was closed
            may_open.set()
            await wait_ready(app, pilot)
            await wait_until(
                pilot, lambda: table.cell_text(first, "ack").startswith("✓"), what="the ack"
            )
            assert not table.cell_text(second, "ack").startswith("✓")
            assert "The database is still opening" not in await notices(app, pilot)
    finally:
        may_open.set()
    view = stored(tmp_path, first)
    assert view.record.acknowledged_at is not None
    assert any(entry.kind == "acknowledged" for entry in view.timeline)
