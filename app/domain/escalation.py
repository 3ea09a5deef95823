"""The escalation engine: a pure function of (incident facts, policy, now).

It says, for one incident, when every escalation step is due and whether it is pending, due now,
fired or skipped, and when each of the incident's other clocks runs out. It stores nothing and
reads no clock: the caller records firings (one EscalationEvent per step and round, unique in the
database) and passes them back in, so a restart or a second process computes the same answer.

Semantics (DESIGN.md §3):
- Steps come from the ladder of the incident's current severity, counted from the ladder start:
  the declaration, or the moment the caller restarted the ladder (acknowledgement timed out).
- A round lasts until its last step plus the severity's repeat pause; another round starts only
  while the incident is still unacknowledged and unresolved, up to the severity's number of rounds.
- A step is skipped when its `unless` condition holds by the time it would page: acknowledged
  before it fired (also when the ack came after its due time while nothing ran), resolved, or
  severity below X. Nothing pages for a resolved incident.
- Firings are recorded with a reason. Besides paging ones (on time, late, manual), a step can be
  recorded as missed (an earlier round of a step whose later round fired in the same catch-up:
  shown, not paged) or as skipped (acknowledged / resolved before it could page).
- Every recorded firing stays in the plan, also those of an earlier ladder run (before an ack
  timed out or the incident was reopened), so the ladder never loses a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from app.domain.policy.model import BELOW_PREFIX, EscalationStep, Policy, Severity
from app.domain.policy.targets import severity_targets


class StepState(StrEnum):
    PENDING = "pending"
    DUE = "due"
    FIRED = "fired"
    SKIPPED = "skipped"
    MISSED = "missed"


# Why a step was recorded, as stored in EscalationEvent.reason.
ON_TIME = "on time"
LATE_NOT_RUNNING = "late (not running)"
MANUAL = "manual"
MISSED = "missed (not running)"
SKIPPED_PREFIX = "skipped: "
# A firing this close to its due time is on time: the scheduler wakes a few ms after it.
ON_TIME_TOLERANCE = timedelta(seconds=1)


def recorded_skip(condition: str) -> str:
    return SKIPPED_PREFIX + condition


class DeadlineKind(StrEnum):
    """The incident's deadlines besides the ladder, as shown on the board."""

    ACKNOWLEDGE = "acknowledge"
    STATUS_UPDATE = "status_update"
    RESOLUTION = "resolution"
    POSTMORTEM = "postmortem"
    REGULATORY_REPORT = "regulatory_report"
    ACK_TIMEOUT = "ack_timeout"


@dataclass(frozen=True, slots=True)
class Firing:
    """A step that was fired: what the database's EscalationEvent row says."""

    step_id: str
    round: int
    due_at: datetime
    fired_at: datetime
    reason: str = ON_TIME


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    declared_at: datetime
    severity: str
    type_key: str
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    last_update_at: datetime | None = None
    ladder_started_at: datetime | None = None
    first_round: int = 0
    firings: tuple[Firing, ...] = ()
    # When the postmortem was handed in for review: that meets its clock.
    postmortem_submitted_at: datetime | None = None
    # The regulatory clock runs from the discovery and stops when the report is filed or
    # judged not required.
    detected_at: datetime | None = None
    report_closed_at: datetime | None = None

    @property
    def ladder_start(self) -> datetime:
        return self.ladder_started_at or self.declared_at


