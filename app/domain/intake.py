"""Alerts from monitors, read from the bodies they send: Prometheus Alertmanager (webhook version
4), Grafana (unified alerting, the same shape), PagerDuty Events API v2, and a generic form.
Each body becomes alerts with a dedup key, a status (firing, resolved, acknowledged), a title and
a severity word, and the mapping of the settings turns the word into the policy's severity.
Bodies are data: a refusal is one sentence, and nothing is taken from a body that is not
checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SOURCES = ("alertmanager", "grafana", "pagerduty", "generic")
STATUSES = ("firing", "resolved", "acknowledged")
MAX_TITLE = 200
# What monitors call their levels, mapped to the seeds' scale unless the settings say otherwise.
DEFAULT_SEVERITIES = {
    "critical": "SEV-1",
    "page": "SEV-1",
    "error": "SEV-2",
    "high": "SEV-2",
    "warning": "SEV-3",
    "medium": "SEV-3",
    "info": "SEV-4",
    "low": "SEV-4",
}


class IntakeError(ValueError):
    """A body that cannot be taken; str() is one sentence for the sender."""


@dataclass(frozen=True)
class IncomingAlert:
    source: str
    dedup_key: str
    status: str
    title: str
    severity: str  # the monitor's word (critical, warning, …) or a policy key (SEV-1, P0)
    type_key: str = ""
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeMapping:
    """The [intake] table: which policy and type an alert declares, how the monitors' severity
    words map to the policy's levels, and whether a monitor's "resolved" resolves."""

    policy: str = ""  # empty: the app's policy
    type_key: str = ""  # empty: the policy's first type
    severities: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    severity_label: str = "severity"  # the Alertmanager / Grafana label holding the word
    resolve: bool = False  # a monitor's "resolved" resolves the incident (else: only recorded)
    public_url: str = ""  # where people reach the intake: pages' acknowledge links start here

    def severity_for(self, word: str, known: list[str]) -> str:
        """The policy's severity for a monitor's word; refuses a word that maps nowhere."""
        if word in known:
            return word
        mapped = self.severities.get(word.casefold())
        if mapped is None or mapped not in known:
            raise IntakeError(
                f"The severity {word!r} maps to no level of the policy; map it in [intake] "
                f"severities or send one of {', '.join(known)}."
            )
        return mapped


def _text(value: object, what: str, limit: int = MAX_TITLE) -> str:
    if not isinstance(value, str) or not value.strip():
        raise IntakeError(f"The alert has no {what}.")
    return value.strip()[:limit]


def _object(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise IntakeError(f"{what} must be a JSON object.")
    return value


def parse(source: str, body: object, severity_label: str = "severity") -> list[IncomingAlert]:
    """The alerts in a body from `source`; IntakeError for a body that is not that format."""
    body = _object(body, "The body")
    if source in ("alertmanager", "grafana"):
        return _alertmanager(source, body, severity_label)
    if source == "pagerduty":
        return [_pagerduty(body)]
    if source == "generic":
        return [_generic(body)]
    raise IntakeError(f"There is no intake for {source!r}; use one of {', '.join(SOURCES)}.")


def _alertmanager(source: str, body: dict, label: str) -> list[IncomingAlert]:
    """One alert per notification: Alertmanager groups alerts, and a group is one incident
    (its groupKey is the dedup key), however many alerts a storm puts in it."""
    group = _text(body.get("groupKey"), "groupKey", 500)
    status = body.get("status")
    if status not in ("firing", "resolved"):
        raise IntakeError("'status' must be firing or resolved.")
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise IntakeError("'alerts' must be a non-empty list.")
    common = _object(body.get("commonLabels", {}), "'commonLabels'")
    annotations = _object(body.get("commonAnnotations", {}), "'commonAnnotations'")
    first = _object(alerts[0], "Each alert")
    labels = {**_object(first.get("labels", {}), "'labels'"), **common}
    title = (
        annotations.get("summary")
        or labels.get("alertname")
        or _object(first.get("annotations", {}), "'annotations'").get("summary")
    )
    severity = labels.get(label) or ""
    return [
        IncomingAlert(
            source=source,
            dedup_key=f"{source}:{group}",
            status=status,
            title=_text(title, "summary or alertname"),
            severity=_text(severity, f"'{label}' label"),
            details={"alerts": len(alerts), "labels": {k: str(v) for k, v in labels.items()}},
        )
    ]


_PAGERDUTY_ACTIONS = {"trigger": "firing", "acknowledge": "acknowledged", "resolve": "resolved"}


def _pagerduty(body: dict) -> IncomingAlert:
    action = body.get("event_action")
    if action not in _PAGERDUTY_ACTIONS:
        raise IntakeError("'event_action' must be trigger, acknowledge or resolve.")
    key = body.get("dedup_key")
    payload = body.get("payload")
    if action == "trigger":
        payload = _object(payload, "'payload'")
        title = _text(payload.get("summary"), "payload.summary", 1024)[:MAX_TITLE]
        severity = _text(payload.get("severity"), "payload.severity")
        key = key or f"{payload.get('source', '')}:{title}"
    else:
        title, severity = "", ""
    return IncomingAlert(
        source="pagerduty",
        dedup_key=f"pagerduty:{_text(key, 'dedup_key', 255)}",
        status=_PAGERDUTY_ACTIONS[action],
        title=title,
        severity=severity,
    )


def _generic(body: dict) -> IncomingAlert:
    status = body.get("status", "firing")
    if status not in STATUSES:
        raise IntakeError("'status' must be firing, resolved or acknowledged.")
    firing = status == "firing"
    details = body.get("details", {})
    return IncomingAlert(
        source="generic",
        dedup_key=f"generic:{_text(body.get('dedup_key'), 'dedup_key', 255)}",
        status=status,
        title=_text(body.get("title"), "title") if firing else str(body.get("title") or ""),
        severity=_text(body.get("severity"), "severity") if firing else "",
        type_key=str(body.get("type") or ""),
        details=details if isinstance(details, dict) else {"details": str(details)},
    )


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
