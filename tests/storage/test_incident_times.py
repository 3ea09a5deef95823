"""The facts the metrics measure, on a real SQLite file and a real PostgreSQL database: when the
impact began and the first signal came (set at declare, corrected later, logged), the first
explicit acknowledgement (kept across a reopen, never implied by a resolve) and the first
"mitigating" update; and incidents stored before these columns get them from their timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.incident import AlreadyDone, IncidentError
from app.domain.incident_text import entry_text
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.engine import make_engine
from storage.schema import _alembic_config, upgrade_schema

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    yield clock, service
    database.close()


def test_declare_takes_when_the_impact_began_and_when_it_was_detected(world):
    _clock, service = world
    plain = service.declare(WEB, "결제 지연", "SEV-2", actor="민지")
    record = service.view(plain).record
    assert record.started_at == record.detected_at == record.declared_at == START
    began, seen = START - timedelta(minutes=25), START - timedelta(minutes=10)
    code = service.declare(
        WEB, "ログイン不可", "SEV-1", actor="はると", started_at=began, detected_at=seen
    )
    record = service.view(code).record
    assert (record.started_at, record.detected_at) == (began, seen)


def test_impossible_times_are_refused_and_nothing_is_stored(world):
    clock, service = world
    later = START + timedelta(minutes=5)
    with pytest.raises(IncidentError, match="cannot be in the future"):
        service.declare(WEB, "x", "SEV-1", actor="a", started_at=later)
    with pytest.raises(IncidentError, match="cannot begin after the first signal"):
        service.declare(
            WEB, "x", "SEV-1", actor="a", started_at=START, detected_at=START - timedelta(1)
        )
    code = service.declare(WEB, "x", "SEV-1", actor="a")
    clock.advance(600)
    with pytest.raises(IncidentError, match="first signal cannot come after"):
        service.set_times(code, "a", detected_at=START + timedelta(minutes=5))
    record = service.view(code).record
    assert record.detected_at == START and [e.kind for e in service.view(code).timeline] == [
        "declared"
    ]


def test_corrected_times_are_logged_in_the_readers_language(world):
    clock, service = world
    code = service.declare(WEB, "결제 지연", "SEV-2", actor="민지")
    clock.advance(3600)
    began, seen = START - timedelta(minutes=40), START - timedelta(minutes=15)
    service.set_times(code, "민지", started_at=began, detected_at=seen)
    view = service.view(code)
    assert view.record.started_at == START - timedelta(minutes=40)
    assert view.record.detected_at == START - timedelta(minutes=15)
    entry = view.timeline[-1]
    assert entry.kind == "times" and entry.actor == "민지"
    assert entry_text(entry, Catalog("ko")) == (
        "영향 시작 2026-11-24 08:20 UTC, 첫 감지 2026-11-24 08:45 UTC"
    )
    assert entry.data["was_started"] == START.isoformat()
    with pytest.raises(AlreadyDone):
        service.set_times(code, "민지", started_at=START - timedelta(minutes=40))


def test_the_first_explicit_ack_and_the_first_mitigation_are_kept(world):
    clock, service = world
    code = service.declare(WEB, "Checkout down", "SEV-1", actor="ops")
    clock.advance(120)
    service.acknowledge(code, "ana")
    clock.advance(600)
    service.post_update(code, "ana", "mitigating", "rolled back")
    clock.advance(600)
    service.post_update(code, "ana", "mitigating", "still rolling")
    service.resolve(code, "ana")
    service.reopen(code, "ana")
    clock.advance(60)
    service.acknowledge(code, "ben")
    record = service.view(code).record
    assert record.first_acknowledged_at == START + timedelta(seconds=120)
    assert record.acknowledged_at == START + timedelta(seconds=1380)
    assert record.mitigated_at == START + timedelta(seconds=720)
    unacked = service.declare(WEB, "Quick blip", "SEV-3", actor="ops")
    service.resolve(unacked, "ops")  # a resolve implies no acknowledgement
    assert service.view(unacked).record.first_acknowledged_at is None


def test_incidents_stored_before_the_metrics_get_their_times_from_the_timeline(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    code = service.declare(WEB, "Checkout down", "SEV-1", actor="ops")
    clock.advance(300)
    service.acknowledge(code, "ana")
    clock.advance(300)
    service.post_update(code, "ana", "mitigating", "rolled back")
    database.close()
    engine = make_engine(database_url)
    config = _alembic_config()
    with engine.begin() as connection:  # back to the schema of the release before
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    with engine.begin() as connection:
        columns = connection.execute(text("SELECT * FROM incident")).keys()
        assert "started_at" not in columns
    engine.dispose()
    upgrade_schema(database_url)
    database = Database.open(database_url)
    record = IncidentService(database, clock, PolicyVersions(database, clock)).view(code).record
    assert (record.started_at, record.detected_at) == (START, START)
    assert record.first_acknowledged_at == START + timedelta(seconds=300)
    assert record.mitigated_at == START + timedelta(seconds=600)
    database.close()


def test_the_postmortem_opens_on_the_impact_and_its_detection_marker_moves_the_times(world):
    from dataclasses import replace

    from app.services.postmortem_service import PostmortemService

    clock, service = world
    began, seen = START - timedelta(minutes=30), START - timedelta(minutes=12)
    code = service.declare(WEB, "결제 지연", "SEV-2", "민지", started_at=began, detected_at=seen)
    clock.advance(3600)
    service.resolve(code, "민지")
    postmortems = PostmortemService(service.database, clock)
    draft = postmortems.open(code, "ko", "민지")
    rows = draft.postmortem.timeline
    assert [(r.at, r.text, r.marker) for r in rows[:3]] == [
        ("2026-11-24 08:30:00", "영향 시작", ""),
        ("2026-11-24 08:48:00", "첫 신호", "detection"),
        ("2026-11-24 09:00:00", "SEV-2 선언: 결제 지연", ""),
    ]
    assert draft.postmortem.when.startswith("2026-11-24 08:30:00 – ")
    # The review finds the first alert came earlier: the marker moves to a row at 08:40.
    moved = [replace(row, marker="") for row in rows]
    moved.insert(
        1, replace(rows[1], at="2026-11-24 08:40:00", text="알람 발생", marker="detection")
    )
    postmortems.save(replace(draft.postmortem, timeline=moved), draft.version, "민지")
    record = service.view(code).record
    assert record.detected_at == START - timedelta(minutes=20)
    assert record.started_at == began
    assert service.view(code).timeline[-1].kind == "times"
    # A marker after the declaration keeps the draft and leaves the times alone.
    draft = postmortems.open(code, "ko", "민지")
    last = len(draft.postmortem.timeline) - 1  # the resolution, an hour after declaring
    late = [
        replace(row, marker="detection" if n == last else "")
        for n, row in enumerate(draft.postmortem.timeline)
    ]
    postmortems.save(replace(draft.postmortem, timeline=late), draft.version, "민지")
    assert service.view(code).record.detected_at == START - timedelta(minutes=20)
