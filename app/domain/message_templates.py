"""Message templates (declaration, status update, resolution, customer notice, the status page's
text for the incident's state) filled from an incident, in the user's language. Unknown parts
stay as bracketed hints for the author."""

from __future__ import annotations

import tomllib
from datetime import datetime, tzinfo
from functools import cache
from importlib import resources

from app.domain.escalation import DeadlineKind
from app.domain.i18n import Catalog
from app.domain.incident import IncidentView
from app.domain.incident_text import entry_text
from app.domain.textsafe import printable

TEMPLATE_KINDS = ("declaration", "status_update", "resolution", "customer_notice", "status_page")
# Seed 003 §4.3: the status page's colour for each state of an incident.
STATUS_PAGE_COLOURS = {
    "investigating": "yellow",
    "identified": "orange",
    "mitigating": "orange",
    "resolved": "green",
}


@cache
def _templates(lang: str) -> dict[str, str]:
    text = (resources.files("assets") / "templates" / f"{lang}.toml").read_text("utf-8")
    return tomllib.loads(text)


ROLE_FIELDS = ("commander", "tech_lead", "comms_lead")


class _Hints(dict):
    """Leaves a placeholder the incident cannot fill as a bracketed hint in the reader's words
    ([영향], [影響], [what is affected]), never as the field's English name."""

    def __init__(self, catalog: Catalog, **values: object) -> None:
        super().__init__(**values)
        self.catalog = catalog

    def __missing__(self, key: str) -> str:
        return f"[{hint(key, self.catalog)}]"


def hint(field: str, catalog: Catalog) -> str:
    """What a template field the incident cannot fill yet asks the author for."""
    if field in ROLE_FIELDS:
        return catalog.t(f"role.{field}")
    return catalog.get(f"template.hint_{field}") or catalog.t("template.hint_other")


def local_time(instant: datetime | None, zone: tzinfo | None = None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z").strip()


def local_clock(instant: datetime, zone: tzinfo | None = None) -> str:
    return instant.astimezone(zone).strftime("%H:%M:%S")


def war_room(record, zone: tzinfo | None = None) -> str:
    """The channel suffix of seed 003 (#incident-YYYYMMDD), made unique by the number."""
    return f"{record.declared_at.astimezone(zone):%Y%m%d}-{record.code.rsplit('-', 1)[-1]}"


def fill(
    kind: str, view: IncidentView, catalog: Catalog, now: datetime, zone: tzinfo | None = None
) -> str:
    """The template of `kind` in the catalog's language, filled from the incident."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template {kind!r} (use one of {', '.join(TEMPLATE_KINDS)})")
    record, lang = view.record, catalog.lang
    severity = view.policy.severity(record.severity)
    values = _Hints(
        catalog,
        code=record.code,
        title=printable(record.title),
        severity=record.severity,
        severity_name=severity.name.get(lang),
        status=catalog.t(f"status.{record.status}"),
        declared_at=local_time(record.declared_at, zone),
        elapsed_min=int((now - record.declared_at).total_seconds() // 60),
        update_every=catalog.duration(severity.update_every_s),
        war_room=war_room(record, zone),
    )
    if record.impact:
        values["impact"] = printable(record.impact)
    state = record.status if record.status in STATUS_PAGE_COLOURS else "investigating"
    values["status_page_title"] = catalog.t(f"status_page.title_{state}")
    values["status_page_colour"] = catalog.t(f"status_page.{STATUS_PAGE_COLOURS[state]}")
    values["status_page_message"] = catalog.t(
        f"status_page.message_{state}", issue=printable(record.impact or record.title)
    )
    for role in ROLE_FIELDS:
        if view.roles.get(role):
            values[role] = "@" + printable(view.roles[role])
    updates = [e for e in view.timeline if e.kind == "status_update"]
    if updates:
        values["last_update"] = entry_text(updates[-1], catalog)
    next_update = view.plan.deadline(DeadlineKind.STATUS_UPDATE)
    if next_update is not None:
        values["next_update"] = local_time(next_update.due_at, zone)
    if record.resolved_at is not None:
        values["resolved_at"] = local_time(record.resolved_at, zone)
        minutes = int((record.resolved_at - record.declared_at).total_seconds() // 60)
        values["duration"] = catalog.duration(minutes * 60)
        resolutions = [e for e in view.timeline if e.kind == "resolved"]
        if resolutions:
            values["resolution_text"] = entry_text(resolutions[-1], catalog)
        postmortem = view.plan.deadline(DeadlineKind.POSTMORTEM)
        if postmortem is not None:
            values["postmortem_due"] = local_time(postmortem.due_at, zone)
    return _templates(lang)[kind].strip("\n").format_map(values) + "\n"
