"""The metrics table: one row per severity and measure — count, median, p90, mean, max, the
target and how many met it, and the spread as a row of bars. It renders the rows it is given;
a new period's rows replace the old ones by key.

On a narrow terminal whole columns give way, in this order, rather than a cut "3/3 (": the
spread (the screen draws the row under the cursor's spread below the table), the mean, the
maximum. The severity, the measure, the count, median, p90, target and how many met it stay."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from app.domain.i18n import Catalog
from app.domain.metrics import Figure
from app.domain.metrics_view import FigureRow

COLUMNS = ("severity", "measure", "count", "median", "p90", "mean", "max", "target", "met")
DROPPED_FIRST = ("spread", "mean", "max")
CELL_PADDING = 2  # one blank on either side of each cell
SCROLLBAR = 2
BARS = " ▁▂▃▄▅▆▇█"
TONES = {"good": "#7FB77E", "bad": "bold #FFFFFF on #B3261E", "": ""}


def spread_text(figure: Figure, width: int = 8) -> str:
    """The figure's histogram as bars, tallest bin full height."""
    counts = figure.histogram(width)
    top = max(counts) or 1
    return "".join(BARS[round(count / top * (len(BARS) - 1))] for count in counts)


class MetricsTable(DataTable):
    def __init__(self, catalog: Catalog, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.catalog = catalog
        self._rows: list[FigureRow] = []
        self._figures: dict[str, Figure] = {}

    def on_mount(self) -> None:
        self._lay_out([], {})

    def on_resize(self) -> None:
        self._lay_out(self._rows, self._figures)

    def show(self, rows: list[FigureRow], figures: dict[str, Figure]) -> None:
        """Rows keyed "SEVERITY|measure"; the cursor stays on the same key when it can."""
        self._rows, self._figures = rows, figures
        self._lay_out(rows, figures)

    def _cells(self, row: FigureRow, figures: dict[str, Figure]) -> dict[str, object]:
        key = f"{row.severity}|{row.measure}"
        first = row.measure == "detect"
        values = (row.count, row.median, row.p90, row.mean, row.maximum, row.target)
        return {
            "severity": Text(row.severity if first else "", style="bold"),
            "measure": row.label,
            **dict(zip(COLUMNS[2:8], values, strict=True)),
            "met": Text(row.met, style=TONES[row.tone]),
            "spread": spread_text(figures[key]),
        }

    def _lay_out(self, rows: list[FigureRow], figures: dict[str, Figure]) -> None:
        t = self.catalog.t
        headers = {c: t(f"metrics.column_{c}") for c in (*COLUMNS, "spread")}
        cells = [self._cells(row, figures) for row in rows]
        widths = {
            column: max(
                [
                    cell_len(header),
                    *(cell_len(str(getattr(c[column], "plain", c[column]))) for c in cells),
                ]
            )
            + CELL_PADDING
            for column, header in headers.items()
        }
        shown = list(headers)
        room = (self.size.width or self.app.size.width) - SCROLLBAR
        for column in DROPPED_FIRST:
            if sum(widths[c] for c in shown) > room:
                shown.remove(column)
        keep = self.current_key()
        self.clear(columns=[str(c.value) for c in self.columns] != shown)
        if not self.columns:
            for column in shown:
                self.add_column(headers[column], key=column)
        for row, values in zip(rows, cells, strict=True):
            self.add_row(*(values[c] for c in shown), key=f"{row.severity}|{row.measure}")
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep))

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(key.value)
