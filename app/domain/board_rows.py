"""What the incident board shows for each incident at a given instant: pure data, no Textual.

Every countdown is `deadline - now`, derived at each tick from stored facts, so a suspended
laptop, a restart or a clock jump never leaves the board wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.escalation import DeadlineKind, Plan, StepState
from app.domain.i18n import Catalog
from app.domain.incident import BoardItem
from app.domain.textsafe import printable


class Tone(StrEnum):
    NORMAL = "normal"
    OVERDUE = "overdue"
    MET = "met"
    MUTED = "muted"


@dataclass(frozen=True)
class Cell:
    text: str
    tone: Tone = Tone.NORMAL
    # What a narrow board (80 columns) shows instead, when the text has a shorter form.
    short: str | None = None


# Resolution and postmortem share a column: an open incident has no postmortem clock yet, and a
# resolved one has met its resolution target, so one of the two is always the one that matters.
CLOCK_COLUMNS = ("ack", "next_step", "update", "resolution", "regulatory")
COLUMNS = ("severity", "code", "title", "status", "age", *CLOCK_COLUMNS)
NOT_APPLICABLE = Cell("—", Tone.MUTED)


@dataclass(frozen=True)
class BoardRow:
    key: str
    sort_key: tuple
    severity_rank: int
    cells: dict[str, Cell]


def clock_text(delta: timedelta) -> str:
    """12:34 under an hour (seconds tick), 3h26m under a day, 6d23h beyond; overdue ones start
    with +. At most six characters (seven with a ✓), so every clock fits an 80-column board."""
    seconds = int(delta.total_seconds())
    sign = "+" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"
    if seconds < 86400:
        return f"{sign}{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{sign}{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


# The board shows a clock's seconds only near its deadline, before and after: the rows about
# to fire are the ones that move, and a board of 200 incidents is not redrawn every second.
SECONDS_SHOWN = timedelta(minutes=5)


def board_clock(delta: timedelta, seconds_within: timedelta = SECONDS_SHOWN) -> str:
    """clock_text, with minutes only (34m, +25m) when further than `seconds_within` from 0."""
    seconds = int(delta.total_seconds())
    if abs(delta) < seconds_within or abs(seconds) >= 3600:
        return clock_text(delta)
    return f"{'+' if seconds < 0 else ''}{abs(seconds) // 60}m"


def countdown(due_at: datetime, now: datetime) -> Cell:
    if now >= due_at:
        return Cell(board_clock(due_at - now), Tone.OVERDUE)
    return Cell(board_clock(due_at - now))


def _deadline_cell(current: Plan, kind: DeadlineKind, now: datetime) -> Cell:
    deadline = current.deadline(kind)
    if deadline is None:
        return NOT_APPLICABLE
    if deadline.met_at is not None:
        return Cell("✓", Tone.MET)
    return countdown(deadline.due_at, now)


def _ack_cell(current: Plan, now: datetime) -> Cell:
    cell = _deadline_cell(current, DeadlineKind.ACKNOWLEDGE, now)
    timeout = current.deadline(DeadlineKind.ACK_TIMEOUT)
    if cell.tone is Tone.MET and timeout is not None:
        # Acknowledged but still open: how long until the ladder starts again.
        return Cell(f"✓ {board_clock(max(timeout.due_at - now, timedelta()))}", Tone.MET)
    return cell


def _next_waiting(current: Plan):
    return next((s for s in current.steps if s.state in (StepState.PENDING, StepState.DUE)), None)


def _next_step_cell(current: Plan, now: datetime) -> Cell:
    waiting = _next_waiting(current)
    if waiting is None:
        return NOT_APPLICABLE
    return countdown(waiting.due_at, now)


@dataclass(frozen=True)
class _Planned:
    item: BoardItem
    planned_at: datetime
    plan: Plan
    overdue_from: tuple[datetime, ...]  # when each clock cell turns overdue, as planned


class PlanCache:
    """A plan stays right until the next instant at which something in it comes due
    (plan.next_wakeup): between two such instants only the countdown texts move, so the board
    re-plans an incident only when one of its instants passes (or the clock went back), or
    when a reload brought different facts — not merely new objects for the same incident."""

    def __init__(self) -> None:
        self._plans: dict[str, _Planned] = {}

    def plan(self, item: BoardItem, now: datetime) -> Plan:
        return self._planned(item, now).plan

    def _planned(self, item: BoardItem, now: datetime) -> _Planned:
        code = item.record.code
        cached = self._plans.get(code)
        if cached is not None and (
            cached.item is item
            or (cached.item.facts == item.facts and cached.item.policy == item.policy)
        ):
            current = cached.plan
            if cached.planned_at <= now and (
                current.next_wakeup is None or now < current.next_wakeup
            ):
                if cached.item is not item:
                    self._plans[code] = cached = _Planned(
                        item, cached.planned_at, current, cached.overdue_from
                    )
                return cached
        current = for_the_row(item.plan(now))
        resolved = item.record.resolved_at is not None
        self._plans[code] = cached = _Planned(item, now, current, overdue_from(current, resolved))
        return cached

    def overdue_cells(self, item: BoardItem, now: datetime) -> int:
        """How many of the item's clock cells show overdue at `now` (what its row would)."""
        try:
            return sum(1 for at in self._planned(item, now).overdue_from if at <= now)
        except (OverflowError, ValueError):
            return len(CLOCK_COLUMNS)  # the unplannable row marks every clock

    def keep_only(self, items: list[BoardItem]) -> None:
        wanted = {item.record.code for item in items}
        for code in [code for code in self._plans if code not in wanted]:
            del self._plans[code]


