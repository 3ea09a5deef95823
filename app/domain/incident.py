"""Incident data the screens need, without storage: names of statuses, roles and alert
channels, the views the service hands out, and its one error type. Importing this module stays
cheap, so the board can paint before SQLAlchemy is loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from sys import intern

from app.domain.escalation import (
    Firing,
    IncidentFacts,
    Plan,
    PlannedStep,
    plan,
)
from app.domain.i18n import LocalizedError
from app.domain.policy.model import Policy

STATUSES = ("investigating", "identified", "mitigating", "resolved")
ROLES = ("commander", "tech_lead", "comms_lead", "scribe", "sme")
CERTAINTIES = ("fact", "hypothesis")
SCREEN_CHANNELS = ("bell", "flash")
ALERT_CHANNELS = (*SCREEN_CHANNELS, "desktop")
COMMAND_CHANNEL = "command"
# Resolved incidents stay on the board this long, for their postmortem clock.
RESOLVED_ON_BOARD = timedelta(days=7)


def alert_channels(settings) -> tuple[str, ...]:
    """The outbox rows each firing writes: the user's command only when one is configured."""
    return (*ALERT_CHANNELS, COMMAND_CHANNEL) if settings.alert_command else ALERT_CHANNELS


class IncidentError(LocalizedError):
    """A request that cannot be carried out; str() is one sentence."""


class AlreadyDone(IncidentError):
    """The incident is already as asked (acknowledged, resolved, at that severity): refused in
    the TUI, a no-op that exits 0 for scripts."""


def impact_times(
    declared_at: datetime,
    now: datetime,
    started_at: datetime | None,
    detected_at: datetime | None,
) -> tuple[datetime, datetime]:
    """When the impact began and when the first signal came: the first signal defaults to the
    declaration, the impact to the first signal; impact ≤ signal ≤ declaration ≤ now."""
    detected = detected_at or declared_at
    started = started_at or min(detected, declared_at)
    if max(started, detected) > now:
        raise IncidentError("refusal.time_in_future")
    if detected > declared_at:
        raise IncidentError("refusal.detected_after_declared")
    if started > detected:
        raise IncidentError("refusal.started_after_detected")
    return started, detected


@dataclass(frozen=True)
class Incident:
    """One incident as stored: what the services hand out (never the database row itself)."""

    id: int
    code: str
    title: str
    severity: str
    type_key: str
    impact: str
    commander: str | None
    status: str
    policy_id: int
    declared_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    last_update_at: datetime | None
    ladder_started_at: datetime | None
    first_round: int
    version: int
    started_at: datetime | None = None
    detected_at: datetime | None = None
    first_acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    report_duty: str | None = None  # "required" / "not_required" once decided
    report_decided_by: str | None = None
    report_decided_at: datetime | None = None
    report_filed_at: datetime | None = None


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    incident_id: int
    at: datetime
    kind: str
    actor: str
    text: str
    certainty: str
    data: dict | None


@dataclass(frozen=True)
class FiredEvent:
    """An escalation step that fired (or was recorded as skipped), once, at `fired_at`."""

    id: int
    incident_id: int
    step_id: str
    round: int
    due_at: datetime
    fired_at: datetime
    reason: str


@dataclass(frozen=True)
class IncidentView:
    record: Incident
    policy: Policy
    policy_version: int
    plan: Plan
    timeline: tuple[TimelineEntry, ...]
    events: tuple[FiredEvent, ...]
    roles: dict[str, str] = field(default_factory=dict)
    ticks: frozenset[tuple[str, str]] = frozenset()
    postmortem_submitted_at: datetime | None = None


@dataclass(frozen=True)
class BoardItem:
    """What the board needs to re-plan an incident at every tick without the database."""

    record: Incident
    policy: Policy
    facts: IncidentFacts

    def plan(self, now: datetime) -> Plan:
        return plan(self.facts, self.policy, now)


@dataclass(frozen=True)
class FiredStep:
    code: str
    step: PlannedStep
    fired_at: datetime
    reason: str


def review_submitted_at(status: str, history, updated_at: datetime) -> datetime | None:
    """When a postmortem still in review or published was last handed in for review (sending
    it back to draft starts its clock again); an imported one without history counts from its
    last save."""
    if status not in ("in_review", "published"):
        return None
    submitted = None
    for entry in history or ():
        if entry.get("status") == "draft":
            submitted = None
        elif entry.get("status") in ("in_review", "published") and submitted is None:
            submitted = datetime.fromisoformat(entry["at"])
    return submitted or updated_at


def incident_facts(
    record: Incident, events, postmortem_submitted_at: datetime | None = None
) -> IncidentFacts:
    """What the escalation engine needs to know about an incident and its fired steps."""
    return IncidentFacts(
        declared_at=record.declared_at,
        severity=record.severity,
        type_key=record.type_key,
        acknowledged_at=record.acknowledged_at,
        resolved_at=record.resolved_at,
        last_update_at=record.last_update_at,
        ladder_started_at=record.ladder_started_at,
        first_round=record.first_round,
        # Interned: a board of 10,000 open incidents holds ~55,000 firings, each of a few steps
        # and reasons.
        firings=tuple(
            Firing(intern(e.step_id), e.round, e.due_at, e.fired_at, intern(e.reason))
            for e in events
        ),
        postmortem_submitted_at=postmortem_submitted_at,
        detected_at=record.detected_at,
        report_closed_at=report_closed_at(record),
    )


REPORT_DUTIES = ("required", "not_required")


def report_closed_at(record: Incident) -> datetime | None:
    """When the regulatory clock stopped: the report was filed, or it was decided that none
    is required."""
    if record.report_filed_at is not None:
        return record.report_filed_at
    if record.report_duty == "not_required":
        return record.report_decided_at
    return None
