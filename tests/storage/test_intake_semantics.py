"""What real senders send, taken at the service level on a real SQLite file and a real PostgreSQL
database: Grafana's and Alertmanager's documented payloads (tests/intake_payloads, see its
SOURCES.md) declare with the context kept; a missing or unknown severity or type is never a
refusal; severity follows the group's most severe firing alert; alerts resolve one by one; a
resolve after a hand resolve is recorded; maintenance never refuses; and the page carries the
alert's essentials."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.intake import IntakeMapping, parse
from app.services.incident_service import IncidentService
from app.services.intake_service import IntakeService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.incident_rows import by_code, outbox_for

POLICIES = load_policies(policy_sources(None))
WEB = POLICIES.get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PAYLOADS = Path(__file__).resolve().parents[1] / "intake_payloads"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock), ("command",))
    yield database, incidents, IntakeService(incidents, WEB, IntakeMapping())
    database.close()


def take(service: IntakeService, source: str, body: dict):
    (alert,) = parse(source, body)
    return service.take(alert)


def lines(incidents, code: str, lang: str = "en") -> list[str]:
    catalog = Catalog(lang)
    return [entry_text(entry, catalog) for entry in incidents.view(code).timeline]


def test_grafanas_documented_payload_has_no_severity_and_still_declares(world):
    _database, incidents, service = world
    taken = take(service, "grafana", payload("grafana_webhook.json"))
    assert taken.result == "declared"
    view = incidents.view(taken.incident)
    # The policy's default for alerts: SEV-3 pages the on-call engineer at once.
    assert (view.record.title, view.record.severity) == (
        "This alert was triggered for zone us-1",
        "SEV-3",
    )
    assert (
        "Severity label missing: SEV-3, the policy's default for alerts ([intake] "
        "default_severity chooses another)." in lines(incidents, taken.incident)
    )
    assert any("심각도 레이블 없음" in line for line in lines(incidents, taken.incident, "ko"))
    (group,) = service_groups(world, taken.incident)
    assert group["source"] == "grafana" and group["state"] == "alerting"
    assert [a["fingerprint"] for a in group["alerts"]] == ["c6eadffa33fcdf37", "bc97ff14869b13e3"]
    first = group["alerts"][0]
    assert first["runbook_url"] == "https://myrunbook.com/runbook/1234"
    assert first["silence_url"].startswith("https://play.grafana.org/alerting/silence/new?")
    assert first["value"] == "B=44.23943737541908, C=1"
    assert first["labels"]["zone"] == "us-1" and first["status"] == "firing"


def service_groups(world, code: str) -> list[dict]:
    from storage.intake_claims import keys_for_incident

    database = world[0]
    with database.session() as session:
        return [key.context for key in keys_for_incident(session, code)]


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("SEV-2", "SEV-2"),
        ({"grafana": "SEV-2", "default": "SEV-4"}, "SEV-2"),
        ({"default": "SEV-4"}, "SEV-4"),
    ],
)
def test_default_severity_from_the_settings_per_source(world, setting, expected):
    from app.config.tables import _intake

    _database, incidents, service = world
    service.mapping = _intake({"default_severity": setting}, "config.toml")
    taken = take(service, "grafana", payload("grafana_webhook.json"))
    assert incidents.view(taken.incident).record.severity == expected
    assert f"Severity label missing: {expected} from [intake] default_severity." in lines(
        incidents, taken.incident
    )


def test_an_unknown_severity_word_takes_the_default_with_its_reason(world):
    _database, incidents, service = world
    body = {"dedup_key": "db", "title": "DB 느림", "severity": "disaster", "host": "db-1"}
    taken = take(service, "generic", body)
    assert incidents.view(taken.incident).record.severity == "SEV-3"
    assert (
        "Severity “disaster” maps to no level: SEV-3, the policy's default for alerts "
        "([intake] severities maps words)." in lines(incidents, taken.incident)
    )


def test_alertmanagers_payload_keeps_its_context_for_the_incident_and_the_page(world):
    _database, incidents, service = world
    taken = take(service, "alertmanager", payload("alertmanager_v4.json"))
    code = taken.incident
    assert incidents.view(code).record.severity == "SEV-1"  # severity="critical"
    assert not any("Severity" in line for line in lines(incidents, code))  # no reason needed
    (group,) = service_groups(world, code)
    assert (
        group["receiver"] == "sms" and group["external_url"] == "http://prometheus.example.org:9093"
    )
    (alert,) = group["alerts"]
    assert alert["host"] == "https://server.example.org"
    assert alert["generator_url"].endswith("probe_success+%3D%3D+0&g0.tab=1")
    # The ladder's first steps page now: each page says which host and what happened.
    fired = incidents.fire_due()
    assert fired
    with world[0].session() as session:
        rows = outbox_for(session, by_code(session, code).id)
    assert rows and all(
        row.payload["alert"]
        == {
            "host": "https://server.example.org",
            "summary": "BlackBox Probe Failure: https://server.example.org",
            "source": "alertmanager",
        }
        for row in rows
    )


def test_a_page_for_an_incident_declared_by_hand_has_no_alert_key(world):
    _database, incidents, _service = world
    code = incidents.declare(WEB, "손으로 선언", "SEV-2", actor="민지")
    incidents.fire_due()
    with world[0].session() as session:
        rows = outbox_for(session, by_code(session, code).id)
    assert rows and all("alert" not in row.payload for row in rows)


def warning_group(alerts: list[tuple[str, str, str]], status: str = "firing") -> dict:
    """An Alertmanager notification of group "HighCPU" with (instance, severity, status) alerts."""
    body = copy.deepcopy(payload("alertmanager_v4.json"))
    body["status"] = status
    body["groupKey"] = '{}:{alertname="HighCPU"}'
    body["commonLabels"] = {"alertname": "HighCPU"}
    body["commonAnnotations"] = {}
    body["alerts"] = [
        {
            "status": state,
            "labels": {"alertname": "HighCPU", "instance": host, "severity": severity},
            "annotations": {
                "summary": f"High CPU core temperature on {host}",
                "runbook_url": "https://runbooks.example.org/cpu",
            },
            "startsAt": "2026-11-24T08:59:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": f"fp-{host}",
        }
        for host, severity, state in alerts
    ]
    return body


def test_a_critical_alert_joining_a_warning_group_raises_the_incident_and_its_ladder(world):
    _database, incidents, service = world
    code = take(service, "alertmanager", warning_group([("web-1", "warning", "firing")])).incident
    assert incidents.view(code).record.severity == "SEV-3"
    incidents.fire_due()
    both = [("web-1", "warning", "firing"), ("web-2", "critical", "firing")]
    assert take(service, "alertmanager", warning_group(both)).result == "repeated"
    view = incidents.view(code)
    assert view.record.severity == "SEV-1"
    assert "SEV-3 -> SEV-1" in [e.text for e in view.timeline if e.kind == "severity_changed"]
    assert "An alert asking for SEV-1 joined the group: severity raised from SEV-3." in lines(
        incidents, code
    )
    # The SEV-1 ladder starts: the L3 engineering manager is paged at once.
    fired = incidents.fire_due()
    assert "L3 engineering manager" in [
        who.get("en") for step in fired for who in step.step.step.notify
    ]
    # The critical alert resolves: the alerts now ask for less; logged, never lowered.
    calmer = [("web-1", "warning", "firing"), ("web-2", "critical", "resolved")]
    take(service, "alertmanager", warning_group(calmer))
    assert incidents.view(code).record.severity == "SEV-1"
    said = lines(incidents, code)
    assert "Alert resolved: High CPU core temperature on web-2 (1 still firing)." in said
    assert (
        "The group's alerts now ask for SEV-3 (before: SEV-1); the incident stays SEV-1 — "
        "lower it by hand if that is right." in said
    )


def test_a_level_lowered_by_hand_is_not_raised_again_by_the_same_alerts(world):
    _database, incidents, service = world
    group = warning_group([("web-1", "critical", "firing")])
    code = take(service, "alertmanager", group).incident
    incidents.change_severity(code, "민지", "SEV-3")
    take(service, "alertmanager", group)
    assert incidents.view(code).record.severity == "SEV-3"


def test_alerts_resolve_one_by_one_then_the_group(world):
    _database, incidents, service = world
    two = [("web-1", "warning", "firing"), ("web-2", "warning", "firing")]
    code = take(service, "alertmanager", warning_group(two)).incident
    one_left = [("web-1", "warning", "resolved"), ("web-2", "warning", "firing")]
    take(service, "alertmanager", warning_group(one_left))
    (group,) = service_groups(world, code)
    assert {a["host"]: a["status"] for a in group["alerts"]} == {
        "web-1": "resolved",
        "web-2": "firing",
    }
    assert incidents.view(code).record.resolved_at is None
    taken = take(service, "alertmanager", warning_group(two, status="resolved"))
    assert (taken.incident, taken.result) == (code, "recorded")  # [intake] resolve = false
    (group,) = service_groups(world, code)
    assert {a["status"] for a in group["alerts"]} == {"resolved"}
    assert group["status"] == "resolved"


def test_a_resolve_for_an_incident_resolved_by_hand_is_recorded_and_reopens_nothing(world):
    _database, incidents, service = world
    service.mapping = IntakeMapping(resolve=True)
    group = [("web-1", "warning", "firing")]
    code = take(service, "alertmanager", warning_group(group)).incident
    incidents.resolve(code, "민지", "rolled back")
    taken = take(service, "alertmanager", warning_group(group, status="resolved"))
    assert (taken.incident, taken.result) == (code, "recorded")
    view = incidents.view(code)
    assert view.record.resolved_at is not None and view.record.status == "resolved"
    assert lines(incidents, code)[-1] == (
        "Alertmanager says resolved; the incident was already resolved (nothing reopened)."
    )


def test_truncated_alerts_are_counted_and_shown(world):
    _database, incidents, service = world
    body = warning_group([("web-1", "warning", "firing")])
    body["truncatedAlerts"] = 3
    code = take(service, "alertmanager", body).incident
    assert "The sender left 3 alerts of this group out of its notification." in lines(
        incidents, code
    )
    (group,) = service_groups(world, code)
    assert group["truncated"] == 3


def test_a_storm_keeps_at_most_fifty_alerts_per_group(world):
    service = world[2]
    storm = [(f"web-{n}", "warning", "firing") for n in range(80)]
    code = take(service, "alertmanager", warning_group(storm)).incident
    (group,) = service_groups(world, code)
    assert len(group["alerts"]) == 50 and group["truncated"] == 30
    long = warning_group([("x" * 5000, "warning", "firing")])
    long["groupKey"] = "long"
    code = take(service, "alertmanager", long).incident
    (group,) = service_groups(world, code)
    assert len(group["alerts"][0]["host"]) == 1000


def test_control_codes_from_a_sender_are_never_kept(world):
    service = world[2]
    body = {"dedup_key": "evil", "title": "boom\x1b[31m", "host": "db\x1b]0;pwned\x07-1"}
    code = take(service, "generic", body).incident
    (group,) = service_groups(world, code)
    assert group["alerts"][0]["host"] == "db]0;pwned-1"
    assert "\x1b" not in json.dumps(group, ensure_ascii=False)


def test_maintenance_records_firing_and_resolving_alerts_and_never_refuses(world):
    _database, incidents, service = world
    service.maintenance.start("db-upgrade", timedelta(hours=2), "민지")
    group = [("db-1", "critical", "firing")]
    taken = take(service, "alertmanager", warning_group(group))
    assert taken == type(taken)(None, "suppressed by maintenance db-upgrade")
    resolved = take(service, "alertmanager", warning_group(group, status="resolved"))
    assert (resolved.incident, resolved.result) == (None, "recorded")
    ack = {
        "routing_key": "R",
        "event_action": "trigger",
        "dedup_key": "pd-1",
        "payload": {"summary": "DB down", "source": "db-1", "severity": "critical"},
    }
    take(service, "pagerduty", ack)
    assert take(service, "pagerduty", {"event_action": "acknowledge", "dedup_key": "pd-1"}) == (
        type(taken)(None, "recorded")
    )
    assert incidents.list(include_resolved=True) == []
    incidents.clock.advance(timedelta(hours=2))
    assert take(service, "alertmanager", warning_group(group)).result == "declared"


def test_pagerduty_without_severity_and_with_links(world):
    _database, incidents, service = world
    body = {
        "routing_key": "R0UT1NGKEY",
        "event_action": "trigger",
        "dedup_key": "disk-7",
        "client": "Sample Monitoring Service",
        "client_url": "https://monitoring.example.com",
        "links": [{"href": "https://wiki.example.com/runbook/disk", "text": "Runbook"}],
        "payload": {"summary": "Disk 95% on db-7", "source": "db-7", "component": "postgres"},
    }
    taken = take(service, "pagerduty", body)
    assert incidents.view(taken.incident).record.severity == "SEV-3"
    (group,) = service_groups(world, taken.incident)
    assert group["alerts"][0]["runbook_url"] == "https://wiki.example.com/runbook/disk"
    assert group["alerts"][0]["host"] == "db-7"


def test_a_repeat_that_cannot_be_written_is_not_counted_and_counts_once_when_sent_again(
    world, monkeypatch
):
    """The key's count and the incident's "fired again" line land in one transaction: when the
    line cannot be written (the database refuses mid-way), the alert is not half-taken, and the
    sender's retry counts it once."""
    from app.services.incident_context import IncidentContext
    from storage.intake_rows import intake_key

    database, incidents, service = world
    body = payload("alertmanager_v4.json")
    code = take(service, "alertmanager", body).incident
    log = IncidentContext.log

    def refuse_the_line(context, session, record, at, kind, *args, **kwargs):
        if kind == "note":
            raise RuntimeError("disk full")
        return log(context, session, record, at, kind, *args, **kwargs)

    monkeypatch.setattr(IncidentContext, "log", refuse_the_line)
    with pytest.raises(RuntimeError):
        take(service, "alertmanager", body)
    monkeypatch.setattr(IncidentContext, "log", log)
    (alert,) = parse("alertmanager", body)
    with database.session() as session:
        assert intake_key(session, alert.dedup_key).count == 1  # the failed repeat left nothing
    assert take(service, "alertmanager", body).result == "repeated"
    with database.session() as session:
        assert intake_key(session, alert.dedup_key).count == 2
    said = [line for line in lines(incidents, code) if "fired again" in line]
    assert len(said) == 1 and "(×2)" in said[0]
