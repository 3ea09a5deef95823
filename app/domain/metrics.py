"""Incident metrics over a period: how long incidents took to detect, acknowledge, mitigate and
resolve, per severity, against the policy's targets — with the median, the 90th percentile and
the spread beside the mean (incident durations are skewed; a mean alone misleads) and the
incidents behind every figure.

Definitions (the README and the help say the same):
- time to detect      = first signal (detected_at) − impact began (started_at)
- time to acknowledge = first explicit acknowledgement − declaration; an incident resolved
  without one has no time to acknowledge (a resolve implies no ack, as PagerDuty counts it)
- time to mitigate    = first "mitigating" status update − impact began
- time to resolve     = resolution − impact began (a reopened incident counts once, with its
  final resolution; one still open has none yet)

Percentiles are nearest-rank: p90 is the smallest time that at least 90 % of the incidents
took no longer than — always a time some incident really had.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from app.domain.policy.model import TARGET_MEASURES

MEASURES = TARGET_MEASURES
_FIRST_TIME = 6  # Timed's field holding the first of the MEASURES
_TIME = itemgetter(1)  # of a (code, seconds) sample
_CODE, _TITLE, _POLICY, _SEVERITY, _TYPE, _DECLARED_AT = range(6)  # a Timed's fields
_DECLARED = itemgetter(_DECLARED_AT)  # of a Timed
_STORED_KEY = itemgetter(_POLICY, _TYPE, _TITLE)  # of a Timed: recurrence_key before folding
_RECURRENCE_CODE = itemgetter(0)  # of a Recurrence
HISTOGRAM_BINS = 8


class Timed(NamedTuple):
    """One incident as the metrics read it from storage: plain numbers, no datetimes (a
    year of incidents is tens of thousands of rows). `declared` is seconds since the epoch;
    the others are the four times in seconds, None where the incident has none. report()
    takes any tuple in this shape (storage hands out the driver's plain tuples)."""

    code: str
    title: str
    policy: str
    severity: str
    type_key: str
    declared: float
    detect: float | None
    acknowledge: float | None
    mitigate: float | None
    resolve: float | None


@dataclass(frozen=True)
class IncidentFacts:
    """One incident's moments as datetimes (tests and small callers); .timed() for report."""

    code: str
    title: str
    policy: str
    severity: str
    type_key: str
    declared_at: datetime
    started_at: datetime | None = None
    detected_at: datetime | None = None
    first_acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None

    def seconds(self, measure: str) -> float | None:
        started = self.started_at or self.declared_at
        begin, end = {
            "detect": (started, self.detected_at or self.declared_at),
            "acknowledge": (self.declared_at, self.first_acknowledged_at),
            "mitigate": (started, self.mitigated_at),
            "resolve": (started, self.resolved_at),
        }[measure]
        if end is None:
            return None
        return max(0.0, (end - begin).total_seconds())

    def timed(self) -> Timed:
        return Timed(
            self.code,
            self.title,
            self.policy,
            self.severity,
            self.type_key,
            self.declared_at.timestamp(),
            *(self.seconds(measure) for measure in MEASURES),
        )


@dataclass(frozen=True)
class Figure:
    """One measure for one severity: the distribution and how many met the target."""

    severity: str
    measure: str
    samples: tuple[tuple[str, float], ...]  # (incident code, seconds), shortest first
    target_s: int | None = None
    missing: tuple[str, ...] = ()  # incidents without this time (not acknowledged, still open)

    @property
    def count(self) -> int:
        return len(self.samples)

    @cached_property
    def _values(self) -> tuple[float, ...]:
        # Computed once: the table, the spread and the drill-down each ask for several figures.
        return tuple([seconds for _code, seconds in self.samples])

    @property
    def values(self) -> list[float]:
        return list(self._values)

    @property
    def median(self) -> float | None:
        values = self._values
        if not values:
            return None
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / 2

    def percentile(self, fraction: float) -> float | None:
        values = self._values
        if not values:
            return None
        return values[max(0, math.ceil(fraction * len(values)) - 1)]

    @property
    def p90(self) -> float | None:
        return self.percentile(0.9)

    @property
    def mean(self) -> float | None:
        values = self._values
        return sum(values) / len(values) if values else None

    @property
    def maximum(self) -> float | None:
        return self._values[-1] if self.samples else None

    @property
    def met(self) -> int | None:
        """How many took no longer than the target: None without a target, and None when no
        incident has this time (nothing to meet is not 0 met). Incidents without the time
        (never acknowledged, still open) are left out; `missing` names them."""
        if self.target_s is None or not self.samples:
            return None
        target = self.target_s
        return sum(1 for seconds in self._values if seconds <= target)

    @property
    def met_share(self) -> float | None:
        met = self.met
        return None if met is None else met / self.count

    def codes(self, which: str = "all") -> list[str]:
        """The incidents behind the figure: all, those that missed the target, or those that
        have no time for it yet; longest first."""
        if which == "missing":
            return list(self.missing)
        chosen = self.samples
        if which == "missed" and self.target_s is not None:
            chosen = tuple(s for s in self.samples if s[1] > self.target_s)
        return [code for code, _seconds in reversed(chosen)]

    def histogram(self, bins: int = HISTOGRAM_BINS) -> list[int]:
        """Counts in `bins` equal slices from 0 to the longest time."""
        counts = self._spreads.get(bins)
        if counts is None:
            counts = self._spreads[bins] = self._slices(bins)
        return list(counts)

    @cached_property
    def _spreads(self) -> dict[int, tuple[int, ...]]:
        return {}  # bins → histogram(bins), each counted once

    def _slices(self, bins: int) -> tuple[int, ...]:
        if not self.samples:
            return (0,) * bins
        values = self._values
        top = values[-1] or 1.0
        counts = [0] * bins
        last = bins - 1
        for seconds in values:
            slot = int(seconds / top * bins)
            counts[slot if slot < last else last] += 1
        return tuple(counts)


@dataclass(frozen=True)
class ActionFacts:
    """One follow-up of a postmortem."""

    item_id: int
    incident: str
    title: str
    owner: str
    due: date | None
    status: str
    priority: str = "medium"

    def overdue(self, today: date) -> bool:
        return self.status != "done" and self.due is not None and self.due < today


@dataclass(frozen=True)
class ActionSummary:
    total: int
    done: int
    open: int
    overdue: tuple[ActionFacts, ...]  # oldest due first

    @property
    def completion(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def oldest_overdue(self) -> ActionFacts | None:
        return self.overdue[0] if self.overdue else None


class Recurrence(NamedTuple):
    # A tuple, not a frozen dataclass: a year's report makes tens of thousands of them.
    code: str
    earlier: str
    days_between: float


@dataclass(frozen=True)
class MetricsReport:
    since: datetime
    until: datetime
    policy: str | None
    severities: tuple[str, ...]
    figures: Mapping[tuple[str, str], Figure]  # (severity, measure) → figure
    counts: Mapping[str, int]  # severity → incidents declared in the period
    weekly: tuple[tuple[date, int], ...]
    recurrences: tuple[Recurrence, ...]
    actions: ActionSummary
    titles: Mapping[str, str] = field(default_factory=dict)  # incident code → title

    def figure(self, severity: str, measure: str) -> Figure:
        return self.figures[(severity, measure)]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def report(
    facts: Iterable[Timed | IncidentFacts],
    since: datetime,
    until: datetime,
    targets: Mapping[str, Mapping[str, int]],
    actions: Sequence[ActionFacts] = (),
    today: date | None = None,
    policy: str | None = None,
    severity_order: Sequence[str] = (),
    recurrence_within: timedelta = timedelta(days=30),
) -> MetricsReport:
    """The figures for incidents declared in [since, until). `targets` maps a severity to
    {measure: seconds}; `severity_order` lists severities to show even when none happened.
    Incidents declared up to `recurrence_within` before the period are read only as the first
    occurrences of repeats inside it (a repeat across the period's edge is still a repeat)."""
    start, end = since.timestamp(), until.timestamp()
    back = start - recurrence_within.total_seconds()
    read = [
        timed
        for timed in (f if isinstance(f, tuple) else f.timed() for f in facts)
        if back <= timed[_DECLARED_AT] < end
    ]
    chosen = [timed for timed in read if timed[_DECLARED_AT] >= start]
    by_severity: dict[str, list[Timed]] = defaultdict(list)
    for timed in chosen:
        by_severity[timed[_SEVERITY]].append(timed)
    severities = tuple(dict.fromkeys([*severity_order, *sorted(by_severity)]))
    figures = {}
    for severity in severities:
        group = by_severity.get(severity, [])
        for index, measure in enumerate(MEASURES, start=_FIRST_TIME):
            # Comprehensions and a C sort key: a year can be ~100,000 incidents.
            timed_ = sorted([(t[0], t[index]) for t in group if t[index] is not None], key=_TIME)
            missing = tuple(t[0] for t in group if t[index] is None)
            target = targets.get(severity, {}).get(measure)
            figures[(severity, measure)] = Figure(severity, measure, tuple(timed_), target, missing)
    return MetricsReport(
        since=since,
        until=until,
        policy=policy,
        severities=severities,
        figures=figures,
        counts={severity: len(by_severity.get(severity, ())) for severity in severities},
        weekly=weekly_counts(chosen, since, until),
        recurrences=recurrences(read, recurrence_within, since=start),
        actions=summarize_actions(actions, today or until.date()),
        titles={t[_CODE]: t[_TITLE] for t in chosen},
    )


WEEK_S = 7 * 86400


def week_start(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def weekly_counts(
    facts: Iterable[Timed], since: datetime, until: datetime
) -> tuple[tuple[date, int], ...]:
    """Incidents declared in each week (Monday first, in the period's time zone) of the
    period, empty weeks included."""
    first = week_start(since)
    origin = datetime.combine(first, datetime.min.time(), since.tzinfo).timestamp()
    counts = Counter([int((t[_DECLARED_AT] - origin) // WEEK_S) for t in facts])
    weeks = []
    number = 0
    while origin + number * WEEK_S < until.timestamp():
        weeks.append((first + timedelta(days=7 * number), counts.get(number, 0)))
        number += 1
    return tuple(weeks)


def recurrence_key(facts: Timed) -> tuple[str, str, str]:
    """Same policy, type and title (case and spacing aside): the same thing happening again —
    a monitor's alert, a missed heartbeat, a failure someone names the same way."""
    return (facts.policy, facts.type_key, " ".join(facts.title.casefold().split()))


def recurrences(
    facts: Iterable[Timed], within: timedelta, since: float = float("-inf")
) -> tuple[Recurrence, ...]:
    """Each incident declared at or after `since` (epoch seconds) within `within` of an earlier
    one with the same key. Grouped by the key as stored first, each distinct title folded once
    (a year's titles repeat: ~100,000 incidents, a few hundred titles)."""
    stored: dict[tuple, list[Timed]] = defaultdict(list)
    for item in facts:
        stored[_STORED_KEY(item)].append(item)
    by_key: dict[tuple, list[Timed]] = defaultdict(list)
    for (policy, type_key, title), items in stored.items():
        by_key[(policy, type_key, " ".join(title.casefold().split()))] += items
    limit = within.total_seconds()
    found = []
    for group in by_key.values():
        group.sort(key=_DECLARED)
        for earlier, later in pairwise(group):
            gap = later[_DECLARED_AT] - earlier[_DECLARED_AT]
            if gap <= limit and later[_DECLARED_AT] >= since:
                found.append(Recurrence(later[_CODE], earlier[_CODE], gap / 86400))
    found.sort(key=_RECURRENCE_CODE)
    return tuple(found)


def summarize_actions(actions: Sequence[ActionFacts], today: date) -> ActionSummary:
    done = sum(1 for a in actions if a.status == "done")
    overdue = sorted((a for a in actions if a.overdue(today)), key=lambda a: (a.due, a.item_id))
    return ActionSummary(len(actions), done, len(actions) - done, tuple(overdue))


PERIODS = ("month", "quarter", "year")


def period_bounds(kind: str, now: datetime, back: int = 0) -> tuple[datetime, datetime]:
    """[start, end) of this month / quarter / year in `now`'s time zone, or `back` of them ago."""
    if kind not in PERIODS:
        raise ValueError(kind)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    first = (now.year * 12 + now.month - 1) // months * months - back * months
    start = now.replace(
        year=first // 12, month=first % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    following = first + months
    end = start.replace(year=following // 12, month=following % 12 + 1)
    return start, end
