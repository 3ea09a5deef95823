"""The board's first look (read before SQLAlchemy loads: with the standard library from a SQLite
file, with psycopg alone from PostgreSQL) draws the same board as the board's own first read,
on a real SQLite file and a real PostgreSQL server: every cell of every row, in
Korean, Japanese and English titles, with fired, acknowledged, updated and resolved incidents;
and it gives nothing, rather than something else, whenever it cannot answer exactly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.first_look as first_look_module
from app.domain.board_rows import row_at
from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.services.first_look import board_first_look, look_in_a_child
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.db_templates import copy_migrated_sqlite
from tests.postmortem_helpers import complete_postmortem

POLICIES = load_policies(policy_sources(None))
WEB = POLICIES.get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def filled(url: str):
    """A board with some of everything, and the clock 40 minutes after it began."""
    clock = FakeClock(START - timedelta(days=9))
    database = Database.open(url)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    old = incidents.declare(WEB, "Long gone", "SEV-3", actor="ana")
    incidents.resolve(old, "ana", "fixed")  # resolved 9 days ago: not on the board
    clock.set(START)
    codes = [
        incidents.declare(WEB, "결제 승인 지연", "SEV-1", actor="민지"),
        incidents.declare(WEB, "ログイン障害", "SEV-2", actor="ken"),
        incidents.declare(WEB, "Search results stale", "SEV-3", actor="ana"),
        incidents.declare(WEB, "Checkout 5xx", "SEV-2", actor="ana"),
    ]
    clock.advance(timedelta(minutes=12))
    incidents.fire_due()
    incidents.acknowledge(codes[1], "ken")
    incidents.post_update(codes[2], "ana", "investigating", "Rebuilding the index")
    clock.advance(timedelta(minutes=20))
    incidents.fire_due()
    incidents.resolve(codes[3], "ana", "rolled back")
    clock.advance(timedelta(minutes=8))
    # Its postmortem handed in for review: the board's postmortem clock is met.
    postmortems = PostmortemService(database, clock)
    version = complete_postmortem(postmortems, codes[3], "ana", status="in_review")
    # A reviewer's fix five minutes later: saved, not handed in again (its clock stays met then).
    clock.advance(timedelta(minutes=5))
    fixed = replace(postmortems.existing(codes[3]), lessons="Expiry needs an owner and a date.")
    postmortems.save(fixed, version, "민지")
    return database, clock, incidents


@pytest.fixture
def board(database_url):
    """The filled board on a SQLite file (looked at before the first frame) and on the team's
    PostgreSQL server (looked at with psycopg alone, just after it)."""
    database, clock, incidents = filled(database_url)
    yield database_url, clock, incidents
    database.close()


@pytest.fixture
def sqlite_board(tmp_path):
    url = f"sqlite:///{copy_migrated_sqlite(tmp_path / 'board.db')}"
    database, clock, incidents = filled(url)
    yield url, clock, incidents
    database.close()


@pytest.fixture
def server_board(postgres_server):
    url = postgres_server.migrated_database()
    database, clock, incidents = filled(url)
    yield url, clock, incidents
    database.close()


def rows(items, now) -> dict[str, dict]:
    catalog = Catalog("ko")
    return {item.record.code: row_at(item, now, catalog).cells for item in items}


def test_the_first_look_draws_the_board_its_own_read_draws(board):
    url, clock, incidents = board
    _heads, read = incidents.board_changes({})
    looked = board_first_look(url, clock, POLICIES)

    assert looked is not None
    assert len(looked) == len(read) == 4  # the one resolved 9 days ago is on neither
    assert [item.record for item in looked] == [item.record for item in read]
    assert [item.facts for item in looked] == [item.facts for item in read]
    (resolved,) = [item for item in looked if item.record.resolved_at is not None]
    assert resolved.facts.postmortem_submitted_at == clock.now() - timedelta(minutes=5)
    for later in (timedelta(0), timedelta(minutes=3), timedelta(hours=5)):
        assert rows(looked, clock.now() + later) == rows(read, clock.now() + later)


def nothing_for_other_policies_or_too_many(url: str, clock, monkeypatch) -> None:
    # Declared under a policy version the loaded files do not hold.
    other = load_policies(policy_sources(None))
    other.policies["web-service"] = WEB.__class__(**{**WEB.__dict__, "scheme": "changed"})
    assert board_first_look(url, clock, other) is None
    # More incidents than a first frame needs.
    monkeypatch.setattr(first_look_module, "MOST_INCIDENTS", 3)
    assert board_first_look(url, clock, POLICIES) is None
    monkeypatch.undo()


def test_nothing_rather_than_something_else(sqlite_board, tmp_path, monkeypatch):
    url, clock, _incidents = sqlite_board
    path = Path(url.removeprefix("sqlite:///"))
    # Not a plain SQLite file: the board's own read shows it.
    assert board_first_look("postgresql://localhost/cart", clock, POLICIES) is None
    assert board_first_look("not a url", clock, POLICIES) is None
    assert board_first_look(f"sqlite:///{tmp_path / 'none.db'}", clock, POLICIES) is None
    nothing_for_other_policies_or_too_many(url, clock, monkeypatch)
    # Another schema (a column this reader expects is missing).
    copy = tmp_path / "older.db"
    copy.write_bytes(path.read_bytes())
    import sqlite3

    with sqlite3.connect(copy) as connection:
        connection.execute("ALTER TABLE incident DROP COLUMN mitigated_at")
    assert board_first_look(f"sqlite:///{copy}", clock, POLICIES) is None
    assert board_first_look(url, clock, POLICIES) is not None  # the board itself still reads


def test_nothing_from_the_server_rather_than_something_else(server_board, monkeypatch):
    url, clock, _incidents = server_board
    # A server that does not answer: nothing, within the look's time limit.
    assert board_first_look(url.replace("/storycart", "/nowhere", 1), clock, POLICIES) is None
    away = "postgresql+psycopg://nobody@/cart?host=/nonexistent-socket-dir"
    assert board_first_look(away, clock, POLICIES) is None
    nothing_for_other_policies_or_too_many(url, clock, monkeypatch)
    assert board_first_look(url, clock, POLICIES) is not None
    # Another schema (a column this reader expects is missing).
    import psycopg

    from storage.urls import libpq_conninfo

    with psycopg.connect(libpq_conninfo(url), autocommit=True) as server:
        server.execute("ALTER TABLE incident DROP COLUMN mitigated_at")
    assert board_first_look(url, clock, POLICIES) is None


def test_the_first_look_loads_no_orm():
    """What makes it fast: none of SQLAlchemy, SQLModel or Alembic is imported by it."""
    probe = (
        "import sys; import app.services.first_look, app.tui; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'alembic') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "[]"


def child_look(url: str, clock, monkeypatch):
    """`look_in_a_child` as a cold start takes it: in a process without psycopg loaded, and
    with no other thread (this test process may have some: what they hold the child never uses)."""
    with monkeypatch.context() as cold:
        cold.delitem(sys.modules, "psycopg", raising=False)
        cold.setattr(threading, "active_count", lambda: 1)
        return look_in_a_child(url, clock, POLICIES)


def test_a_look_taken_in_a_child_process_gives_the_same_board(server_board, monkeypatch):
    url, clock, _incidents = server_board
    look = child_look(url, clock, monkeypatch)
    assert look is not None and look.ready(within_s=30)
    looked, here = look.records(), board_first_look(url, clock, POLICIES)
    assert looked is not None and len(looked) == 4
    assert [item.record for item in looked] == [item.record for item in here]
    assert [item.facts for item in looked] == [item.facts for item in here]
    assert rows(looked, clock.now()) == rows(here, clock.now())
    with pytest.raises(ChildProcessError):  # the child was waited for: no zombie left
        os.waitpid(look._pid, os.WNOHANG)
    # Nothing from a server that is away; a child only where a cold start would take it.
    away = child_look(
        "postgresql+psycopg://nobody@/cart?host=/nonexistent-socket-dir", clock, monkeypatch
    )
    assert away is not None and away.records() is None
    assert child_look("sqlite:////tmp/board.db", clock, monkeypatch) is None  # at once, here
    assert look_in_a_child(url, clock, POLICIES) is None  # psycopg loaded: a thread costs less


def test_no_child_is_forked_beside_a_running_thread(server_board, monkeypatch):
    url, clock, _incidents = server_board
    with monkeypatch.context() as cold:
        cold.delitem(sys.modules, "psycopg")
        cold.setattr(threading, "active_count", lambda: 2)
        assert look_in_a_child(url, clock, POLICIES) is None  # the board looks in a thread
