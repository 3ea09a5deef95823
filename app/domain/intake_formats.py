"""The bodies monitors send, read into IncomingAlerts with their context: Prometheus
Alertmanager (webhook version 4), Grafana's webhook contact point (the same shape plus orgId,
state, title, message and per-alert silence / dashboard / panel URLs and values), PagerDuty
Events API v2 and a generic form.

Only a malformed body is refused (IntakeError, a 4xx the sender can fix); what a well-formed
alert lacks (a severity, a type, a summary) is left empty for the intake service to fill from
the settings, with the reason in the timeline. Every string kept is bounded and stripped of
terminal control codes: it is data, shown later on screens and in pages."""

from __future__ import annotations

from app.domain.intake_model import MAX_TITLE, STATUSES, IncomingAlert, IntakeError
from app.domain.textsafe import printable

# Caps on what is kept of a sender's context (a storm can carry thousands of alerts, each with
# labels of any length): alerts per notification, labels or annotations per alert, characters.
MAX_ALERTS = 50
MAX_PAIRS = 40
MAX_KEY = 100
MAX_VALUE = 1000
MAX_MESSAGE = 2000
# Annotation names that hold links, as Prometheus rules and Grafana name them.
RUNBOOK_KEYS = ("runbook_url", "runbook", "runbookURL", "runbookUrl")
DASHBOARD_KEYS = ("dashboard_url", "dashboard", "dashboardURL", "grafana_url")
HOST_KEYS = ("host", "hostname", "instance", "node", "pod", "server")
# Grafana's state (the older, deprecated field) when a body has no status.
GRAFANA_STATES = {"alerting": "firing", "no_data": "firing", "pending": "firing", "ok": "resolved"}


def bounded(value: object, limit: int = MAX_VALUE) -> str:
    """A sender's value as kept: text, no control codes, at most `limit` characters."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return printable(text).strip()[:limit]


def pairs(value: object, what: str) -> dict[str, str]:
    """A labels / annotations object: string keys to bounded strings, at most MAX_PAIRS."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise IntakeError(f"{what} must be a JSON object.")
    items = list(value.items())[:MAX_PAIRS]
    return {bounded(k, MAX_KEY): bounded(v) for k, v in items if bounded(k, MAX_KEY)}


