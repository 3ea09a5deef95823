"""Who else is here: each running app says every few seconds which incident or postmortem
section it shows and whether its user is typing; the others read it for the same place. A
client that stops saying so (closed, crashed, asleep) drops out after PRESENCE_TTL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.domain.clock import Clock
from app.domain.textsafe import printable
from storage.database import Database
from storage.presence_rows import present, remove_presence, set_presence
from storage.watch_tables import PresenceRecord

PRESENCE_TTL = timedelta(seconds=20)


@dataclass(frozen=True)
class Companion:
    person: str
    section: str
    editing: bool


class PresenceService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def here(self, client: str, person: str, place: str, section: str = "", editing=False):
        """Say where `client` is now; returns the others at the same place."""
        now = self.clock.now()
        with self.database.session() as session:
            set_presence(
                session,
                PresenceRecord(
                    client=client,
                    person=printable(person),
                    place=place,
                    section=section,
                    editing=editing,
                    seen_at=now,
                ),
            )
        return self.others(client, place)

    def others(self, client: str, place: str) -> list[Companion]:
        since = self.clock.now() - PRESENCE_TTL
        with self.database.session() as session:
            rows = present(session, place, since, client)
        return [Companion(row.person, row.section, row.editing) for row in rows]

    def leave(self, client: str) -> None:
        """This client is gone; rows nobody refreshed for an hour go with it."""
        with self.database.session() as session:
            remove_presence(session, client, self.clock.now() - timedelta(hours=1))
