"""The app's part in presence: every PRESENCE_SECONDS (and at once when the user opens an
incident, moves to another postmortem section or starts typing) it says where it is, and shows
the screen who else is at the same place. Another laptop's presence arriving by NOTIFY is only
read, never answered with a write (that would echo between laptops forever)."""

from __future__ import annotations

import contextlib
import uuid

from textual import work
from textual.message import Message

PRESENCE_SECONDS = 5.0


class PresenceSeen(Message):
    def __init__(self, place: str, companions: list) -> None:
        super().__init__()
        self.place = place
        self.companions = companions


class PresenceActions:
    presence_client = ""

    # Not exclusive: a cancelled worker makes anyone waiting for the app's workers fail, and
    # a read or a beat is cheap; the busy flag keeps beats from piling up behind a slow server.
    _beating = False

    def start_presence(self) -> None:
        self.presence_client = uuid.uuid4().hex
        self.set_interval(PRESENCE_SECONDS, self.presence_tick)
        self.presence_tick()

    def _where(self) -> tuple[str, str, bool]:
        if not self.screen_stack:  # quitting while the start-up sweep still ran
            return ("board", "", False)
        where = getattr(self.screen, "presence_place", None)
        return where() if where is not None else ("board", "", False)

    def presence_tick(self) -> None:
        if self.services is not None and self.presence_client and not self._beating:
            self._beating = True
            self._say_where(*self._where())

    @work(thread=True, exit_on_error=False, group="presence")
    def _say_where(self, place: str, section: str, editing: bool) -> None:
        presence = self.services.presence
        user = self.settings.user
        try:
            companions = presence.here(self.presence_client, user, place, section, editing)
        finally:
            self._beating = False
        self.post_message(PresenceSeen(place, companions))

    def presence_reread(self) -> None:
        if self.services is not None and self.presence_client:
            self._read_others(self._where()[0])

    @work(thread=True, exit_on_error=False, group="presence-read")
    def _read_others(self, place: str) -> None:
        companions = self.services.presence.others(self.presence_client, place)
        self.post_message(PresenceSeen(place, companions))

    def on_presence_seen(self, message: PresenceSeen) -> None:
        show = getattr(self.screen, "show_presence", None)
        if show is not None and self._where()[0] == message.place:
            show(message.companions)

    def leave_presence(self) -> None:
        if self.services is not None and self.presence_client:
            # The database may be away already: then the row simply goes stale.
            with contextlib.suppress(Exception):
                self.services.presence.leave(self.presence_client)
