"""The incidents behind a figure of the metrics screen, longest first (the ones that missed the
target marked), then those that have no time for it yet; Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from app.domain.i18n import Catalog
from app.domain.metrics import Figure
from app.domain.metrics_view import span_text
from app.domain.textsafe import printable

MISSED_STYLE = "bold #FFFFFF on #B3261E"


class MetricsDrillDown(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", show=False)]

    def __init__(self, catalog: Catalog, figure: Figure, titles: dict[str, str]) -> None:
        super().__init__()
        self.catalog = catalog
        self.figure = figure
        self.titles = titles

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        measure = t(f"metrics.measure_{self.figure.measure}")
        title = t("metrics.drill_title", severity=self.figure.severity, measure=measure)
        with Vertical(classes="dialog-box", id="drill-box"):
            yield Static(Content(title), classes="dialog-title")
            yield DataTable(id="drill-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="drill-note", classes="dialog-hint")

    def on_mount(self) -> None:
        t = self.catalog.t
        table = self.query_one(DataTable)
        table.add_column("ID", key="code")
        table.add_column(t("metrics.column_measure"), key="time")
        table.add_column(t("story.column.title"), key="title")
        target = self.figure.target_s
        seconds_of = dict(self.figure.samples)
        for code in self.figure.codes():
            seconds = seconds_of[code]
            style = MISSED_STYLE if target is not None and seconds > target else ""
            title = printable(self.titles.get(code, ""))
            table.add_row(code, Text(span_text(seconds), style=style), Text(title), key=code)
        notes = [] if self.figure.samples else [t("metrics.drill_none")]
        if self.figure.missing:
            notes.append(t("metrics.drill_without", codes=self.catalog.joined(self.figure.missing)))
        self.query_one("#drill-note", Static).update(Content("\n".join(notes)))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from screens.incident import IncidentScreen

        code = str(event.row_key.value)
        self.dismiss(None)
        self.app.push_screen(IncidentScreen(self.catalog, self.app.clock, code))

    def action_close(self) -> None:
        self.dismiss(None)
