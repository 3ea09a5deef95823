"""An incident as JSON-ready data (`storycart incident show --json`)."""

from __future__ import annotations

from datetime import datetime

from app.domain.incident import IncidentView


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def view_document(view: IncidentView, now: datetime) -> dict:
    """The incident as JSON-ready data: deadlines, step states and every escalation event."""
    record = view.record
    return {
        "id": record.code,
        "title": record.title,
        "severity": record.severity,
        "type": record.type_key,
        "status": record.status,
        "impact": record.impact,
        "commander": record.commander,
        "policy": {"name": view.policy.name, "version": view.policy_version},
        "declared_at": _iso(record.declared_at),
        "acknowledged_at": _iso(record.acknowledged_at),
        "resolved_at": _iso(record.resolved_at),
        "started_at": _iso(record.started_at),
        "detected_at": _iso(record.detected_at),
        "first_acknowledged_at": _iso(record.first_acknowledged_at),
        "mitigated_at": _iso(record.mitigated_at),
        "deadlines": [
            {
                "kind": deadline.kind.value,
                "due_at": _iso(deadline.due_at),
                "met_at": _iso(deadline.met_at),
                "overdue": deadline.overdue(now),
                "remaining_s": int(deadline.remaining(now).total_seconds()),
            }
            for deadline in view.plan.deadlines
        ],
        "steps": [
            {
                "step": step.step_id,
                "round": step.round,
                "due_at": _iso(step.due_at),
                "state": step.state.value,
                "fired_at": _iso(step.fired_at),
                "late_by_s": None if step.late_by is None else step.late_by.total_seconds(),
                "skipped_because": step.skipped_because,
                "notify": [who.get("en") for who in step.step.notify],
            }
            for step in view.plan.steps
        ],
        "events": [
            {
                "step": event.step_id,
                "round": event.round,
                "due_at": _iso(event.due_at),
                "fired_at": _iso(event.fired_at),
                "late_by_s": (event.fired_at - event.due_at).total_seconds(),
                "reason": event.reason,
            }
            for event in view.events
        ],
        "timeline": [
            {
                "at": _iso(entry.at),
                "kind": entry.kind,
                "actor": entry.actor,
                "text": entry.text,
                "certainty": entry.certainty,
                "data": entry.data,
            }
            for entry in view.timeline
        ],
    }
