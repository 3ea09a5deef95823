"""Reading what senders send, without a database: the [intake] default_severity setting, the
policy's default for alerts, Grafana's state without a status, and what is still refused (a
malformed body only)."""

from __future__ import annotations

import pytest

from app.config.errors import ConfigError
from app.config.tables import _intake
from app.domain.intake import IntakeError, IntakeMapping, parse
from app.domain.intake_levels import level_for, policy_default, setting_problem
from app.services.policy_set import load_policies, policy_sources

POLICIES = load_policies(policy_sources(None))


def test_default_severity_is_a_level_or_a_table_by_source():
    assert _intake({"default_severity": "SEV-2"}, "c").default_severity == {"default": "SEV-2"}
    table = {"grafana": "SEV-2", "default": "SEV-3"}
    mapping = _intake({"default_severity": table}, "c")
    assert (mapping.default_for("grafana"), mapping.default_for("pagerduty")) == ("SEV-2", "SEV-3")
    with pytest.raises(ConfigError, match="'nagios' is not a source"):
        _intake({"default_severity": {"nagios": "SEV-1"}}, "c")
    with pytest.raises(ConfigError, match="must be a level"):
        _intake({"default_severity": 3}, "c")


def test_the_policys_default_for_alerts_pages_at_once_and_escalates_within_an_hour():
    assert policy_default(POLICIES.get("web-service")) == "SEV-3"
    assert policy_default(POLICIES.get("ai-ops")) == "P3"
    ai = POLICIES.get("ai-ops")
    # Monitor words on the P scale map nowhere by default: the default, with the reason.
    level = level_for("critical", "alertmanager", IntakeMapping(), ai)
    assert (level.key, level.reason, level.origin) == ("P3", "unmapped", "policy")
    assert setting_problem(IntakeMapping(default_severity={"default": "SEV-2"}), ai) == (
        "[intake] default_severity 'SEV-2' (for default) is not a level of policy ai-ops: "
        "use one of P0, P1, P2, P3."
    )


def test_grafana_without_status_reads_its_state():
    body = {
        "groupKey": "{}:{}",
        "state": "ok",
        "alerts": [{"labels": {"alertname": "Disk"}, "fingerprint": "f1", "status": "resolved"}],
    }
    (alert,) = parse("grafana", body)
    assert (alert.status, alert.title) == ("resolved", "Disk")


@pytest.mark.parametrize(
    "source, body, sentence",
    [
        ("alertmanager", {"groupKey": "g", "status": "firing", "alerts": []}, "'alerts'"),
        ("alertmanager", {"groupKey": "g", "status": "weird", "alerts": [{}]}, "'status'"),
        ("alertmanager", {"status": "firing", "alerts": [{}]}, "groupKey"),
        ("alertmanager", {"groupKey": "g", "status": "firing", "alerts": ["x"]}, "JSON object"),
        ("pagerduty", {"event_action": "trigger", "dedup_key": "k", "payload": {}}, "summary"),
        ("generic", {"title": "t"}, "dedup_key"),
        ("generic", [], "JSON object"),
    ],
)
def test_only_a_malformed_body_is_refused(source, body, sentence):
    with pytest.raises(IntakeError, match=sentence):
        parse(source, body)
