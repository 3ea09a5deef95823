"""Print (`e` on a story, the matrix or the library; F6 anywhere; "Print…" in the palette):
choose one of the sheets that fit what is on screen, then watch it being written (a progress
bar, then the file's path). The PDF is rendered and written by this dialog's own worker."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from app.domain.i18n import Catalog, said_in
from app.export.printing import SheetRequest
from app.services.files import write_file
from screens.base import Host, JobFailed
from screens.print_sheets import PrintJob


def sheet_file_name(job: SheetRequest, day: str) -> str:
    ref = re.sub(r"[^\w-]+", "-", job.ref).strip("-") if job.ref else ""
    parts = [job.kind, ref, job.paper if job.kind == "poster" else "", job.lang, day]
    return "-".join(part for part in parts if part) + ".pdf"


def _review(host, job: SheetRequest):
    """The metrics report a review sheet prints (its policy in `ref`, its period)."""
    from app.domain.metrics import period_bounds

    kind, back = job.period
    since, until = period_bounds(kind, host.clock.now().astimezone(), back)
    return host.services.metrics.report(host.policies.get(job.ref), since, until)


class PrintProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class PrintDone(Message):
    def __init__(self, path: Path, pages: int, missing: str) -> None:
        super().__init__()
        self.path, self.pages, self.missing = path, pages, missing


class PrintDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", show=False)]

    def __init__(self, catalog: Catalog, jobs: list[PrintJob]) -> None:
        super().__init__(name="print")
        self.catalog = catalog
        self.jobs = {f"job-{n}": job for n, (job, _label) in enumerate(jobs)}
        self.choices = [(f"job-{n}", label) for n, (_job, label) in enumerate(jobs)]
        self.busy = False

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        with Vertical(classes="dialog-box"):
            yield Static(Content(t("print.title")), classes="dialog-title")
            yield OptionList(
                *(Option(Content(label), id=choice) for choice, label in self.choices),
                id="print-choices",
            )
            yield ProgressBar(id="print-progress", show_eta=False)
            yield Static("", id="print-status")
            yield Static(Content(t("print.hint")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#print-progress").display = False
        self.query_one("#print-choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.busy:
            return
        self.busy = True
        bar = self.query_one("#print-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)  # indeterminate until the worker knows the total
        self._status(self.catalog.t("print.writing", what=str(event.option.prompt)))
        self._write_sheet(self.jobs[event.option.id])

    @work(thread=True, exit_on_error=False, group="print", exclusive=True)
    def _write_sheet(self, job: SheetRequest) -> None:
        from app.export.printing import render

        host = cast(Host, self.app)
        services = host.services
        today = host.clock.now().astimezone().date()
        job = replace(job, feedback_url=host.settings.feedback_url)
        printed = render(
            job,
            today,
            stories=services.stories,
            weeks=services.week,
            postmortems=services.postmortems,
            incidents=services.incidents,
            policy=host.policies.get(job.ref) if job.kind == "poster" else None,
            metrics=_review(host, job) if job.kind == "metrics" else None,
            actor=host.settings.user,
            progress=lambda done, total: self.post_message(PrintProgress(done, total)),
        )
        path = host.settings.export_dir / sheet_file_name(job, today.isoformat())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, printed.data, "pdf")
        if printed.missing:
            self.notify(
                self.catalog.t("print.missing", chars=printed.missing),
                severity="warning",
                markup=False,
            )
        if not self.post_message(PrintDone(path, printed.pages, printed.missing)):
            # The dialog was closed while the sheet was written: say where it went anyway.
            self.notify(
                self.catalog.t("print.done", path=str(path), pages=printed.pages), markup=False
            )

    def on_print_progress(self, message: PrintProgress) -> None:
        self.query_one("#print-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_print_done(self, message: PrintDone) -> None:
        self.busy = False
        self.query_one("#print-progress", ProgressBar).update(total=1, progress=1)
        self._status(self.catalog.t("print.done", path=str(message.path), pages=message.pages))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.busy = False
            self.query_one("#print-progress").display = False
            problem = said_in(event.worker.error, self.catalog)
            self._status(self.catalog.t("print.failed", problem=problem))
            self.app.post_message(JobFailed(event.worker))

    def _status(self, text: str) -> None:
        self.query_one("#print-status", Static).update(Content(text))
