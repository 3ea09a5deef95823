"""One SQLite file's writers in this process queue at its gate (storage.write_gate) before
SQLite's own lock: every write still lands, readers never wait at it, a transaction that ends
in any way (commit, rollback, a session closed without either) lets the next writer in, and a
writer stuck behind a held transaction is never hung by the gate."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

import storage.write_gate as write_gate
from storage.database import Database
from storage.write_gate import gate_for, gated_connection, urgently
from tests.db_templates import copy_migrated_sqlite

WAIT = 10.0  # how long a test waits for a thread that should be done at once (never reached)


@pytest.fixture
def counter(tmp_path) -> Path:
    path = tmp_path / "gate.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE counter (n INTEGER)")
        connection.execute("INSERT INTO counter VALUES (0)")
    return path


def connect(path: Path, busy_s: float = 5.0) -> sqlite3.Connection:
    return sqlite3.connect(
        path, factory=gated_connection(path), timeout=busy_s, check_same_thread=False
    )


def in_thread(work) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_many_writers_of_one_process_lose_nothing(tmp_path):
    """Eight threads on their own Database objects (as an intake's takes and its engine are),
    thirty transactions each: every one lands, none is refused as locked."""
    url = f"sqlite:///{copy_migrated_sqlite(tmp_path / 'team.db')}"
    with Database.open(url).session() as session:
        session.execute(text("CREATE TABLE tally (writer INTEGER, n INTEGER)"))
        session.commit()
    errors: list[Exception] = []

    def write(writer: int) -> None:
        database = Database.open(url)
        try:
            for n in range(30):
                with database.session() as session:
                    session.execute(
                        text("INSERT INTO tally VALUES (:w, :n)"), {"w": writer, "n": n}
                    )
                    session.commit()
        except Exception as error:  # said below, with the others
            errors.append(error)
        finally:
            database.close()

    threads = [in_thread(lambda w=w: write(w)) for w in range(8)]
    for thread in threads:
        thread.join(60)
    assert errors == []
    with Database.open(url).session() as session:
        assert session.execute(text("SELECT count(*) FROM tally")).scalar() == 240


@pytest.mark.parametrize("ending", ["commit", "rollback", "close", "dropped"])
def test_the_next_writer_goes_in_once_a_transaction_ends(counter, monkeypatch, ending):
    monkeypatch.setattr(write_gate, "GATE_WAIT_S", 60.0)  # a gate left held would show
    first, second = connect(counter), connect(counter)
    first.execute("UPDATE counter SET n = n + 1")
    if ending == "dropped":  # no commit, no close: the object simply goes
        del first
        gc.collect()
    else:
        getattr(first, ending)()
    done = threading.Event()

    def write() -> None:
        second.execute("UPDATE counter SET n = n + 10")
        second.commit()
        done.set()

    in_thread(write)
    assert done.wait(WAIT), f"the gate stayed held after {ending}"
    expected = 11 if ending == "commit" else 10
    assert connect(counter).execute("SELECT n FROM counter").fetchone() == (expected,)


def test_readers_never_wait_at_the_gate(counter, monkeypatch):
    monkeypatch.setattr(write_gate, "GATE_WAIT_S", 60.0)
    writer, reader = connect(counter), connect(counter)
    writer.execute("UPDATE counter SET n = 5")  # holds the gate, not committed
    read: list = []
    thread = in_thread(lambda: read.append(reader.execute("SELECT n FROM counter").fetchone()))
    thread.join(WAIT)
    assert read == [(0,)]  # at once, and the last committed value (WAL)
    writer.commit()


def test_a_writer_behind_a_held_transaction_is_never_hung_by_the_gate(counter, monkeypatch):
    """A thread that holds its transaction open while it waits for something else: the writer
    behind it passes the gate after GATE_WAIT_S and meets SQLite's own busy timeout, as it would
    with no gate — an error it can say, never a hang."""
    monkeypatch.setattr(write_gate, "GATE_WAIT_S", 0.1)
    holder, blocked = connect(counter), connect(counter, busy_s=0.2)
    holder.execute("UPDATE counter SET n = 1")
    outcome: list = []

    def write() -> None:
        try:
            blocked.execute("UPDATE counter SET n = 2")
            outcome.append("written")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))

    in_thread(write).join(WAIT)
    assert outcome == ["database is locked"]
    holder.commit()
    blocked.rollback()
    blocked.execute("UPDATE counter SET n = n + 1")  # the gate is free again
    blocked.commit()
    assert connect(counter).execute("SELECT n FROM counter").fetchone() == (2,)


def until(condition, what: str) -> None:
    """Until `condition()` holds (another thread got there), bounded by WAIT."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.001)


def test_what_pages_passes_before_the_writers_already_waiting(counter, monkeypatch):
    """Four of an intake's takes wait at the gate; a firing pass (urgently) arrives after them:
    when the gate opens, the firing goes first, then the takes."""
    monkeypatch.setattr(write_gate, "GATE_WAIT_S", 60.0)
    gate = gate_for(counter)
    holder, firing = connect(counter), connect(counter)
    takes = [connect(counter) for _ in range(4)]
    holder.execute("UPDATE counter SET n = 1")
    order: list[str] = []

    def write(connection, name: str) -> None:
        connection.execute("UPDATE counter SET n = n + 1")
        order.append(name)
        connection.commit()

    threads = []
    for number, take in enumerate(takes, start=1):
        threads.append(in_thread(lambda take=take: write(take, "take")))
        until(lambda number=number: gate.waiting == number, "the takes to wait at the gate")
    threads.append(in_thread(lambda: urgently(write, firing, "firing")))
    until(lambda: gate.waiting == 5, "the firing to wait at the gate")
    holder.commit()
    for thread in threads:
        thread.join(WAIT)
    assert order == ["firing", "take", "take", "take", "take"]
    assert connect(counter).execute("SELECT n FROM counter").fetchone() == (6,)
