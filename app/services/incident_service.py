"""Incident use cases: declare, acknowledge, post updates, change severity, resolve, reopen, and
fire escalation steps that have come due — each firing exactly once, claimed in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.domain.clock import Clock
from app.domain.escalation import (
    LATE_NOT_RUNNING,
    MANUAL,
    MISSED,
    ON_TIME,
    Plan,
    PlannedStep,
    StepState,
    plan,
    recorded_skip,
)
from app.domain.i18n import LANGUAGES
from app.domain.incident import (
    ALERT_CHANNELS,
    CERTAINTIES,
    COMMAND_CHANNEL,
    RESOLVED_ON_BOARD,
    ROLES,
    SCREEN_CHANNELS,
    STATUSES,
    AlreadyDone,
    BoardItem,
    FiredEvent,
    FiredStep,
    Incident,
    IncidentError,
    IncidentView,
    TimelineEntry,
    alert_channels,
    incident_facts,
    review_submitted_at,
)
from app.domain.playbooks import playbook
from app.domain.policy.model import Policy
from app.domain.textsafe import printable
from app.services.frozen import frozen_copy
from app.services.policy_versions import PolicyStore
from storage.database import Database
from storage.errors import StaleWrite
from storage.incident_rows import (
    all_incidents,
    board_incidents,
    board_signature,
    by_code,
    by_codes,
    codes_in_year,
    events_by_incident,
    events_for,
    open_incidents,
    open_signature,
    roles_for,
    set_role,
    ticks_for,
    timeline_for,
    untick,
    update_incident,
)
from storage.models import (
    ChecklistTickRecord,
    EscalationEventRecord,
    IncidentRecord,
    OutboxRecord,
    TimelineEntryRecord,
)
from storage.postmortem_rows import review_states


class IncidentService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        policies: PolicyStore,
        alert_channels: tuple[str, ...] = ALERT_CHANNELS,
    ) -> None:
        self.database = database
        self.clock = clock
        self.policies = policies
        self.alert_channels = alert_channels
        # Incidents whose clocks could not be computed, and why (for the caller to say).
        self.unplannable: dict[str, str] = {}
        self._policy_cache: dict[int, tuple[Policy, int]] = {}

    # -- reading ------------------------------------------------------------------------------

    def _policy(self, policy_id: int) -> tuple[Policy, int]:
        if policy_id not in self._policy_cache:
            stored = self.policies.load_by_id(policy_id)
            self._policy_cache[policy_id] = (stored.policy, stored.version)
        return self._policy_cache[policy_id]

    facts = staticmethod(incident_facts)

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

    @staticmethod
    def _submitted(session, incident_ids: list[int]) -> dict[int, datetime | None]:
        return {
            incident_id: review_submitted_at(*state)
            for incident_id, state in review_states(session, incident_ids).items()
        }

    def board(self) -> list[BoardItem]:
        """Open incidents and recently resolved ones, ready to be re-planned at every tick."""
        with self.database.session() as session:
            records = board_incidents(session, self.clock.now() - RESOLVED_ON_BOARD)
            ids = [record.id for record in records]
            events = events_by_incident(session, ids)
            submitted = self._submitted(session, ids)
        items = []
        for record in records:
            policy, _version = self._policy(record.policy_id)
            facts = self.facts(record, events[record.id], submitted.get(record.id))
            items.append(BoardItem(frozen_copy(Incident, record), policy, facts))
        return items

    def open_plans(self, codes: list[str] | None = None) -> list[tuple[Incident, Plan]]:
        """Open incidents (all, or those named) with their plans, from two queries."""
        now = self.clock.now()
        with self.database.session() as session:
            records = open_incidents(session) if codes is None else by_codes(session, codes)
            records = [record for record in records if record.resolved_at is None]
            events = events_by_incident(session, [record.id for record in records])
        plans = []
        for record in records:
            policy, _version = self._policy(record.policy_id)
            try:
                current = plan(self.facts(record, events[record.id]), policy, now)
                plans.append((frozen_copy(Incident, record), current))
            except (OverflowError, ValueError) as error:
                # A deadline past the year 9999 (a policy stored before durations were bounded):
                # that incident cannot be planned; every other one still escalates on time.
                self.unplannable[record.code] = f"{type(error).__name__}: {error}"
        return plans

    def board_signature(self) -> tuple:
        with self.database.session() as session:
            return board_signature(session, self.clock.now() - RESOLVED_ON_BOARD)

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
            raise IncidentError("refusal.no_incident", code=code)
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

    def acknowledge(self, code: str, actor: str) -> None:
        def change(session, record, now):
            if record.resolved_at is not None:
                raise IncidentError("refusal.already_resolved", code=code)
            if record.acknowledged_at is not None:
                raise AlreadyDone("refusal.already_acknowledged", code=code)
            unpaged = self._unpaged_steps(session, record, now, "acknowledged")
            update_incident(session, record, acknowledged_at=now)
            self._record_unpaged(session, record, unpaged, now, "acknowledged", actor)
            return "acknowledged", f"acknowledged by {actor}", {}

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
            update_incident(session, record, status=status, last_update_at=now)
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

    def assign_role(self, code: str, actor: str, role: str, person: str) -> None:
        if role not in ROLES:
            raise IncidentError("refusal.unknown_role", role=role, known=", ".join(ROLES))
        person = printable(person).strip()

        def change(session, record, now):
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
                    _check_data(
                        record.policy_id, checklist, item, done=False, policies=self._policy
                    ),
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
                _check_data(record.policy_id, checklist, item, done=True, policies=self._policy),
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
        self._change(code, actor, lambda session, record, now: ("note", text, None), certainty)

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

    @staticmethod
    def _next_round(session, record: IncidentRecord) -> int:
        used = [event.round for event in events_for(session, record.id)]
        return max([record.first_round, *(r + 1 for r in used)])

    @staticmethod
    def _log(session, record, at, kind, actor, text, certainty="fact", data=None) -> None:
        session.add(
            TimelineEntryRecord(
                incident_id=record.id,
                at=at,
                kind=kind,
                actor=actor,
                text=text,
                certainty=certainty,
                data=data,
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
                self._log(session, record, now, "ack_timed_out", actor, "ack timed out", data={})
                session.commit()
                record = self._get(session, code)
                current = plan(self.facts(record, events_for(session, record.id)), policy, now)
            due = current.due()
            # Several rounds of one step missed while nothing ran page its people once: the
            # latest round fires, the earlier ones are recorded as missed.
            latest = {}
            for step in due:
                latest[step.step_id] = max(latest.get(step.step_id, step.round), step.round)
            for step in due:
                if step.round < latest[step.step_id]:
                    self._claim_step(session, record, step, now, MISSED, actor, page=False)
                else:
                    reason = LATE_NOT_RUNNING if catching_up else ON_TIME
                    claimed = self._claim_step(session, record, step, now, reason, actor)
                    if claimed is not None:
                        fired.append(claimed)
                record = self._get(session, code)
        return fired

    def _unpaged_steps(self, session, record: IncidentRecord, now, condition: str):
        """Steps already due but never fired (nothing was running) that an acknowledgement or
        resolution now stops; read before the change is written."""
        policy, _version = self._policy(record.policy_id)
        current = plan(self.facts(record, events_for(session, record.id)), policy, now)
        return [
            step
            for step in current.due()
            if condition == "resolved" or condition in step.step.unless
        ]

    def _record_unpaged(self, session, record, steps, now, condition: str, actor) -> None:
        """Recorded as skipped, so the record says they never paged; called after the change
        was written, inside its transaction."""
        for step in steps:
            self._claim_step(
                session,
                record,
                step,
                now,
                recorded_skip(condition),
                actor,
                page=False,
                commit=False,
            )

    def _claim_step(
        self,
        session,
        record: IncidentRecord,
        step: PlannedStep,
        now,
        reason: str,
        actor: str,
        page: bool = True,
        commit: bool = True,
    ) -> FiredStep | None:
        """Insert the step's unique EscalationEvent, its timeline entry and (when it pages) its
        alerts in one transaction; None when another process claimed the step first."""
        event = EscalationEventRecord(
            incident_id=record.id,
            step_id=step.step_id,
            round=step.round,
            due_at=step.due_at,
            fired_at=now,
            reason=reason,
        )
        if not commit:
            # Part of the caller's transaction: a conflict must not roll back its other work.
            try:
                with session.begin_nested():
                    session.add(event)
            except IntegrityError:
                return None  # another process recorded this step a moment ago
            self._log(session, record, now, "escalation", actor, *_event_text(step, reason))
            return None
        session.add(event)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()  # another process fired this step first
            return None
        self._log(session, record, now, "escalation", actor, *_event_text(step, reason))
        if not page:
            session.commit()
            return None
        payload = {
            "incident": record.code,
            "title": record.title,
            "severity": record.severity,
            "status": record.status,
            "step": step.step_id,
            "round": step.round,
            "notify": [who.get("en") for who in step.step.notify],
            "notify_by_language": {
                lang: [who.get(lang) for who in step.step.notify] for lang in LANGUAGES
            },
            "due_at": step.due_at.isoformat(),
            "fired_at": now.isoformat(),
            "reason": reason,
            "actor": actor,
        }
        for channel in self.alert_channels:
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
        return FiredStep(record.code, step, now, reason)


def _event_text(step: PlannedStep, reason: str) -> tuple[str, str, dict]:
    """The English line kept in `text`, the certainty, and the data app.timeline_text reads."""
    notify = ", ".join(printable(who.get("en")) for who in step.step.notify)
    text = (
        f"escalation: notify {notify} (step {step.position + 1}, round {step.round + 1}, {reason})"
    )
    data = {
        "step": step.step_id,
        "position": step.position,
        "round": step.round,
        "reason": reason,
        "notify": {lang: [who.get(lang) for who in step.step.notify] for lang in LANGUAGES},
    }
    return text, "fact", data


def _check_data(policy_id, checklist: str, item: str, done: bool, policies) -> dict:
    """The checklist's and the item's names in every language, as the playbook had them."""
    policy, _version = policies(policy_id)
    data: dict = {"checklist": checklist, "item": item, "done": done}
    for entry in playbook(policy.name):
        if entry.key != checklist:
            continue
        data["checklist_names"] = {lang: entry.title.get(lang) for lang in LANGUAGES}
        for candidate in entry.items:
            if candidate.key == item:
                data["item_names"] = {lang: candidate.text.get(lang) for lang in LANGUAGES}
    return data


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
                "data": entry.data,
            }
            for entry in view.timeline
        ],
    }


__all__ = [
    "ALERT_CHANNELS",
    "CERTAINTIES",
    "COMMAND_CHANNEL",
    "LATE_NOT_RUNNING",
    "MANUAL",
    "ON_TIME",
    "ROLES",
    "SCREEN_CHANNELS",
    "STATUSES",
    "BoardItem",
    "FiredStep",
    "IncidentError",
    "IncidentService",
    "IncidentView",
    "alert_channels",
    "view_document",
]
