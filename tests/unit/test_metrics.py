"""The metrics over hand-made incidents, figures computed by hand: median and nearest-rank p90
beside the mean, targets met, an ack implied by a resolve not counted, a reopened incident
counted once, weeks without incidents shown, recurrences, follow-ups overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.domain.metrics import ActionFacts, Figure, IncidentFacts, report

MONDAY = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # a Monday
SINCE, UNTIL = datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
TARGETS = {"SEV-1": {"detect": 300, "acknowledge": 300, "resolve": 3600}}


def incident(
    number: int,
    severity="SEV-1",
    *,
    day=0,
    detect=0,
    ack=None,
    mitigate=None,
    resolve=None,
    title=None,
) -> IncidentFacts:
    declared = MONDAY + timedelta(days=day)
    started = declared - timedelta(minutes=detect)
    return IncidentFacts(
        code=f"INC-{number}",
        title=title or f"incident {number}",
        policy="web-service",
        severity=severity,
        type_key="service",
        declared_at=declared,
        started_at=started,
        detected_at=declared,
        first_acknowledged_at=None if ack is None else declared + timedelta(minutes=ack),
        mitigated_at=None if mitigate is None else started + timedelta(minutes=mitigate),
        resolved_at=None if resolve is None else started + timedelta(minutes=resolve),
    )


def test_median_p90_mean_and_max_of_a_skewed_distribution():
    # Times to resolve, minutes: 10, 20, 30, 40, 50, 60, 70, 80, 90, 600 (one long outlier).
    facts = [
        incident(n, resolve=m) for n, m in enumerate([10, 20, 30, 40, 50, 60, 70, 80, 90, 600])
    ]
    figure = report(facts, SINCE, UNTIL, TARGETS).figure("SEV-1", "resolve")
    assert figure.count == 10
    assert figure.median == 55 * 60  # (50 + 60) / 2
    assert figure.p90 == 90 * 60  # the 9th of 10 (nearest rank: ceil(0.9 × 10) = 9)
    assert figure.mean == 105 * 60  # 1050 / 10: nearly twice the median
    assert figure.maximum == 600 * 60
    assert figure.met == 6  # 60 minutes or less
    assert figure.codes("missed")[:2] == ["INC-9", "INC-8"]  # longest first


def test_an_ack_implied_by_a_resolve_does_not_count_and_open_incidents_have_no_resolve_time():
    facts = [
        incident(1, ack=2, resolve=30),
        incident(2, ack=None, resolve=20),  # resolved without an acknowledgement
        incident(3, ack=8),  # still open
    ]
    result = report(facts, SINCE, UNTIL, TARGETS)
    ack = result.figure("SEV-1", "acknowledge")
    assert ack.values == [120, 480] and ack.met == 1 and ack.missing == ("INC-2",)
    resolve = result.figure("SEV-1", "resolve")
    assert resolve.count == 2 and resolve.missing == ("INC-3",)
    assert result.counts["SEV-1"] == 3


def test_time_to_detect_and_to_mitigate_run_from_when_the_impact_began():
    facts = [incident(1, detect=12, mitigate=25, resolve=40)]
    result = report(facts, SINCE, UNTIL, TARGETS)
    assert result.figure("SEV-1", "detect").values == [12 * 60]
    assert result.figure("SEV-1", "detect").met == 0  # over five minutes
    assert result.figure("SEV-1", "mitigate").values == [25 * 60]
    assert result.figure("SEV-1", "mitigate").target_s is None


def test_the_period_severities_and_weeks():
    facts = [
        incident(1, day=0),
        incident(2, "SEV-3", day=1),
        incident(3, day=15),
        incident(4, day=-30),  # before the period
    ]
    result = report(
        facts, MONDAY, MONDAY + timedelta(days=20), TARGETS, severity_order=["SEV-1", "SEV-2"]
    )
    assert result.severities == ("SEV-1", "SEV-2", "SEV-3")
    assert result.counts == {"SEV-1": 2, "SEV-2": 0, "SEV-3": 1}
    assert result.figure("SEV-2", "resolve").count == 0
    assert result.figure("SEV-2", "resolve").median is None
    assert [count for _week, count in result.weekly] == [2, 0, 1]
    assert result.weekly[1][0] == date(2026, 10, 12)


def test_the_same_failure_again_within_the_window_is_a_recurrence():
    facts = [
        incident(1, day=0, title="Checkout  timeouts"),
        incident(2, day=10, title="checkout timeouts"),
        incident(3, day=55, title="Checkout timeouts"),  # 45 days after the second: not counted
        incident(4, day=11, title="Search slow"),
    ]
    (found,) = report(facts, SINCE, UNTIL, TARGETS).recurrences
    assert (found.code, found.earlier, found.days_between) == ("INC-2", "INC-1", 10.0)


def test_follow_ups_done_open_and_the_oldest_overdue():
    today = date(2026, 12, 1)
    actions = [
        ActionFacts(1, "INC-1", "Renew certs automatically", "민지", date(2026, 11, 1), "open"),
        ActionFacts(2, "INC-1", "Alert on expiry", "haruto", date(2026, 10, 1), "in_progress"),
        ActionFacts(3, "INC-2", "Runbook", "ana", date(2026, 9, 1), "done"),
        ActionFacts(4, "INC-2", "Load test", "ana", None, "open"),
        ActionFacts(5, "INC-2", "Dashboards", "ana", date(2026, 12, 24), "open"),
    ]
    summary = report([], SINCE, UNTIL, TARGETS, actions, today=today).actions
    assert (summary.total, summary.done, summary.open) == (5, 1, 4)
    assert summary.completion == 0.2
    assert [a.item_id for a in summary.overdue] == [2, 1]
    assert summary.oldest_overdue.owner == "haruto"


def test_a_histogram_puts_each_time_in_one_of_equal_slices():
    figure = Figure("SEV-1", "resolve", (("a", 0.0), ("b", 10.0), ("c", 45.0), ("d", 80.0)))
    assert figure.histogram(4) == [2, 0, 1, 1]
    assert sum(figure.histogram()) == 4
    assert Figure("SEV-1", "resolve", ()).histogram(3) == [0, 0, 0]


def test_periods_are_whole_months_quarters_and_years_in_the_readers_zone():
    from zoneinfo import ZoneInfo

    from app.domain.metrics import period_bounds

    seoul = ZoneInfo("Asia/Seoul")
    now = datetime(2026, 11, 14, 10, 30, tzinfo=seoul)
    assert period_bounds("quarter", now) == (
        datetime(2026, 10, 1, tzinfo=seoul),
        datetime(2027, 1, 1, tzinfo=seoul),
    )
    assert period_bounds("quarter", now, back=4)[0] == datetime(2025, 10, 1, tzinfo=seoul)
    assert period_bounds("month", now, back=11) == (
        datetime(2025, 12, 1, tzinfo=seoul),
        datetime(2026, 1, 1, tzinfo=seoul),
    )
    assert period_bounds("year", now)[1] == datetime(2027, 1, 1, tzinfo=seoul)
