"""A start draws the board's incidents in its first frame, before its database services are
open (what a cold start spends most of its first second on): read by the first look, then
read again by the board itself, with nothing on screen changing."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading

from app.domain.clock import FakeClock
from app.services.bundle import Services
from app.services.first_look import look_in_a_child
from app.services.policy_set import load_policies, policy_sources
from app.tui import StoryCartApp
from screens.board import BoardScreen
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


async def unchanged_by_the_boards_own_read(app, pilot, may_open, first: dict) -> None:
    """The services open and the board reads for itself: the same rows, cell for cell."""
    may_open.set()
    await wait_ready(app, pilot)
    table = board_of(app).query_one(BoardTable)
    assert board_of(app).loaded and table.row_count == len(first)
    assert {code: table.row(code).cells for code in first} == first


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
            await unchanged_by_the_boards_own_read(app, pilot, may_open, first)
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


async def test_the_team_servers_incidents_come_before_the_database_is_open(
    tmp_path, monkeypatch, postgres_server
):
    """On PostgreSQL the look is taken in a thread just after the first frame (a server may be
    far away or down, so it never holds that frame): the incidents still come long before the
    services are open, and the board's own read changes nothing on screen."""
    clock = FakeClock(START)
    settings = make_settings(tmp_path).with_overrides(db_url=postgres_server.migrated_database())
    titles = ["결제 승인 지연", "ログイン障害"]
    codes = seed(settings, clock, [dict(title=title, severity="SEV-2") for title in titles])
    may_open = hold_services(monkeypatch)
    app = StoryCartApp(settings, clock=clock, start_scheduler=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = board_of(app)
            table = board.query_one(BoardTable)
            await wait_until(pilot, lambda: table.row_count == 2, what="the first look's rows")
            assert app.services is None and not board.loaded  # nothing read through them yet
            assert [table.cell_text(code, "title") for code in codes] == titles
            first = {code: table.row(code).cells for code in codes}
            await unchanged_by_the_boards_own_read(app, pilot, may_open, first)
    finally:
        may_open.set()


async def test_a_server_that_does_not_answer_never_holds_the_first_frame(tmp_path, monkeypatch):
    """A team server that takes the connection and says nothing (far away, overloaded): the
    board is on screen while the look still waits for it, in its own thread."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    taken: list[socket.socket] = []
    answered = threading.Event()

    def take_and_say_nothing() -> None:
        with contextlib.suppress(OSError):
            while not answered.is_set():
                taken.append(listener.accept()[0])

    threading.Thread(target=take_and_say_nothing, daemon=True).start()
    url = f"postgresql+psycopg://oncall@127.0.0.1:{port}/storycart"
    settings = make_settings(tmp_path).with_overrides(db_url=url)
    may_open = hold_services(monkeypatch)
    app = StoryCartApp(settings, clock=FakeClock(START), start_scheduler=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: taken, what="the look's connection")
            looking = [w for w in app.screen.workers if w.group == "first-look"]
            assert looking and looking[0].is_running  # the look waits; the board is drawn
            assert isinstance(app.screen, BoardScreen) and app.screen.is_mounted
            assert "Incident board" in text_of(app, "#screen-title")
            # Nothing read yet: the board does not know how many are open, and does not guess.
            assert text_of(app, "#board-summary") == "Opening the database…"
            refuse(listener, answered, taken)  # the look gives up: nothing, the board reads
            await wait_until(pilot, lambda: not looking[0].is_running, what="the look's end")
            assert board_of(app).query_one(BoardTable).row_count == 0
            may_open.set()  # the services find nobody there either, at once
    finally:
        refuse(listener, answered, taken)
        may_open.set()


def refuse(listener, answered: threading.Event, taken: list) -> None:
    """The silent server goes away: what it took is closed, and new connections are refused
    (shutting the listener down also wakes its accept)."""
    answered.set()
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    for connection in taken:
        connection.close()


async def test_a_cold_start_takes_the_team_servers_look_in_a_child_into_its_first_frame(
    tmp_path, monkeypatch, postgres_server
):
    """`storycart` on PostgreSQL forks the look before Textual loads (psycopg's import and the
    round trips on another core); done by the first frame, its incidents are in that frame, with
    no look left to take after it, and the board's own read changes nothing."""
    clock = FakeClock(START)
    settings = make_settings(tmp_path).with_overrides(db_url=postgres_server.migrated_database())
    titles = ["결제 승인 지연", "ログイン障害"]
    codes = seed(settings, clock, [dict(title=title, severity="SEV-1") for title in titles])
    policies = load_policies(policy_sources(settings.policy_dir, settings.policy_files))
    with monkeypatch.context() as cold:
        cold.delitem(sys.modules, "psycopg")  # as in a process that has not imported it yet
        cold.setattr(threading, "active_count", lambda: 1)  # this test process may have some
        look = look_in_a_child(settings.db_url, clock, policies)
    assert look is not None and look.ready(within_s=30)
    may_open = hold_services(monkeypatch)
    app = StoryCartApp(
        settings, clock=clock, policies=policies, start_scheduler=False, server_look=look
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            board = board_of(app)
            table = board.query_one(BoardTable)
            assert app.services is None and table.row_count == 2
            assert not [w for w in board.workers if w.group == "first-look"]
            assert [table.cell_text(code, "title") for code in codes] == titles
            first = {code: table.row(code).cells for code in codes}
            await unchanged_by_the_boards_own_read(app, pilot, may_open, first)
    finally:
        may_open.set()


async def test_a_screen_asked_for_before_the_database_is_open_follows_once_it_is(
    tmp_path, monkeypatch
):
    """`M` on the first look, while the services are held: not refused; the metrics screen
    comes once they open, with the incident's figures."""
    from screens.metrics import MetricsScreen

    seed(
        make_settings(tmp_path), FakeClock(START), [dict(title="결제 승인 지연", severity="SEV-1")]
    )
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("M")
            assert app.services is None and isinstance(app.screen, BoardScreen)
            may_open.set()
            await wait_ready(app, pilot)
            await wait_until(pilot, lambda: isinstance(app.screen, MetricsScreen), what="metrics")
            assert "The database is still opening" not in await notices(app, pilot)
    finally:
        may_open.set()


async def test_a_screen_asked_for_and_then_left_is_not_pushed_over_the_next(tmp_path, monkeypatch):
    """`M`, then `?` before the database opens: the help stays, with no metrics over it."""
    from screens.help import HelpScreen
    from screens.metrics import MetricsScreen

    seed(make_settings(tmp_path), FakeClock(START), [dict(title="ログイン障害", severity="SEV-2")])
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("M", "question_mark")
            assert app.services is None and isinstance(app.screen, HelpScreen)
            may_open.set()
            await wait_ready(app, pilot)  # the services are handed over, and what waited done
            assert isinstance(app.screen, HelpScreen)
            assert not any(isinstance(screen, MetricsScreen) for screen in app.screen_stack)
    finally:
        may_open.set()


async def test_an_incident_declared_before_the_database_is_open_is_declared_once_it_is(
    tmp_path, monkeypatch
):
    """`n` on the first look opens the dialog at once; the declaration typed and sent while
    the services are held is made once they open, and shown on the board."""
    from screens.declare_dialog import DeclareDialog

    seed(make_settings(tmp_path), FakeClock(START), [dict(title="ログイン障害", severity="SEV-2")])
    may_open = hold_services(monkeypatch)
    app = make_app(tmp_path)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("n")
            assert app.services is None and isinstance(app.screen, DeclareDialog)
            await pilot.press(*"결제 API 장애", "tab", "space", "down", "enter", "enter")  # SEV-1
            assert app.services is None and isinstance(app.screen, BoardScreen)
            may_open.set()
            await wait_ready(app, pilot)
            table = board_of(app).query_one(BoardTable)
            await wait_until(pilot, lambda: table.row_count == 2, what="the declared incident")
            assert table.cell_text("INC-2026-0002", "title") == "결제 API 장애"
            assert "The database is still opening" not in await notices(app, pilot)
    finally:
        may_open.set()
