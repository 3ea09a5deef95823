"""A storm of steps due at once is claimed in batches (few transactions), still exactly once:
a batch that loses some of its claims to another process fires only the steps it won."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlmodel import select

import app.services.escalation_batch as firing_module
from app.domain.clock import FakeClock
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.tables import EscalationEventRecord, OutboxRecord

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def two_processes(database_url):
    """Two services on their own connections to one database, as two daemons would be."""
    clock = FakeClock(START)
    databases = [Database.open(database_url), Database.open(database_url)]
    services = [IncidentService(d, clock, PolicyVersions(d, clock)) for d in databases]
    yield databases[0], services
    for database in databases:
        database.close()


def test_a_batch_that_loses_claims_fires_only_its_own_steps(two_processes, monkeypatch):
    database, (mine, other) = two_processes
    codes = [mine.declare(WEB, f"storm {n}", "SEV-2", actor="a") for n in range(12)]
    taken_by_other: list[str] = []
    raced: list[bool] = []
    read_events = firing_module.firings_by_incident

    def read_then_lose_the_race(session, ids):
        """The batch has read what is due; before it inserts, the other process fires some."""
        events = read_events(session, ids)
        if not raced:  # once, and not again inside the other process's own firing
            raced.append(True)
            taken_by_other.extend(step.code for step in other.fire_due(codes=codes[:5]))
        return events

    monkeypatch.setattr(firing_module, "firings_by_incident", read_then_lose_the_race)
    fired = mine.fire_due()

    assert sorted(taken_by_other) == codes[:5]
    assert sorted(step.code for step in fired) == codes[5:]
    with database.session() as session:
        events = list(session.exec(select(EscalationEventRecord)))
        outbox = list(session.exec(select(OutboxRecord)))
    per_step = Counter((event.incident_id, event.step_id, event.round) for event in events)
    assert len(per_step) == 12 and set(per_step.values()) == {1}  # every step once
    # Each claimed step left its alerts once: as many outbox rows per event, none without one.
    rows_per_event = Counter(row.event_id for row in outbox if row.event_id is not None)
    assert set(rows_per_event) == {event.id for event in events}
    assert len(set(rows_per_event.values())) == 1
    assert mine.fire_due() == [] and other.fire_due() == []  # nothing left to fire twice