def for_the_row(current: Plan) -> Plan:
    """The plan with only the step a row shows, the next one waiting: the steps of every round
    of 10,000 open incidents were the board's largest part of memory."""
    waiting = _next_waiting(current)
    return replace(current, steps=() if waiting is None else (waiting,))


def overdue_from(current: Plan, resolved: bool) -> tuple[datetime, ...]:
    """The instants at which the row's clock cells turn overdue, while this plan holds: the
    unmet deadlines of its clock columns and the next step's due time (the rules of
    _ack_cell, _next_step_cell and _deadline_cell)."""
    kinds = (
        DeadlineKind.ACKNOWLEDGE,
        DeadlineKind.STATUS_UPDATE,
        DeadlineKind.POSTMORTEM if resolved else DeadlineKind.RESOLUTION,
        DeadlineKind.REGULATORY_REPORT,
    )
    deadlines = [current.deadline(kind) for kind in kinds]
    instants = [d.due_at for d in deadlines if d is not None and d.met_at is None]
    if not resolved:
        waiting = _next_waiting(current)
        if waiting is not None:
            instants.append(waiting.due_at)
    return tuple(instants)


def board_row(
    item: BoardItem, now: datetime, catalog: Catalog, cache: PlanCache | None = None
) -> BoardRow:
    record = item.record
    current = cache.plan(item, now) if cache is not None else item.plan(now)
    resolved = record.resolved_at is not None
    cells = _record_cells(record, now, catalog)
    cells.update(
        ack=_ack_cell(current, now),
        next_step=NOT_APPLICABLE if resolved else _next_step_cell(current, now),
        update=_deadline_cell(current, DeadlineKind.STATUS_UPDATE, now),
        resolution=_deadline_cell(
            current, DeadlineKind.POSTMORTEM if resolved else DeadlineKind.RESOLUTION, now
        ),
        regulatory=_deadline_cell(current, DeadlineKind.REGULATORY_REPORT, now),
    )
    return _row(item, cells)


def _record_cells(record, now: datetime, catalog: Catalog) -> dict[str, Cell]:
    """The columns that come from the incident itself, not from its plan."""
    resolved = record.resolved_at is not None
    return {
        "severity": Cell(record.severity),
        "code": Cell(record.code, short=record.code.rsplit("-", 1)[-1]),
        "title": Cell(printable(record.title)),
        "status": Cell(
            catalog.t(f"status.{record.status}"),
            Tone.MET if resolved else Tone.NORMAL,
            short=catalog.t(f"status_short.{record.status}"),
        ),
        # A resolved incident's age is how long it was open, not how long ago it was declared.
        "age": Cell(
            board_clock(
                (record.resolved_at if resolved else now) - record.declared_at, timedelta(0)
            ).lstrip("+"),
            Tone.MUTED if resolved else Tone.NORMAL,
        ),
    }


def _sort_key(item: BoardItem) -> tuple:
    """Worst severity first (open before resolved), then the oldest: nothing on the clock, so
    the order holds between two loads."""
    record = item.record
    rank = item.policy.rank(record.severity)
    return (record.resolved_at is not None, rank, record.declared_at, record.code)


def _row(item: BoardItem, cells: dict[str, Cell]) -> BoardRow:
    sort_key = _sort_key(item)
    return BoardRow(key=item.record.code, sort_key=sort_key, severity_rank=sort_key[1], cells=cells)


def board_order(items: list[BoardItem]) -> list[BoardItem]:
    return sorted(items, key=_sort_key)


def row_at(
    item: BoardItem, now: datetime, catalog: Catalog, cache: PlanCache | None = None
) -> BoardRow:
    """The item's row; an incident whose policy gives a deadline no clock can hold is shown
    with its clocks marked, so the rest of the board keeps ticking."""
    try:
        return board_row(item, now, catalog, cache)
    except (OverflowError, ValueError):
        return _unplannable_row(item, now, catalog)


def board_rows(
    items: list[BoardItem], now: datetime, catalog: Catalog, cache: PlanCache | None = None
) -> list[BoardRow]:
    """Every row, in board order (the board itself builds only the rows on screen)."""
    if cache is not None:
        cache.keep_only(items)
    return [row_at(item, now, catalog, cache) for item in board_order(items)]


def _unplannable_row(item: BoardItem, now: datetime, catalog: Catalog) -> BoardRow:
    cells = _record_cells(item.record, now, catalog)
    cells.update({column: Cell("?", Tone.OVERDUE) for column in CLOCK_COLUMNS})
    return _row(item, cells)
