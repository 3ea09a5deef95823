"""The DRILL banner on top of every screen while a drill runs: what is being played, at which
speed, the drill clock, the keys, and the latest thing the team was told. The app publishes the
text; the banner shows it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class DrillBanner(Static):
    def on_mount(self) -> None:
        drills = self.app.drills
        self.show(drills.banner)
        drills.banner_changed.subscribe(self, self.show)

    def show(self, text: str) -> None:
        self.update(Content(text))
