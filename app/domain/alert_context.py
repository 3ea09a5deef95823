"""The context of an alert group kept on its incident (intake_key.context): what the sender said
of the group (source, receiver, labels and annotations shared by its alerts, external URL, how
many alerts it left out) and each alert with its own status, merged notification after
notification by fingerprint. Bounded: at most MAX_KEPT alerts per group (firing ones first, then
the latest), each already bounded by app.domain.intake_formats.

`essentials` is what a page carries of it (payload["alert"]): host, summary, runbook and
dashboard links, source — the names page texts read, each omitted when the sender gave none."""

from __future__ import annotations

from app.domain.intake_model import IncomingAlert

MAX_KEPT = 50
GROUP_FIELDS = (
    "source",
    "receiver",
    "group_key",
    "group_labels",
    "common_labels",
    "common_annotations",
    "external_url",
    "org_id",
    "state",
    "grafana_title",
    "message",
    "client",
    "client_url",
    "links",
)


def merge(stored: dict | None, alert: IncomingAlert, at: str) -> tuple[dict, list[dict]]:
    """The group's context after this notification, and the alerts it turned from firing to
    resolved. A resolved group (the sender's status) resolves every alert it kept."""
    context = dict(stored or {})
    for name in GROUP_FIELDS:
        if alert.context.get(name):
            context[name] = alert.context[name]
    context.setdefault("source", alert.source)
    context["status"] = alert.status
    context["updated_at"] = at
    context["truncated"] = int(alert.context.get("truncated", 0) or 0)
    known = {item.get("fingerprint", ""): dict(item) for item in context.get("alerts", [])}
    before = {key: item.get("status") for key, item in known.items()}
    for item in alert.alerts:
        key = item.get("fingerprint", "")
        known[key] = {**known.get(key, {}), **item, "seen_at": at}
    if alert.status == "resolved":
        for item in known.values():
            item["status"] = "resolved"
    items = list(known.values())
    firing = [item for item in items if item.get("status") == "firing"]
    others = [item for item in items if item.get("status") != "firing"]
    others.sort(key=lambda item: item.get("seen_at", ""), reverse=True)
    kept = (firing + others)[:MAX_KEPT]
    context["dropped"] = int(context.get("dropped", 0)) + len(items) - len(kept)
    context["alerts"] = kept
    resolved_now = [
        item
        for key, item in known.items()
        if before.get(key) == "firing" and item.get("status") == "resolved"
    ]
    return context, resolved_now


def firing_count(context: dict) -> int:
    return sum(1 for item in context.get("alerts", []) if item.get("status") == "firing")


def essentials(context: dict) -> dict[str, str]:
    """payload["alert"]: host, summary, runbook_url, dashboard_url, source (missing ones left
    out); the group's firing alerts speak first."""
    if not context:
        return {}
    alerts = context.get("alerts", [])
    ordered = [a for a in alerts if a.get("status") == "firing"] + [
        a for a in alerts if a.get("status") != "firing"
    ]
    common = context.get("common_annotations", {})
    hosts = list(dict.fromkeys(a["host"] for a in ordered if a.get("host")))
    host = ", ".join(hosts[:3]) + (f" (+{len(hosts) - 3})" if len(hosts) > 3 else "")
    found = {
        "host": host,
        "summary": common.get("summary") or _first(ordered, "summary"),
        "runbook_url": _first(ordered, "runbook_url") or common.get("runbook_url", ""),
        "dashboard_url": _first(ordered, "dashboard_url") or _first(ordered, "panel_url"),
        "source": context.get("source", ""),
    }
    return {name: value for name, value in found.items() if value}


def _first(alerts: list[dict], name: str) -> str:
    return next((a[name] for a in alerts if a.get(name)), "")
