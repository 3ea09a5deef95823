"""The metrics table: one row per severity and measure — count, median, p90, mean, max, the
target and how many met it, and the spread as a row of bars. It renders the rows it is given;
a new period's rows replace the old ones by key."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from app.domain.i18n import Catalog
from app.domain.metrics import Figure
from app.domain.metrics_view import FigureRow

COLUMNS = ("severity", "measure", "count", "median", "p90", "mean", "max", "target", "met")
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

    def on_mount(self) -> None:
        t = self.catalog.t
        for column in COLUMNS:
            self.add_column(t(f"metrics.column_{column}"), key=column)
        self.add_column(t("metrics.column_spread"), key="spread")

    def show(self, rows: list[FigureRow], figures: dict[str, Figure]) -> None:
        """Rows keyed "SEVERITY|measure"; the cursor stays on the same key when it can."""
        keep = self.current_key()
        self.clear()
        for row in rows:
            key = f"{row.severity}|{row.measure}"
            first = row.measure == "detect"
            self.add_row(
                Text(row.severity if first else "", style="bold"),
                row.label,
                row.count,
                row.median,
                row.p90,
                row.mean,
                row.maximum,
                row.target,
                Text(row.met, style=TONES[row.tone]),
                spread_text(figures[key]),
                key=key,
            )
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep))

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(key.value)
