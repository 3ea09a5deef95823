"""The incident screen's escalation ladder, laid out for the width it has.

The full ladder (each step's date and time, its state in a sentence) is shown when it fits.
When it does not, the columns give way in this order, so what the on-call engineer reads first
keeps its room:
1. Due at: the time alone (the date and zone only when the step is due on another day);
2. State: its short form ("due in 14:03", "skipped · ack'd"), never cut;
3. Notify: cut at a character boundary with "…" (wide characters count as two cells).
Round and step never shrink: they are two digits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import DataTable

from app.domain.board_rows import Tone, clock_text
from app.domain.escalation import PlannedStep, StepState
from app.domain.i18n import Catalog
from app.domain.incident_text import step_state_text
from app.domain.message_templates import local_clock, local_time
from app.domain.textsafe import printable
from app.domain.word_lists import joined
from widgets.board_table import TONE_STYLES

COLUMNS = ("round", "step", "notify", "due", "state")
CELL_PADDING = 2  # a DataTable pads each cell with one blank on either side
SCROLLBAR = 1
MIN_NOTIFY = 8


def short_state_text(step: PlannedStep, now: datetime, catalog: Catalog) -> str:
    """step_state_text's short form for a narrow ladder: hours and minutes, a word or two."""
    t = catalog.t
    if step.state is StepState.FIRED:
        at = local_clock(step.fired_at)[:5]
        gap = clock_text(abs(step.late_by)) if step.late_by is not None else ""
        if step.timing == "early":
            return t("incident.step_fired_early_short", at=at)
        if step.timing == "on_time":
            return t("incident.step_fired_on_time_short", at=at)
        return t("incident.step_fired_short", at=at, late=gap)
    if step.state is StepState.MISSED:
        return t("incident.step_missed_short")
    if step.state is StepState.SKIPPED:
        reason = step.skipped_because or ""
        if reason.startswith("below:"):
            severity = reason.removeprefix("below:")
            return t("incident.step_skipped_below_short", severity=severity)
        if reason in ("acknowledged", "resolved"):
            return t(f"incident.step_skipped_{reason}_short")
        return step_state_text(step, now, catalog, local_clock)
    if step.state is StepState.DUE:
        return t("incident.step_due_short", late=clock_text(step.due_at - now))
    return t("incident.step_pending_short", left=clock_text(step.due_at - now))


def _styled(step: PlannedStep, text: str) -> Text:
    if step.state is StepState.FIRED:
        return Text(text, style=TONE_STYLES[Tone.MET])
    if step.state is StepState.DUE:
        return Text(text, style=TONE_STYLES[Tone.OVERDUE])
    if step.state is StepState.PENDING:
        return Text(text)
    return Text(text, style="dim")


def _short_due(step: PlannedStep, now: datetime) -> str:
    due, today = step.due_at.astimezone(), now.astimezone()
    return f"{due:%H:%M}" if due.date() == today.date() else f"{due:%m-%d %H:%M}"


def ellipsize(text: str, width: int) -> str:
    """At most `width` cells, cut at a character boundary with "…"."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


@dataclass(frozen=True)
class LadderRows:
    widths: tuple[int | None, ...]  # None: the column as wide as its text (the full ladder)
    rows: dict[str, tuple]  # key: (round, step, notify, due, state)


def ladder_rows(
    steps: list[PlannedStep], now: datetime, catalog: Catalog, headers: list[str], width: int
) -> LadderRows:
    """The ladder's cells for a table `width` cells wide, shortened in the order above."""
    lang = catalog.lang

    def cells(step: PlannedStep, short: bool) -> tuple:
        notify = joined((printable(who.get(lang)) for who in step.step.notify), lang)
        due = _short_due(step, now) if short else local_time(step.due_at)
        state = short_state_text(step, now, catalog) if short else None
        state = state or step_state_text(step, now, catalog, local_clock)
        return str(step.round + 1), str(step.position + 1), notify, due, state

    def column_widths(rows: list[tuple]) -> list[int]:
        return [
            max(cell_len(header), *(cell_len(row[i]) for row in rows))
            for i, header in enumerate(headers)
        ]

    room = width - SCROLLBAR - CELL_PADDING * len(COLUMNS)
    full = [cells(step, False) for step in steps]
    if not steps or sum(column_widths(full)) <= room:
        return LadderRows((None,) * len(COLUMNS), _keyed(steps, full))
    short = [cells(step, True) for step in steps]
    widths = column_widths(short)
    others = sum(widths) - widths[2]
    widths[2] = min(widths[2], max(MIN_NOTIFY, room - others))
    short = [(*row[:2], ellipsize(row[2], widths[2]), *row[3:]) for row in short]
    return LadderRows(tuple(widths), _keyed(steps, short))


def _keyed(steps: list[PlannedStep], rows: list[tuple]) -> dict[str, tuple]:
    return {
        f"{step.step_id}/{step.round}": (*row[:4], _styled(step, row[4]))
        for step, row in zip(steps, rows, strict=True)
    }


class Ladder:
    """Draws the ladder into its table: the states updated in place while the layout holds,
    laid out again (the cursor kept) when the width or the steps change what fits."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.widths: tuple[int | None, ...] | None = None

    def draw(self, table: DataTable, steps: list[PlannedStep], now: datetime) -> None:
        headers = [self.catalog.t(f"incident.ladder_{key}") for key in COLUMNS]
        width = table.size.width or table.app.size.width
        ladder = ladder_rows(steps, now, self.catalog, headers, width)
        if ladder.widths == self.widths and list(ladder.rows) == [k.value for k in table.rows]:
            for key, row in ladder.rows.items():
                table.update_cell(key, "state", row[4], update_width=True)
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, header, column_width in zip(COLUMNS, headers, ladder.widths, strict=True):
            table.add_column(header, key=key, width=column_width)
        for key, row in ladder.rows.items():
            table.add_row(*row, key=key)
        self.widths = ladder.widths
        if ladder.rows:
            table.move_cursor(row=min(cursor, len(ladder.rows) - 1))
