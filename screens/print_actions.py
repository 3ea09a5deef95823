"""Printing from the TUI (`e` on a story, the matrix or the library; F6 anywhere; "Print…" in
the palette): the sheets that fit what is on screen, written to the export folder by a worker
that reports its progress to the print dialog."""

from __future__ import annotations

import re
from pathlib import Path

from textual import work
from textual.message import Message

from app.export.printing import SheetRequest
from app.output import write_file
from screens.print_dialog import PrintDialog


class PrintProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class PrintDone(Message):
    def __init__(self, path: Path, pages: int, missing: str) -> None:
        super().__init__()
        self.path, self.pages, self.missing = path, pages, missing


class PrintActions:
    """Mixed into StoryCartApp (needs settings, catalog, stories, postmortems, policies)."""

    def print_jobs(self) -> list[tuple[SheetRequest, str]]:
        t, lang = self.catalog.t, self.catalog.lang
        screen = self.screen
        jobs: list[tuple[SheetRequest, str]] = []
        story = None
        if screen.name == "reader" and screen.view is not None:
            story, lens = screen.view.story, screen.lens
        elif screen.name == "library" and screen.selected() is not None:
            story, lens = screen.selected(), "engineering"
        if story is not None:
            key, title = story.key, story.title
            jobs += [
                (SheetRequest("story", lang, ref=key, lens=lens), t("print.story", title=title)),
                (SheetRequest("cards", lang, ref=key), t("print.card", title=title)),
                (SheetRequest("prompts", lang, ref=key), t("print.story_prompts", title=title)),
            ]
        if screen.name == "matrix":
            for paper in ("a3", "a4"):
                job = SheetRequest("poster", lang, paper, ref=self.active_policy)
                jobs.append((job, t("print.poster", paper=paper.upper())))
        if screen.name == "postmortem":
            jobs.append((SheetRequest("report", lang, ref=screen.code), t("print.report")))
        jobs += [
            (SheetRequest("booklet", lang), t("print.booklet")),
            (SheetRequest("cards", lang), t("print.cards")),
            (SheetRequest("prompts", lang), t("print.prompts")),
            (SheetRequest("template", lang), t("print.template")),
        ]
        return jobs

    def action_print(self) -> None:
        if isinstance(self.screen, PrintDialog) or not self._stories_ready():
            return
        jobs = self.print_jobs()
        self._print_jobs = {f"job-{n}": job for n, (job, _) in enumerate(jobs)}
        choices = [(f"job-{n}", label) for n, (_, label) in enumerate(jobs)]
        self.push_screen(PrintDialog(self.catalog, choices))

    def on_print_dialog_chosen(self, message: PrintDialog.Chosen) -> None:
        self._write_sheet(self._print_jobs[message.choice])

    @work(thread=True, exit_on_error=False, group="print", exclusive=True)
    def _write_sheet(self, job: SheetRequest) -> None:
        from app.export.printing import render

        today = self.clock.now().astimezone().date()
        printed = render(
            job, today, stories=self.stories, postmortems=self.postmortems,
            policy=self.policies.get(job.ref) if job.kind == "poster" else None,
            actor=self.settings.user,
            progress=lambda done, total: self.post_message(PrintProgress(done, total)),
        )  # fmt: skip
        path = self.settings.export_dir / sheet_file_name(job, today.isoformat())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, printed.data, "pdf")
        self.post_message(PrintDone(path, printed.pages, printed.missing))

    def _print_dialog(self) -> PrintDialog | None:
        return self.screen if isinstance(self.screen, PrintDialog) else None

    def on_print_progress(self, message: PrintProgress) -> None:
        if (dialog := self._print_dialog()) is not None:
            dialog.progress(message.done, message.total)

    def on_print_done(self, message: PrintDone) -> None:
        if message.missing:
            self.notify(self.catalog.t("print.missing", chars=message.missing),
                        severity="warning", markup=False)  # fmt: skip
        dialog = self._print_dialog()
        if dialog is not None:
            dialog.finished(str(message.path), message.pages)
        else:
            self.notify(self.catalog.t("print.done", path=str(message.path), pages=message.pages),
                        markup=False)  # fmt: skip

    def print_failed(self, problem: str) -> None:
        """Called by the app's one worker-error handler for the print group."""
        if (dialog := self._print_dialog()) is not None:
            dialog.failed(problem)


def sheet_file_name(job: SheetRequest, day: str) -> str:
    ref = re.sub(r"[^\w-]+", "-", job.ref).strip("-") if job.ref else ""
    parts = [job.kind, ref, job.paper if job.kind == "poster" else "", job.lang, day]
    return "-".join(part for part in parts if part) + ".pdf"
