"""A database password never reaches a child's command line: the daemon the board starts from
its quit question (a real process on the suite's PostgreSQL server, found by its watcher row)
and the drill started from the palette get the database through STORYCART_DB, and read it as
the same database the app had."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from types import SimpleNamespace

from app.cli.main import _settings, build_parser
from app.domain.clock import SystemClock
from app.services.daemon_process import daemon_command, start_daemon
from app.services.watchers import WatcherService
from screens.drill_setup import drill_command, drill_environment
from storage.database import Database
from tests.storage.test_backup_secrets import PASSWORD, command_lines, with_password

URL = f"postgresql+psycopg://alice:{PASSWORD}@db.example.org:5432/oncall"


def settings_of(command: list[str], environment: dict[str, str], monkeypatch):
    """The settings the child would read: its arguments, parsed as `storycart` parses them,
    in its environment."""
    args = build_parser().parse_args(command[3:])  # after `python -m app.cli`
    monkeypatch.setattr(os, "environ", environment)
    return _settings(args)


def test_the_drill_is_started_without_the_password_on_its_command_line(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('db = "sqlite:///elsewhere.db"\n', "utf-8")
    app_settings = SimpleNamespace(db_url=URL, lang="ko", config_path=config)
    command = drill_command(app_settings, "scenario", "payments-api", 30)
    environment = drill_environment(app_settings)
    assert not [word for word in command if PASSWORD in word]
    assert environment["STORYCART_DB"] == URL
    child = settings_of(command, environment, monkeypatch)
    assert child.db_url == URL and child.lang == "ko"  # above the config file's database


def test_the_daemon_started_from_the_board_shows_no_password(postgres_server, tmp_path):
    url = with_password(postgres_server.fresh_database())
    database = Database.open(url)
    log = tmp_path / "daemon.log"
    process = start_daemon(daemon_command(None, "ja"), log, url)
    try:
        watchers = WatcherService(database, SystemClock())
        deadline = time.monotonic() + 60
        while not [w for w in watchers.current() if w.pid == process.pid]:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the daemon never said it watches"
            time.sleep(0.1)
        mine = (Path("/proc") / str(process.pid) / "cmdline").read_bytes().decode()
        assert "daemon" in mine and PASSWORD not in mine
        assert not [line for line in command_lines() if PASSWORD in line]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        database.close()
