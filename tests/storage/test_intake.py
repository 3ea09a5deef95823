"""Alert intake over real HTTP, on a real SQLite file and a real PostgreSQL database: bodies in the
exact formats of Alertmanager (webhook v4), Grafana and PagerDuty Events v2 open incidents,
repeats add to them, acknowledgements acknowledge, and every refusal is a 4xx with a sentence
and nothing stored."""

from __future__ import annotations

import http.client
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.cli.intake import MAX_BODY, RateLimit
from app.cli.intake_server import make_server
from app.domain.clock import FakeClock
from app.domain.intake import IntakeMapping
from app.services.incident_service import IncidentService
from app.services.intake_service import IntakeService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TOKEN = "t0ken-for-tests"


def alertmanager(status: str = "firing", alerts: int = 1) -> dict:
    """A notification as Alertmanager's webhook receiver sends it (version 4)."""
    labels = {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical"}
    return {
        "version": "4",
        "groupKey": '{}/{severity="critical"}:{alertname="HighErrorRate"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "storycart",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": labels,
        "commonAnnotations": {"summary": "결제 오류율 5% 초과"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {**labels, "instance": f"checkout-{n}"},
                "annotations": {"summary": "결제 오류율 5% 초과"},
                "startsAt": "2026-11-24T08:59:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": f"{n:016x}",
            }
            for n in range(alerts)
        ],
    }


def pagerduty(action: str, summary: str = "", severity: str = "error") -> dict:
    """An Events API v2 body (the shape PagerDuty's /v2/enqueue takes)."""
    body = {"routing_key": "R0UT1NGKEY", "event_action": action, "dedup_key": "db-primary"}
    if action == "trigger":
        body["payload"] = {"summary": summary, "source": "db-1", "severity": severity}
    return body


