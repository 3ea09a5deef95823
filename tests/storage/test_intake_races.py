"""Two intakes on one database taking the same alert at the same moment open one incident, on a
real SQLite file and a real PostgreSQL database: the key is claimed in the database before the
incident is declared, so the loser never declares (no duplicate to resolve). A claim left by a
process that died before declaring is taken over once it is stale; a failed declaration frees
its claim at once. And a heartbeat's lapse while its incident is still open adds to it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.intake import HeartbeatRule, IncomingAlert, IntakeBusy, IntakeMapping
from app.services.incident_service import IncidentService
from app.services.intake_service import CLAIM_LEASE_S, IntakeService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.watch_service import HeartbeatService
from storage.database import Database
from storage.intake_claims import claim_new

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROUNDS = 12


def intake_on(url: str, clock: FakeClock) -> IntakeService:
    database = Database.open(url)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    return IntakeService(incidents, WEB, IntakeMapping())


def alert(key: str) -> IncomingAlert:
    item = {"fingerprint": key, "status": "firing", "severity": "critical", "host": "db-1"}
    return IncomingAlert(
        source="generic",
        dedup_key=f"generic:{key}",
        status="firing",
        title=f"DB 接続不可 {key}",
        severity="critical",
        alerts=(item,),
        context={"source": "generic"},
    )


def race(first: IntakeService, second: IntakeService, incoming: IncomingAlert) -> list:
    """Both intakes take `incoming` at the same moment (released together by a barrier)."""
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def run(index: int, service: IntakeService) -> None:
        barrier.wait()
        answers[index] = service.take(incoming)

    threads = [threading.Thread(target=run, args=(n, s)) for n, s in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_two_intakes_taking_the_same_alert_at_once_declare_one_incident(database_url):
    clock = FakeClock(START)
    first, second = intake_on(database_url, clock), intake_on(database_url, clock)
    try:
        for round_ in range(ROUNDS):
            answers = race(first, second, alert(f"race-{round_}"))
            results = sorted(answer.result for answer in answers)
            assert results == ["declared", "repeated"], answers
            assert answers[0].incident == answers[1].incident
        listed = first.incidents.list(include_resolved=True)
        assert len(listed) == ROUNDS
        assert all(view.record.resolved_at is None for view in listed)  # no duplicate resolved
        assert not any("duplicate" in entry.text for view in listed for entry in view.timeline)
    finally:
        first.database.close()
        second.database.close()


def test_a_claim_left_by_a_dead_intake_is_taken_over_once_stale(database_url):
    clock = FakeClock(START)
    service = intake_on(database_url, clock)
    try:
        with service.database.session() as session:
            assert claim_new(session, "generic:orphan", "generic", clock.now())  # then it died
        service.wait_polls, service.wait_poll_s = 3, 0.01
        with pytest.raises(IntakeBusy, match="send it again"):
            service.take(alert("orphan"))  # a fresh claim: its owner may still be declaring
        assert service.incidents.list() == []
        clock.advance(timedelta(seconds=CLAIM_LEASE_S + 1))
        taken = service.take(alert("orphan"))
        assert taken.result == "declared"
        assert service.take(alert("orphan")) == type(taken)(taken.incident, "repeated")
    finally:
        service.database.close()


def test_a_failed_declaration_frees_its_claim_at_once(database_url, monkeypatch):
    clock = FakeClock(START)
    service = intake_on(database_url, clock)
    try:
        declare = service.incidents.declare

        def broken(*_args, **_kwargs):
            raise ConnectionError("the database went away")

        monkeypatch.setattr(service.incidents, "declare", broken)
        with pytest.raises(ConnectionError):
            service.take(alert("flaky"))
        monkeypatch.setattr(service.incidents, "declare", declare)
        assert service.take(alert("flaky")).result == "declared"  # no lease to wait out
    finally:
        service.database.close()


def test_a_heartbeat_lapsing_again_while_its_incident_is_open_adds_to_it(database_url):
    clock = FakeClock(START)
    service = intake_on(database_url, clock)
    incidents = service.incidents
    beats = HeartbeatService(
        incidents, WEB, (HeartbeatRule("backup", 3600, "SEV-2"),), IntakeMapping()
    )
    try:
        assert beats.check() == []
        clock.advance(3601)
        (code,) = beats.check()
        assert beats.ping("backup") == code  # recovered: recorded, the incident stays open
        clock.advance(3601)
        assert beats.check() == []  # lapsed again: no second incident
        assert [v.record.code for v in incidents.list(include_resolved=True)] == [code]
        said = [e.text for e in incidents.view(code).timeline]
        assert said[-1] == "Heartbeat backup went silent again while this incident was open."
        assert beats.ping("backup") == code  # the next ping records this recovery too
        incidents.resolve(code, "민지")
        clock.advance(3601)
        (again,) = beats.check()  # the previous incident is resolved: a new one
        assert again != code
    finally:
        service.database.close()
