"""The escalation engine: examples from the seeds' ladders, and properties over random histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.escalation import (
    DeadlineKind,
    Firing,
    IncidentFacts,
    StepState,
    plan,
)
from app.domain.policy.parse import parse_policy_text
from app.services.policy_set import load_policies, policy_sources

BUILTIN = load_policies(policy_sources(None))
WEB = BUILTIN.get("web-service")
AI = BUILTIN.get("ai-ops")
T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def states(result, round_number=0):
    return [(s.step_id, s.state.value) for s in result.steps if s.round == round_number]


def test_fresh_sev2_pages_l1_now_and_plans_the_rest():
    result = plan(IncidentFacts(T, "SEV-2", "service"), WEB, T)
    assert states(result) == [
        ("SEV-2#0", "due"),
        ("SEV-2#1", "pending"),
        ("SEV-2#2", "pending"),
        ("SEV-2#3", "pending"),
    ]
    assert [s.due_at - T for s in result.steps if s.round == 0] == [
        minutes(0),
        minutes(15),
        minutes(30),
        minutes(60),
    ]
    assert result.deadline(DeadlineKind.ACKNOWLEDGE).due_at == T + minutes(15)
    assert result.deadline(DeadlineKind.STATUS_UPDATE).due_at == T + minutes(15)
    assert result.deadline(DeadlineKind.RESOLUTION).due_at == T + minutes(240)
    assert result.next_wakeup == T + minutes(15)


def test_acknowledging_skips_the_no_response_step_but_not_the_unresolved_ones():
    facts = IncidentFacts(
        T,
        "SEV-2",
        "service",
        acknowledged_at=T + minutes(5),
        firings=(Firing("SEV-2#0", 0, T, T),),
    )
    result = plan(facts, WEB, T + minutes(31))
    assert states(result) == [
        ("SEV-2#0", "fired"),
        ("SEV-2#1", "skipped"),
        ("SEV-2#2", "due"),
        ("SEV-2#3", "pending"),
    ]
    assert result.steps[1].skipped_because == "acknowledged"
    # Acknowledged: the ladder does not repeat; the later rounds stay listed, as skipped.
    later = [s for s in result.steps if s.round > 0]
    assert later and all(s.skipped_because == "acknowledged" for s in later)
    assert result.deadline(DeadlineKind.ACKNOWLEDGE).met_at == T + minutes(5)


def test_resolving_skips_everything_ahead_and_starts_the_postmortem_clock():
    facts = IncidentFacts(T, "SEV-1", "service", resolved_at=T + minutes(40))
    result = plan(facts, WEB, T + minutes(90))
    late = [s for s in result.steps if s.due_at > T + minutes(40)]
    assert late and all(s.state is StepState.SKIPPED for s in late)
    assert result.deadline(DeadlineKind.POSTMORTEM).due_at == T + minutes(40) + timedelta(hours=48)
    assert result.deadline(DeadlineKind.STATUS_UPDATE) is None
    assert not result.deadline(DeadlineKind.RESOLUTION).overdue(T + minutes(90))


def test_an_unacknowledged_ladder_repeats_after_the_pause():
    result = plan(IncidentFacts(T, "SEV-2", "service"), WEB, T + minutes(80))
    second_round = [s for s in result.steps if s.round == 1]
    assert second_round[0].due_at == T + minutes(75)  # last step at 60 min + 15 min pause
    assert second_round[0].state is StepState.DUE
    assert max(s.round for s in result.steps) == 2  # three rounds by default


def test_regulatory_report_clock_for_data_incidents_only():
    data = plan(IncidentFacts(T, "P0", "data"), AI, T)
    assert data.deadline(DeadlineKind.REGULATORY_REPORT).due_at == T + timedelta(hours=72)
    assert (
        plan(IncidentFacts(T, "P0", "model"), AI, T).deadline(DeadlineKind.REGULATORY_REPORT)
        is None
    )


def test_overdue_clocks_count_up():
    result = plan(IncidentFacts(T, "P1", "model"), AI, T + minutes(63))
    ack = result.deadline(DeadlineKind.ACKNOWLEDGE)
    assert ack.overdue(T + minutes(63))
    assert ack.remaining(T + minutes(63)) == -minutes(3)


TEST_POLICY = parse_policy_text(
    """
[policy]
name = "drill"
scheme = "SEV"
title = "Drill"

[[severities]]
key = "SEV-1"
name = "Critical"
response = "10s"
update_every = "30s"
ack_timeout = "20s"
repeat_after = "5s"
rounds = 3

[[severities]]
key = "SEV-2"
name = "High"
response = "20s"
update_every = "60s"
rounds = 2

[[types]]
key = "service"
name = "Service"

[[ladder]]
severity = ["SEV-1", "SEV-2"]
after = "0s"
notify = ["On-call"]

[[ladder]]
severity = ["SEV-1", "SEV-2"]
after = "10s"
unless = ["acknowledged"]
notify = ["Lead"]

[[ladder]]
severity = "SEV-1"
after = "20s"
unless = ["resolved"]
notify = ["Manager"]

