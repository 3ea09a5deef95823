"""The board re-reads only the incidents that moved, on a real SQLite file and a real
PostgreSQL database, and what it shows stays equal to reading everything again."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.clock import FakeClock
from app.services.board_reader import BoardReader
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.postmortem_helpers import complete_postmortem

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def by_code(items):
    return {item.record.code: (item.record, item.facts) for item in items}


def test_a_reread_loads_only_what_moved_and_equals_a_full_read(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    board = IncidentService(database, clock, PolicyVersions(database, clock))
    # Another laptop or the daemon: its own services on the same database.
    other = IncidentService(database, clock, PolicyVersions(database, clock))
    codes = [board.declare(WEB, f"결제 장애 {n}", "SEV-2", actor="민지") for n in range(5)]
    reader = BoardReader(board)
    assert by_code(reader.read()) == by_code(board.board()) and reader.loaded == 5
    assert by_code(reader.read()) == by_code(board.board()) and reader.loaded == 0

    other.acknowledge(codes[0], "はると")
    clock.advance(20 * 60)  # the unacknowledged ones' first steps come due
    fired = {step.code for step in other.fire_due()}
    assert set(codes[1:]) <= fired
    assert by_code(reader.read()) == by_code(board.board()) and reader.loaded == len(fired)
    clock.advance(1)
    assert not other.fire_due() and reader.read() and reader.loaded == 0

    other.resolve(codes[1], "민지", "rolled back")
    newest = other.declare(WEB, "ログイン不可", "SEV-1", actor="haruto")
    assert by_code(reader.read()) == by_code(board.board()) and reader.loaded == 2
    assert newest in by_code(reader.read())

    postmortems = PostmortemService(database, clock)
    version = complete_postmortem(postmortems, codes[1], "민지", status="draft")
    assert reader.read() and reader.loaded == 0  # a draft's saves do not move the board
    postmortems.set_status(codes[1], "in_review", "민지", version)
    assert by_code(reader.read()) == by_code(board.board()) and reader.loaded == 1

    clock.advance(8 * 24 * 3600)  # resolved long enough ago: off the board
    assert codes[1] not in by_code(reader.read())
    assert by_code(reader.read()) == by_code(board.board())
    database.close()
