"""The app's part in presence: every PRESENCE_SECONDS (and at once when the user opens an
incident, moves to another postmortem section or starts typing) it says where it is, and shows
the screen who else is at the same place. Another laptop's presence arriving by NOTIFY is only
read, never answered with a write (that would echo between laptops forever). The App holds one
(`app.presence`)."""

from __future__ import annotations

import contextlib
import uuid
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

PRESENCE_SECONDS = 5.0


class PresenceBeat:
    """Needs the App's `services` and `settings`; asks the screen on top for its
    `presence_place()` and tells it `show_presence(companions)`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.client = ""
        # Not exclusive: a cancelled worker makes anyone waiting for the app's workers fail,
        # and a read or a beat is cheap; the busy flag keeps beats from piling up behind a
        # slow server.
        self._beating = False

    def start(self) -> None:
        self.client = uuid.uuid4().hex
        self.app.set_interval(PRESENCE_SECONDS, self.tick)
        self.app.changes.subscribe(self.app, lambda changes: changes.presence and self.reread())
        self.tick()

    def _where(self) -> tuple[str, str, bool]:
        app = self.app
        if not app.screen_stack:  # quitting while the start-up sweep still ran
            return ("board", "", False)
        where = getattr(app.screen, "presence_place", None)
        return where() if where is not None else ("board", "", False)

    def tick(self) -> None:
        if self.app.services is not None and self.client and not self._beating:
            self._beating = True
            self.app.run_worker(
                partial(self._say_where, *self._where()),
                thread=True,
                exit_on_error=False,
                group="presence",
            )

    def _say_where(self, place: str, section: str, editing: bool) -> None:
        presence = self.app.services.presence
        user = self.app.settings.user
        try:
            companions = presence.here(self.client, user, place, section, editing)
        finally:
            self._beating = False
        self.app.call_later(self._seen, place, companions)

    def reread(self) -> None:
        """Someone else moved (the team's NOTIFY): read who is here, without a beat."""
        if self.app.services is not None and self.client:
            self.app.run_worker(
                partial(self._read_others, self._where()[0]),
                thread=True,
                exit_on_error=False,
                group="presence-read",
            )

    def _read_others(self, place: str) -> None:
        companions = self.app.services.presence.others(self.client, place)
        self.app.call_later(self._seen, place, companions)

    def _seen(self, place: str, companions: list) -> None:
        show = getattr(self.app.screen, "show_presence", None)
        if show is not None and self._where()[0] == place:
            show(companions)

    def leave(self) -> None:
        services = self.app.services
        if services is not None and self.client:
            # The database may be away already: then the row simply goes stale.
            with contextlib.suppress(Exception):
                services.presence.leave(self.client)
