"""Print: choose a sheet for what is on screen, then watch it being written (a progress bar,
then the file's path). The PDF is written by the app in a worker; this dialog only shows it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from app.i18n import Catalog


class PrintDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", show=False)]

    class Chosen(Message):
        def __init__(self, choice: str) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, catalog: Catalog, choices: list[tuple[str, str]]) -> None:
        super().__init__(name="print")
        self.catalog = catalog
        self.choices = choices
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
        self.post_message(self.Chosen(event.option.id))

    def progress(self, done: int, total: int) -> None:
        self.query_one("#print-progress", ProgressBar).update(total=total, progress=done)

    def finished(self, path: str, pages: int) -> None:
        self.busy = False
        bar = self.query_one("#print-progress", ProgressBar)
        bar.update(total=1, progress=1)
        self._status(self.catalog.t("print.done", path=path, pages=pages))

    def failed(self, problem: str) -> None:
        self.busy = False
        self.query_one("#print-progress").display = False
        self._status(self.catalog.t("print.failed", problem=problem))

    def _status(self, text: str) -> None:
        self.query_one("#print-status", Static).update(Content(text))
