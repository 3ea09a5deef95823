"""Team mode's NOTIFY on a real PostgreSQL server: a commit is heard by a listener on another
connection with the tables it touched (a rolled-back write is not), and a listener whose
connection the server kills says so, reconnects by itself and asks for a full re-read."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg

from app.domain.clock import FakeClock
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.engine import libpq_url
from storage.tables import IncidentRecord
from storage.team_notify import ChangeListener

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Heard:
    def __init__(self) -> None:
        self.changes: list[set[str]] = []
        self.connected = 0
        self.lost: list[str] = []
        self.event = threading.Event()

    def change(self, tables: set[str]) -> None:
        self.changes.append(tables)
        self.event.set()

    def wait_for(self, predicate, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            assert time.monotonic() < deadline, "nothing was heard"
            time.sleep(0.01)


def test_commits_are_heard_rollbacks_are_not_and_the_listener_comes_back(postgres_url):
    database = Database.open(postgres_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    heard = Heard()
    listener = ChangeListener(
        postgres_url,
        heard.change,
        lambda: setattr(heard, "connected", heard.connected + 1),
        heard.lost.append,
    )
    listener.start()
    try:
        heard.wait_for(lambda: heard.connected == 1)
        started = time.monotonic()
        code = incidents.declare(WEB, "팀 모드", "SEV-2", "민지")
        heard.wait_for(lambda: any("incident" in tables for tables in heard.changes))
        print(f"\nNOTIFY heard {1000 * (time.monotonic() - started):.1f} ms after the declare")
        assert {"incident", "timeline_entry"} in heard.changes  # the declaration's commit
        so_far = len(heard.changes)
        incidents.acknowledge(code, "준호")
        heard.wait_for(lambda: len(heard.changes) == so_far + 1)
        assert heard.changes[-1] == {"incident", "timeline_entry"}

        with database.session() as session:
            session.add(IncidentRecord(code="INC-X", title="x", severity="SEV-2",
                                       type_key="service", status="investigating",
                                       policy_id=1, declared_at=START))  # fmt: skip
            session.flush()
            session.rollback()
        # A write committed after the rollback: NOTIFY is delivered in commit order, so an
        # announced rollback (the incident table alone) would be heard before this one.
        incidents.post_update(code, "민지", "identified", "원인을 찾는 중")
        heard.wait_for(lambda: any("timeline_entry" in t for t in heard.changes[so_far + 1 :]))
        assert len(heard.changes) == so_far + 2  # a write never committed is never announced
        so_far = len(heard.changes) - 1

        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
        heard.wait_for(lambda: heard.lost and heard.connected == 2, seconds=10)
        incidents.post_update(code, "민지", "identified", "원인 확인")
        heard.wait_for(lambda: len(heard.changes) == so_far + 2)
    finally:
        listener.stop()
        database.close()
