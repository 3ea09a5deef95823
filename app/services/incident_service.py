"""Incident use cases: declare, acknowledge, post updates, change severity, resolve, reopen, roles,
checklists and notes, and the views the board and the detail screen show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.domain.escalation import (
    MANUAL,
    StepState,
    plan,
)
from app.domain.incident import (
    CERTAINTIES,
    RESOLVED_ON_BOARD,
    ROLES,
    STATUSES,
    AlreadyDone,
    BoardItem,
    FiredEvent,
    FiredStep,
    Incident,
    IncidentError,
    IncidentView,
    TimelineEntry,
    impact_times,
)
from app.domain.policy.model import Policy
from app.domain.textsafe import printable
from app.services.checklist_data import check_data
from app.services.escalation_firing import EscalationFiring
from app.services.frozen import frozen_copy
from storage.incident_rows import (
    all_incidents,
    board_heads,
    board_incidents,
    by_codes,
    codes_in_year,
    events_by_incident,
    events_for,
    first_declared_code,
    open_incidents,
    recently_resolved,
    roles_for,
    set_role,
    ticks_for,
    timeline_for,
    untick,
    update_incident,
)
from storage.tables import (
    ChecklistTickRecord,
    IncidentRecord,
)


class IncidentService(EscalationFiring):
    """Incident use cases: the board and the detail view, declare, acknowledge, post updates,
    change severity, resolve, reopen, roles, checklists, notes, escalate now."""

    def view(self, code: str) -> IncidentView:
        with self.database.session() as session:
            record = self._get(session, code)
            events = events_for(session, record.id)
            timeline = timeline_for(session, record.id)
            roles = {row.role: row.person for row in roles_for(session, record.id)}
            ticks = frozenset((row.checklist, row.item) for row in ticks_for(session, record.id))
            submitted = self._submitted(session, [record.id]).get(record.id)
        policy, version = self._policy(record.policy_id)
        return IncidentView(
            record=frozen_copy(Incident, record),
            policy=policy,
            policy_version=version,
            plan=plan(self.facts(record, events, submitted), policy, self.clock.now()),
            timeline=tuple(frozen_copy(TimelineEntry, entry) for entry in timeline),
            events=tuple(frozen_copy(FiredEvent, event) for event in events),
            roles=roles,
            ticks=ticks,
            postmortem_submitted_at=submitted,
        )

    def board(self) -> list[BoardItem]:
        """Open incidents and recently resolved ones, ready to be re-planned at every tick."""
        with self.database.session() as session:
            records = board_incidents(session, self.clock.now() - RESOLVED_ON_BOARD)
            return self._board_items(session, records)

    def board_changes(self, known: dict[str, tuple]) -> tuple[dict[str, tuple], list[BoardItem]]:
        """The board's incidents by what moves them (`board_heads`), and the items of those
        whose heads differ from `known`: read after the heads, so never older than them."""
        since = self.clock.now() - RESOLVED_ON_BOARD
        with self.database.session() as session:
            heads = board_heads(session, since)
            stale = [code for code, head in heads.items() if known.get(code) != head]
            if len(stale) == len(heads):  # the first read: all of them, without naming each
                records = board_incidents(session, since)
            else:
                records = by_codes(session, stale)
            return heads, self._board_items(session, records)

    def _board_items(self, session, records: list) -> list[BoardItem]:
        ids = [record.id for record in records]
        events = events_by_incident(session, ids)
        submitted = self._submitted(session, ids)
        items = []
        for record in records:
            policy, _version = self._policy(record.policy_id)
            facts = self.facts(record, events[record.id], submitted.get(record.id))
            items.append(BoardItem(frozen_copy(Incident, record), policy, facts))
        return items

    def list(self, include_resolved: bool = False) -> list[IncidentView]:
        with self.database.session() as session:
            records = all_incidents(session) if include_resolved else open_incidents(session)
        return [self.view(record.code) for record in records]

    def first_declared(self) -> str | None:
        """The code of the incident declared first (resolved or not), or None."""
        with self.database.session() as session:
            return first_declared_code(session)

    def recently_resolved(self, limit: int = 10) -> list[tuple[str, str]]:
        """(code, title) of the incidents resolved last, newest first."""
        with self.database.session() as session:
            return [(r.code, r.title) for r in recently_resolved(session, limit)]

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
    ) -> str:
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
        stored = self.policies.snapshot(policy)
        policy_id = self.policies.record_id(policy.name, stored.version)
        now = self.clock.now()
        started_at, detected_at = impact_times(now, now, started_at, detected_at)
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
                    started_at=started_at,
                    detected_at=detected_at,
                )
                session.add(record)
                try:
                    session.flush()
                except IntegrityError:
                    session.rollback()  # another declaration took this number
                    continue
                self._log(
                    session,
                    record,
                    now,
                    "declared",
                    actor,
                    f"{severity} {title}",
                    data={"severity": severity, "title": title},
                )
                if commander:
                    set_role(session, record.id, "commander", commander, now, actor)
                session.commit()
                return code
        raise IncidentError("refusal.numbering")

    def acknowledge(self, code: str, actor: str, via: str = "") -> None:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError("refusal.already_resolved", code=code)
            if record.acknowledged_at is not None:
                raise AlreadyDone("refusal.already_acknowledged", code=code)
            unpaged = self._unpaged_steps(session, record, now, "acknowledged")
            first = record.first_acknowledged_at or now
            update_incident(session, record, acknowledged_at=now, first_acknowledged_at=first)
            self._record_unpaged(session, record, unpaged, now, "acknowledged", actor)
            return "acknowledged", f"acknowledged by {actor}{via and f' via {via}'}", {"via": via}

        self._change(code, actor, change)

    def post_update(self, code: str, actor: str, status: str, text: str) -> None:
        if status not in STATUSES:
            raise IncidentError("refusal.unknown_status", status=status, known=", ".join(STATUSES))
        if status == "resolved":
            self.resolve(code, actor, text)
            return

        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError("refusal.reopen_first", code=code)
            changes = {"status": status, "last_update_at": now}
            if status == "mitigating" and record.mitigated_at is None:
                changes["mitigated_at"] = now
            update_incident(session, record, **changes)
            return "status_update", f"{status}: {text}".strip(), {"status": status, "text": text}

        self._change(code, actor, change)

    def change_severity(self, code: str, actor: str, severity: str) -> None:
        def change(session, record, now):
            policy, _version = self._policy(record.policy_id)
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
                first_round=self._next_round(session, record),
            )
            return (
                "severity_changed",
                f"{previous} -> {severity}",
                {"from": previous, "to": severity},
            )

        self._change(code, actor, change)

    def resolve(self, code: str, actor: str, text: str = "") -> None:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise AlreadyDone("refusal.already_resolved", code=code)
            unpaged = self._unpaged_steps(session, record, now, "resolved")
            update_incident(session, record, status="resolved", resolved_at=now)
            self._record_unpaged(session, record, unpaged, now, "resolved", actor)
            return "resolved", text or f"resolved by {actor}", {"text": text}

        self._change(code, actor, change)

    def reopen(self, code: str, actor: str) -> None:
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
                first_round=self._next_round(session, record),
            )
            return "reopened", f"reopened by {actor}", {}

        self._change(code, actor, change)

    def set_times(
        self,
        code: str,
        actor: str,
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
    ) -> None:
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

        self._change(code, actor, change)

    def decide_report(self, code: str, actor: str, required: bool) -> None:
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

        self._change(code, actor, change)

    def file_report(self, code: str, actor: str, filed_at: datetime | None = None) -> None:
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

        self._change(code, actor, change)

    def _needs_report_clock(self, record) -> None:
        policy, _version = self._policy(record.policy_id)
        kind = policy.incident_type(record.type_key)  # named in the reader's language
        if kind.regulatory_report_s is None:
            raise IncidentError("refusal.no_report_duty", code=record.code, type=kind.name)

    def assign_role(self, code: str, actor: str, role: str, person: str) -> None:
        person = printable(person).strip()

        def change(session, record, now):
            policy, _version = self._policy(record.policy_id)
            known = (*ROLES, *policy.roles)
            if role not in known:
                raise IncidentError("refusal.unknown_role", role=role, known=", ".join(known))
            previous = set_role(session, record.id, role, person, now, actor)
            if role == "commander":
                update_incident(session, record, commander=person or None)
            data = {"role": role, "from": previous or "", "to": person}
            return "role", f"{role}: {previous or '-'} -> {person or '-'}", data

        self._change(code, actor, change)

    def toggle_check(self, code: str, actor: str, checklist: str, item: str) -> bool:
        """Tick an item, or untick a ticked one; returns whether it is ticked now."""
        ticked: list[bool] = []

        def change(session, record, now):
            if untick(session, record.id, checklist, item):
                ticked.append(False)
                return (
                    "checklist",
                    f"{checklist}/{item}: unticked",
                    check_data(record, checklist, item, done=False, policies=self._policy),
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
                check_data(record, checklist, item, done=True, policies=self._policy),
            )

        self._change(code, actor, change)
        return ticked[0]

    def add_note(self, code: str, actor: str, text: str, certainty: str = "fact") -> None:
        """A timeline entry marked as fact or hypothesis (seed 002: keep the two apart)."""
        if certainty not in CERTAINTIES:
            raise IncidentError(
                "refusal.unknown_certainty", certainty=certainty, known=", ".join(CERTAINTIES)
            )
        text = text.strip()
        if not text:
            raise IncidentError("refusal.empty_note")
        self._change(code, actor, lambda _session, _record, _now: ("note", text, None), certainty)

    def escalate_now(self, code: str, actor: str) -> FiredStep:
        """Fire the next pending step of the ladder at once (manual escalation)."""
        now = self.clock.now()
        with self.database.session() as session:
            record = self._get(session, code)
            if record.resolved_at is not None:
                raise IncidentError("refusal.reopen_first", code=code)
            policy, _version = self._policy(record.policy_id)
            current = plan(self.facts(record, events_for(session, record.id)), policy, now)
            waiting = [s for s in current.steps if s.state in (StepState.DUE, StepState.PENDING)]
            if not waiting:
                raise IncidentError("refusal.no_step_left", code=code)
            fired = self._claim_step(session, record, waiting[0], now, MANUAL, actor)
            if fired is None:
                raise IncidentError("refusal.step_raced", step=waiting[0].step_id, code=code)
            return fired

    def _change(self, code: str, actor: str, change, certainty: str = "fact") -> None:
        now = self.clock.now()
        with self.database.session() as session:
            record = self._get(session, code)
            kind, text, data = change(session, record, now)
            self._log(session, record, now, kind, actor, text, certainty, data)
            session.commit()


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""
