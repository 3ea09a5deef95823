"""Who is on call now: each ladder level of the roster, the person, their contact, until when
(palette: "Who's on call")."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from app.domain.i18n import Catalog
from app.domain.roster import OnCall
from app.domain.textsafe import printable


class OnCallDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "close", show=False)]

    def __init__(self, catalog: Catalog, held: list[OnCall], configured: bool) -> None:
        super().__init__()
        self.catalog = catalog
        self.held = held
        self.configured = configured

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        with Vertical(classes="dialog-box", id="oncall-box"):
            yield Static(Content(t("oncall.title")), classes="dialog-title")
            if self.configured:
                yield DataTable(id="oncall-table", cursor_type="row", show_cursor=False)
            else:
                yield Static(Content(t("oncall.no_roster")), id="oncall-none")
            yield Static(Content(t("dialog.close_hint")), classes="dialog-hint")

    def on_mount(self) -> None:
        from app.domain.message_templates import local_time

        if not self.configured:
            return
        table = self.query_one(DataTable)
        for key in ("level", "name", "contact", "until"):
            table.add_column(self.catalog.t(f"oncall.column_{key}"), key=key)
        for held in self.held:
            until = local_time(held.until)
            if held.override:
                until += f" ({self.catalog.t('oncall.override')})"
            table.add_row(
                Text(printable(held.level)),
                Text(printable(held.person.name)),
                Text(printable(held.person.contact) or "—"),
                until,
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