@pytest.fixture
def intake(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    service = IntakeService(incidents, WEB, IntakeMapping(resolve=False))
    server = make_server("127.0.0.1", 0, TOKEN, service, "severity")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, incidents, service
    server.shutdown()
    server.server_close()
    database.close()


def post(server, path: str, body, token: str | None = TOKEN, raw: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    data = raw if raw is not None else json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    connection.request("POST", path, body=data, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, answer


def test_an_alertmanager_group_is_one_incident_however_many_alerts_and_repeats(intake):
    server, incidents, _service = intake
    status, answer = post(server, "/v1/alerts/alertmanager", alertmanager())
    assert (status, answer["result"]) == (202, "declared")
    code = answer["incident"]
    view = incidents.view(code)
    assert (view.record.title, view.record.severity) == ("결제 오류율 5% 초과", "SEV-1")
    assert view.timeline[0].actor == "intake: alertmanager"
    status, answer = post(server, "/v1/alerts/alertmanager", alertmanager(alerts=1000))
    assert (status, answer) == (200, {"incident": code, "result": "repeated"})
    status, answer = post(server, "/v1/alerts/alertmanager", alertmanager("resolved"))
    assert answer == {"incident": code, "result": "recorded"}  # resolve = false: recorded only
    assert len(incidents.list(include_resolved=True)) == 1
    notes = [e.text for e in incidents.view(code).timeline if e.kind == "note"]
    assert notes == [
        "alertmanager fired again (×2): 결제 오류율 5% 초과",
        "alertmanager says resolved",
    ]
    assert incidents.view(code).record.resolved_at is None


# What events.pagerduty.com answers to every accepted event (issue 30: a PagerDuty sender
# switches by changing only its URL, on /v2/enqueue and /v1/alerts/pagerduty alike).
PROCESSED = {"status": "success", "message": "Event processed", "dedup_key": "db-primary"}


def test_pagerduty_events_trigger_acknowledge_and_resolve(intake):
    server, incidents, service = intake
    status, answer = post(server, "/v1/alerts/pagerduty", pagerduty("trigger", "DB 接続不可"))
    assert (status, answer) == (202, PROCESSED)
    (declared,) = incidents.list()
    code = declared.record.code
    assert declared.record.severity == "SEV-2"  # PagerDuty "error"
    assert post(server, "/v1/alerts/pagerduty", pagerduty("acknowledge")) == (202, PROCESSED)
    assert incidents.view(code).record.acknowledged_at is not None
    service.mapping = IntakeMapping(resolve=True)
    assert post(server, "/v1/alerts/pagerduty", pagerduty("resolve")) == (202, PROCESSED)
    assert incidents.view(code).record.resolved_at is not None
    # The same key firing after its incident was resolved opens a new incident.
    status, again = post(server, "/v1/alerts/pagerduty", pagerduty("trigger", "DB 接続不可"))
    assert (status, again) == (202, PROCESSED)
    (reopened,) = incidents.list()
    assert reopened.record.code != code


def test_grafana_and_generic_bodies(intake):
    server, incidents, _service = intake
    grafana = {
        **alertmanager(),
        "orgId": 1,
        "title": "[FIRING:1] HighErrorRate",
        "state": "alerting",
    }
    grafana["groupKey"] = '{}:{alertname="Disk"}'
    grafana["commonLabels"] = {**grafana["commonLabels"], "severity": "warning"}
    status, answer = post(server, "/v1/alerts/grafana", grafana)
    assert status == 202 and incidents.view(answer["incident"]).record.severity == "SEV-3"
    generic = {"dedup_key": "nightly-backup", "title": "백업 실패", "severity": "SEV-2"}
    # Issue 30: an unknown type is no refusal (a 4xx loses the alert): the default type, and
    # the reason in the timeline.
    status, answer = post(server, "/v1/alerts/generic", {**generic, "type": "data"})
    assert status == 202
    view = incidents.view(answer["incident"])
    assert view.record.type_key == "service"
    assert "Type “data” is not one of policy web-service: service used." in [
        e.text for e in view.timeline
    ]
    generic["dedup_key"] = "nightly-restore"
    status, answer = post(server, "/v1/alerts/generic", {**generic, "type": "service"})
    assert status == 202
    assert incidents.view(answer["incident"]).record.type_key == "service"
    assert len(incidents.list()) == 3


def test_every_refusal_is_a_4xx_sentence_and_stores_nothing(intake):
    server, incidents, _service = intake
    body = alertmanager()
    cases = [
        (post(server, "/v1/alerts/alertmanager", body, token=None), 401, "Bearer"),
        (post(server, "/v1/alerts/alertmanager", body, token="wrong"), 401, "Bearer"),
        (post(server, "/v1/alerts/nagios", body), 404, "no intake at"),
        (post(server, "/v1/alerts/generic", None, raw=b"{not json"), 400, "not JSON"),
        # (a severity that maps to no level is no longer refused: tests/storage/
        # test_intake_semantics.py; issue 30)
        (post(server, "/v1/alerts/alertmanager", {**body, "alerts": []}), 422, "'alerts'"),
        (post(server, "/v1/alerts/pagerduty", {"event_action": "explode"}), 400, "event_action"),
    ]
    for (status, answer), expected, sentence in cases:
        assert status == expected, answer
        assert sentence in answer["error"] and answer["error"].endswith(".")
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    connection.putrequest("POST", "/v1/alerts/generic")
    connection.putheader("Authorization", f"Bearer {TOKEN}")
    connection.putheader("Content-Length", str(10 * MAX_BODY))
    connection.endheaders()  # the 10 MiB body is never read
    response = connection.getresponse()
    assert response.status == 413 and "larger than 1 MiB" in json.loads(response.read())["error"]
    connection.close()
    assert incidents.list(include_resolved=True) == []


def test_the_rate_limit_lets_a_burst_through_then_slows_one_sender():
    limit = RateLimit(per_second=5)
    allowed = [limit.allow("10.0.0.1") for _ in range(20)]
    assert allowed[:10] == [True] * 10 and not all(allowed[10:])
    assert limit.allow("10.0.0.2")  # another sender has its own bucket


def test_a_maintenance_window_records_alerts_but_declares_nothing(intake):
    server, incidents, service = intake
    window = service.maintenance.start("db-upgrade", timedelta(hours=2), "민지", match="db")
    status, answer = post(server, "/v1/alerts/pagerduty", pagerduty("trigger", "DB 接続不可"))
    assert (status, answer) == (202, PROCESSED)  # taken (a 4xx would lose it), paging nobody
    assert incidents.list() == []
    status, answer = post(server, "/v1/alerts/alertmanager", alertmanager())
    assert status == 202  # does not match "db": declared as usual
    assert [w.name for w in service.maintenance.active()] == [window.name]
    incidents.clock.advance(timedelta(hours=2))  # the window is over
    assert service.maintenance.active() == []
    status, answer = post(server, "/v1/alerts/pagerduty", pagerduty("trigger", "DB 接続不可"))
    assert (status, answer) == (202, PROCESSED)
    assert len(incidents.list()) == 2


def test_a_silent_heartbeat_declares_once_and_its_next_ping_records_recovery(database_url):
    from app.domain.intake import HeartbeatRule
    from app.services.watch_service import HeartbeatService

    database = Database.open(database_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    rule = HeartbeatRule("nightly-backup", 3600, "SEV-2")
    beats = HeartbeatService(incidents, WEB, (rule,), IntakeMapping())
    intake = IntakeService(incidents, WEB, IntakeMapping())
    server = make_server("127.0.0.1", 0, TOKEN, intake, "severity", beats)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert beats.check() == []  # first sight: one interval from now
        assert post(server, "/v1/heartbeat/nightly-backup", {})[0] == 200
        clock.advance(3599)
        assert beats.check() == []
        clock.advance(2)
        (code,) = beats.check()
        assert incidents.view(code).record.title == "heartbeat nightly-backup missed"
        assert incidents.view(code).record.severity == "SEV-2"
        clock.advance(600)
        assert beats.check() == []  # declared once per silence
        status, answer = post(server, "/v1/heartbeat/nightly-backup", {})
        assert (status, answer["recovered"]) == (200, code)
        notes = [e.text for e in incidents.view(code).timeline if e.kind == "note"]
        assert notes == ["heartbeat nightly-backup recovered"]
        status, answer = post(server, "/v1/heartbeat/unknown-job", {})
        assert status == 404 and "There is no heartbeat 'unknown-job'" in answer["error"]
        assert post(server, "/v1/heartbeat/nightly-backup", {}, token="wrong")[0] == 401
    finally:
        server.shutdown()
        server.server_close()
        database.close()
