"""The incident board's table, drawn line by line.

Every countdown on the board changes every second, so the table is re-drawn every second. A
DataTable renders each changed cell through Rich (measured: ~45 ms a second for 55 visible rows
of 10 columns); this widget builds each row's strip straight from its cells and keeps it until
that row changes, which makes the once-a-second refresh cheap. Only the rows on screen are built
at all. Rows are kept by row key: a tick changes rows in place, never clears and refills.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from app.domain.board_rows import CLOCK_COLUMNS, COLUMNS, BoardRow, Cell, Tone

# Severity pills, most severe first; levels beyond the list use the last colour.
PILL_COLOURS = ("#D1495B", "#E07A3F", "#E0A458", "#3B6EA5", "#6C7A89")
TONE_STYLES = {
    Tone.NORMAL: "",
    Tone.OVERDUE: "bold #FFFFFF on #B3261E",
    Tone.MET: "#7FB77E",
    Tone.MUTED: "dim",
}
# Widths include one blank column as the gap to the next column.
FIXED_WIDTHS = {"severity": 8, "code": 14, "status": 14, "age": 7}
# A narrow board: the incident's number without INC-YYYY-, the status in a word, short headers.
COMPACT_WIDTHS = {"severity": 7, "code": 5, "status": 7, "age": 6}
CLOCK_WIDTH = 8  # clock_text is at most seven characters with its ✓
MIN_TITLE_WIDTH = 12
SCROLLBAR = 2


@dataclass(frozen=True)
class BoardLayout:
    headers: dict[str, str]
    widths: dict[str, int]
    compact: bool


def _widths(headers: dict[str, str], fixed_widths: dict[str, int], title: int) -> dict[str, int]:
    widths = {}
    for column in COLUMNS:
        width = fixed_widths.get(column, CLOCK_WIDTH if column in CLOCK_COLUMNS else title)
        widths[column] = max(width, cell_len(headers[column]) + 1)
    return widths


def board_layout(
    headers: dict[str, str], short_headers: dict[str, str], available_width: int
) -> BoardLayout:
    """Fixed widths so ticking numbers never shift a column; the title gets what is left. When
    the full headers and codes leave the title too little, the compact layout keeps every
    clock column on screen at 80 columns."""
    room = available_width - SCROLLBAR - 1
    for names, fixed, compact in (
        (headers, FIXED_WIDTHS, False),
        (short_headers, COMPACT_WIDTHS, True),
    ):
        widths = _widths(names, fixed, 0)
        title = room - sum(width for column, width in widths.items() if column != "title")
        if title >= MIN_TITLE_WIDTH or compact:
            return BoardLayout(names, _widths(names, fixed, max(title, MIN_TITLE_WIDTH)), compact)
    raise AssertionError("unreachable")


_CLOCK = re.compile(r"^(\+?\d+[dh])\d{2}[hm]$")


def shorter_clock(text: str, width: int) -> str:
    """A clock that does not fit its column keeps its larger unit: 22h50m becomes 22h, 6d23h
    becomes 6d (an age on a narrow board), rather than being cut into 22h5…"""
    if cell_len(text) > width:
        match = _CLOCK.match(text)
        if match:
            return match.group(1)
    return text


def fit(text: str, width: int) -> str:
    """Pad or cut (with an ellipsis) to exactly width cells, wide characters counted as two."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def cell_segments(
    column: str, cell: Cell, rank: int, width: int, compact: bool = False
) -> list[Segment]:
    if compact and cell.short is not None:
        cell = Cell(cell.short, cell.tone)
    if column == "severity":
        colour = PILL_COLOURS[min(rank, len(PILL_COLOURS) - 1)]
        # Padded inside the pill when there is room; a narrow pill keeps the whole key.
        pill = f" {cell.text} " if cell_len(cell.text) + 2 < width else cell.text
        return [
            Segment(fit(pill, width - 1), Style.parse(f"bold #15171C on {colour}")),
            Segment(" "),
        ]
    style = Style.parse(TONE_STYLES[cell.tone]) if TONE_STYLES[cell.tone] else Style()
    text = fit(shorter_clock(cell.text, width - 1), width - 1)
    shown = text.rstrip(" ")
    # The tone colours only the text, not the padding or the gap.
    return [Segment(shown, style), Segment(" " * (cell_len(text) - cell_len(shown) + 1))]


@lru_cache(maxsize=8192)
def shaded_cell(
    column: str, cell: Cell, rank: int, width: int, compact: bool, background: Style
) -> tuple[Segment, ...]:
    """A cell's segments on its line's shade, runs of one style joined: a tick changes only the
    clock cells, so the others come from here unchanged, and fewer segments are cheaper for
    every step of the compositor after us."""
    shaded: list[Segment] = []
    for text, style, _control in cell_segments(column, cell, rank, width, compact):
        style = background + style
        if shaded and shaded[-1].style == style:
            shaded[-1] = Segment(shaded[-1].text + text, style)
        else:
            shaded.append(Segment(text, style))
    return tuple(shaded)


class BoardHeader(Static):
    def show_headers(self, headers: dict[str, str], widths: dict[str, int]) -> None:
        self.update(Content("".join(fit(headers[c], widths[c]) for c in COLUMNS)))


