"""Alerts from monitors, read from the bodies they send: Prometheus Alertmanager (webhook version
4), Grafana (unified alerting, the same shape), PagerDuty Events API v2, and a generic form.
Each body becomes alerts with a dedup key, a status (firing, resolved, acknowledged), a title and
a severity word, and the mapping of the settings turns the word into the policy's severity.
Bodies are data: a refusal is one sentence, and nothing is taken from a body that is not
checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.intake_formats import generic, group_alerts, pagerduty
from app.domain.intake_model import (
    DEFAULT_SEVERITIES,
    MAX_TITLE,
    SOURCES,
    STATUSES,
    IncomingAlert,
    IntakeBusy,
    IntakeError,
)

__all__ = [
    "DEFAULT_SEVERITIES",
    "MAX_TITLE",
    "SOURCES",
    "STATUSES",
    "HeartbeatRule",
    "IncomingAlert",
    "IntakeBusy",
    "IntakeError",
    "IntakeMapping",
    "Window",
    "parse",
    "window_text",
]


@dataclass(frozen=True)
class IntakeMapping:
    """The [intake] table: which policy and type an alert declares, how the monitors' severity
    words map to the policy's levels (and which level an alert without one gets), and whether
    a monitor's "resolved" resolves."""

    policy: str = ""  # empty: the app's policy
    type_key: str = ""  # empty: the policy's first type
    severities: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    severity_label: str = "severity"  # the Alertmanager / Grafana label holding the word
    resolve: bool = False  # a monitor's "resolved" resolves the incident (else: only recorded)
    public_url: str = ""  # where people reach the intake: pages' acknowledge links start here

    # The level for an alert without a severity or with a word that maps nowhere, per source
    # ({"grafana": "SEV-2", "default": "SEV-3"}); empty: the policy's own default for alerts
    # (app.domain.intake_levels.policy_default).
    default_severity: dict[str, str] = field(default_factory=dict)

    def default_for(self, source: str) -> str:
        """The configured default level for alerts from `source` ("" when none is set)."""
        return self.default_severity.get(source) or self.default_severity.get("default", "")


def parse(source: str, body: object, severity_label: str = "severity") -> list[IncomingAlert]:
    """The alerts in a body from `source`; IntakeError for a body that is not that format (a
    malformed body, which the sender can fix), never for what a well-formed alert lacks."""
    if not isinstance(body, dict):
        raise IntakeError("The body must be a JSON object.")
    if source in ("alertmanager", "grafana"):
        return group_alerts(source, body, severity_label)
    if source == "pagerduty":
        return [pagerduty(body)]
    if source == "generic":
        return [generic(body)]
    raise IntakeError(f"There is no intake for {source!r}; use one of {', '.join(SOURCES)}.")


@dataclass(frozen=True)
class HeartbeatRule:
    """[heartbeats.NAME]: a ping is expected at least every `interval_s`; silence declares an
    incident of `severity`."""

    name: str
    interval_s: int
    severity: str
    title: str = ""

    def missed_title(self) -> str:
        return self.title or f"heartbeat {self.name} missed"


@dataclass(frozen=True)
class Window:
    """A maintenance window: alerts that match it are recorded but page nobody."""

    name: str
    match: str
    starts_at: datetime
    ends_at: datetime
    created_by: str

    def covers(self, *texts: str) -> bool:
        wanted = self.match.casefold()
        return not wanted or any(wanted in text.casefold() for text in texts)


def window_text(window: Window, catalog) -> str:
    """One line saying a maintenance window is open, until when, and what it silences."""
    from app.domain.message_templates import local_time

    until = local_time(window.ends_at)
    if window.match:
        return catalog.t(
            "maintenance.line_match", name=window.name, until=until, match=window.match
        )
    return catalog.t("maintenance.line", name=window.name, until=until)
