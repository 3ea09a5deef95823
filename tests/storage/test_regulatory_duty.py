"""Seed 001 §3-2's regulatory duty on a real SQLite file and a real PostgreSQL database: the 72 h
clock runs from the discovery, a "not required" decision stops it (who and when logged), a
"required" one keeps it running until the report is filed, and types without a clock refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.escalation import DeadlineKind
from app.domain.i18n import Catalog
from app.domain.incident import AlreadyDone, IncidentError
from app.domain.incident_text import entry_text
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

POLICIES = load_policies(policy_sources(None))
AI, WEB = POLICIES.get("ai-ops"), POLICIES.get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    yield clock, IncidentService(database, clock, PolicyVersions(database, clock))
    database.close()


def clock_of(service, code):
    return service.view(code).plan.deadline(DeadlineKind.REGULATORY_REPORT)


def test_the_clock_runs_from_the_discovery_and_stops_when_not_required(world):
    clock, service = world
    found = START - timedelta(hours=5)
    code = service.declare(
        AI,
        "개인정보가 로그에 노출",
        "P0",
        "민지",
        type_key="data",
        started_at=found,
        detected_at=found,
    )
    assert clock_of(service, code).due_at == found + timedelta(hours=72)
    clock.advance(timedelta(hours=2))
    service.decide_report(code, "법무팀", required=False)
    deadline = clock_of(service, code)
    assert deadline.met_at == START + timedelta(hours=2) and not deadline.overdue(
        START + timedelta(days=9)
    )
    entry = service.view(code).timeline[-1]
    assert entry.actor == "법무팀"
    assert entry_text(entry, Catalog("ko")) == "규제 기관 보고: 불필요 (기한 정지)"
    with pytest.raises(AlreadyDone):
        service.decide_report(code, "법무팀", required=False)


def test_a_required_report_keeps_the_clock_until_it_is_filed(world):
    clock, service = world
    code = service.declare(AI, "データ越境", "P1", "はると", type_key="data")
    service.decide_report(code, "legal", required=True)
    assert clock_of(service, code).met_at is None
    clock.advance(timedelta(hours=80))
    assert clock_of(service, code).overdue(clock.now())  # 72 h passed, nothing filed
    filed = START + timedelta(hours=70)
    service.file_report(code, "legal", filed)
    assert clock_of(service, code).met_at == filed
    said = entry_text(service.view(code).timeline[-1], Catalog("ja"))
    assert said == "規制当局への報告を提出: 2026-11-27 07:00 UTC"
    with pytest.raises(AlreadyDone):
        service.file_report(code, "legal")


def test_filing_in_the_future_or_for_a_type_without_a_clock_is_refused(world):
    clock, service = world
    code = service.declare(AI, "x", "P1", "a", type_key="data")
    with pytest.raises(IncidentError, match="cannot be in the future"):
        service.file_report(code, "a", clock.now() + timedelta(hours=1))
    assert service.view(code).record.report_filed_at is None
    web = service.declare(WEB, "Checkout down", "SEV-1", "a")
    with pytest.raises(IncidentError, match="no regulatory report clock"):
        service.decide_report(web, "a", required=True)


def test_ai_ops_incidents_have_a_legal_role_web_service_ones_do_not(world):
    _clock, service = world
    code = service.declare(AI, "데이터 국경 위반", "P1", "민지", type_key="data")
    service.assign_role(code, "민지", "legal", "법무팀 김")
    assert service.view(code).roles["legal"] == "법무팀 김"
    web = service.declare(WEB, "Checkout down", "SEV-2", "ops")
    with pytest.raises(IncidentError, match="Role 'legal' is not one of"):
        service.assign_role(web, "ops", "legal", "someone")
