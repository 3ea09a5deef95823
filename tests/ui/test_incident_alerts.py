"""The incident screen's Alerts tab (`6`), driven by the keyboard: an incident an Alertmanager
group opened shows each alert with its status, host, summary and links, in the reader's
language; the sender's text is shown as data (no markup, no control codes)."""

from __future__ import annotations

from app.domain.clock import FakeClock
from app.domain.intake import IntakeMapping, parse
from app.services.incident_service import IncidentService
from app.services.intake_service import IntakeService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from screens.incident import IncidentScreen
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready


def group_body() -> dict:
    labels = {"alertname": "HighCPU", "severity": "warning"}
    alerts = [
        {
            "status": status,
            "labels": {**labels, "instance": host},
            "annotations": {
                "summary": f"[b]High CPU[/b] core temperature on {host}\x1b[31m",
                "runbook_url": "https://runbooks.example.org/cpu",
            },
            "startsAt": "2026-11-24T08:59:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": host,
        }
        for host, status in (("web-1", "firing"), ("web-2", "resolved"))
    ]
    return {
        "version": "4",
        "groupKey": '{}:{alertname="HighCPU"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "storycart",
        "groupLabels": {"alertname": "HighCPU"},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


def seed_alert(tmp_path, clock) -> str:
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        web = load_policies(policy_sources(None)).get("web-service")
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        (alert,) = parse("alertmanager", group_body())
        return IntakeService(incidents, web, IntakeMapping()).take(alert).incident
    finally:
        database.close()


async def test_the_alerts_tab_shows_each_alert_of_the_group(tmp_path):
    clock = FakeClock(START)
    code = seed_alert(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, IncidentScreen) and app.screen.code == code
        await pilot.press("6")
        await settle(app, pilot)
        assert app.focused is not None and app.focused.id == "alerts-view"
        shown = text_of(app, "#alerts-text")
        assert "Alertmanager의 알림: 2건 중 1건 발생 중" in shown
        assert "[발생 중] web-1 · [b]High CPU[/b] core temperature on web-1[31m" in shown
        assert "[해소] web-2" in shown
        assert "런북: https://runbooks.example.org/cpu" in shown
        assert "\x1b" not in shown


async def test_an_incident_declared_by_hand_says_no_alert_fed_it(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        code = app.services.incidents.declare(
            app.policies.get("web-service"), "by hand", "SEV-2", actor="민지"
        )
        app.push_screen(IncidentScreen(app.catalog, app.clock, code))
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        assert text_of(app, "#alerts-text") == (
            "No alert from a monitor opened or fed this incident."
        )
