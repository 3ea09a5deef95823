"""One SQLite file's writers in this process queue in Python before SQLite's write lock.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps
1, 2, 5 … up to 100 ms between tries, so in a process where several threads write (an intake's
takes, the escalation engine's claims, its deliveries) a waiting writer often sleeps on past the
moment the file came free. Here a connection takes its file's gate just before its first write
statement and leaves it just after its commit or rollback: the next writer in this process is
woken at once. A gate not had within GATE_WAIT_S is gone past (SQLite's own busy handling
takes over, as without the gate): a writer that waits for another thread while it holds its
transaction open then costs that long, never a hang. Other processes are SQLite's business.

What pages goes first: a thread running `urgently(...)` (the escalation engine's firing passes
and deliveries) passes the gate before writers already waiting that are not urgent (an
intake's takes in a storm), so a storm of alerts coming in never holds back the pages going
out."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
GATE_WAIT_S = 2.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")
_gates: dict[str, Gate] = {}
_gates_guard = threading.Lock()
_urgency = threading.local()


class Gate:
    """A lock whose urgent waiters go before the others."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._held = False
        self._urgent_waiting = 0
        self.waiting = 0  # writers waiting now (what a test or a trace can see)

    def acquire(self, timeout: float) -> bool:
        urgent = getattr(_urgency, "on", False)
        with self._changed:
            self._urgent_waiting += urgent
            self.waiting += 1
            try:
                passed = self._changed.wait_for(
                    lambda: not self._held and (urgent or not self._urgent_waiting), timeout
                )
            finally:
                self._urgent_waiting -= urgent
                self.waiting -= 1
            self._held = self._held or passed
            return passed

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()


def urgently(work: Callable[..., T], *args) -> T:
    """`work(*args)`, its writes passing the gate before waiting writers that are not urgent."""
    _urgency.on = True
    try:
        return work(*args)
    finally:
        _urgency.on = False


def _forget_gates() -> None:
    """In a forked child (the warm server's commands): its own gates, none held."""
    global _gates_guard
    _gates_guard = threading.Lock()
    _gates.clear()


os.register_at_fork(after_in_child=_forget_gates)


def gate_for(path: Path) -> Gate:
    key = str(path.resolve())
    with _gates_guard:
        return _gates.setdefault(key, Gate())


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
    gate: Gate
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

    def __del__(self):
        self.after()  # dropped without a close: its gate must not stay held