class BoardTable(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "select", show=False),
    ]
    COMPONENT_CLASSES = {"board-table--cursor", "board-table--even"}
    DEFAULT_CSS = """
    BoardTable > .board-table--cursor { background: $accent 35%; }
    BoardTable:blur > .board-table--cursor { background: $accent 15%; }
    BoardTable > .board-table--even { background: $surface; }
    """

    class RowSelected(Message):
        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.widths: dict[str, int] = {}
        self.compact = False
        self.order: list[str] = []
        self._row_of: Callable[[str], BoardRow] | None = None
        self._fresh: dict[str, BoardRow] = {}  # the rows built since the last show()
        self.rows: dict[str, BoardRow] = {}  # the row each kept strip was built from
        self.cursor_row = 0
        # An incident to put the cursor on as soon as its row arrives (a new declaration).
        self._wanted: str | None = None
        self._backgrounds: dict[str, Style] = {}
        # The finished line of each row, for its shade, horizontal scroll and width.
        self._drawn: dict[str, tuple[tuple, Strip]] = {}

    @property
    def row_count(self) -> int:
        return len(self.order)

    def lay_out(self, widths: dict[str, int], compact: bool = False) -> None:
        self.widths, self.compact = widths, compact
        self._drawn.clear()
        self.refresh()

    def row(self, code: str) -> BoardRow:
        """The incident's row as of the last show(), built the first time it is asked for."""
        row = self._fresh.get(code)
        if row is None:
            row = self._fresh[code] = self._row_of(code)
            if self.rows.get(code) != row:
                self.rows[code] = row
                self._drawn.pop(code, None)
        return row

    def cell_text(self, code: str, column: str) -> str:
        return self.row(code).cells[column].text

    def selected_code(self) -> str | None:
        return self.order[self.cursor_row] if self.order else None

    def select(self, code: str) -> None:
        """Put the cursor on an incident now, or when its row first arrives."""
        if code in self.order:
            self._wanted = None
            self._move_to(self.order.index(code))
        else:
            self._wanted = code

    def show(self, order: list[str], row_of: Callable[[str], BoardRow]) -> None:
        """The incidents in display order, and how to build each one's row as of now. Only the
        rows on screen are built (the others when scrolled to), and drawn again only when
        their cells changed: 2,000 incidents cost no more a second than a screenful."""
        selected = self.selected_code()
        if self._wanted is not None and self._wanted in order:
            selected, self._wanted = self._wanted, None
        self._row_of, self._fresh = row_of, {}
        changed = False
        if order != self.order:
            wanted = set(order)
            for gone in [key for key in self.rows if key not in wanted]:
                del self.rows[gone]
                self._drawn.pop(gone, None)
            self.order = order
            self.virtual_size = Size(sum(self.widths.values()), len(order))
            changed = True
        if selected in order and order.index(selected) != self.cursor_row:
            # The cursor stays on the incident it was on, wherever it moved.
            self._move_to(order.index(selected))
        elif selected not in order:
            self.cursor_row = min(self.cursor_row, max(len(order) - 1, 0))
        top = self.scroll_offset.y
        moved = []
        for y, code in enumerate(order[top : top + self.size.height], start=top):
            before = self.rows.get(code)
            self.row(code)
            if self.rows[code] is not before:  # replaced: its cells changed
                moved.append(y)
        if changed:
            self.refresh()
        else:
            # Rows whose clocks are far from their deadlines change once a minute: drawn then.
            for y in moved:
                self.refresh_line(y)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.size.width
        if index >= len(self.order):
            return Strip.blank(width, self._background("odd:blur"))
        key = self.order[index]
        self.row(key)  # first: a changed row drops its kept line
        shade = "cursor" if index == self.cursor_row else "even" if index % 2 else "odd"
        shade += ":focus" if self.has_focus else ":blur"
        scroll_x = self.scroll_offset.x
        drawn = self._drawn.get(key)
        if drawn is not None and drawn[0] == (shade, scroll_x, width):
            return drawn[1]
        # One Strip a line, the shade folded into each segment's style: every countdown changes
        # every second, and each Strip operation (style, crop) builds another one.
        background = self._background(shade)
        row = self.rows[key]
        styled = [
            segment
            for column in COLUMNS
            for segment in shaded_cell(
                column,
                row.cells[column],
                row.severity_rank,
                self.widths[column],
                self.compact,
                background,
            )
        ]
        length = sum(self.widths.values())
        if scroll_x == 0 and length <= width:
            styled.append(Segment(" " * (width - length), background))
            line = Strip(styled, width)
        else:
            line = Strip(styled, length).crop_extend(scroll_x, scroll_x + width, background)
        self._drawn[key] = ((shade, scroll_x, width), line)
        return line

    def _background(self, shade: str) -> Style:
        """The line's style for its shade (cursor, even or odd, and the focus), kept until the
        styles change."""
        style = self._backgrounds.get(shade)
        if style is None:
            style = self.rich_style
            if not shade.startswith("odd"):
                part = shade.split(":")[0]
                style += self.get_component_rich_style(f"board-table--{part}")
            self._backgrounds[shade] = style
        return style

    def notify_style_update(self) -> None:
        self._backgrounds.clear()
        self._drawn.clear()
        super().notify_style_update()

    def _move_to(self, index: int) -> None:
        if not self.order:
            return
        self.cursor_row = max(0, min(index, len(self.order) - 1))
        self.scroll_to_region(Region(0, self.cursor_row, 1, 1), animate=False, force=True)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor_row + direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self._move_to(len(self.order) - 1 if end else 0)

    def action_select(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.post_message(self.RowSelected(code))

    def on_click(self, event) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.order):
            self._move_to(index)
            if event.chain == 2:
                self.action_select()
