"""Start a drill from the palette: pick a shipped scenario or a past incident to replay, and the
speed; the drill then runs as its own process on its own database, in this terminal, and the
board comes back when it ends (`storycart drill start` does the same from a shell)."""

from __future__ import annotations

import subprocess
import sys

from textual.app import ComposeResult
from textual.widgets import Select

from app.domain.i18n import Catalog
from app.services.child_process import with_database
from screens.dialogs import Dialog
from widgets.fields import Choice, TextField

SPEEDS = (1, 600)  # slowest and fastest a drill may run


class DrillSetupDialog(Dialog):
    """Dismissed with ("scenario" | "from", key or code, speed) or None."""

    def __init__(self, catalog: Catalog, scenarios, replays) -> None:
        """`scenarios`: (key, title); `replays`: (code, title) of past incidents."""
        super().__init__(catalog, catalog.t("drill.setup_title"))
        self.options = [(title, f"scenario:{key}") for key, title in scenarios]
        self.options += [
            (catalog.t("drill.setup_replay", code=code, title=title), f"from:{code}")
            for code, title in replays
        ]

    def fields(self) -> ComposeResult:
        yield self.label("drill.setup_what")
        yield Choice(self.options, value=self.options[0][1], allow_blank=False, id="drill-what")
        yield self.label("drill.setup_speed")
        yield TextField(value="10", id="drill-speed")

    def hint(self) -> str:
        return self.catalog.t("drill.setup_hint")

    def on_mount(self) -> None:
        self.query_one("#drill-what", Select).focus()

    def action_submit(self) -> None:
        low, high = SPEEDS
        try:
            speed = float(self.value_of("#drill-speed"))
        except ValueError:
            speed = 0
        if not low <= speed <= high:
            self.show_error(self.catalog.t("drill.bad_speed", low=low, high=high))
            return
        kind, _, key = str(self.query_one("#drill-what", Select).value).partition(":")
        self.dismiss((kind, key, speed))


def drill_command(settings, kind: str, key: str, speed: float) -> list[str]:
    """The `storycart drill start` that runs the chosen drill with this app's settings (a
    replay reads its incident from this app's database, and only reads it). The database is
    not on it (a password would show in `ps`): `drill_environment` carries it."""
    command = [sys.executable, "-m", "app.cli", "drill", "start", f"--{kind}", key]
    command += ["--speed", f"{speed:g}", "--lang", settings.lang]
    command += ["--config", str(settings.config_path)]
    return command


def drill_environment(settings) -> dict[str, str]:
    """The drill's environment: this process's, with this app's database."""
    return with_database(settings.db_url)


def run_in_terminal(app, command: list[str]) -> int:
    """The drill in this terminal while the board waits (Textual's suspend)."""
    environment = drill_environment(app.settings)
    with app.suspend():
        return subprocess.run(command, check=False, env=environment).returncode
