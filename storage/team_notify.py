"""Team mode's wake-up call: on PostgreSQL every transaction that wrote sends one NOTIFY on the
`storycart` channel, in the transaction (so it is heard only if the write committed), carrying
only the names of the tables it touched; other laptops LISTEN and re-read what they show. It is
a hint, never the data: a laptop that missed one (a dropped connection) re-reads everything
when it reconnects, and a slow poll stays underneath as the fallback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import libpq_url

CHANNEL = "storycart"
_TOUCHED = "storycart_touched"
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 10.0


def announce_writes(sessions: sessionmaker) -> None:
    """Make every session of this factory NOTIFY the tables it wrote, at commit."""
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "do_orm_execute", _orm_execute)
    event.listen(sessions, "before_commit", _before_commit)


def _touched(session: Session) -> set[str]:
    return session.info.setdefault(_TOUCHED, set())


def _after_flush(session: Session, _context) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(instance), "__tablename__", None)
        if table:
            _touched(session).add(table)


def _orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _touched(state.session).add(table.name)


def _before_commit(session: Session) -> None:
    session.flush()  # what is still pending is written now, and counted by _after_flush
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        payload = ",".join(sorted(touched))
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {
                "channel": CHANNEL,
                "payload": payload,
            },
        )


class ChangeListener:
    """LISTENs on its own connection in a thread: `on_change(tables)` for each notification,
    `on_connected()` after every (re)connection — time to re-read everything, since changes
    made while it was away were not heard — and `on_lost(reason)` when the connection drops
    (it then tries again after 0.5 s, 1 s, 2 s … 10 s)."""

    def __init__(
        self,
        url: str,
        on_change: Callable[[set[str]], None],
        on_connected: Callable[[], None],
        on_lost: Callable[[str], None],
    ) -> None:
        self.url = libpq_url(url)
        self.on_change = on_change
        self.on_connected = on_connected
        self.on_lost = on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def _run(self) -> None:
        import psycopg

        wait = RETRY_FIRST_S
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    wait = RETRY_FIRST_S
                    self.on_connected()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5):
                            self.on_change(set(filter(None, note.payload.split(","))))
            except psycopg.Error as error:
                if self._stop.is_set():
                    return
                self.on_lost(str(error).splitlines()[0] if str(error) else type(error).__name__)
                self._stop.wait(wait)
                wait = min(RETRY_MAX_S, wait * 2)
