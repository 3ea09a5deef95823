"""An incident's timeline entries and ladder steps said in the reader's language.

Timeline entries keep an English sentence in `text` (exports, entries from before the data
column) and what happened in `data`; the incident screen, `storycart incident show` and the
postmortem draft read it here, so a Korean reader never meets "escalation: notify …".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.domain.board_rows import clock_text
from app.domain.escalation import (
    LATE_NOT_RUNNING,
    MANUAL,
    MISSED,
    ON_TIME,
    SKIPPED_PREFIX,
    PlannedStep,
    StepState,
)
from app.domain.i18n import LANGUAGES, Catalog
from app.domain.intake_text import intake_line
from app.domain.textsafe import printable
from app.domain.word_lists import joined

REASON_KEYS = {
    ON_TIME: "timeline.reason_on_time",
    LATE_NOT_RUNNING: "timeline.reason_late",
    MANUAL: "timeline.reason_manual",
    MISSED: "timeline.reason_missed",
}


class Entry(Protocol):
    kind: str
    actor: str
    text: str
    data: dict | None


def entry_text(entry: Entry, catalog: Catalog) -> str:
    """What the entry says, in the catalog's language; its stored text when it has no data."""
    data = entry.data
    if data is None:
        return printable(entry.text)
    say = _SAYINGS.get(entry.kind)
    if say is None:
        return printable(entry.text)
    try:
        return printable(say(data, entry, catalog))
    except (KeyError, TypeError, ValueError):
        return printable(entry.text)  # data from a newer or older release: its English line


def reason_text(reason: str, catalog: Catalog) -> str:
    if reason.startswith(SKIPPED_PREFIX):
        condition = reason.removeprefix(SKIPPED_PREFIX)
        return catalog.t("timeline.reason_skipped", condition=catalog.t(f"condition.{condition}"))
    return catalog.t(REASON_KEYS[reason])


def step_state_text(step: PlannedStep, now: datetime, catalog: Catalog, clock=None) -> str:
    """A ladder step's state: fired (early, on time or late), missed, skipped and why, due or
    pending with its countdown. `clock` turns an instant into the reader's wall clock."""
    t = catalog.t
    if step.state is StepState.FIRED:
        at = clock(step.fired_at) if clock else step.fired_at.isoformat()
        gap = clock_text(abs(step.late_by)) if step.late_by is not None else ""
        if step.timing == "early":
            return t("incident.step_fired_early", at=at, early=gap)
        if step.timing == "on_time":
            return t("incident.step_fired_on_time", at=at)
        return t("incident.step_fired", at=at, late=gap)
    if step.state is StepState.MISSED:
        return t("incident.step_missed")
    if step.state is StepState.SKIPPED:
        reason = step.skipped_because or ""
        if reason.startswith("below:"):
            reason = t("condition.below", severity=reason.removeprefix("below:"))
        elif reason in ("acknowledged", "resolved"):
            reason = t(f"condition.{reason}")
        return t("incident.step_skipped", reason=reason)
    if step.state is StepState.DUE:
        return t("incident.step_due", late=clock_text(step.due_at - now))
    return t("incident.step_pending", left=clock_text(step.due_at - now))


def _named(names: dict | None, key: str, lang: str) -> str:
    return (names or {}).get(lang) or key


def _declared(data, _entry, catalog):
    return catalog.t("timeline.declared", severity=data["severity"], title=data["title"])


def _acknowledged(data, entry, catalog):
    if data.get("via"):  # with the acknowledge link a page carried
        return catalog.t("timeline.acknowledged_via", actor=entry.actor, channel=data["via"])
    return catalog.t("timeline.acknowledged", actor=entry.actor)


def _status_update(data, _entry, catalog):
    status = catalog.t(f"status.{data['status']}")
    text = data.get("text", "").strip()
    return f"{status}: {text}" if text else status


def _severity_changed(data, _entry, catalog):
    return catalog.t("timeline.severity_changed", before=data["from"], after=data["to"])