def _object(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise IntakeError(f"{what} must be a JSON object.")
    return value


def _first(mapping: dict, keys: tuple[str, ...]) -> str:
    return next((mapping[key] for key in keys if mapping.get(key)), "")


def _key(value: object, what: str, limit: int = 500) -> str:
    if not isinstance(value, str) or not value.strip():
        raise IntakeError(f"The alert has no {what}.")
    return value.strip()[:limit]


def group_alerts(source: str, body: dict, label: str) -> list[IncomingAlert]:
    """An Alertmanager or Grafana notification: one alert group, one incident (its groupKey is
    the dedup key), however many alerts a storm puts in it; each alert's own status and
    severity word is kept, and the group's status says whether the group is resolved."""
    group = _key(body.get("groupKey"), "groupKey")
    status = body.get("status")
    if status is None and source == "grafana":
        status = GRAFANA_STATES.get(str(body.get("state", "")).casefold())
    if status not in ("firing", "resolved"):
        raise IntakeError("'status' must be firing or resolved.")
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise IntakeError("'alerts' must be a non-empty list.")
    common = pairs(body.get("commonLabels"), "'commonLabels'")
    common_notes = pairs(body.get("commonAnnotations"), "'commonAnnotations'")
    items = [_group_item(_object(a, "Each alert"), common, label) for a in alerts[:MAX_ALERTS]]
    for alert in alerts[MAX_ALERTS:]:
        _object(alert, "Each alert")  # every alert must be well formed, kept or not
    truncated = body.get("truncatedAlerts", 0)
    truncated = truncated if isinstance(truncated, int) and truncated > 0 else 0
    first = items[0]
    title = (
        common_notes.get("summary")
        or common.get("alertname")
        or first.get("annotations", {}).get("summary")
        or first.get("labels", {}).get("alertname")
        or bounded(body.get("title"))
        or group
    )
    context = {
        "source": source,
        "receiver": bounded(body.get("receiver")),
        "group_key": bounded(group),
        "group_labels": pairs(body.get("groupLabels"), "'groupLabels'"),
        "common_labels": common,
        "common_annotations": common_notes,
        "external_url": bounded(body.get("externalURL")),
        "truncated": truncated + max(0, len(alerts) - MAX_ALERTS),
    }
    if source == "grafana":
        context |= {
            "org_id": bounded(body.get("orgId")),
            "state": bounded(body.get("state"), MAX_KEY),
            "grafana_title": bounded(body.get("title")),
            "message": bounded(body.get("message"), MAX_MESSAGE),
        }
    firing = [item for item in items if item["status"] == "firing"] or items
    return [
        IncomingAlert(
            source=source,
            dedup_key=f"{source}:{group}",
            status=status,
            title=bounded(title, MAX_TITLE),
            severity=firing[0]["severity"],
            details={"alerts": len(alerts), "labels": {**first.get("labels", {}), **common}},
            alerts=tuple(items),
            context=context,
        )
    ]


def _group_item(alert: dict, common: dict, label: str) -> dict:
    """One alert of a group as kept: its own status, labels, annotations, times and links."""
    # commonLabels are the labels every alert of the group shares; they agree with each
    # alert's own in what Alertmanager and Grafana send, and win where a body says otherwise.
    labels = {**pairs(alert.get("labels"), "'labels'"), **common}
    notes = pairs(alert.get("annotations"), "'annotations'")
    status = alert.get("status")
    item = {
        "fingerprint": bounded(alert.get("fingerprint"), MAX_KEY),
        "status": status if status in ("firing", "resolved") else "firing",
        "severity": labels.get(label, ""),
        "summary": notes.get("summary") or labels.get("alertname", ""),
        "host": _first(labels, HOST_KEYS),
        "labels": labels,
        "annotations": notes,
        "starts_at": bounded(alert.get("startsAt"), MAX_KEY),
        "ends_at": bounded(alert.get("endsAt"), MAX_KEY),
        "generator_url": bounded(alert.get("generatorURL")),
        "runbook_url": _first(notes, RUNBOOK_KEYS),
        "dashboard_url": bounded(alert.get("dashboardURL")) or _first(notes, DASHBOARD_KEYS),
        "panel_url": bounded(alert.get("panelURL")),
        "silence_url": bounded(alert.get("silenceURL")),
        "image_url": bounded(alert.get("imageURL")),
        "value": bounded(alert.get("valueString")) or _values(alert.get("values")),
    }
    if not item["fingerprint"]:
        item["fingerprint"] = "|".join(f"{k}={v}" for k, v in sorted(labels.items()))[:MAX_KEY]
    return {key: value for key, value in item.items() if value or key in ("status", "severity")}


def _values(values: object) -> str:
    """Grafana's `values` ({"B": 44.2, "C": 1}) as one line."""
    if not isinstance(values, dict):
        return ""
    return bounded(", ".join(f"{k}={v}" for k, v in list(values.items())[:MAX_PAIRS]))


_PAGERDUTY_ACTIONS = {"trigger": "firing", "acknowledge": "acknowledged", "resolve": "resolved"}


def pagerduty(body: dict) -> IncomingAlert:
    """An Events API v2 event: trigger (payload.summary, source and severity), acknowledge or
    resolve (the dedup_key alone)."""
    action = body.get("event_action")
    if action not in _PAGERDUTY_ACTIONS:
        raise IntakeError("'event_action' must be trigger, acknowledge or resolve.")
    key = body.get("dedup_key")
    title, severity, items, context = "", "", (), {"source": "pagerduty"}
    if action == "trigger":
        payload = _object(body.get("payload"), "'payload'")
        title = bounded(payload.get("summary"), 1024)
        where = bounded(payload.get("source"))
        if not title:
            raise IntakeError("The alert has no payload.summary.")
        severity = bounded(payload.get("severity"), MAX_KEY)
        key = key or f"{where}:{title}"
        details = payload.get("custom_details")
        links = [link for link in body.get("links") or [] if isinstance(link, dict)]
        item = {
            "fingerprint": bounded(key, MAX_KEY),
            "status": "firing",
            "severity": severity,
            "summary": title,
            "host": where,
            "labels": pairs(
                {k: payload.get(k) for k in ("component", "group", "class") if payload.get(k)},
                "'payload'",
            ),
            "annotations": pairs(details if isinstance(details, dict) else {}, "custom_details"),
            "starts_at": bounded(payload.get("timestamp"), MAX_KEY),
            "generator_url": bounded(body.get("client_url")),
            "runbook_url": _link(links, "runbook"),
            "dashboard_url": _link(links, "dashboard"),
        }
        items = ({k: v for k, v in item.items() if v or k in ("status", "severity")},)
        context |= {
            "client": bounded(body.get("client")),
            "client_url": bounded(body.get("client_url")),
            "links": [
                {"href": bounded(link.get("href")), "text": bounded(link.get("text"))}
                for link in links[:MAX_PAIRS]
            ],
        }
    return IncomingAlert(
        source="pagerduty",
        dedup_key=f"pagerduty:{_key(key, 'dedup_key', 255)}",
        status=_PAGERDUTY_ACTIONS[action],
        title=title[:MAX_TITLE],
        severity=severity,
        alerts=items,
        context=context,
    )


def _link(links: list[dict], word: str) -> str:
    """The href of the first link whose text or address names `word` (runbook, dashboard)."""
    for link in links:
        if word in f"{link.get('text', '')} {link.get('href', '')}".casefold():
            return bounded(link.get("href"))
    return ""


def generic(body: dict) -> IncomingAlert:
    """{dedup_key, title, severity, type, status, details, host, runbook_url, dashboard_url}."""
    status = body.get("status", "firing")
    if status not in STATUSES:
        raise IntakeError("'status' must be firing, resolved or acknowledged.")
    firing = status == "firing"
    title = bounded(body.get("title"), MAX_TITLE)
    if firing and not title:
        raise IntakeError("The alert has no title.")
    details = body.get("details", {})
    details = details if isinstance(details, dict) else {"details": str(details)}
    key = _key(body.get("dedup_key"), "dedup_key", 255)
    item = {
        "fingerprint": bounded(key, MAX_KEY),
        "status": "resolved" if status == "resolved" else "firing",
        "severity": bounded(body.get("severity"), MAX_KEY),
        "summary": title,
        "host": bounded(body.get("host")),
        "annotations": pairs(details, "'details'"),
        "runbook_url": bounded(body.get("runbook_url")),
        "dashboard_url": bounded(body.get("dashboard_url")),
    }
    return IncomingAlert(
        source="generic",
        dedup_key=f"generic:{key}",
        status=status,
        title=title,
        severity=item["severity"] if firing else "",
        type_key=bounded(body.get("type"), MAX_KEY),
        details=details,
        alerts=({k: v for k, v in item.items() if v or k in ("status", "severity")},),
        context={"source": "generic"},
    )
