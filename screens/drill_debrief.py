"""The drill's debrief: the score and each line behind it (measured, target, met or not), what
to practise next, who took part, and what the team was told and did on one drill-time line.
`e` prints it (PDF, in the drill's folder), `o` opens the drill incident — its postmortem is
a drill postmortem, in the drill database — and `escape` goes back to the drill."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from app.domain.drill.debrief import (
    clock_starts,
    clock_text,
    moments,
    participants,
    practise_next,
    score_rows,
)
from app.domain.i18n import Catalog
from app.domain.word_lists import joined
from screens.base import StoryCartScreen
from screens.localized import bind_localized
from widgets.fit_footer import FitFooter

MISSED_STYLE = "bold #B3261E"


class DebriefLoaded(Message):
    def __init__(self, view, told) -> None:
        super().__init__()
        self.view = view
        self.told = told


class DebriefPrinted(Message):
    def __init__(self, path, pages: int) -> None:
        super().__init__()
        self.path = path
        self.pages = pages


class DebriefScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("e", "print_debrief", "binding.print", True),
        ("o", "open_incident", "binding.open_drill_incident", True),
        ("escape", "back", "binding.back", True),
    )

    def __init__(self, catalog: Catalog, card) -> None:
        super().__init__(name="drill-debrief")
        self.catalog = catalog
        self.card = card
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        yield Static(id="screen-title")
        with VerticalScroll(id="debrief-body"):
            yield Static(id="debrief-score")
            yield DataTable(id="debrief-lines", cursor_type="row", show_cursor=False)
            yield Static(id="debrief-practise")
            yield Static(id="debrief-timeline-title", classes="reader-heading")
            yield DataTable(id="debrief-timeline", cursor_type="row", show_cursor=False)
        yield FitFooter()

    def on_mount(self) -> None:
        t, run = self.catalog.t, self.app.drill_run
        title = run.scenario.title.get(self.catalog.lang)
        self.query_one("#screen-title", Static).update(
            Content(t("drill.debrief_title", title=title))
        )
        table = self.query_one("#debrief-lines", DataTable)
        for key in ("measure", "measured", "target", "verdict"):
            table.add_column(t(f"drill.column.{key}"), key=key)
        for row in score_rows(self.card, self.catalog):
            style = "" if row.met else MISSED_STYLE
            table.add_row(row.measure, row.measured, row.target, Text(row.verdict, style=style))
        lines = practise_next(self.card, self.catalog)
        heading = t("drill.practise_heading")
        text = "\n".join([heading, *(f"• {line}" for line in lines)]) if lines else ""
        text = "\n\n".join(part for part in (clock_starts(self.catalog), text) if part)
        self.query_one("#debrief-practise", Static).update(Content(text))
        self.query_one("#debrief-timeline-title", Static).update(
            Content(t("drill.timeline_heading"))
        )
        timeline = self.query_one("#debrief-timeline", DataTable)
        for key in ("clock", "who", "what"):
            timeline.add_column(t(f"drill.column.{key}"), key=key)
        self._load()

    @work(thread=True, exit_on_error=False, group="debrief", exclusive=True)
    def _load(self) -> None:
        code = self.card.incident
        view = self.host.services.incidents.view(code) if code else None
        self.post_message(DebriefLoaded(view, self.app.drill_run.told()))

    def on_debrief_loaded(self, message: DebriefLoaded) -> None:
        t, run = self.catalog.t, self.app.drill_run
        names = participants(message.view)
        summary = t(
            "drill.score_line",
            percent=self.card.percent,
            speed=f"{run.speed:g}",
            length=clock_text(run.elapsed_s(self.app.clock.now())),
            names=joined(names, self.catalog.lang) or "—",
        )
        if not self.card.incident:
            summary += "\n" + t("drill.no_incident")
        summary += "\n" + t("training.drill_hint")  # the team's database: from the real board
        self.query_one("#debrief-score", Static).update(Content(summary))
        table = self.query_one("#debrief-timeline", DataTable)
        table.clear()
        found = moments(message.told, message.view, run.started_at, self.catalog.lang, self.catalog)
        for moment in found:
            mark = t("drill.told") if moment.told else t("drill.team")
            who = f"{mark} · {moment.who}" if moment.who else mark
            table.add_row(clock_text(moment.offset_s), Text(who), Text(moment.text))

    def action_print_debrief(self) -> None:
        self.notify(self.catalog.t("drill.printing"), timeout=3)
        self._print()

    @work(thread=True, exit_on_error=False, group="debrief-print", exclusive=True)
    def _print(self) -> None:
        from app.export.drill_debrief import debrief_pdf

        run = self.app.drill_run
        code = self.card.incident
        view = self.host.services.incidents.view(code) if code else None
        printed = debrief_pdf(run, self.card, view, self.catalog.lang, self.app.clock.now())
        path = run.directory / f"debrief-{self.catalog.lang}.pdf"
        from app.services.files import write_file

        write_file(path, printed.data, "pdf")
        self.post_message(DebriefPrinted(path, printed.pages))

    def on_debrief_printed(self, message: DebriefPrinted) -> None:
        text = self.catalog.t("print.done", path=str(message.path), pages=message.pages)
        self.notify(text, timeout=10, markup=False)

    def action_open_incident(self) -> None:
        from screens.incident import IncidentScreen

        if self.card.incident:
            self.app.push_screen(IncidentScreen(self.catalog, self.app.clock, self.card.incident))

    def action_back(self) -> None:
        self.app.pop_screen()
