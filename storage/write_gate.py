"""One SQLite file's writers in this process queue in Python before SQLite's write lock.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps
1, 2, 5 … up to 100 ms between tries, so in a process where several threads write (an intake's
takes, the escalation engine's claims, its deliveries) a waiting writer often sleeps on past the
moment the file came free. Here a connection takes its file's gate just before its first write
statement and leaves it just after its commit or rollback: the next writer in this process is
woken at once. A gate not had within GATE_WAIT_S is gone past (SQLite's own busy handling
takes over, as without the gate): a writer that waits for another thread while it holds its
transaction open then costs that long, never a hang. Other processes are SQLite's business."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

GATE_WAIT_S = 2.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")
_gates: dict[str, threading.Lock] = {}
_gates_guard = threading.Lock()


def gate_for(path: Path) -> threading.Lock:
    key = str(path.resolve())
    with _gates_guard:
        return _gates.setdefault(key, threading.Lock())


def gated_connection(path: Path) -> type[sqlite3.Connection]:
    """A sqlite3 connection class (sqlite3.connect's `factory`) whose writers pass the gate of
    the file at `path`."""
    return type("GatedConnection", (_GatedConnection,), {"gate": gate_for(path)})


class _GatedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection.before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        self.connection.before(sql)
        return super().executemany(sql, parameters)


class _GatedConnection(sqlite3.Connection):
    gate: threading.Lock
    holds = False

    def cursor(self, factory=_GatedCursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=(), /):
        self.before(sql)
        return super().execute(sql, parameters)

    def before(self, sql: str) -> None:
        if not self.holds and sql.lstrip()[:9].upper().startswith(_WRITES):
            self.holds = self.gate.acquire(timeout=GATE_WAIT_S)

    def after(self) -> None:
        if self.holds:
            self.holds = False
            self.gate.release()

    def commit(self):
        try:
            return super().commit()
        finally:
            self.after()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self.after()

    def close(self):
        try:
            return super().close()
        finally:
            self.after()
