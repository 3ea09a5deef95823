"""Who fires escalations: each long-running process (board, daemon, intake, kiosk) adds its
watcher row when it starts, records a pass every interval while it works, and marks the row
stopped when it exits cleanly. A process killed or asleep simply stops passing: readers count
its row as gone after GONE_AFTER_INTERVALS intervals."""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from app import __version__
from app.domain.clock import Clock
from app.domain.watchers import Watcher
from app.services.frozen import frozen_copy
from storage.database import Database
from storage.watch_tables import WatcherRecord
from storage.watcher_rows import (
    add_watcher,
    drop_watcher,
    mark_stopped,
    record_pass,
    watchers_since,
)

# Rows of processes gone this long are forgotten (and no longer listed by `storycart status`).
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class ProcessIdentity:
    """This process as its watcher row names it."""

    kind: str
    host: str
    pid: int
    user: str

    @classmethod
    def here(cls, kind: str, user: str | None = None) -> ProcessIdentity:
        return cls(kind, socket.gethostname(), os.getpid(), user or _login())


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return str(os.getuid())


class WatcherService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def start(self, identity: ProcessIdentity, instance: str | None = None) -> Watcher:
        """This process watches from now on: a new row (named `instance`, or a new name), its
        first pass now."""
        now = self.clock.now()
        record = WatcherRecord(
            instance=instance or new_instance(),
            kind=identity.kind,
            host=identity.host,
            pid=identity.pid,
            user=identity.user,
            version=__version__,
            started_at=now,
            last_pass_at=now,
        )
        with self.database.session() as session:
            add_watcher(session, record, now - FORGET_AFTER)
            return frozen_copy(Watcher, record)

    def passed(self, watcher: Watcher) -> None:
        """A pass made now; a row forgotten meanwhile (the machine slept a day) comes back."""
        now = self.clock.now()
        with self.database.session() as session:
            if record_pass(session, watcher.instance, now):
                return
            drop_watcher(session, watcher.instance)
            record = WatcherRecord(
                **{name: getattr(watcher, name) for name in WATCHER_FIELDS},
                last_pass_at=now,
            )
            add_watcher(session, record, now - FORGET_AFTER)

    def stop(self, watcher: Watcher) -> None:
        with self.database.session() as session:
            mark_stopped(session, watcher.instance, self.clock.now())

    def current(self) -> list[Watcher]:
        """Every watcher not stopped that passed within FORGET_AFTER, the latest first; the
        reader judges which are still there (Watcher.alive)."""
        with self.database.session() as session:
            rows = watchers_since(session, self.clock.now() - FORGET_AFTER)
            return [frozen_copy(Watcher, row) for row in rows]


def new_instance() -> str:
    return uuid.uuid4().hex


WATCHER_FIELDS = ("instance", "kind", "host", "pid", "user", "version", "started_at")