@dataclass(frozen=True, slots=True)
class PlannedStep:
    step_id: str
    severity: str
    position: int
    round: int
    due_at: datetime
    step: EscalationStep
    state: StepState
    fired_at: datetime | None = None
    skipped_because: str | None = None
    reason: str | None = None  # the recorded firing's reason

    @property
    def late_by(self) -> timedelta | None:
        """How late it paged; negative when fired early (a manual escalation)."""
        return None if self.fired_at is None else self.fired_at - self.due_at

    @property
    def timing(self) -> str | None:
        """ "early", "on_time" or "late" for a step that paged; None otherwise."""
        if self.state is not StepState.FIRED or self.late_by is None:
            return None
        if self.late_by < -ON_TIME_TOLERANCE:
            return "early"
        return "late" if self.late_by > ON_TIME_TOLERANCE else "on_time"


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: DeadlineKind
    due_at: datetime
    met_at: datetime | None = None

    def remaining(self, now: datetime) -> timedelta:
        """Time left (negative once overdue); derived from now, never stored."""
        return self.due_at - now

    def overdue(self, now: datetime) -> bool:
        return self.met_at is None and now >= self.due_at


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[PlannedStep, ...]
    deadlines: tuple[Deadline, ...]
    ack_timed_out_at: datetime | None
    next_wakeup: datetime | None

    def due(self) -> list[PlannedStep]:
        """Steps that must fire now, in due order."""
        return [step for step in self.steps if step.state is StepState.DUE]

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind is kind), None)

    def still_to_fire(self) -> Plan:
        """This plan with only its due steps and the first pending one (the next to come due):
        what firing, waking up and "the next step" read. Every round's steps of 10,000 open
        incidents at once were most of a sweep's memory."""
        due = self.due()
        pending = next((s for s in self.steps if s.state is StepState.PENDING), None)
        return replace(self, steps=(*due, pending) if pending is not None else tuple(due))

    def wakeup(self, fired_from: datetime) -> datetime | None:
        """When the incident needs the next pass, after a pass that began firing at
        `fired_from`. A step that came due after that (its plan was read a moment later) is
        due now: left out, it would wait for the next full sweep, up to 30 s late. One that was
        already due when the pass began was tried by it."""
        later = [step.due_at for step in self.due() if step.due_at > fired_from]
        if self.ack_timed_out_at is not None and self.ack_timed_out_at > fired_from:
            later.append(self.ack_timed_out_at)
        if self.next_wakeup is not None:
            later.append(self.next_wakeup)
        return min(later, default=None)


@cache
def step_id(severity: str, position: int) -> str:
    # One string per step of a ladder, shared by every incident's plan (10,000 open incidents
    # held 90,000 copies).
    return f"{severity}#{position}"


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=value)


def _before(instant: datetime | None, limit: datetime) -> bool:
    return instant is not None and instant <= limit


def _skip_reason(
    step: EscalationStep, due_at: datetime, facts: IncidentFacts, policy: Policy, now: datetime
) -> str | None:
    # Judged at firing time, not at due time: a step that was due while nothing ran must not
    # page for an incident that is resolved or acknowledged by the time it could.
    if _before(facts.resolved_at, max(due_at, now)):
        return "resolved"
    for condition in step.unless:
        if condition == "acknowledged" and _before(facts.acknowledged_at, max(due_at, now)):
            return "acknowledged"
        if condition.startswith(BELOW_PREFIX):
            threshold = condition[len(BELOW_PREFIX) :]
            if policy.rank(facts.severity) > policy.rank(threshold):
                return condition
    return None


def _round_starts(severity: Severity, facts: IncidentFacts) -> list[datetime]:
    """Start of each round of the current ladder run. Every round is listed, also those an
    acknowledgement or resolution stopped, so no row leaves the ladder when an incident
    is acknowledged or resolved; _round_stopped says why such a round never ran."""
    if not severity.ladder:
        return []
    length = _seconds(max(step.after_s for step in severity.ladder) + severity.repeat_pause_s)
    return [facts.ladder_start + index * length for index in range(severity.rounds)]


def _round_stopped(index: int, start: datetime, facts: IncidentFacts) -> str | None:
    """A round after the first runs only while the incident is unacknowledged and unresolved
    when it begins."""
    if index == 0:
        return None
    if _before(facts.resolved_at, start):
        return "resolved"
    if _before(facts.acknowledged_at, start):
        return "acknowledged"
    return None


