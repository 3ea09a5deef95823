"""The board's first look for the app's database (storage.first_look): its incidents read
before SQLAlchemy loads — from a SQLite file before the first frame (`looks_at_once`), from the
team's PostgreSQL server in a thread just after it; None when the board's own read must show
them (anything the first look cannot answer exactly). On a cold start that server's look
begins in a forked process before Textual loads (`look_in_a_child`). Imports neither SQLAlchemy
nor anything that does."""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading

from app.domain.clock import Clock
from app.domain.incident import RESOLVED_ON_BOARD, BoardItem
from app.domain.policy.document import content_hash
from app.services.policy_set import PolicySet
from storage.errors import DatabaseUnavailable
from storage.first_look import first_look, first_look_on_server
from storage.urls import backend_name, libpq_conninfo, sqlite_path


def looks_at_once(db_url: str) -> bool:
    """Whether the look is quick enough to hold the first frame for: a local file, not a
    server that may be far away or down."""
    try:
        return sqlite_path(db_url) is not None
    except DatabaseUnavailable:
        return False


def board_first_look(db_url: str, clock: Clock, policies: PolicySet) -> list[BoardItem] | None:
    try:
        backend = backend_name(db_url)
        path = sqlite_path(db_url)
    except DatabaseUnavailable:  # not a URL: the services say so in a sentence
        return None
    by_hash = {content_hash(policy): policy for policy in policies.policies.values()}
    since = clock.now() - RESOLVED_ON_BOARD
    if path is not None:
        return first_look(path, since, by_hash)
    if backend == "postgresql":
        return first_look_on_server(libpq_conninfo(db_url), since, by_hash)
    return None


class ChildLook:
    """A first look under way in a forked process (`look_in_a_child`)."""

    def __init__(self, pid: int, readable: int) -> None:
        self._pid = pid
        self._readable = readable

    def ready(self, within_s: float = 0) -> bool:
        """Whether the child has answered (or ended), waiting at most `within_s`: `records`
        then returns without waiting."""
        return bool(select.select([self._readable], [], [], within_s)[0])

    def records(self) -> list[BoardItem] | None:
        """The child's records, waiting for them; None when it found none, failed or died."""
        try:
            with os.fdopen(self._readable, "rb") as pipe:
                data = pipe.read()
        finally:
            os.waitpid(self._pid, 0)
        try:
            return pickle.loads(data) if data else None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None


def look_in_a_child(db_url: str, clock: Clock, policies: PolicySet) -> ChildLook | None:
    """The team server's look, begun in a forked process before Textual is imported: psycopg's
    import (about 0.2 s) and the round trips then run on another core while this one loads.
    Usually done by the first frame, which then shows the incidents; if not, a worker thread
    waits for it. None where the look is taken otherwise: a local file (at once, in this
    process), no fork (Windows), psycopg already loaded (a warm server's child), or a thread
    running (a fork would copy the locks it holds)."""
    if looks_at_once(db_url) or not hasattr(os, "fork") or "psycopg" in sys.modules:
        return None
    if threading.active_count() > 1:
        return None
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the look, its records pickled into the pipe, and nothing else
        # Ctrl+C at the terminal reaches this child too: it ends at once, saying nothing.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.close(readable)
        status = 1
        try:
            records = board_first_look(db_url, clock, policies)
            with os.fdopen(writable, "wb") as pipe:
                pickle.dump(records, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)  # never this process's exit handlers, buffers or terminal
    os.close(writable)
    return ChildLook(pid, readable)
