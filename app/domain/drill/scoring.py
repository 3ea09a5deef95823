"""A drill's score, from what the team did in the drill database, against the policy the
scenario names: how soon the incident was declared and at which severity, acknowledged, the
first update and the cadence after it, the checklist items of each phase done in that phase,
the response roles filled, and resolution against its target. Every line says what was measured
and against what, so the debrief is a conversation, not a grade.

All times are drill time. Declaring and resolving are counted from the signal (the drill's
start: where the impact begins, as the first alert is where a real response starts);
acknowledging and the first update from the declaration, as the metrics count them
(app.domain.metrics), so declaring late is graded once, on the declare line, and an incident is
"met" or "missed" the same in the drill and in the metrics. The debrief says so
(`drill.clocks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.checklist_text import filled_item
from app.domain.incident import ROLES
from app.domain.policy.targets import targets_for

# Without a target of its own, declaring and acknowledging a level that asks for an immediate
# response (0 s) is measured against five minutes: seed 003 §7's detection and acknowledgement
# goals.
IMMEDIATE_S = 300
MEASURES = (
    "declare",
    "severity",
    "acknowledge",
    "first_update",
    "cadence",
    "checklists",
    "roles",
    "resolve",
)


@dataclass(frozen=True)
class ScoreLine:
    measure: str
    points: float  # 0..1
    measured_s: int | None = None  # a time, when the measure is one
    target_s: int | None = None
    done: int | None = None  # counts, when the measure is one
    of: int | None = None
    detail: str = ""  # a value to show (a severity)
    missing: tuple = ()  # what was left undone: role keys, or checklist items' LocalText

    @property
    def verdict(self) -> str:
        if self.points >= 0.999:
            return "met"
        return "partly" if self.points > 0 else "missed"


@dataclass(frozen=True)
class ScoreCard:
    lines: tuple[ScoreLine, ...]
    incident: str  # the drill incident's code, "" when none was declared

    @property
    def percent(self) -> int:
        if not self.lines:
            return 0
        return round(100 * sum(line.points for line in self.lines) / len(self.lines))

    def line(self, measure: str) -> ScoreLine | None:
        return next((line for line in self.lines if line.measure == measure), None)


def _timed(measure: str, measured: float | None, target: int) -> ScoreLine:
    """Full points within the target, half within twice the target, none after or never."""
    if measured is None:
        return ScoreLine(measure, 0.0, None, target)
    seconds = max(0, int(measured))
    points = 1.0 if seconds <= target else 0.5 if seconds <= 2 * target else 0.0
    return ScoreLine(measure, points, seconds, target)


def score(scenario, policy, start: datetime, end: datetime, view, checklists) -> ScoreCard:
    """`view`: the drill incident's IncidentView (None when nobody declared one); `checklists`:
    the policy's playbook. Severity targets are those of the severity the scenario calls for."""
    expected = policy.severity(scenario.severity)
    targets = targets_for(policy, scenario.type_key, expected.key)
    declare_target = targets.detect or expected.response_s or IMMEDIATE_S
    ack_target = targets.acknowledge or IMMEDIATE_S
    if view is None:
        lines = [ScoreLine(measure, 0.0) for measure in MEASURES]
        lines[0] = ScoreLine("declare", 0.0, None, declare_target)
        return ScoreCard(tuple(lines), "")
    record = view.record
    lines = [
        _timed("declare", (record.declared_at - start).total_seconds(), declare_target),
        _severity(scenario, view, expected.key),
        _timed("acknowledge", _since(record.declared_at, record.first_acknowledged_at), ack_target),
    ]
    updates = [entry.at for entry in view.timeline if entry.kind == "status_update"]
    if expected.declared:
        first = updates[0] if updates else None
        lines.append(
            _timed("first_update", _since(record.declared_at, first), expected.update_every_s)
        )
        cadence = _cadence(record, updates, end, expected.update_every_s)
        if cadence.of:  # no update was due yet in a drill this short: nothing to say
            lines.append(cadence)
    lines.append(_checklists(view, checklists, expected.key, scenario.type_key, end))
    lines.append(_roles(view))
    resolve_target = targets.resolve
    if resolve_target:
        lines.append(_timed("resolve", _since(start, record.resolved_at), resolve_target))
    return ScoreCard(tuple(lines), record.code)


def _since(start: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else (moment - start).total_seconds()


def _severity(scenario, view, expected: str) -> ScoreLine:
    """Declared at the right level: full; corrected to it later: half; never: none."""
    declared = view.record.severity
    for entry in view.timeline:
        if entry.kind == "declared" and entry.data:
            declared = entry.data.get("severity", declared)
            break
    if declared == expected:
        return ScoreLine("severity", 1.0, detail=declared)
    if view.record.severity == expected:
        return ScoreLine("severity", 0.5, detail=f"{declared} → {expected}")
    return ScoreLine("severity", 0.0, detail=f"{view.record.severity} ≠ {scenario.severity}")


def _cadence(record, updates: list[datetime], end: datetime, every_s: int) -> ScoreLine:
    """An update is due `every_s` after the declaration or the last update; of those deadlines
    that came before the incident was resolved (or the drill ended), how many were kept (a
    tenth of the interval's grace, as a person posts, not a timer)."""
    until = record.resolved_at or end
    kept = missed = 0
    anchor = record.declared_at
    for moment in sorted(updates):
        while (moment - anchor).total_seconds() > every_s * 1.1:
            missed += 1
            anchor = anchor + timedelta(seconds=every_s)
        kept += 1
        anchor = moment
    while (until - anchor).total_seconds() >= every_s:
        missed += 1
        anchor = anchor + timedelta(seconds=every_s)
    total = kept + missed
    return ScoreLine(
        "cadence", kept / total if total else 1.0, done=kept, of=total, target_s=every_s
    )


def _checklists(view, checklists, severity: str, type_key: str, end: datetime) -> ScoreLine:
    """Items of phased checklists ticked while their phase ran (phases that had begun by the
    end of the drill)."""
    declared = view.record.declared_at
    ticked: dict[tuple[str, str], datetime] = {}
    for entry in view.timeline:
        if entry.kind == "checklist" and entry.data and entry.data.get("done"):
            ticked.setdefault((entry.data["checklist"], entry.data["item"]), entry.at)
    due, in_phase, missed = 0, 0, []
    for checklist in checklists:
        if checklist.starts_s is None or not checklist.applies_to(severity, type_key):
            continue
        if (end - declared).total_seconds() < checklist.starts_s:
            continue  # the drill ended before this phase began
        for item in checklist.items:
            due += 1
            at = ticked.get((checklist.key, item.key))
            offset = None if at is None else (at - declared).total_seconds()
            if offset is not None and (checklist.ends_s is None or offset < checklist.ends_s):
                in_phase += 1
            else:
                missed.append(filled_item(item, view.record))
    if not due:
        return ScoreLine("checklists", 1.0, done=0, of=0)
    return ScoreLine("checklists", in_phase / due, done=in_phase, of=due, missing=tuple(missed))


def _roles(view) -> ScoreLine:
    filled = [role for role in ROLES if view.roles.get(role)]
    missing = tuple(role for role in ROLES if not view.roles.get(role))
    share = len(filled) / len(ROLES)
    return ScoreLine("roles", share, done=len(filled), of=len(ROLES), missing=missing)