def plan(facts: IncidentFacts, policy: Policy, now: datetime) -> Plan:
    severity = policy.severity(facts.severity)
    fired = {(f.step_id, f.round): f for f in facts.firings}
    steps: list[PlannedStep] = []
    for index, round_start in enumerate(_round_starts(severity, facts)):
        round_number = facts.first_round + index
        stopped = _round_stopped(index, round_start, facts)
        for position, step in enumerate(severity.ladder):
            identity = step_id(severity.key, position)
            due_at = round_start + _seconds(step.after_s)
            firing = fired.pop((identity, round_number), None)
            reason = None if firing else stopped or _skip_reason(step, due_at, facts, policy, now)
            if firing:
                state, reason = _recorded_state(firing)
            elif reason:
                state = StepState.SKIPPED
            elif due_at <= now:
                state = StepState.DUE
            else:
                state = StepState.PENDING
            steps.append(
                PlannedStep(
                    step_id=identity,
                    severity=severity.key,
                    position=position,
                    round=round_number,
                    due_at=due_at,
                    step=step,
                    state=state,
                    fired_at=firing.fired_at if firing else None,
                    skipped_because=reason,
                    reason=firing.reason if firing else None,
                )
            )
    steps += _earlier_runs(fired.values(), policy)
    steps.sort(key=lambda s: (s.due_at, s.round, s.position))
    deadlines = _deadlines(facts, policy, severity)
    timeout = next((d for d in deadlines if d.kind is DeadlineKind.ACK_TIMEOUT), None)
    ack_timed_out_at = timeout.due_at if timeout is not None and timeout.overdue(now) else None
    upcoming = [s.due_at for s in steps if s.state is StepState.PENDING]
    upcoming += [d.due_at for d in deadlines if d.met_at is None and d.due_at > now]
    return Plan(
        steps=tuple(steps),
        deadlines=deadlines,
        ack_timed_out_at=ack_timed_out_at,
        next_wakeup=min(upcoming) if upcoming else None,
    )


def _recorded_state(firing: Firing) -> tuple[StepState, str | None]:
    if firing.reason == MISSED:
        return StepState.MISSED, None
    if firing.reason.startswith(SKIPPED_PREFIX):
        return StepState.SKIPPED, firing.reason.removeprefix(SKIPPED_PREFIX)
    return StepState.FIRED, None


def _earlier_runs(firings, policy: Policy) -> list[PlannedStep]:
    """Recorded firings outside the current ladder run, as they were recorded."""
    steps = []
    for firing in firings:
        severity_key, _, position = firing.step_id.rpartition("#")
        known = {severity.key: severity for severity in policy.severities}
        ladder = known[severity_key].ladder if severity_key in known else ()
        if not position.isdigit() or int(position) >= len(ladder):
            continue  # the policy no longer has that step: nothing to name it by
        state, reason = _recorded_state(firing)
        steps.append(
            PlannedStep(
                step_id=firing.step_id,
                severity=severity_key,
                position=int(position),
                round=firing.round,
                due_at=firing.due_at,
                step=ladder[int(position)],
                state=state,
                fired_at=firing.fired_at,
                skipped_because=reason,
                reason=firing.reason,
            )
        )
    return steps


def _deadlines(facts: IncidentFacts, policy: Policy, severity: Severity) -> tuple[Deadline, ...]:
    declared, resolved = facts.declared_at, facts.resolved_at
    targets = severity_targets(severity)
    deadlines = [
        Deadline(
            DeadlineKind.ACKNOWLEDGE,
            declared + _seconds(targets.acknowledge or 0),
            facts.acknowledged_at or resolved,
        )
    ]
    if resolved is None and severity.declared:
        last_update = facts.last_update_at or declared
        deadlines.append(
            Deadline(DeadlineKind.STATUS_UPDATE, last_update + _seconds(severity.update_every_s))
        )
    if targets.resolve is not None:
        deadlines.append(
            Deadline(DeadlineKind.RESOLUTION, declared + _seconds(targets.resolve), resolved)
        )
    if resolved is not None and severity.postmortem_due_s is not None:
        deadlines.append(
            Deadline(
                DeadlineKind.POSTMORTEM,
                resolved + _seconds(severity.postmortem_due_s),
                facts.postmortem_submitted_at,
            )
        )
    report = policy.incident_type(facts.type_key).regulatory_report_s
    if report is not None:
        discovered = facts.detected_at or declared
        deadlines.append(
            Deadline(
                DeadlineKind.REGULATORY_REPORT,
                discovered + _seconds(report),
                facts.report_closed_at,
            )
        )
    if (
        severity.ack_timeout_s is not None
        and facts.acknowledged_at is not None
        and resolved is None
    ):
        deadlines.append(
            Deadline(
                DeadlineKind.ACK_TIMEOUT, facts.acknowledged_at + _seconds(severity.ack_timeout_s)
            )
        )
    return tuple(deadlines)
