"""Form fields that behave the same in every form.

TextField keeps its text when focused: Input's select-all on focus meant Tab wrapping back to a
filled field and typing replaced it (a title was lost that way). SearchField never starts a
query with the "/" that focuses it. Choice is a Select whose Enter
submits the form like Enter in a text field; space, up and down open its list."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Select

from widgets.form import Form

__all__ = ["Choice", "Form", "SearchField", "TextField"]  # Form: what every form's fields go in


class TextField(Input):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)


class SearchField(TextField):
    """A search box that `/` moves to: a "/" typed into it while it is still empty is that key
    arriving again, not the start of a query (which would then find nothing)."""

    def on_key(self, event: events.Key) -> None:
        if event.character == "/" and not self.value:
            event.stop()
            event.prevent_default()


class Choice(Select):
    BINDINGS = [
        Binding("space,down,up", "show_overlay", "Show menu", show=False),
        Binding("enter", "submit", "Submit", show=False),
    ]

    class Submitted(Message):
        """Enter on the closed list: the form it is in should submit."""

        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))
