"""A list of records edited in place: a table of the rows and, under it, fields bound to the row
under the cursor. Typing in a field changes that row at once. ctrl+n adds a row after the cursor,
ctrl+d deletes it, ctrl+up / ctrl+down move it. The widget edits the list it is given and posts
Changed; it never saves anything itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select

from app.domain.textsafe import printable
from widgets.fields import TextField


@dataclass(frozen=True)
class Column:
    attr: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (label, value); empty for free text
    width: int = 0  # 0: share the rest


class ListEditor(Vertical):
    BINDINGS = [
        Binding("ctrl+n", "add", "Add row", show=False),
        Binding("ctrl+d", "delete", "Delete row", show=False),
        Binding("ctrl+up", "move(-1)", "Move up", show=False),
        Binding("ctrl+down", "move(1)", "Move down", show=False),
    ]

    class Changed(Message):
        def __init__(self, editor: ListEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> ListEditor:
            return self.editor

    def __init__(
        self, columns: list[Column], items: list, new_item: Callable[[], object], *, id: str
    ) -> None:
        super().__init__(id=id, classes="list-editor")
        self.columns = columns
        self.items = items
        self.new_item = new_item
        self._loading = False

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True, classes="list-table")
        with Horizontal(classes="list-fields"):
            for column in self.columns:
                field = Vertical(classes="list-field")
                # Columns with a width keep it (a choice must show its longest label); the
                # free-text ones share what is left.
                field.styles.width = column.width + 4 if column.width else "1fr"
                with field:
                    yield Label(column.label)
                    if column.choices:
                        yield Select(
                            column.choices,
                            allow_blank=False,
                            value=column.choices[0][1],
                            type_to_search=False,
                            id=f"{self.id}-{column.attr}",
                            compact=True,
                        )
                    else:
                        yield TextField(id=f"{self.id}-{column.attr}", compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in self.columns:
            table.add_column(column.label, key=column.attr, width=column.width or 34)
        self._fill()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def _cell(self, item, column: Column) -> Text:
        value = getattr(item, column.attr)
        label = dict((v, lab) for lab, v in column.choices).get(value, value)
        return Text(printable(label), no_wrap=True, overflow="ellipsis")

    def _fill(self, cursor: int = 0) -> None:
        table = self.table
        table.clear()
        for index, item in enumerate(self.items):
            table.add_row(*[self._cell(item, c) for c in self.columns], key=str(index))
        if self.items:
            table.move_cursor(row=min(cursor, len(self.items) - 1))
        self._load_fields()

    def _current(self) -> int | None:
        return self.table.cursor_row if self.items else None

    def _load_fields(self) -> None:
        index = self._current()
        self._loading = True
        try:
            for column in self.columns:
                widget = self.query_one(f"#{self.id}-{column.attr}")
                widget.disabled = index is None
                value = getattr(self.items[index], column.attr) if index is not None else ""
                if isinstance(widget, Select):
                    widget.value = value if index is not None else column.choices[0][1]
                else:
                    widget.value = value
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._load_fields()

    def _field_changed(self, widget, value) -> None:
        index = self._current()
        if self._loading or index is None or widget.id is None:
            return
        attr = widget.id.removeprefix(f"{self.id}-")
        if getattr(self.items[index], attr) == value:
            return
        setattr(self.items[index], attr, value)
        column = next(c for c in self.columns if c.attr == attr)
        self.table.update_cell(str(index), attr, self._cell(self.items[index], column))
        self.post_message(self.Changed(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._field_changed(event.input, event.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._field_changed(event.select, event.value)

    def action_add(self) -> None:
        index = self._current()
        position = 0 if index is None else index + 1
        self.items.insert(position, self.new_item())
        self._fill(position)
        self.query_one(f"#{self.id}-{self.columns[0].attr}").focus()
        self.post_message(self.Changed(self))

    def action_delete(self) -> None:
        index = self._current()
        if index is None:
            return
        del self.items[index]
        self._fill(index)
        self.table.focus()
        self.post_message(self.Changed(self))

    def action_move(self, step: int) -> None:
        index = self._current()
        if index is None or not 0 <= index + step < len(self.items):
            return
        items = self.items
        items[index], items[index + step] = items[index + step], items[index]
        self._fill(index + step)
        self.post_message(self.Changed(self))
