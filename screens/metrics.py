"""The metrics screen: this month / quarter / year (or earlier ones) of the active policy — per
severity the median, p90, mean and max of each time against the target, the spread of the row
under the cursor and the incidents per week as sparklines, recurrences and follow-ups; Enter
lists the incidents behind a figure."""

from __future__ import annotations

from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, Sparkline, Static

from app.domain.i18n import Catalog
from app.domain.metrics import HISTOGRAM_BINS, PERIODS, MetricsReport, period_bounds
from app.domain.metrics_view import completion_text, heading_text, recurrence_text, report_rows
from app.domain.textsafe import printable
from screens.base import Command, StoryCartScreen
from screens.localized import bind_localized
from widgets.fit_footer import FitFooter
from widgets.metrics_table import MetricsTable


class MetricsLoaded(Message):
    def __init__(self, report: MetricsReport) -> None:
        super().__init__()
        self.report = report


class MetricsScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("enter", "drill", "binding.metrics_drill", True),
        ("left_square_bracket", "earlier", "binding.metrics_earlier", True),
        ("right_square_bracket", "later", "binding.metrics_later", True),
        ("t", "next_period", "binding.metrics_period", True),
        ("c", "custom_period", "binding.metrics_custom", True),
        ("p", "app.next_policy", "binding.next_policy", True),
        ("F", "app.show_follow_ups", "binding.follow_ups", True),
        ("e", "app.print", "binding.print", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(name="metrics")
        self.catalog = catalog
        self.period = "quarter"
        self.back = 0
        self.custom: tuple | None = None  # (since, until) typed by the user, when chosen
        self.report: MetricsReport | None = None
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(Content(t("metrics.title")), id="screen-title")
        yield Static(id="metrics-heading")
        yield MetricsTable(self.catalog, id="metrics-table")
        yield Label(id="metrics-spread-label")
        yield Sparkline([], id="metrics-spread")
        yield Label(Content(t("metrics.weekly")), id="metrics-weekly-label")
        yield Sparkline([], id="metrics-weekly")
        yield Static(id="metrics-notes")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one(MetricsTable).focus()
        self.host.policy_changed.subscribe(self, lambda _none: self.reload())
        self.host.changes.subscribe(self, lambda changes: changes.shown and self.reload())
        self.reload()

    def palette_commands(self):
        yield from super().palette_commands()
        commands: list[Command] = [
            ("metrics_earlier", self.action_earlier),
            ("metrics_later", self.action_later),
            ("metrics_period", self.action_next_period),
            ("metrics_custom", self.action_custom_period),
        ]
        yield from commands

    def help_note(self) -> str:
        return self.catalog.t("metrics.definitions")

    def print_jobs(self) -> list:
        from app.export.printing import SheetRequest

        request = SheetRequest(
            "metrics",
            self.catalog.lang,
            ref=self.host.active_policy,
            period=(self.period, self.back),
        )
        return [(request, self.catalog.t("print.review")), *super().print_jobs()]

    # -- data in ------------------------------------------------------------------------------

    def _bounds(self) -> tuple:
        return self.custom or period_bounds(
            self.period, self.host.clock.now().astimezone(), self.back
        )

    def reload(self) -> None:
        policy = self.host.policies.get(self.host.active_policy)
        since, until = self._bounds()
        if self.report is None:  # opening: the figures read in the background, if still fresh
            preview = self.host.metrics_preview
            kept = preview.for_period(policy.name, since, until)
            if kept is not None:
                self.on_metrics_loaded(MetricsLoaded(kept))
            elif preview.join(policy.name, since, until, partial(self._joined, since, until)):
                return  # being read right now: a second read beside it would slow both
        self._load(policy, since, until)

    def _joined(self, since, until, report) -> None:
        if not self.is_attached or self.report is not None or self._bounds() != (since, until):
            return  # gone, or moved to another period meanwhile, which is read already
        if report is None:
            self._load(self.host.policies.get(self.host.active_policy), since, until)
        else:
            self.on_metrics_loaded(MetricsLoaded(report))

    @work(thread=True, exit_on_error=False, group="metrics", exclusive=True)
    def _load(self, policy, since, until) -> None:
        self.post_message(MetricsLoaded(self.host.services.metrics.report(policy, since, until)))

    def on_metrics_loaded(self, message: MetricsLoaded) -> None:
        report = self.report = message.report
        t = self.catalog.t
        period = t(f"metrics.period_{self.period}")
        if self.custom is not None:
            period = t("metrics.period_custom")
        elif self.back:
            period = t("metrics.period_back", period=period, back=self.back)
        heading = heading_text(report, self.catalog)
        self.query_one("#metrics-heading", Static).update(Content(f"{period} · {heading}"))
        table = self.query_one(MetricsTable)
        figures = {f"{s}|{m}": figure for (s, m), figure in report.figures.items()}
        table.show(report_rows(report, self.catalog), figures)
        # Weeks still to come are left out: they are not weeks without incidents.
        today = self.host.clock.now().astimezone().date()
        weekly = [n for week, n in report.weekly if week <= today]
        self.query_one("#metrics-weekly", Sparkline).data = weekly
        notes = [t("metrics.recurrences", count=len(report.recurrences))]
        notes += [recurrence_text(r, self.catalog) for r in report.recurrences[:3]]
        notes.append(completion_text(report, self.catalog))
        self.query_one("#metrics-notes", Static).update(Content(printable("\n".join(notes))))
        self._show_spread()

    def on_data_table_row_highlighted(self, _event) -> None:
        self._show_spread()

    def _selected(self):
        key = self.query_one(MetricsTable).current_key()
        if self.report is None or key is None:
            return None
        severity, measure = key.split("|")
        return self.report.figure(severity, measure)

    def _show_spread(self) -> None:
        figure = self._selected()
        if figure is None:
            return
        label = f"{figure.severity} · {self.catalog.t(f'metrics.measure_{figure.measure}')}"
        self.query_one("#metrics-spread-label", Label).update(Content(label))
        self.query_one("#metrics-spread", Sparkline).data = figure.histogram(HISTOGRAM_BINS * 3)

    # -- user in ------------------------------------------------------------------------------

    def on_data_table_row_selected(self, _event) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        from screens.metrics_drill import MetricsDrillDown

        figure = self._selected()
        if figure is not None and self.report is not None:
            self.app.push_screen(MetricsDrillDown(self.catalog, figure, self.report.titles))

    def action_earlier(self) -> None:
        self.custom = None
        self.back += 1
        self.reload()

    def action_later(self) -> None:
        if self.back or self.custom:
            self.back = max(0, self.back - 1) if self.custom is None else self.back
            self.custom = None
            self.reload()

    def action_next_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.back, self.custom = 0, None
        self.reload()

    def action_custom_period(self) -> None:
        from screens.base import dialogs

        now = self.host.clock.now().astimezone()
        since, until = self._bounds()

        def chosen(period) -> None:
            if period is not None:
                self.custom = period
                self.reload()

        self.app.push_screen(dialogs.PeriodDialog(self.catalog, since, until, now), chosen)