def _resolved(data, entry, catalog):
    return data.get("text") or catalog.t("timeline.resolved", actor=entry.actor)


def _reopened(_data, entry, catalog):
    return catalog.t("timeline.reopened", actor=entry.actor)


def _role(data, _entry, catalog):
    role = catalog.t(f"role.{data['role']}")
    nobody = catalog.t("timeline.nobody")
    return catalog.t(
        "timeline.role", role=role, before=data["from"] or nobody, after=data["to"] or nobody
    )


def _checklist(data, _entry, catalog):
    lang = catalog.lang
    return catalog.t(
        "timeline.checklist_done" if data["done"] else "timeline.checklist_undone",
        checklist=_named(data.get("checklist_names"), data["checklist"], lang),
        item=_named(data.get("item_names"), data["item"], lang),
    )


def _escalation(data, _entry, catalog):
    names = data["notify"].get(catalog.lang) or data["notify"]["en"]
    return catalog.t(
        "timeline.escalation",
        notify=joined(names, catalog.lang),
        step=data["position"] + 1,
        round=data["round"] + 1,
        reason=reason_text(data["reason"], catalog),
    )


def _ack_timed_out(_data, _entry, catalog):
    return catalog.t("timeline.ack_timed_out")


def _page(data, _entry, catalog):
    if data.get("ok"):
        return catalog.t("timeline.page_ok", channel=data["channel"])
    key = "timeline.page_gave_up" if data.get("final") else "timeline.page_failed"
    return catalog.t(key, channel=data["channel"], attempt=data["attempt"], error=data["error"])


def _utc(text: str) -> str:
    """An ISO moment kept in an entry's data, as the timeline prints it."""
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")


def _times(data, _entry, catalog):
    return catalog.t(
        "timeline.times", started=_utc(data["started"]), detected=_utc(data["detected"])
    )


def _follow_up(data, _entry, catalog):
    status = catalog.t(f"pm.value.{data['status']}")
    return catalog.t("timeline.follow_up", title=data["title"], status=status)


def _report_duty(data, _entry, catalog):
    return catalog.t(f"timeline.report_{data['duty']}")


def _report_filed(data, _entry, catalog):
    return catalog.t("timeline.report_filed", at=_utc(data["at"]))


def _entered_late(data, entry, catalog):
    event = _Said(data["kind"], entry.actor, data["text"], data["data"])
    return catalog.t(
        "timeline.entered_late",
        entered=_utc(data["entered"]),
        actor=entry.actor,
        event=entry_text(event, catalog),
        at=_utc(data["at"]),
    )


@dataclass(frozen=True)
class _Said:
    kind: str
    actor: str
    text: str
    data: dict | None


_SAYINGS = {
    "declared": _declared,
    "acknowledged": _acknowledged,
    "status_update": _status_update,
    "severity_changed": _severity_changed,
    "resolved": _resolved,
    "reopened": _reopened,
    "role": _role,
    "checklist": _checklist,
    "escalation": _escalation,
    "ack_timed_out": _ack_timed_out,
    "page": _page,
    "times": _times,
    "follow_up": _follow_up,
    "report_duty": _report_duty,
    "report_filed": _report_filed,
    "intake": intake_line,
    "entered_late": _entered_late,
}


def flash_text(payload: dict, catalog: Catalog) -> str:
    """The banner for an escalation that just fired, from its alert's payload."""
    notify = payload.get("notify_by_language", {}).get(catalog.lang)
    return catalog.t(
        "board.flash",
        code=payload["incident"],
        severity=payload["severity"],
        notify=joined(notify or payload["notify"], catalog.lang),
    )


def said_again(text: str, entry: Entry, reader: Catalog) -> str | None:
    """An entry's line in the reader's language, when `text` is that entry's line as the system
    wrote it (in any language, or its stored English text); None when a person changed it."""
    written = {printable(entry.text).strip()}
    written.update(entry_text(entry, Catalog(lang)).strip() for lang in LANGUAGES)
    return entry_text(entry, reader) if text.strip() in written else None
