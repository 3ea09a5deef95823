"""Attach a diagram to a story: an image file (PNG, JPEG, SVG) by its path, or a text diagram
typed or pasted in a monospace box; a caption for either. The file is read and checked in a
worker; a refusal stays in the dialog, in one sentence."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from app.domain.i18n import Catalog, said_in
from app.domain.story.refusal import StoryError
from screens.dialogs import Dialog
from widgets.fields import TextField


class DiagramDialog(Dialog):
    """Dismissed with the new Diagram, or None."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog, catalog.t("diagram.dialog_title"))

    def fields(self) -> ComposeResult:
        yield self.label("diagram.file")
        yield TextField(id="diagram-file", placeholder="~/sketches/payments.png")
        yield self.label("diagram.text")
        yield TextArea(id="diagram-text", classes="diagram-input", tab_behavior="focus")
        yield self.label("diagram.caption")
        yield TextField(id="diagram-caption")

    def hint(self) -> str:
        return self.catalog.t("diagram.hint")

    def on_mount(self) -> None:
        self.query_one("#diagram-file", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "diagram-file" and not event.value.strip():
            self.query_one("#diagram-text", TextArea).focus()  # drawing instead
            return
        self.action_submit()

    def action_submit(self) -> None:
        path = self.value_of("#diagram-file")
        text = self.query_one("#diagram-text", TextArea).text
        if not path and not text.strip():
            self.show_error(self.catalog.t("diagram.needs_something"))
            return
        self._make(path, text, self.value_of("#diagram-caption"))

    @work(thread=True, exit_on_error=False, group="diagram")
    def _make(self, path: str, text: str, caption: str) -> None:
        from app.domain.story.diagrams import text_diagram
        from app.export.diagrams import attachable_image

        try:
            if path:
                file = Path(path).expanduser()
                try:
                    data = file.read_bytes()
                except OSError:
                    raise StoryError("", "refusal.no_file", path=str(file)) from None
                diagram = attachable_image(data, file.name, caption)
            else:
                diagram = text_diagram(text, caption)
        except StoryError as error:
            self.app.call_from_thread(self.show_error, said_in(error, self.catalog))
            return
        self.app.call_from_thread(self.dismiss, diagram)
