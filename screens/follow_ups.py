"""Every postmortem's action items in one list: filter by owner or words, by status, or only the
overdue; mark one done (or move it along) from here — the incident's timeline records it."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from app.domain.i18n import Catalog
from app.domain.metrics import ActionFacts
from app.domain.postmortem.model import ACTION_STATUSES
from app.domain.textsafe import printable
from screens.base import ChangeMade, Command, StoryCartScreen
from screens.localized import bind_localized
from widgets.fields import SearchField
from widgets.fit_footer import FitFooter

COLUMNS = ("incident", "due", "status", "owner", "title")
OVERDUE_STYLE = "bold #FFFFFF on #B3261E"
SHOWN = ("open", "all", "overdue")  # what `v` cycles through


class FollowUpsLoaded(Message):
    def __init__(self, items: list[ActionFacts], today) -> None:
        super().__init__()
        self.items = items
        self.today = today


def matches(item: ActionFacts, words: str, shown: str, today) -> bool:
    if shown == "open" and item.status == "done":
        return False
    if shown == "overdue" and not item.overdue(today):
        return False
    needle = words.casefold().strip()
    return not needle or needle in f"{item.owner} {item.title} {item.incident}".casefold()


class FollowUpsScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("d", "set_status('done')", "binding.follow_up_done", True),
        ("space", "advance", "binding.follow_up_advance", True),
        ("v", "cycle_shown", "binding.follow_up_shown", True),
        ("slash", "focus_filter", "binding.search", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(name="follow-ups")
        self.catalog = catalog
        self.items: list[ActionFacts] = []
        self.shown_items: list[ActionFacts] = []
        self.shown = "open"
        self.today = None
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(Content(t("follow_ups.title")), id="screen-title")
        yield SearchField(placeholder=t("follow_ups.filter"), id="follow-ups-filter")
        yield Static(id="follow-ups-count")
        table = DataTable(id="follow-ups-table", cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(t(f"follow_ups.column_{column}"), key=column)
        yield table
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#follow-ups-table", DataTable).focus()
        self.host.changes.subscribe(self, lambda changes: changes.shown and self.reload())
        self.reload()

    def palette_commands(self):
        yield from super().palette_commands()
        commands: list[Command] = [
            ("follow_up_done", lambda: self.action_set_status("done")),
            ("follow_up_shown", self.action_cycle_shown),
        ]
        yield from commands

    # -- data in ------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="follow-ups", exclusive=True)
    def reload(self) -> None:
        metrics = self.host.services.metrics
        self.post_message(FollowUpsLoaded(metrics.follow_ups(), metrics.today()))

    def on_follow_ups_loaded(self, message: FollowUpsLoaded) -> None:
        self.items, self.today = message.items, message.today
        self._show()

    def _show(self) -> None:
        t = self.catalog.t
        words = self.query_one("#follow-ups-filter", Input).value
        table = self.query_one("#follow-ups-table", DataTable)
        keep = table.cursor_row
        self.shown_items = [i for i in self.items if matches(i, words, self.shown, self.today)]
        table.clear()
        for item in self.shown_items:
            late = item.overdue(self.today)
            due = item.due.isoformat() if item.due else "—"
            table.add_row(
                item.incident,
                Text(due + (" !" if late else ""), style=OVERDUE_STYLE if late else ""),
                t(f"pm.value.{item.status}"),
                Text(printable(item.owner) or "—"),
                Text(printable(item.title)),
                key=str(item.item_id),
            )
        if self.shown_items:
            table.move_cursor(row=min(keep, len(self.shown_items) - 1))
        overdue = sum(1 for item in self.items if item.overdue(self.today))
        count = t(
            "follow_ups.count",
            shown=len(self.shown_items),
            total=len(self.items),
            overdue=overdue,
            which=t(f"follow_ups.shown_{self.shown}"),
        )
        self.query_one("#follow-ups-count", Static).update(Content(count))

    # -- user in ------------------------------------------------------------------------------

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._show()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.query_one("#follow-ups-table", DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#follow-ups-filter", Input).focus()

    def action_cycle_shown(self) -> None:
        self.shown = SHOWN[(SHOWN.index(self.shown) + 1) % len(SHOWN)]
        self._show()

    def _current(self) -> ActionFacts | None:
        row = self.query_one("#follow-ups-table", DataTable).cursor_row
        return self.shown_items[row] if 0 <= row < len(self.shown_items) else None

    def action_advance(self) -> None:
        item = self._current()
        if item is not None:
            following = ACTION_STATUSES[(ACTION_STATUSES.index(item.status) + 1) % 3]
            self.action_set_status(following)

    def action_set_status(self, status: str) -> None:
        item = self._current()
        if item is not None and self.ready_services() is not None and item.status != status:
            self._set_status(item, status)

    @work(thread=True, exit_on_error=False, group="follow-ups-write")
    def _set_status(self, item: ActionFacts, status: str) -> None:
        with self.making_change() as made:
            metrics = self.host.services.metrics
            metrics.set_follow_up(item.item_id, status, self.host.settings.user)
            made(board=True)  # the board's overdue count and this list read again
        said = self.catalog.t(
            "follow_ups.changed", title=item.title, status=self.catalog.t(f"pm.value.{status}")
        )
        self.app.post_message(ChangeMade(said))
