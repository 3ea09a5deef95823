"""Incident use cases: declare, acknowledge, post updates, change severity, resolve, reopen, and
fire escalation steps that have come due — each firing exactly once, claimed in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.clock import Clock
from app.escalation import Firing, IncidentFacts, Plan, PlannedStep, plan
from app.policy import Policy
from app.policy_store import PolicyStore
from app.textsafe import printable
from storage.database import Database
from storage.errors import StaleWrite
from storage.incident_rows import (
    all_incidents,
    by_code,
    by_codes,
    codes_in_year,
    events_by_incident,
    events_for,
    open_incidents,
    open_signature,
    timeline_for,
    update_incident,
)
from storage.models import (
    EscalationEventRecord,
    IncidentRecord,
    OutboxRecord,
    TimelineEntryRecord,
)

STATUSES = ("investigating", "identified", "mitigating", "resolved")
ALERT_CHANNELS = ("bell", "flash", "desktop")
ON_TIME = "on time"
LATE_NOT_RUNNING = "late (not running)"


class IncidentError(ValueError):
    """A request that cannot be carried out; str() is one sentence."""


@dataclass(frozen=True)
class IncidentView:
    record: IncidentRecord
    policy: Policy
    policy_version: int
    plan: Plan
    timeline: tuple[TimelineEntryRecord, ...]
    events: tuple[EscalationEventRecord, ...]


@dataclass(frozen=True)
class FiredStep:
    code: str
    step: PlannedStep
    fired_at: datetime
    reason: str


class IncidentService:
    def __init__(self, database: Database, clock: Clock, policies: PolicyStore) -> None:
        self.database = database
        self.clock = clock
        self.policies = policies
        self._policy_cache: dict[int, tuple[Policy, int]] = {}

    # -- reading ------------------------------------------------------------------------------

    def _policy(self, policy_id: int) -> tuple[Policy, int]:
        if policy_id not in self._policy_cache:
            stored = self.policies.load_by_id(policy_id)
            self._policy_cache[policy_id] = (stored.policy, stored.version)
        return self._policy_cache[policy_id]

    @staticmethod
    def facts(record: IncidentRecord, events) -> IncidentFacts:
        return IncidentFacts(
            declared_at=record.declared_at,
            severity=record.severity,
            type_key=record.type_key,
            acknowledged_at=record.acknowledged_at,
            resolved_at=record.resolved_at,
            last_update_at=record.last_update_at,
            ladder_started_at=record.ladder_started_at,
            first_round=record.first_round,
            firings=tuple(Firing(e.step_id, e.round, e.due_at, e.fired_at) for e in events),
        )

    def view(self, code: str) -> IncidentView:
        with self.database.session() as session:
            record = self._get(session, code)
            events = events_for(session, record.id)
            timeline = timeline_for(session, record.id)
        policy, version = self._policy(record.policy_id)
        return IncidentView(
            record=record,
            policy=policy,
            policy_version=version,
            plan=plan(self.facts(record, events), policy, self.clock.now()),
            timeline=tuple(timeline),
            events=tuple(events),
        )

    def open_plans(self, codes: list[str] | None = None) -> list[tuple[IncidentRecord, Plan]]:
        """Open incidents (all, or those named) with their plans, from two queries."""
        now = self.clock.now()
        with self.database.session() as session:
            records = open_incidents(session) if codes is None else by_codes(session, codes)
            records = [record for record in records if record.resolved_at is None]
            events = events_by_incident(session, [record.id for record in records])
        plans = []
        for record in records:
            policy, _version = self._policy(record.policy_id)
            plans.append((record, plan(self.facts(record, events[record.id]), policy, now)))
        return plans

    def open_signature(self) -> tuple[int, int, int]:
        with self.database.session() as session:
            return open_signature(session)

    def list(self, include_resolved: bool = False) -> list[IncidentView]:
        with self.database.session() as session:
            records = all_incidents(session) if include_resolved else open_incidents(session)
        return [self.view(record.code) for record in records]

    @staticmethod
    def _get(session, code: str) -> IncidentRecord:
        record = by_code(session, code)
        if record is None:
            raise IncidentError(f"There is no incident {code!r}.")
        return record

    # -- changing -----------------------------------------------------------------------------

    def declare(
        self,
        policy: Policy,
        title: str,
        severity: str,
        actor: str,
        type_key: str | None = None,
        impact: str = "",
        commander: str | None = None,
    ) -> str:
        title = title.strip()
        if not title:
            raise IncidentError("An incident needs a title.")
        if severity not in [s.key for s in policy.severities]:
            known = ", ".join(s.key for s in policy.severities)
            raise IncidentError(
                f"Severity {severity!r} is not in policy {policy.name} (use one of {known})."
            )
        type_key = type_key or policy.types[0].key
        if type_key not in [t.key for t in policy.types]:
            known = ", ".join(t.key for t in policy.types)
            raise IncidentError(
                f"Incident type {type_key!r} is not in policy {policy.name} (use one of {known})."
            )
        stored = self.policies.snapshot(policy)
        policy_id = self.policies.record_id(policy.name, stored.version)
        now = self.clock.now()
        prefix = f"INC-{now.year}-"
        for _attempt in range(5):
            with self.database.session() as session:
                numbers = [int(code[len(prefix) :]) for code in codes_in_year(session, prefix)]
                code = f"{prefix}{max(numbers, default=0) + 1:04d}"
                record = IncidentRecord(
                    code=code,
                    title=title,
                    severity=severity,
                    type_key=type_key,
                    impact=impact.strip(),
                    commander=commander or None,
                    status="investigating",
                    policy_id=policy_id,
                    declared_at=now,
                )
                session.add(record)
                try:
                    session.flush()
                except IntegrityError:
                    session.rollback()  # another declaration took this number
                    continue
                self._log(session, record, now, "declared", actor, f"{severity} {title}")
                session.commit()
                return code
        raise IncidentError("Could not number the incident: too many declared at once.")

    def acknowledge(self, code: str, actor: str) -> None:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError(f"Incident {code} is already resolved.")
            if record.acknowledged_at is not None:
                raise IncidentError(f"Incident {code} is already acknowledged.")
            update_incident(session, record, acknowledged_at=now)
            return "acknowledged", f"acknowledged by {actor}"

        self._change(code, actor, change)

    def post_update(self, code: str, actor: str, status: str, text: str) -> None:
        if status not in STATUSES:
            raise IncidentError(f"Status {status!r} is not one of {', '.join(STATUSES)}.")
        if status == "resolved":
            self.resolve(code, actor, text)
            return

        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError(f"Incident {code} is resolved; reopen it first.")
            update_incident(session, record, status=status, last_update_at=now)
            return "status_update", f"{status}: {text}".strip()

        self._change(code, actor, change)

    def change_severity(self, code: str, actor: str, severity: str) -> None:
        def change(session, record, now):
            policy, _version = self._policy(record.policy_id)
            if severity not in [s.key for s in policy.severities]:
                raise IncidentError(f"Severity {severity!r} is not in policy {policy.name}.")
            if severity == record.severity:
                raise IncidentError(f"Incident {code} is already {severity}.")
            previous = record.severity
            update_incident(
                session,
                record,
                severity=severity,
                ladder_started_at=now,
                first_round=self._next_round(session, record),
            )
            return "severity_changed", f"{previous} -> {severity}"

        self._change(code, actor, change)

    def resolve(self, code: str, actor: str, text: str = "") -> None:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError(f"Incident {code} is already resolved.")
            update_incident(session, record, status="resolved", resolved_at=now)
            return "resolved", text or f"resolved by {actor}"

        self._change(code, actor, change)

    def reopen(self, code: str, actor: str) -> None:
        def change(session, record, now):
            if record.resolved_at is None:
                raise IncidentError(f"Incident {code} is not resolved.")
            update_incident(
                session,
                record,
                status="investigating",
                resolved_at=None,
                acknowledged_at=None,
                ladder_started_at=now,
                first_round=self._next_round(session, record),
            )
            return "reopened", f"reopened by {actor}"

        self._change(code, actor, change)

    def _change(self, code: str, actor: str, change) -> None:
        now = self.clock.now()
        with self.database.session() as session:
            record = self._get(session, code)
            kind, text = change(session, record, now)
            self._log(session, record, now, kind, actor, text)
            session.commit()

    @staticmethod
    def _next_round(session, record: IncidentRecord) -> int:
        used = [event.round for event in events_for(session, record.id)]
        return max([record.first_round, *(r + 1 for r in used)])

    @staticmethod
    def _log(session, record, at, kind, actor, text, certainty="fact") -> None:
        session.add(
            TimelineEntryRecord(
                incident_id=record.id,
                at=at,
                kind=kind,
                actor=actor,
                text=text,
                certainty=certainty,
            )
        )

    # -- escalation ---------------------------------------------------------------------------

    def fire_due(
        self,
        catching_up: bool = False,
        actor: str = "scheduler",
        codes: list[str] | None = None,
    ) -> list[FiredStep]:
        """Fire every step that is due now (in all open incidents, or those named). Each firing
        is claimed by inserting its unique EscalationEvent; a process that loses the claim skips
        the step. The event, its timeline entry and one outbox row per alert channel are written
        in one transaction."""
        fired: list[FiredStep] = []
        for record, current in self.open_plans(codes):
            if current.due() or current.ack_timed_out_at is not None:
                fired += self._fire_incident(record.code, catching_up, actor)
        return fired

    def _fire_incident(self, code: str, catching_up: bool, actor: str) -> list[FiredStep]:
        fired = []
        now = self.clock.now()
        with self.database.session() as session:
            record = self._get(session, code)
            policy, _version = self._policy(record.policy_id)
            current = plan(self.facts(record, events_for(session, record.id)), policy, now)
            if current.ack_timed_out_at is not None:
                try:
                    update_incident(
                        session,
                        record,
                        acknowledged_at=None,
                        ladder_started_at=current.ack_timed_out_at,
                        first_round=self._next_round(session, record),
                    )
                except StaleWrite:
                    session.rollback()  # another process restarted the ladder; next sweep
                    return fired
                self._log(session, record, now, "ack_timed_out", actor, "ack timed out")
                session.commit()
                record = self._get(session, code)
                current = plan(self.facts(record, events_for(session, record.id)), policy, now)
            for step in current.due():
                reason = LATE_NOT_RUNNING if catching_up else ON_TIME
                event = EscalationEventRecord(
                    incident_id=record.id,
                    step_id=step.step_id,
                    round=step.round,
                    due_at=step.due_at,
                    fired_at=now,
                    reason=reason,
                )
                session.add(event)
                try:
                    session.flush()
                except IntegrityError:
                    session.rollback()  # another process fired this step first
                    record = self._get(session, code)
                    continue
                notify = ", ".join(printable(who.get("en")) for who in step.step.notify)
                text = (
                    f"escalation: notify {notify} "
                    f"(step {step.position + 1}, round {step.round + 1}, {reason})"
                )
                self._log(session, record, now, "escalation", actor, text)
                payload = {
                    "incident": record.code,
                    "title": record.title,
                    "severity": record.severity,
                    "step": step.step_id,
                    "round": step.round,
                    "notify": [who.get("en") for who in step.step.notify],
                    "due_at": step.due_at.isoformat(),
                    "fired_at": now.isoformat(),
                    "reason": reason,
                }
                for channel in ALERT_CHANNELS:
                    session.add(
                        OutboxRecord(
                            incident_id=record.id,
                            event_id=event.id,
                            channel=channel,
                            payload=payload,
                            created_at=now,
                        )
                    )
                session.commit()
                fired.append(FiredStep(record.code, step, now, reason))
                record = self._get(session, code)
        return fired


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
            }
            for entry in view.timeline
        ],
    }
