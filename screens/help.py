"""Help: every key binding of the screen it was opened from."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from app.domain.i18n import Catalog


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", show=False),
        # A modal screen keeps the app's keys from the screens below; `m` still goes home.
        Binding("m", "app.show_matrix", show=False),
    ]

    def __init__(
        self, catalog: Catalog, bindings: Sequence[tuple[str, str]], note: str = ""
    ) -> None:
        super().__init__(name="help")
        self.catalog = catalog
        self.bindings_shown = list(bindings)
        self.note = note  # what the screen's figures mean (the metrics' definitions)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content(self.catalog.t("help.title")), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", show_cursor=False)
            if self.note:
                yield Static(Content(self.note), id="help-note")
            yield Static(Content(self.catalog.t("help.close_hint")), id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(Text(self.catalog.t("help.key"), style="bold"), key="key")
        table.add_column(Text(self.catalog.t("help.action"), style="bold"), key="action")
        for key, description in self.bindings_shown:
            table.add_row(Text(key), Text(description), key=key)
        table.focus()

    def action_dismiss(self, _result=None) -> None:
        self.dismiss(None)


def help_rows(app: App, screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding active on `screen` that has a description."""
    keys: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        action = binding.action.removeprefix("app.")
        keys.setdefault(action, []).append(app.get_key_display(binding))
        # A footer label kept short carries its full name as the tooltip.
        full = binding.tooltip if binding.show and binding.tooltip else binding.description
        descriptions.setdefault(action, full)
    rows = [
        (", ".join(sorted(set(shown), key=lambda k: (len(k), k))), descriptions[action])
        for action, shown in keys.items()
    ]
    return sorted(rows)
