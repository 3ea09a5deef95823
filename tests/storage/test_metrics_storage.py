"""The metrics from a real SQLite file and a real PostgreSQL database: incidents declared,
acknowledged, mitigated and resolved through the services, read back as the quarter's figures
against the built-in policy's targets; follow-ups of every postmortem marked done from one list,
logged in the incident's timeline, and a postmortem form open meanwhile cannot save over it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.metrics import period_bounds
from app.domain.postmortem.model import ActionItem
from app.services.incident_service import IncidentService
from app.services.metrics_service import MetricsService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from storage.errors import StaleWrite
from tests.postmortem_helpers import complete_postmortem

POLICIES = load_policies(policy_sources(None))
WEB, AI = POLICIES.get("web-service"), POLICIES.get("ai-ops")
START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    yield database, clock, incidents, MetricsService(database, clock)
    database.close()


def run_incident(clock, incidents, title, severity, ack_after, resolve_after, ago=(0, 0)):
    """Declared now (the impact began and the first signal came `ago` minutes before),
    acknowledged and resolved after so many minutes (None: not done); the clock ends where it
    began plus one day."""
    began = clock.now()
    impact, signal = (began - timedelta(minutes=minutes) for minutes in ago)
    code = incidents.declare(WEB, title, severity, "ops", started_at=impact, detected_at=signal)
    if ack_after is not None:
        clock.set(began + timedelta(minutes=ack_after))
        incidents.acknowledge(code, "ana")
    if resolve_after is not None:
        clock.set(began + timedelta(minutes=resolve_after))
        incidents.resolve(code, "ana")
    clock.set(began + timedelta(days=1))
    return code


def test_the_quarters_figures_against_the_policys_targets(world):
    _database, clock, incidents, metrics = world
    run_incident(clock, incidents, "Checkout down", "SEV-1", 3, 50, ago=(4, 2))
    run_incident(clock, incidents, "Login down", "SEV-1", 9, 130, ago=(10, 3))
    slow = run_incident(clock, incidents, "API errors", "SEV-1", None, 70)  # no explicit ack
    run_incident(clock, incidents, "Search slow", "SEV-3", 30, None)  # still open
    clock.set(START - timedelta(days=30))
    run_incident(clock, incidents, "Last quarter", "SEV-1", 1, 10)
    clock.set(START + timedelta(days=20))
    since, until = period_bounds("quarter", clock.now())
    result = metrics.report(WEB, since, until)
    assert result.counts == {"SEV-1": 3, "SEV-2": 0, "SEV-3": 1, "SEV-4": 0}
    resolve = result.figure("SEV-1", "resolve")
    # From when the impact began: 54, 140 and 70 minutes.
    assert resolve.values == [54 * 60, 70 * 60, 140 * 60]
    assert (resolve.median, resolve.target_s, resolve.met) == (70 * 60, 3600, 1)
    ack = result.figure("SEV-1", "acknowledge")
    assert ack.values == [180, 540] and ack.missing == (slow,) and ack.met == 1
    detect = result.figure("SEV-1", "detect")
    assert detect.values == [0, 120, 420] and detect.met == 2  # 0, 4 − 2 and 10 − 3 minutes
    assert result.figure("SEV-3", "acknowledge").target_s == 3600  # its response time
    assert result.figure("SEV-3", "resolve").missing == ("INC-2026-0004",)


def test_a_policy_sees_only_its_own_incidents(world):
    _database, clock, incidents, metrics = world
    run_incident(clock, incidents, "Checkout down", "SEV-1", 3, 50)
    incidents.declare(AI, "모델 환각", "P1", "민지")
    since, until = period_bounds("quarter", clock.now())
    assert metrics.report(AI, since, until).counts == {"P0": 0, "P1": 1, "P2": 0, "P3": 0}
    assert metrics.report(WEB, since, until).total == 1


def test_follow_ups_across_postmortems_are_closed_from_one_list(world):
    database, clock, incidents, metrics = world
    first = run_incident(clock, incidents, "Checkout down", "SEV-1", 3, 50)
    second = run_incident(clock, incidents, "결제 지연", "SEV-2", 5, 60)
    postmortems = PostmortemService(database, clock)
    complete_postmortem(
        postmortems,
        first,
        "ana",
        actions=[
            ActionItem("Automate renewal", "ana", "2026-10-10"),
            ActionItem("Alert on expiry", "ben", "2026-12-01"),
        ],
    )
    complete_postmortem(
        postmortems,
        second,
        "민지",
        "ko",
        status="draft",
        actions=[ActionItem("갱신 자동화", "민지", "2026-10-08", "high")],
    )
    editing = postmortems.open(second, "ko", "민지")  # someone has the form open
    listed = metrics.follow_ups()
    assert [(f.incident, f.title, f.owner) for f in listed] == [
        (first, "Automate renewal", "ana"),
        (first, "Alert on expiry", "ben"),
        (second, "갱신 자동화", "민지"),
    ]
    assert [f.due for f in listed] == [date(2026, 10, 10), date(2026, 12, 1), date(2026, 10, 8)]
    clock.set(datetime(2026, 10, 20, tzinfo=UTC))
    overdue = metrics.report(WEB, *period_bounds("quarter", clock.now())).actions.overdue
    assert [f.title for f in overdue] == ["갱신 자동화", "Automate renewal"]
    metrics.set_follow_up(listed[2].item_id, "done", "민지")
    summary = metrics.report(WEB, *period_bounds("quarter", clock.now())).actions
    assert (summary.done, summary.total) == (1, 3)
    assert summary.oldest_overdue.title == "Automate renewal"
    said = entry_text(incidents.view(second).timeline[-1], Catalog("ko"))
    assert said == "후속 조치 “갱신 자동화”: 완료"
    with pytest.raises(StaleWrite):  # the open form cannot undo the change unseen
        postmortems.save(editing.postmortem, editing.version, "민지")
    reopened = postmortems.open(second, "ko", "민지").postmortem
    assert reopened.actions[0].status == "done"


def test_a_repeat_whose_first_occurrence_fell_in_the_previous_period_is_found(world):
    """Same title on Sep 20 and Oct 3 (09:00 UTC both): the fourth quarter finds "again 13.0
    days after" — it looks back the recurrence window (30 days) before the period for first
    occurrences — and lists only the repeat inside the period; the third quarter, which holds
    only the first occurrence, lists none."""
    _database, clock, incidents, metrics = world
    clock.set(datetime(2026, 9, 20, 9, 0, tzinfo=UTC))
    first = run_incident(clock, incidents, "Payment webhook backlog", "SEV-2", 3, 40)
    clock.set(datetime(2026, 10, 3, 9, 0, tzinfo=UTC))
    again = run_incident(clock, incidents, "payment webhook  backlog", "SEV-2", 3, 40)
    clock.set(datetime(2026, 8, 1, 9, 0, tzinfo=UTC))  # 63 days before: outside the window
    run_incident(clock, incidents, "Payment webhook backlog", "SEV-2", 3, 40)

    q4 = metrics.report(WEB, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert [(r.code, r.earlier, r.days_between) for r in q4.recurrences] == [(again, first, 13.0)]
    assert q4.counts["SEV-2"] == 1  # the look-back finds first occurrences; it counts nothing

    q3 = metrics.report(WEB, datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    assert q3.recurrences == ()  # Aug 1 → Sep 20 is 50 days: not within 30
