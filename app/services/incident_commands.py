"""Incident commands: declare, acknowledge, post updates, change severity, resolve, reopen, impact
times, the regulatory report, roles, checklists and notes. Each is one transaction that writes
the change and its timeline line, and returns what it changed (an IncidentChange) so that the
caller can publish exactly that."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.domain.backfill import event_time
from app.domain.incident import (
    CERTAINTIES,
    ROLES,
    STATUSES,
    AlreadyDone,
    IncidentError,
    impact_times,
)
from app.domain.policy.model import Policy
from app.domain.textsafe import printable
from app.services.checklist_data import check_data
from app.services.escalation_firing import EscalationFiring
from app.services.incident_context import IncidentContext
from storage.incident_numbers import next_code_number
from storage.incident_rows import set_role, untick, update_incident
from storage.tables import ChecklistTickRecord, IncidentRecord

DECLARE_TRIES = 5  # another declaration may take the number read; the next try reads again


@dataclass(frozen=True)
class IncidentChange:
    """What one command changed: the incident's code, the kind of timeline line it wrote
    ("declared", "acknowledged", "note", ...), and for a checklist item whether it is ticked."""

    code: str
    kind: str
    ticked: bool | None = None


class IncidentCommands:
    """Every change a user (or the intake) makes to an incident."""

    def __init__(self, context: IncidentContext, firing: EscalationFiring) -> None:
        self.context = context
        self.firing = firing  # acknowledging and resolving record the steps they stop

    def declare(
        self,
        policy: Policy,
        title: str,
        severity: str,
        actor: str,
        type_key: str | None = None,
        impact: str = "",
        commander: str | None = None,
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
        at: datetime | None = None,
    ) -> IncidentChange:
        """A new incident, numbered after the year's highest (INC-2026-0042), with its first
        timeline line (and its commander, when named) in one transaction. `at`: declared
        earlier, entered after the fact (the timeline says so)."""
        title = title.strip()
        if not title:
            raise IncidentError("refusal.needs_title")
        if severity not in [s.key for s in policy.severities]:
            known = ", ".join(s.key for s in policy.severities)
            raise IncidentError(
                "refusal.unknown_severity", severity=severity, policy=policy.name, known=known
            )
        type_key = type_key or policy.types[0].key
        if type_key not in [t.key for t in policy.types]:
            known = ", ".join(t.key for t in policy.types)
            raise IncidentError(
                "refusal.unknown_type", type=type_key, policy=policy.name, known=known
            )
        stored = self.context.policies.snapshot(policy)
        policy_id = self.context.policies.record_id(policy.name, stored.version)
        entered = self.context.clock.now()
        now = event_time(at, entered)
        started_at, detected_at = impact_times(now, entered, started_at, detected_at)
        prefix = f"INC-{now.year}-"
        for _attempt in range(DECLARE_TRIES):
            with self.context.database.session() as session:
                code = f"{prefix}{next_code_number(session, prefix):04d}"
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
                    started_at=started_at,
                    detected_at=detected_at,
                )
                session.add(record)
                try:
                    session.flush()
                except IntegrityError:
                    session.rollback()  # another declaration took this number
                    continue
                self.context.log(
                    session,
                    record,
                    now,
                    "declared",
                    actor,
                    f"{severity} {title}",
                    data={"severity": severity, "title": title},
                )
                if at is not None:
                    said = f"{severity} {title}"
                    data = {"severity": severity, "title": title}
                    self.context.log_late(
                        session, record, now, entered, "declared", actor, said, data
                    )
                if commander:
                    set_role(session, record.id, "commander", commander, now, actor)
                session.commit()
                return IncidentChange(code, "declared")
        raise IncidentError("refusal.numbering")

    def acknowledge(
        self, code: str, actor: str, via: str = "", at: datetime | None = None
    ) -> IncidentChange:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError("refusal.already_resolved", code=code)
            if record.acknowledged_at is not None:
                raise AlreadyDone("refusal.already_acknowledged", code=code)
            unpaged = self.firing.steps_stopped_by(session, record, now, "acknowledged")
            first = record.first_acknowledged_at or now
            update_incident(session, record, acknowledged_at=now, first_acknowledged_at=first)
            self.firing.record_stopped(session, record, unpaged, now, "acknowledged", actor)
            return "acknowledged", f"acknowledged by {actor}{via and f' via {via}'}", {"via": via}

        def order(record):
            return ((record.declared_at, "refusal.ack_before_declared", "declared"),)

        return self._change(code, actor, change, at=at, order=order)

    def post_update(
        self, code: str, actor: str, status: str, text: str, at: datetime | None = None
    ) -> IncidentChange:
        if status not in STATUSES:
            raise IncidentError("refusal.unknown_status", status=status, known=", ".join(STATUSES))
        if status == "resolved":
            return self.resolve(code, actor, text, at)

        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError("refusal.reopen_first", code=code)
            changes = {"status": status, "last_update_at": max(record.last_update_at or now, now)}
            if status == "mitigating" and record.mitigated_at is None:
                changes["mitigated_at"] = now
            update_incident(session, record, **changes)
            return "status_update", f"{status}: {text}".strip(), {"status": status, "text": text}

        def order(record):
            return ((record.declared_at, "refusal.update_before_declared", "declared"),)

        return self._change(code, actor, change, at=at, order=order)

    def change_severity(self, code: str, actor: str, severity: str) -> IncidentChange:
        def change(session, record, now):
            policy, _version = self.context.policy(record.policy_id)
            if severity not in [s.key for s in policy.severities]:
                raise IncidentError(
                    "refusal.unknown_severity",
                    severity=severity,
                    policy=policy.name,
                    known=", ".join(s.key for s in policy.severities),
                )
            if severity == record.severity:
                raise AlreadyDone("refusal.already_severity", code=code, severity=severity)
            previous = record.severity
            update_incident(
                session,
                record,
                severity=severity,
                ladder_started_at=now,
                first_round=self.context.next_round(session, record),
            )
            return (
                "severity_changed",
                f"{previous} -> {severity}",
                {"from": previous, "to": severity},
            )

        return self._change(code, actor, change)

    def resolve(
        self, code: str, actor: str, text: str = "", at: datetime | None = None
    ) -> IncidentChange:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise AlreadyDone("refusal.already_resolved", code=code)
            unpaged = self.firing.steps_stopped_by(session, record, now, "resolved")
            update_incident(session, record, status="resolved", resolved_at=now)
            self.firing.record_stopped(session, record, unpaged, now, "resolved", actor)
            return "resolved", text or f"resolved by {actor}", {"text": text}

        def order(record):
            return (
                (record.declared_at, "refusal.resolve_before_declared", "declared"),
                (record.acknowledged_at, "refusal.resolve_before_ack", "acknowledged"),
            )

        return self._change(code, actor, change, at=at, order=order)

    def reopen(self, code: str, actor: str) -> IncidentChange:
        def change(session, record, now):
            if record.resolved_at is None:
                raise IncidentError("refusal.not_resolved", code=code)
            update_incident(
                session,
                record,
                status="investigating",
                resolved_at=None,
                acknowledged_at=None,
                ladder_started_at=now,
                first_round=self.context.next_round(session, record),
            )
            return "reopened", f"reopened by {actor}", {}

        return self._change(code, actor, change)

    def set_times(
        self,
        code: str,
        actor: str,
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
    ) -> IncidentChange:
        """Correct when the impact began and when the first signal came (the metrics measure
        from them); logged with what they were."""

        def change(session, record, now):
            started, detected = impact_times(
                record.declared_at,
                now,
                started_at or record.started_at,
                detected_at or record.detected_at,
            )
            if (started, detected) == (record.started_at, record.detected_at):
                raise AlreadyDone("refusal.times_unchanged", code=code)
            data = {
                "started": started.isoformat(),
                "detected": detected.isoformat(),
                "was_started": _iso(record.started_at),
                "was_detected": _iso(record.detected_at),
            }
            update_incident(session, record, started_at=started, detected_at=detected)
            text = f"impact began {data['started']}, first signal {data['detected']}"
            return "times", text, data

        return self._change(code, actor, change)

    def decide_report(self, code: str, actor: str, required: bool) -> IncidentChange:
        """The regulatory duty decided: a report is required (the clock keeps running until it
        is filed) or not (the clock stops); who decided is logged."""
        duty = "required" if required else "not_required"

        def change(session, record, now):
            self._needs_report_clock(record)
            if record.report_duty == duty:
                raise AlreadyDone("refusal.duty_unchanged", code=code)
            update_incident(
                session, record, report_duty=duty, report_decided_by=actor, report_decided_at=now
            )
            return "report_duty", f"regulatory report {duty.replace('_', ' ')}", {"duty": duty}

        return self._change(code, actor, change)

    def file_report(
        self, code: str, actor: str, filed_at: datetime | None = None
    ) -> IncidentChange:
        """The report to the regulator was filed (now, or at `filed_at`): its clock is met."""

        def change(session, record, now):
            self._needs_report_clock(record)
            if record.report_filed_at is not None:
                raise AlreadyDone("refusal.report_already_filed", code=code)
            at = filed_at or now
            if at > now:
                raise IncidentError("refusal.time_in_future")
            changes = {"report_filed_at": at}
            if record.report_duty != "required":
                changes.update(report_duty="required", report_decided_by=actor)
                changes["report_decided_at"] = record.report_decided_at or at
            update_incident(session, record, **changes)
            return (
                "report_filed",
                f"regulatory report filed at {at.isoformat()}",
                {"at": at.isoformat()},
            )

        return self._change(code, actor, change)

    def _needs_report_clock(self, record) -> None:
        policy, _version = self.context.policy(record.policy_id)
        kind = policy.incident_type(record.type_key)  # named in the reader's language
        if kind.regulatory_report_s is None:
            raise IncidentError("refusal.no_report_duty", code=record.code, type=kind.name)

    def assign_role(self, code: str, actor: str, role: str, person: str) -> IncidentChange:
        person = printable(person).strip()

        def change(session, record, now):
            policy, _version = self.context.policy(record.policy_id)
            known = (*ROLES, *policy.roles)
            if role not in known:
                raise IncidentError("refusal.unknown_role", role=role, known=", ".join(known))
            previous = set_role(session, record.id, role, person, now, actor)
            if role == "commander":
                update_incident(session, record, commander=person or None)
            data = {"role": role, "from": previous or "", "to": person}
            return "role", f"{role}: {previous or '-'} -> {person or '-'}", data

        return self._change(code, actor, change)

    def toggle_check(self, code: str, actor: str, checklist: str, item: str) -> IncidentChange:
        """Tick an item, or untick a ticked one; the change says whether it is ticked now."""
        ticked: list[bool] = []

        def change(session, record, now):
            if untick(session, record.id, checklist, item):
                ticked.append(False)
                return (
                    "checklist",
                    f"{checklist}/{item}: unticked",
                    check_data(record, checklist, item, done=False, policies=self.context.policy),
                )
            session.add(
                ChecklistTickRecord(
                    incident_id=record.id,
                    checklist=checklist,
                    item=item,
                    ticked_at=now,
                    ticked_by=actor,
                )
            )
            ticked.append(True)
            return (
                "checklist",
                f"{checklist}/{item}: done",
                check_data(record, checklist, item, done=True, policies=self.context.policy),
            )

        changed = self._change(code, actor, change)
        return IncidentChange(changed.code, changed.kind, ticked=ticked[0])

    def add_note(self, code: str, actor: str, text: str, certainty: str = "fact") -> IncidentChange:
        """A timeline entry marked as fact or hypothesis (seed 002: keep the two apart)."""
        if certainty not in CERTAINTIES:
            raise IncidentError(
                "refusal.unknown_certainty", certainty=certainty, known=", ".join(CERTAINTIES)
            )
        text = text.strip()
        if not text:
            raise IncidentError("refusal.empty_note")
        return self._change(code, actor, lambda _s, _r, _n: ("note", text, None), certainty)

    def record_entry(
        self, code: str, actor: str, kind: str, text: str | Callable, data: dict | None
    ) -> IncidentChange:
        """A timeline line with data of its own (an intake's reasons), on any incident, resolved
        or not; `text` is its English sentence, `data` what app.domain.incident_text reads.
        `text(session, now)` is worked out inside the line's transaction, and lands with it."""
        written = text if callable(text) else lambda _session, _now: text
        return self._change(code, actor, lambda s, _r, now: (kind, written(s, now), data))

    def _change(
        self, code: str, actor: str, change, certainty: str = "fact", at=None, order=None
    ) -> IncidentChange:
        """Read the incident, apply `change` (which returns the timeline line's kind, text and
        data), write the line, commit. `at`: the event happened then, entered after the fact;
        `order(record)` says what it must not come before (app.domain.backfill.event_time)."""
        entered = self.context.clock.now()
        with self.context.database.session() as session:
            record = self.context.get(session, code)
            now = event_time(at, entered, *(order(record) if order and at else ()))
            kind, text, data = change(session, record, now)
            self.context.log(session, record, now, kind, actor, text, certainty, data)
            if at is not None:
                self.context.log_late(session, record, now, entered, kind, actor, text, data)
            session.commit()
        return IncidentChange(code, kind)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""
