"""A pass over the whole board reads the open incidents a chunk at a time (its memory peaks at
one chunk, not 10,000 incidents), and still fires exactly what one pass over all of them fires,
in the order they were declared, and plans every incident's next wake-up."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import app.services.escalation_firing as firing_module
from app.domain.clock import FakeClock
from app.services.incident_queries import IncidentQueries
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3")
OPEN_PLANS = IncidentQueries.open_plans


def restart_after_an_hour(database_url: str, chunk: int, monkeypatch) -> tuple[list, dict, list]:
    """Seven incidents declared a minute apart while nothing fired; an hour later a process
    starts and catches up in one pass, `chunk` incidents at a time. What it fired, the
    wake-ups it planned, and how many incidents each of its reads took."""
    monkeypatch.setattr(firing_module, "PASS_CHUNK", chunk)
    reads: list[int] = []

    def counted(queries, codes=None):
        reads.append(len(codes) if codes is not None else -1)
        return OPEN_PLANS(queries, codes)

    monkeypatch.setattr(IncidentQueries, "open_plans", counted)
    clock = FakeClock(START)
    database = Database.open(database_url)
    try:
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        for n in range(7):
            clock.set(START + timedelta(minutes=n))
            incidents.declare(WEB, f"checkout {n}", SEVERITIES[n % 3], actor="ana")
        clock.set(START + timedelta(hours=1))
        reads.clear()
        fired, wakeups = incidents.fire_due_and_plan(catching_up=True)
    finally:
        database.close()
    return fired, wakeups, reads


def test_a_pass_in_chunks_fires_and_plans_what_one_pass_over_everything_does(
    database_url, tmp_path, monkeypatch
):
    fired, wakeups, reads = restart_after_an_hour(database_url, 3, monkeypatch)
    whole_url = f"sqlite:///{tmp_path / 'whole.db'}"
    whole_fired, whole_wakeups, whole_reads = restart_after_an_hour(whole_url, 1000, monkeypatch)

    assert max(reads) <= 3  # never more than a chunk at once
    assert max(whole_reads) == 7
    assert len({step.code for step in fired}) == 7  # every incident caught up
    per_step = Counter((step.code, step.step.step_id, step.step.round) for step in fired)
    assert set(per_step.values()) == {1}  # nothing fired twice across the chunks' edges

    def what(steps) -> list[tuple]:
        return [(step.step.step_id, step.step.round, step.reason) for step in steps]

    assert what(fired) == what(whole_fired)
    codes_in_order = list(dict.fromkeys(step.code for step in fired))
    assert codes_in_order == sorted(codes_in_order, key=lambda code: int(code.split("-")[-1]))
    assert sorted(wakeups.values()) == sorted(whole_wakeups.values())
    assert set(wakeups) == {step.code for step in fired}
    assert all(at > START + timedelta(hours=1) for at in wakeups.values())
