"""kill -9 in the middle of writing a postmortem: the real app in a pseudo-terminal, typing
through the terminal, then SIGKILL; the draft in the database has every character typed up to
the last autosave."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from app.domain.clock import SystemClock
from app.services.postmortem_service import PostmortemService
from storage.database import Database

# Real processes timed from outside: one worker runs them all in turn, so that the clean-exit
# test's six apps and keeper daemon never share the machine with another app's start-up clock.
pytestmark = pytest.mark.xdist_group("real_terminals")


STORYCART = [sys.executable, "-m", "app.cli"]


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        # COLUMNS / LINES (set for a pytest-xdist worker) would override the terminal's size.
        env = {key: value for key, value in env.items() if key not in ("COLUMNS", "LINES")}
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.seen = b""

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    return

    def wait_for(self, text: str, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        marker = text.encode("utf-8")
        while time.monotonic() < end:
            self.drain(0.1)
            if marker in self.seen:
                self.seen = b""
                return
        shown = self.seen[-1500:].decode("utf-8", "replace")
        raise AssertionError(f"{text!r} never appeared on the screen; it last showed {shown!r}")

    def type(self, text: str) -> None:
        for char in text:
            os.write(self.master, char.encode("utf-8"))
            self.drain(0.03)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


def resolved_incident(db: list[str], title: str) -> str:
    """An incident declared and resolved through the CLI (`db`: the --db / --lang flags)."""
    declare = [*STORYCART, "incident", "declare", "--title", title, "--severity", "SEV-2", *db]
    code = subprocess.run(declare, capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([*STORYCART, "incident", "resolve", code, *db], check=True)
    return code


def terminal_env(user: str) -> dict[str, str]:
    """The environment the app runs with in the test's pseudo-terminal."""
    return {
        **os.environ,
        "TEXTUAL_ANIMATIONS": "none",
        "TERM": "xterm-256color",
        "TEXTUAL_DISABLE_KITTY_KEY": "1",
        "STORYCART_USER": user,
    }


def test_kill_9_mid_edit_loses_nothing_saved(tmp_path):
    url = f"sqlite:///{tmp_path / 'pm.db'}"
    db = ["--db", url, "--lang", "ko"]
    code = resolved_incident(db, "결제 장애")
    terminal = Terminal([*STORYCART, *db], terminal_env("민지"))
    try:
        terminal.wait_for(code)  # the board shows the incident's row: it is selected
        terminal.drain(0.5)
        terminal.type("p")
        terminal.wait_for("무슨 일이 있었나")
        terminal.drain(0.5)
        typed = "카드 결제가 실패했다 [b]x[/b] ok"
        terminal.type(typed)
        terminal.drain(1.5)  # past the half-second autosave
    finally:
        terminal.kill()
    database = Database.open(url)
    try:
        draft = PostmortemService(database, SystemClock()).open(code, "ko", "test")
    finally:
        database.close()
    assert draft.postmortem.what == typed
