"""The incident board's table. It shows the rows it is given and changes only what changed:
cells by row key, rows added or removed as incidents come and go, never a clear-and-refill."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from app.board import CLOCK_COLUMNS, COLUMNS, BoardRow, Cell, Tone

# Severity pills, most severe first; levels beyond the list use the last colour.
PILL_COLOURS = ("#D1495B", "#E07A3F", "#E0A458", "#3B6EA5", "#6C7A89")
TONE_STYLES = {
    Tone.NORMAL: "",
    Tone.OVERDUE: "bold #FFFFFF on #B3261E",
    Tone.MET: "#7FB77E",
    Tone.MUTED: "dim",
}
# Widths include one blank column as the gap (the table's own cell padding is 0).
FIXED_WIDTHS = {"severity": 8, "code": 14, "status": 14, "age": 8}
CLOCK_WIDTH = 10
MIN_TITLE_WIDTH = 14
SCROLLBAR = 2


def pill(text: str, rank: int) -> Text:
    colour = PILL_COLOURS[min(rank, len(PILL_COLOURS) - 1)]
    return Text(f" {text} ", style=f"bold #15171C on {colour}")


def render_cell(column: str, cell: Cell, rank: int, width: int) -> Text:
    if column == "severity":
        return pill(cell.text, rank)
    text = Text(no_wrap=True)
    text.append(cell.text, style=TONE_STYLES[cell.tone])
    if cell_len(cell.text) > width - 1:
        text.truncate(width - 1, overflow="ellipsis")
    text.append(" ")  # the gap to the next column stays unstyled
    return text


class BoardTable(DataTable):
    def __init__(self, headers: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.headers = headers
        self._shown: dict[str, BoardRow] = {}

    def lay_out(self, available_width: int) -> None:
        """Columns with fixed widths (so ticking numbers never shift them); the title gets
        what is left."""
        fixed = sum(FIXED_WIDTHS.values()) + CLOCK_WIDTH * len(CLOCK_COLUMNS)
        title_width = max(MIN_TITLE_WIDTH, available_width - fixed - SCROLLBAR - 1)
        for column in COLUMNS:
            header = self.headers[column]
            width = FIXED_WIDTHS.get(column, CLOCK_WIDTH if column in CLOCK_COLUMNS else 0)
            width = max(width or title_width, cell_len(header) + 1)
            self.add_column(Text(header, style="bold"), key=column, width=width)

    def _render(self, column: str, row: BoardRow, key: str) -> Text:
        width = self.columns[key].width
        return render_cell(column, row.cells[column], row.severity_rank, width)

    def selected_code(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _column = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def show(self, rows: list[BoardRow]) -> None:
        wanted = {row.key for row in rows}
        for gone in [key for key in self._shown if key not in wanted]:
            self.remove_row(gone)
            del self._shown[gone]
        reorder = False
        for row in rows:
            before = self._shown.get(row.key)
            if before is None:
                cells = [self._render(c, row, c) for c in COLUMNS]
                self.add_row(*cells, key=row.key)
                reorder = True
            else:
                for column in COLUMNS:
                    if before.cells[column] != row.cells[column]:
                        self.update_cell(row.key, column, self._render(column, row, column))
                reorder = reorder or before.sort_key != row.sort_key
            self._shown[row.key] = row
        if reorder and len(rows) > 1:
            order = {row.key: row.sort_key for row in rows}
            self.sort("code", key=lambda code: order[code.plain.strip()])
