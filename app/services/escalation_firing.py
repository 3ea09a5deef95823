"""Escalation steps fired exactly once, claimed in the database, with their alerts in the outbox.

The verbs, from the scheduler's to the user's:
- `fire_due`: fire every step due now (all open incidents, or those named); the steps fired.
- `fire_due_and_plan`: `fire_due`, and when each incident needs the scheduler's next pass.
- `fire_next_step`: fire one incident's next pending step at once (a user's "escalate now").
- `steps_stopped_by` / `record_stopped`: inside an acknowledge's or resolve's transaction, the
  due steps it stops from paging, recorded as skipped.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain.escalation import (
    MANUAL,
    MISSED,
    Plan,
    PlannedStep,
    StepState,
    plan,
    recorded_skip,
)
from app.domain.incident import FiredStep, IncidentError, incident_facts
from app.services.alert_payload import alert_essentials
from app.services.escalation_batch import due_claims, event_text, fire_batch, step_alerts
from app.services.incident_context import IncidentContext
from app.services.incident_queries import IncidentQueries
from storage.errors import StaleWrite, sqlite_busy
from storage.incident_rows import (
    events_for,
    update_incident,
)
from storage.tables import (
    EscalationEventRecord,
    IncidentRecord,
    OutboxRecord,
)

BUSY_RETRIES = 5
BUSY_PAUSE_S = 0.02
# Incidents whose due steps are claimed in one transaction: a storm of 1,000 steps due in the
# same second is ten commits, not a thousand (each SQLite commit holds the write lock).
CLAIM_BATCH = 100
# Open incidents read, fired and planned together: a pass over the whole board (the catch-up
# after a restart) peaks at one chunk's rows, firings and plans, not 10,000 incidents' at once.
PASS_CHUNK = 500


class EscalationFiring:
    """Fires each escalation step that has come due exactly once: the step is claimed by
    inserting its unique event, in one transaction with its timeline entry and its alerts."""

    def __init__(self, context: IncidentContext, queries: IncidentQueries) -> None:
        self.context = context
        self.queries = queries
        self.stopping = False  # the process quits: a pass ends after the incident it is firing

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
        return self.fire_due_and_plan(catching_up, actor, codes)[0]

    def fire_due_and_plan(
        self,
        catching_up: bool = False,
        actor: str = "scheduler",
        codes: list[str] | None = None,
        fired_from: datetime | None = None,
    ) -> tuple[list[FiredStep], dict[str, datetime]]:
        """`fire_due`, and when each incident needs the next pass after it (Plan.wakeup from
        `fired_from`, when this pass began; incidents with nothing ahead are left out). The
        plans read for the firing are read again only for the incidents that fired, and the
        incidents are taken PASS_CHUNK at a time."""
        fired_from = fired_from or self.context.clock.now()
        if codes is None:
            codes = self.queries.open_codes()
        fired: list[FiredStep] = []
        wakeups: dict[str, datetime] = {}
        for start in range(0, len(codes), PASS_CHUNK):
            if self.stopping:
                break  # the process quits (app.services.stopping): the next watcher fires on
            chunk = codes[start : start + PASS_CHUNK]
            self._fire_chunk(chunk, catching_up, actor, fired_from, fired, wakeups)
        return fired, wakeups

    def _fire_chunk(
        self,
        codes: list[str],
        catching_up: bool,
        actor: str,
        fired_from: datetime,
        fired: list[FiredStep],
        wakeups: dict[str, datetime],
    ) -> None:
        plans = self.queries.open_plans(codes)
        changed: set[str] = set()
        due: list[str] = []
        for record, current in plans:
            if self.stopping:
                return
            if current.ack_timed_out_at is not None:  # the ladder restarts: one at a time
                fired += self._retrying(self._fire_incident, record.code, catching_up, actor)
                changed.add(record.code)
            elif current.due():
                due.append(record.code)
        for start in range(0, len(due), CLAIM_BATCH):
            if self.stopping:
                return
            batch = due[start : start + CLAIM_BATCH]
            fired += self._retrying(self._fire_batch, batch, catching_up, actor)
            changed.update(batch)
        if changed:
            # The incidents that fired are planned afresh (one resolved meanwhile drops out).
            plans = [entry for entry in plans if entry[0].code not in changed]
            plans += self.queries.open_plans(sorted(changed))
        for record, current in plans:
            wake = current.wakeup(fired_from)
            if wake is not None:
                wakeups[record.code] = wake

    def _retrying(self, fire, codes, catching_up: bool, actor: str) -> list[FiredStep]:
        """`fire` (`_fire_incident` or `_fire_batch`), started again when SQLite found another
        connection writing (a delivery, another process): a claimed step is no longer due, so
        a second try fires only what the first did not."""
        fired: list[FiredStep] = []
        for attempt in range(BUSY_RETRIES):
            try:
                fire(codes, catching_up, actor, fired)
                break
            except OperationalError as error:
                if not sqlite_busy(error) or attempt == BUSY_RETRIES - 1:
                    raise
                time.sleep(BUSY_PAUSE_S * (attempt + 1))
        return fired

    def _fire_batch(self, codes: list[str], catching_up: bool, actor: str, fired: list) -> None:
        """The due steps of these incidents claimed in one transaction (escalation_batch).
        Nothing is in `fired` before the commit went through: a batch tried again starts from
        what is stored."""
        claimed, alone = fire_batch(self.context, codes, catching_up, actor)
        fired += claimed
        for code in alone:  # timed out meanwhile: the ladder restarts
            fired += self._retrying(self._fire_incident, code, catching_up, actor)

    def _claim_due(self, session, record, current: Plan, now, catching_up, actor) -> list:
        """Claim the plan's due steps inside the caller's transaction (savepoints)."""
        claimed = []
        for step, reason in due_claims(current, catching_up):
            fired = self._claim_step(
                session, record, step, now, reason, actor, page=reason != MISSED, commit=False
            )
            if fired is not None:
                claimed.append(fired)
        return claimed

    def _fire_incident(self, code: str, catching_up: bool, actor: str, fired: list) -> None:
        now = self.context.clock.now()
        with self.context.database.session() as session:
            record = self.context.get(session, code)
            policy, _version = self.context.policy(record.policy_id)
            current = plan(incident_facts(record, events_for(session, record.id)), policy, now)
            if current.ack_timed_out_at is not None:
                try:
                    update_incident(
                        session,
                        record,
                        acknowledged_at=None,
                        ladder_started_at=current.ack_timed_out_at,
                        first_round=self.context.next_round(session, record),
                    )
                except StaleWrite:
                    session.rollback()  # another process restarted the ladder; next sweep
                    return
                self.context.log(
                    session, record, now, "ack_timed_out", actor, "ack timed out", data={}
                )
                session.commit()
                record = self.context.get(session, code)
                current = plan(incident_facts(record, events_for(session, record.id)), policy, now)
            claimed = self._claim_due(session, record, current, now, catching_up, actor)
            session.commit()
        fired += claimed

    def steps_stopped_by(self, session, record: IncidentRecord, now, condition: str):
        """Steps already due but never fired (nothing was running) that an acknowledgement or
        resolution now stops; read before the change is written."""
        policy, _version = self.context.policy(record.policy_id)
        current = plan(incident_facts(record, events_for(session, record.id)), policy, now)
        return [
            step
            for step in current.due()
            if condition == "resolved" or condition in step.step.unless
        ]

    def record_stopped(self, session, record, steps, now, condition: str, actor) -> None:
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

    def fire_next_step(self, code: str, actor: str) -> FiredStep:
        """Fire the next pending step of the incident's ladder at once (manual escalation)."""
        now = self.context.clock.now()
        with self.context.database.session() as session:
            record = self.context.get(session, code)
            if record.resolved_at is not None:
                raise IncidentError("refusal.reopen_first", code=code)
            policy, _version = self.context.policy(record.policy_id)
            current = plan(incident_facts(record, events_for(session, record.id)), policy, now)
            waiting = [s for s in current.steps if s.state in (StepState.DUE, StepState.PENDING)]
            if not waiting:
                raise IncidentError("refusal.no_step_left", code=code)
            fired = self._claim_step(session, record, waiting[0], now, MANUAL, actor)
            if fired is None:
                raise IncidentError("refusal.step_raced", step=waiting[0].step_id, code=code)
            return fired

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
        else:
            session.add(event)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()  # another process fired this step first
                return None
        self.context.log(session, record, now, "escalation", actor, *event_text(step, reason))
        if not page:
            if commit:
                session.commit()
            return None
        alert = alert_essentials(session, record.code)
        payload, channels = step_alerts(self.context, record, step, now, reason, actor, alert)
        for channel in channels:
            session.add(
                OutboxRecord(
                    incident_id=record.id,
                    event_id=event.id,
                    channel=channel,
                    payload=payload,
                    created_at=now,
                )
            )
        if commit:
            session.commit()
        return FiredStep(record.code, step, now, reason)
