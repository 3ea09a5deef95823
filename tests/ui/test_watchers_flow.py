"""Who fires escalations, as the board shows it, and the question before the last watcher
quits while incidents are open: stay, quit anyway, or start `storycart daemon` in the
background (a real process, whose watcher row appears before the board goes)."""

from __future__ import annotations

import os
import signal
import socket

from app.domain.clock import FakeClock, SystemClock
from app.services.watchers import ProcessIdentity, WatcherService
from screens.quit_dialog import QuitDialog
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, wait_ready, wait_until

HOST = socket.gethostname()


def watcher_line(app):
    return app.screen_stack[0].query_one("#watcher-line")


# The watcher line and the quit dialog follow real processes and real timers: generous deadlines.
PATIENCE = 30.0


def another_watcher(tmp_path, clock, kind="daemon", host="team-server"):
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        watchers = WatcherService(database, clock)
        return watchers.start(ProcessIdentity(kind, host, 4242, "ops"))
    finally:
        database.close()


async def test_the_board_says_who_fires_escalations_and_warns_in_red_when_nobody_does(tmp_path):
    clock = FakeClock(START)
    app = make_app(tmp_path, clock=clock)
    async with app.run_test() as pilot:
        await wait_ready(app, pilot)
        line = watcher_line(app)
        assert line.text == "escalations: this board" and not line.has_class("-nobody")

        another_watcher(tmp_path, clock)
        app.screen_stack[0].load_watchers()
        await wait_until(pilot, lambda: "team-server" in line.text, timeout=PATIENCE)
        assert line.text == "escalations: this board · daemon on team-server, just now"
        clock.advance(2)
        # The board's one-second tick redraws the age.
        await wait_until(pilot, lambda: line.text.endswith("2 s ago"), timeout=PATIENCE)
        assert line.text.endswith("daemon on team-server, 2 s ago")

        clock.advance(120)  # no sweep for two minutes, and the daemon's last pass is old
        await app.engine.make_pass()
        await wait_until(pilot, lambda: line.has_class("-nobody"), timeout=PATIENCE)
        assert line.text.startswith("Nobody fires escalations")

        await app.escalations.sweep_now()  # this board sweeps again: its next pass is healthy
        await app.engine.make_pass()
        await wait_until(pilot, lambda: line.text == "escalations: this board", timeout=PATIENCE)
        assert not line.has_class("-nobody")


def _open_incident(tmp_path, clock) -> str:
    settings = make_settings(tmp_path)
    return seed(settings, clock, [dict(title="Checkout is down", severity="SEV-1")])[0]


async def test_quitting_the_last_watcher_asks_and_stays_or_quits_anyway(tmp_path):
    clock = FakeClock(START)
    code = _open_incident(tmp_path, clock)
    app = make_app(tmp_path, clock=clock)
    async with app.run_test() as pilot:
        await wait_ready(app, pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), timeout=PATIENCE)
        said = app.screen.query_one("#quit-said").render().plain
        assert "Open incidents that will not page: 1." in said
        assert f"Next step due: {code} step 3, round 1 (L2 tech lead)" in said
        assert "in 15 min" in said and "daemon.log" in said
        await pilot.press("s")  # stay
        await wait_until(pilot, lambda: not isinstance(app.screen, QuitDialog), timeout=PATIENCE)
        assert app.is_running

        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), timeout=PATIENCE)
        await pilot.press("q")  # quit anyway
        await wait_until(pilot, lambda: not app.is_running, timeout=PATIENCE)
    database = Database.open(make_settings(tmp_path).db_url)
    try:  # the board said it stopped watching as it went
        assert WatcherService(database, clock).current() == []
    finally:
        database.close()


async def test_quitting_while_another_watcher_is_there_does_not_ask(tmp_path):
    clock = FakeClock(START)
    _open_incident(tmp_path, clock)
    another_watcher(tmp_path, clock)
    app = make_app(tmp_path, clock=clock)
    async with app.run_test() as pilot:
        await wait_ready(app, pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, timeout=PATIENCE)


async def test_start_the_daemon_and_quit_leaves_a_daemon_watching(tmp_path):
    clock = FakeClock(START)
    _open_incident(tmp_path, clock)
    app = make_app(tmp_path, clock=clock)
    async with app.run_test() as pilot:
        await wait_ready(app, pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), timeout=PATIENCE)
        await pilot.press("d")
        await wait_until(pilot, lambda: not app.is_running, timeout=60)
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        watchers = WatcherService(database, SystemClock())
        (daemon,) = [w for w in watchers.current() if w.kind == "daemon"]
        assert daemon.host == HOST and daemon.pid != os.getpid()
        os.kill(daemon.pid, signal.SIGTERM)
        os.waitpid(daemon.pid, 0)  # the board started it: this process reaps it
        assert [w for w in watchers.current() if w.kind == "daemon"] == []  # a clean exit
        log = tmp_path / "data" / "storycart" / "daemon.log"
        assert log.exists() and oct(log.stat().st_mode & 0o777) == "0o600"
    finally:
        database.close()


async def test_a_key_file_others_may_read_is_said_on_the_board_and_pages_still_go(tmp_path):
    """Pages carry acknowledge links ([intake] public_url) made with ack.secret; when nobody but
    its owner may read it is not true, the board says so in one sentence (pages go out with the
    command to acknowledge, never not at all)."""
    config = tmp_path / "config.toml"
    config.write_text('[intake]\npublic_url = "https://oncall.example.org"\n', "utf-8")
    secret = tmp_path / "ack.secret"
    secret.write_text("k" * 64 + "\n", "utf-8")
    secret.chmod(0o644)
    app = make_app(tmp_path, config=str(config))
    async with app.run_test() as pilot:
        await wait_ready(app, pilot)
        said = [n.message for n in app._notifications if n.severity == "error"]
        assert any(str(secret) in message for message in said), said
        assert app.engine.bridge.deliverer.links is None
