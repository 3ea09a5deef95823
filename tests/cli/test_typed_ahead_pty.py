"""Keys typed ahead through a real terminal: the real app in a pseudo-terminal, and text, a Tab
and more text written to it in one write (what `tmux send-keys " five" Tab " six"` does). Each
part ends up in its own box of the postmortem, and so in the stored draft."""

from __future__ import annotations

import os
import time

import pytest

from app.domain.clock import SystemClock
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.cli.test_postmortem_kill import STORYCART, Terminal, resolved_incident, terminal_env

# Real processes timed from outside: one worker runs them all in turn, so that the clean-exit
# test's six apps and keeper daemon never share the machine with another app's start-up clock.
pytestmark = pytest.mark.xdist_group("real_terminals")


F8 = "\x1b[19~"  # xterm's F8: the postmortem's next section


def stored_mitigation(url: str, code: str) -> tuple[str, str]:
    database = Database.open(url)
    try:
        draft = PostmortemService(database, SystemClock()).open(code, "en", "test").postmortem
    finally:
        database.close()
    return draft.temporary, draft.permanent


def test_text_tab_text_in_one_write_fills_two_boxes(tmp_path):
    url = f"sqlite:///{tmp_path / 'pm.db'}"
    db = ["--db", url, "--lang", "en"]
    code = resolved_incident(db, "Pool exhausted")
    terminal = Terminal([*STORYCART, *db], terminal_env("sam"))
    try:
        terminal.wait_for(code)
        terminal.drain(0.5)
        terminal.type("p")
        terminal.wait_for("What happened")
        terminal.drain(0.5)
        terminal.type(F8 * 8)
        terminal.wait_for("Permanent")
        terminal.drain(0.3)
        # One write, as tmux send-keys or a slow SSH link delivers it.
        os.write(terminal.master, b"Rolled back\tPool size check in CI")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(stored_mitigation(url, code)):
            terminal.drain(0.2)  # the draft saves itself half a second after the last key
    finally:
        terminal.kill()
    assert stored_mitigation(url, code) == ("Rolled back", "Pool size check in CI")
