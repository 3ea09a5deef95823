"""The intake's timeline lines (kind "intake") said in the reader's language, from the facts
kept in the entry's data; and the lines of an alert group's context for the incident screen
and `storycart incident show`. Everything from a sender passes through printable()."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.textsafe import printable


def intake_params(data: dict, catalog: Catalog) -> dict:
    """The catalog's placeholders for an intake line's facts."""
    params = {k: printable(str(v)) for k, v in data.items() if k != "event"}
    if "source" in params:
        params["source"] = catalog.t(f"intake.source.{data['source']}")
    return params


def intake_line(data: dict, _entry, catalog: Catalog) -> str:
    return catalog.t(f"intake.{data['event']}", **intake_params(data, catalog))


# What the incident screen and `incident show` print of a group: (catalog key, context field).
GROUP_LINES = (
    ("intake.ctx_receiver", "receiver"),
    ("intake.ctx_external", "external_url"),
    ("intake.ctx_client", "client_url"),
)
ALERT_LINKS = (
    ("intake.ctx_runbook", "runbook_url"),
    ("intake.ctx_dashboard", "dashboard_url"),
    ("intake.ctx_panel", "panel_url"),
    ("intake.ctx_generator", "generator_url"),
    ("intake.ctx_silence", "silence_url"),
)


def context_lines(context: dict, catalog: Catalog) -> list[str]:
    """An alert group as lines of text: where it came from, its shared labels, then each alert
    with its status, host, summary, value, labels and links."""
    t = catalog.t
    if not context:
        return []
    alerts = context.get("alerts", [])
    firing = sum(1 for item in alerts if item.get("status") == "firing")
    source = t(f"intake.source.{context.get('source', 'generic')}")
    lines = [t("intake.ctx_group", source=source, firing=firing, total=len(alerts))]
    for key, name in GROUP_LINES:
        if context.get(name):
            lines.append("  " + t(key, value=printable(str(context[name]))))
    if context.get("common_labels"):
        lines.append("  " + t("intake.ctx_common", labels=_pairs(context["common_labels"])))
    left_out = int(context.get("truncated", 0) or 0) + int(context.get("dropped", 0) or 0)
    if left_out:
        lines.append("  " + t("intake.ctx_left_out", count=left_out))
    for item in alerts:
        state = "firing" if item.get("status") == "firing" else "resolved"
        status = t(f"intake.status_{state}")
        head = " · ".join(
            printable(str(item[name])) for name in ("host", "summary") if item.get(name)
        )
        lines.append(f"  [{status}] {head}".rstrip())
        if item.get("value"):
            lines.append("    " + t("intake.ctx_value", value=printable(item["value"])))
        if item.get("labels"):
            lines.append("    " + t("intake.ctx_labels", labels=_pairs(item["labels"])))
        for key, name in ALERT_LINKS:
            if item.get(name):
                lines.append("    " + t(key, value=printable(item[name])))
    return lines


def _pairs(mapping: dict) -> str:
    return ", ".join(f"{printable(str(k))}={printable(str(v))}" for k, v in mapping.items())
