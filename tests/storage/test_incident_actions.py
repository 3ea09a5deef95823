"""Roles, checklist ticks, timeline notes, manual escalation and alert delivery, on a real
SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.escalation import MANUAL, ON_TIME
from app.domain.incident import IncidentError
from app.services.alert_delivery import CLAIM_LEASE, MAX_ATTEMPTS, AlertDeliverer
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.incident_rows import by_code, outbox_for

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    channels = ("bell", "flash", "desktop", "command")
    service = IncidentService(database, clock, PolicyVersions(database, clock), channels)
    yield database, clock, service
    database.close()


def test_roles_are_assigned_changed_cleared_and_logged(world):
    _db, clock, service = world
    code = service.declare(WEB, "결제 장애", "SEV-2", actor="민지", commander="민지")
    assert service.view(code).roles == {"commander": "민지"}
    clock.advance(60)
    service.assign_role(code, "민지", "tech_lead", "はると")
    service.assign_role(code, "민지", "commander", "Alex")
    service.assign_role(code, "Alex", "scribe", "")  # clearing an unassigned role is harmless
    view = service.view(code)
    assert view.roles == {"commander": "Alex", "tech_lead": "はると"}
    assert view.record.commander == "Alex"
    assert [e.text for e in view.timeline if e.kind == "role"] == [
        "tech_lead: - -> はると",
        "commander: 민지 -> Alex",
        "scribe: - -> -",
    ]
    with pytest.raises(IncidentError, match="Role 'boss' is not one of"):
        service.assign_role(code, "민지", "boss", "x")


def test_checklist_ticks_are_saved_and_can_be_undone(world):
    _db, _clock, service = world
    code = service.declare(WEB, "DB down", "SEV-1", actor="ops")
    assert service.toggle_check(code, "ops", "sev1-immediate", "verify") is True
    assert service.toggle_check(code, "ops", "sev1-immediate", "ic") is True
    assert service.toggle_check(code, "ops", "sev1-immediate", "verify") is False
    view = service.view(code)
    assert view.ticks == {("sev1-immediate", "ic")}
    assert [e.text for e in view.timeline if e.kind == "checklist"] == [
        "sev1-immediate/verify: done",
        "sev1-immediate/ic: done",
        "sev1-immediate/verify: unticked",
    ]


def test_timeline_notes_keep_fact_and_hypothesis_apart(world):
    _db, _clock, service = world
    code = service.declare(WEB, "漏えいの疑い", "SEV-1", actor="haruto")
    service.add_note(code, "haruto", "アクセスログに痕跡なし、可能性は否定できない", "fact")
    service.add_note(code, "haruto", "[b]cache[/b] が原因かもしれない", "hypothesis")
    notes = [(e.certainty, e.text) for e in service.view(code).timeline if e.kind == "note"]
    assert notes == [
        ("fact", "アクセスログに痕跡なし、可能性は否定できない"),
        ("hypothesis", "[b]cache[/b] が原因かもしれない"),
    ]
    with pytest.raises(IncidentError, match="needs some text"):
        service.add_note(code, "haruto", "   ")
    with pytest.raises(IncidentError, match="Certainty 'maybe'"):
        service.add_note(code, "haruto", "x", "maybe")


def test_manual_escalation_fires_the_next_step_once_and_is_logged(world):
    _db, clock, service = world
    code = service.declare(WEB, "Checkout errors", "SEV-2", actor="ops")
    service.fire_due()  # L1 at once
    clock.advance(120)
    fired = service.escalate_now(code, "민지")
    assert (fired.step.step_id, fired.reason) == ("SEV-2#1", MANUAL)  # L2, due at 15 min
    view = service.view(code)
    entry = [e for e in view.timeline if e.kind == "escalation"][-1]
    assert entry.actor == "민지" and "L2 tech lead" in entry.text and "manual" in entry.text
    clock.advance(15 * 60)  # L2's own deadline passes: it must not fire again
    assert [f.step.step_id for f in service.fire_due()] == []
    events = {(e.step_id, e.reason) for e in service.view(code).events}
    assert events == {("SEV-2#0", ON_TIME), ("SEV-2#1", MANUAL)}
    service.resolve(code, "ops")
    with pytest.raises(IncidentError, match="resolved; reopen it first"):
        service.escalate_now(code, "ops")


def _deliverer(database, clock, tmp_path, name, command=()):
    return AlertDeliverer(
        database,
        clock,
        channels=("desktop", "command"),
        command=command,
        claimer=name,
        notifier=lambda title, body: (
            (tmp_path / f"desktop-{name}.txt").open("a").write(f"{title}|{body}\n")
        ),
    )


def test_alerts_are_delivered_once_and_the_command_gets_the_incident_as_json(world, tmp_path):
    database, clock, service = world
    received = tmp_path / "received.jsonl"
    script = (
        "import sys, pathlib; data = sys.stdin.read(); "
        f"pathlib.Path({str(received)!r}).open('a', encoding='utf-8').write(data + '\\n')"
    )
    command = (sys.executable, "-c", script)
    code = service.declare(WEB, "결제 API 장애", "SEV-1", actor="ops")
    assert len(service.fire_due()) == 2  # SEV-1: L1 and L3 at once
    first = _deliverer(database, clock, tmp_path, "a", command)
    second = _deliverer(database, clock, tmp_path, "b", command)
    deliveries = first.deliver_pending() + second.deliver_pending()
    assert sorted(d.channel for d in deliveries) == ["command", "command", "desktop", "desktop"]
    assert all(d.error is None for d in deliveries)
    payloads = [json.loads(line) for line in received.read_text("utf-8").splitlines()]
    assert sorted(p["step"] for p in payloads) == ["SEV-1#0", "SEV-1#1"]
    assert payloads[0]["incident"] == code and payloads[0]["title"] == "결제 API 장애"
    assert (tmp_path / "desktop-a.txt").read_text("utf-8").count(code) == 2
    assert not (tmp_path / "desktop-b.txt").exists()
    with database.session() as session:
        rows = outbox_for(session, by_code(session, code).id)
        assert {r.channel for r in rows} == {"bell", "flash", "desktop", "command"}
        delivered = [r for r in rows if r.channel in ("desktop", "command")]
        assert all(r.delivered_at is not None and r.claimed_by == "a" for r in delivered)
        # The bell and the flash wait for a process with a screen.
        assert all(r.delivered_at is None for r in rows if r.channel in ("bell", "flash"))


def test_a_failing_command_is_reported_retried_and_never_refires_the_step(world, tmp_path):
    database, clock, service = world
    code = service.declare(WEB, "Slow search", "SEV-3", actor="ops")
    service.fire_due()
    failing = (
        sys.executable,
        "-c",
        "import sys; print('pager is down', file=sys.stderr); sys.exit(3)",
    )
    deliverer = _deliverer(database, clock, tmp_path, "a", failing)
    errors = []
    for _attempt in range(MAX_ATTEMPTS + 1):
        errors += [d.error for d in deliverer.deliver_pending() if d.error]
    assert errors == [
        f"alert command exited with status 3: pager is down (attempt {n})"
        for n in range(1, MAX_ATTEMPTS + 1)
    ]
    with database.session() as session:
        row = next(
            r for r in outbox_for(session, by_code(session, code).id) if r.channel == "command"
        )
        assert row.attempts == MAX_ATTEMPTS and row.delivered_at is not None  # given up
        assert "pager is down" in row.last_error
    assert len(service.view(code).events) == 1


def test_a_claim_left_by_a_crashed_deliverer_expires(world, tmp_path):
    from storage.outbox_rows import claim_alert, pending_alerts

    database, clock, service = world
    service.declare(WEB, "Typo", "SEV-4", actor="ops")
    service.fire_due()
    with database.session() as session:  # a process claims the desktop alert, then dies
        alert = next(a for a in pending_alerts(session, ["desktop"], clock.now()))
        assert claim_alert(session, alert.id, "dead", clock.now(), clock.now() - CLAIM_LEASE)
        session.commit()
    survivor = _deliverer(database, clock, tmp_path, "b")
    desktop = [d for d in survivor.deliver_pending() if d.channel == "desktop"]
    assert desktop == []
    clock.advance(CLAIM_LEASE + timedelta(seconds=1))
    desktop = [d for d in survivor.deliver_pending() if d.channel == "desktop"]
    assert [(d.channel, d.error) for d in desktop] == [("desktop", None)]


def test_a_storm_of_screen_alerts_is_taken_in_chunks_once_and_not_from_a_live_claim(world):
    from storage.outbox_rows import CLAIM_CHUNK, claim_alert, pending_alerts

    database, clock, service = world
    for n in range(160):  # SEV-1 pages two steps at once: 640 alerts for the screen
        service.declare(WEB, f"샤드 {n} 장애", "SEV-1", actor="ops")
    service.fire_due()
    with database.session() as session:  # another screen is showing one of them right now
        held = pending_alerts(session, ["flash"], clock.now())[0]
        assert claim_alert(session, held.id, "other", clock.now(), clock.now() - CLAIM_LEASE)
        session.commit()
    screens = [
        AlertDeliverer(database, clock, channels=("bell", "flash"), claimer=name)
        for name in ("a", "b")
    ]
    shown = [screen.deliver_pending() for screen in screens]
    assert len(shown[0]) == 4 * 160 - 1 > CLAIM_CHUNK and shown[1] == []
    assert {d.channel for d in shown[0]} == {"bell", "flash"}
    with database.session() as session:
        rows = pending_alerts(session, ["bell", "flash"], clock.now())
    assert [(row.id, row.claimed_by) for row in rows] == [(held.id, "other")]


def test_a_backlog_is_read_a_batch_at_a_time_and_a_foreign_claim_stops_the_next(world, monkeypatch):
    """A board catching up after a storm reads DELIVERY_BATCH alerts per pass (all of them at
    once held ~350 MiB of rows for 70,000), says more are waiting, and gets through the rest;
    a batch that is all someone else's claims asks for no next pass."""
    from app.services import alert_delivery
    from storage.outbox_rows import claim_alert, pending_alerts

    database, clock, service = world
    monkeypatch.setattr(alert_delivery, "DELIVERY_BATCH", 50)
    for n in range(20):  # 80 alerts for the screen
        service.declare(WEB, f"샤드 {n} 장애", "SEV-1", actor="ops")
    service.fire_due()
    screen = AlertDeliverer(database, clock, channels=("bell", "flash"), claimer="a")
    first = screen.deliver_pending()
    assert len(first) == 50 and screen.more_waiting
    second = screen.deliver_pending()
    assert len(second) == 30 and not screen.more_waiting
    assert len({d.payload["incident"] for d in first + second}) == 20

    monkeypatch.setattr(alert_delivery, "DELIVERY_BATCH", 1)
    service.declare(WEB, "캐시 장애", "SEV-1", actor="ops")
    service.fire_due()
    with database.session() as session:
        for row in pending_alerts(session, ["bell", "flash"], clock.now()):
            claim_alert(session, row.id, "other", clock.now(), clock.now() - CLAIM_LEASE)
        session.commit()
    assert screen.deliver_pending() == [] and not screen.more_waiting
