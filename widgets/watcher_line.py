"""Who fires escalations, in one line under the board's summary: "escalations: this board ·
daemon on team-server, 2 s ago", or, in red, that nobody does (a silent pager is the worst
failure). Redrawn only when its text changes."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from app.domain.textsafe import printable


class WatcherLine(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[str, bool] | None = None

    def show(self, text: str, nobody: bool) -> None:
        if (text, nobody) == self._shown:
            return
        self._shown = (text, nobody)
        self.update(Content(printable(text)))
        self.set_class(nobody, "-nobody")

    @property
    def text(self) -> str:
        return self._shown[0] if self._shown else ""

    @property
    def nobody(self) -> bool:
        return bool(self._shown and self._shown[1])
