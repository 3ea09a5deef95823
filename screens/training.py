"""Training checklists (palette: "Training checklists"): everyone's onboarding and quarterly
items, when each was last done; `d` records the item under the cursor as done by that person
now, `a` adds a person to the list."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from app.domain.i18n import Catalog
from app.domain.training import quarter_start, training_checklists
from screens.base import StoryCartScreen
from screens.localized import bind_localized
from widgets.fit_footer import FitFooter

DONE_STYLE = "bold #2E7D32"


class TrainingLoaded(Message):
    def __init__(self, states) -> None:
        super().__init__()
        self.states = states


class TrainingScreen(StoryCartScreen):
    BINDING_SPECS = (
        ("d", "mark_done", "binding.training_done", True),
        ("a", "add_person", "binding.training_person", True),
        ("escape", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(name="training")
        self.catalog = catalog
        self.people: list[str] = []
        self.states = []
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        yield Static(Content(self.catalog.t("training.title")), id="screen-title")
        yield Static(id="training-summary")
        yield DataTable(id="training-table", cursor_type="row")
        yield FitFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key in ("person", "checklist", "item", "done"):
            table.add_column(self.catalog.t(f"training.column_{key}"), key=key)
        self.people = [self.host.settings.user]
        self.reload()

    @work(thread=True, exit_on_error=False, group="training", exclusive=True)
    def reload(self) -> None:
        self.post_message(TrainingLoaded(self.host.services.training.states(self.people)))

    def on_training_loaded(self, message: TrainingLoaded) -> None:
        from app.domain.message_templates import local_time

        lang = self.catalog.lang
        titles = {c.key: c.title.get(lang) for c in training_checklists()}
        self.states = message.states
        table = self.query_one(DataTable)
        for state in message.states:
            key = f"{state.person}|{state.item.ref}"
            when = local_time(state.done_at) if state.done_at else "—"
            done = Text(when, style=DONE_STYLE if state.current else "")
            if key in table.rows:  # update in place: the cursor stays where it was
                table.update_cell(key, "done", done)
                continue
            table.add_row(
                Text(state.person),
                titles[state.item.checklist],
                Text(state.item.text.get(lang)),
                done,
                key=key,
            )
        current = sum(1 for state in message.states if state.current)
        since = quarter_start(self.host.clock.now().astimezone()).date().isoformat()
        summary = self.catalog.t(
            "training.summary", done=current, total=len(message.states), since=since
        )
        self.query_one("#training-summary", Static).update(Content(summary))

    def _under_cursor(self):
        table = self.query_one(DataTable)
        if not self.states or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.states if f"{s.person}|{s.item.ref}" == key), None)

    def action_mark_done(self) -> None:
        state = self._under_cursor()
        if state is not None:
            self._record(state.item.ref, state.person)

    @work(thread=True, exit_on_error=False, group="training-save")
    def _record(self, ref: str, person: str) -> None:
        self.host.services.training.record(ref, [person], self.host.settings.user)
        self.post_message(TrainingLoaded(self.host.services.training.states(self.people)))

    def action_add_person(self) -> None:
        from screens.dialogs import TextDialog

        def added(name: str | None) -> None:
            if name and name not in self.people:
                self.people.append(name)
                self.reload()

        dialog = TextDialog(
            self.catalog, self.catalog.t("training.title"), "training.add_person", True
        )
        self.app.push_screen(dialog, added)