[[ladder]]
severity = "SEV-2"
after = "30s"
unless = ["below:SEV-1"]
notify = ["Only while SEV-1"]
""",
    "drill.toml",
)


def test_acknowledged_then_forgotten_reports_the_timeout():
    facts = IncidentFacts(T, "SEV-1", "service", acknowledged_at=T + timedelta(seconds=5))
    assert plan(facts, TEST_POLICY, T + timedelta(seconds=24)).ack_timed_out_at is None
    result = plan(facts, TEST_POLICY, T + timedelta(seconds=26))
    assert result.ack_timed_out_at == T + timedelta(seconds=25)


def test_below_condition_uses_the_current_severity():
    result = plan(IncidentFacts(T, "SEV-2", "service"), TEST_POLICY, T + timedelta(seconds=31))
    last = next(s for s in result.steps if s.step_id == "SEV-2#2" and s.round == 0)
    assert last.state is StepState.SKIPPED and last.skipped_because == "below:SEV-1"


# -- properties -----------------------------------------------------------------------------

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["wait", "ack", "resolve", "sev1", "sev2", "restart", "update"]),
        st.integers(min_value=0, max_value=40),
    ),
    max_size=30,
)


class Incident:
    """What the use-case layer will do: fire due steps, record them, react to events."""

    def __init__(self) -> None:
        self.facts = IncidentFacts(T, "SEV-1", "service")
        self.now = T
        self.log: list[tuple[Firing, IncidentFacts]] = []

    def tick(self) -> None:
        result = plan(self.facts, TEST_POLICY, self.now)
        recorded = {(f.step_id, f.round) for f in self.facts.firings}
        for step in result.due():
            assert (step.step_id, step.round) not in recorded, "a fired step came due again"
            firing = Firing(step.step_id, step.round, step.due_at, self.now)
            self.log.append((firing, self.facts))
            self.facts = replace(self.facts, firings=(*self.facts.firings, firing))
        if result.ack_timed_out_at is not None:
            self.restart_ladder(result.ack_timed_out_at, clear_ack=True)

    def restart_ladder(self, at: datetime, clear_ack: bool = False) -> None:
        next_round = max((f.round for f in self.facts.firings), default=-1) + 1
        self.facts = replace(
            self.facts,
            ladder_started_at=at,
            first_round=max(next_round, self.facts.first_round + TEST_POLICY.severities[0].rounds),
            acknowledged_at=None if clear_ack else self.facts.acknowledged_at,
        )


@settings(max_examples=300, deadline=None)
@given(EVENTS)
def test_every_step_fires_at_most_once_and_never_early(events):
    incident = Incident()
    for kind, seconds in events:
        incident.now += timedelta(seconds=seconds)
        incident.tick()
        facts = incident.facts
        if kind == "ack" and facts.acknowledged_at is None and facts.resolved_at is None:
            incident.facts = replace(facts, acknowledged_at=incident.now)
        elif kind == "resolve" and facts.resolved_at is None:
            incident.facts = replace(facts, resolved_at=incident.now)
        elif kind in ("sev1", "sev2") and facts.resolved_at is None:
            severity = "SEV-1" if kind == "sev1" else "SEV-2"
            if severity != facts.severity:
                incident.facts = replace(facts, severity=severity)
                incident.restart_ladder(incident.now)
        elif kind == "update":
            incident.facts = replace(facts, last_update_at=incident.now)
        # "restart": the engine keeps no state, so a restart is simply the next tick.
        incident.tick()

    keys = [(f.step_id, f.round) for f, _ in incident.log]
    assert len(keys) == len(set(keys))
    for firing, before in incident.log:
        assert firing.fired_at >= firing.due_at
        assert before.resolved_at is None or firing.due_at < before.resolved_at
        severity_key, position = firing.step_id.split("#")
        step = TEST_POLICY.severity(severity_key).ladder[int(position)]
        if "acknowledged" in step.unless and before.acknowledged_at is not None:
            assert before.acknowledged_at > firing.due_at


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=600))
def test_countdowns_are_derived_so_a_clock_jump_changes_nothing_stored(first, second):
    facts = IncidentFacts(T, "P1", "data")
    a = plan(facts, AI, T + timedelta(seconds=first))
    b = plan(facts, AI, T + timedelta(seconds=second))
    assert [d.due_at for d in a.deadlines] == [d.due_at for d in b.deadlines]
    assert [s.due_at for s in a.steps] == [s.due_at for s in b.steps]


def test_a_plan_still_to_fire_keeps_what_firing_and_waking_read():
    # Fired L1 of SEV-1, nothing acknowledged: 30 min later L2 is due (and overdue), L3 waits.
    facts = IncidentFacts(T, "SEV-1", "service", firings=(Firing("SEV-1#0", 0, T, T),))
    for later in (0, 5, 16, 45, 200, 2000):
        now = T + minutes(later)
        full = plan(facts, WEB, now)
        kept = full.still_to_fire()
        pending = [s for s in full.steps if s.state is StepState.PENDING]
        assert kept.steps == (*full.due(), *pending[:1])
        assert (kept.due(), kept.next_wakeup, kept.deadlines, kept.ack_timed_out_at) == (
            full.due(),
            full.next_wakeup,
            full.deadlines,
            full.ack_timed_out_at,
        )
    full = plan(facts, WEB, T)
    assert len(full.still_to_fire().steps) <= 1 + len(full.due()) < len(full.steps)
