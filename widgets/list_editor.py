"""A list of records edited in place: a table of the rows and, under it, fields bound to the row
under the cursor. Typing in a field changes that row at once. ctrl+n (or Enter on the table) adds
a row after the cursor, ctrl+d deletes it, ctrl+up / ctrl+down move it. A character typed on the
table starts a new row with it: it lands in the row's first text field, which takes the focus,
and the rest of the typing follows (even keys already on their way to the table). A row left
with no text when the user moves away from it is dropped. The widget edits the list it is given
and posts Changed; it never saves anything itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select

from app.domain.i18n import Catalog
from app.domain.textsafe import printable
from widgets.column_widths import share
from widgets.fields import TextField
from widgets.keys import bind_localized, typed

KEYS = (
    ("ctrl+n", "add", "binding.list_add", True),
    ("enter", "add", "binding.list_add", False),
    ("ctrl+d", "delete", "binding.list_delete", True),
    ("ctrl+up", "move(-1)", "binding.list_up", False),
    ("ctrl+down", "move(1)", "binding.list_down", False),
)


@dataclass(frozen=True)
class Column:
    attr: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (label, value); empty for free text
    width: int = 0  # 0: share the rest
    shrink: int = 0  # on a narrow screen the lowest shrinks first (widgets.column_widths)


class ListTable(DataTable):
    """The rows. Enter is the list's (a new row), and a typed character starts one."""

    def __init__(self, editor: ListEditor, **kwargs) -> None:
        super().__init__(**kwargs)
        self.editor = editor
        self._bindings.key_to_bindings.pop("enter", None)

    def on_key(self, event: events.Key) -> None:
        if typed(event.character) and self.editor.editable:
            event.stop()
            event.prevent_default()
            self.editor.typed_on_table(event.character)

    def on_focus(self) -> None:
        self.editor.typing_into = None  # back on the table: the next character is a new row


class ListEditor(Vertical):
    class Changed(Message):
        def __init__(self, editor: ListEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> ListEditor:
            return self.editor

    def __init__(
        self,
        catalog: Catalog,
        columns: list[Column],
        items: list,
        new_item: Callable[[], object],
        *,
        id: str,
    ) -> None:
        super().__init__(id=id, classes="list-editor")
        self.columns = columns
        self.items = items
        self.new_item = new_item
        self._loading = False
        self._widths: list[int] = []
        self.editable = True  # False: a read-only record (a published postmortem)
        self.typing_into: Input | None = None  # the field a row started by typing fills
        bind_localized(self, catalog, KEYS)

    def compose(self) -> ComposeResult:
        yield ListTable(self, cursor_type="row", zebra_stripes=True, classes="list-table")
        with Horizontal(classes="list-fields"):
            for column in self.columns:
                field = Vertical(classes="list-field")
                # Laid out for the width there is (on_resize); text columns keep their room.
                field.styles.width = column.width + 4 if column.width else "1fr"
                with field:
                    yield Label(Text(column.label, no_wrap=True, overflow="ellipsis"))
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
        self._lay_out(share(self._wanted, self._shrink, 120))

    @property
    def _wanted(self) -> list[int]:
        return [column.width + 4 if column.width else 0 for column in self.columns]

    @property
    def _shrink(self) -> list[int]:
        return [column.shrink for column in self.columns]

    def on_resize(self, event: events.Resize) -> None:
        # Two cells stay free for the table's scroll bar.
        widths = share(self._wanted, self._shrink, max(event.size.width - 2, 0))
        if widths != self._widths:
            self._lay_out(widths)

    def _lay_out(self, widths: list[int]) -> None:
        """The fields and the table's columns, each as wide as its share (in cells)."""
        self._widths = widths
        for field, width in zip(self.query(".list-field"), widths, strict=True):
            field.styles.width = width
        table = self.table
        cursor = table.cursor_row
        table.clear(columns=True)
        for column, width in zip(self.columns, widths, strict=True):
            label = Text(column.label, no_wrap=True, overflow="ellipsis")
            table.add_column(label, key=column.attr, width=max(width - 2, 1))
        self._fill(cursor)

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
        if self._drop_blank(keep=self.table.cursor_row):
            return  # filled again: highlighted once more
        self._load_fields()

    # -- typing ------------------------------------------------------------------------------

    def check_consume_key(self, _key: str, character: str | None) -> bool:
        """A typed character is the list's (a new row), never a key of the screen or app."""
        return self.editable and typed(character)

    def check_action(self, _action: str, _parameters: tuple) -> bool | None:
        return self.editable

    @property
    def text_field(self) -> Input:
        """Where typing on the table goes: the row's first text field."""
        column = next(c for c in self.columns if not c.choices)
        return self.query_one(f"#{self.id}-{column.attr}", Input)

    def typed_on_table(self, character: str) -> None:
        field = self.typing_into
        if field is None:
            self.action_add(focus=False)
            field = self.typing_into = self.text_field
            field.focus()
        field.insert_text_at_cursor(character)
        self._store(field, field.value)  # the new row's fields may still be loading

    def is_blank(self, item) -> bool:
        return not any(str(getattr(item, c.attr)).strip() for c in self.columns if not c.choices)

    def kept_items(self) -> list:
        """The rows worth keeping: a row with no text is not stored."""
        return [item for item in self.items if not self.is_blank(item)]

    def _drop_blank(self, keep: int | None = None) -> bool:
        """Drop the rows left with no text, but the one at `keep` (the row being edited)."""
        blank = [i for i, item in enumerate(self.items) if i != keep and self.is_blank(item)]
        if not blank:
            return False
        cursor = keep if keep is not None else self.table.cursor_row
        self.items[:] = [item for i, item in enumerate(self.items) if i not in blank]
        self._fill(max(0, cursor - sum(1 for i in blank if i < cursor)))
        self.post_message(self.Changed(self))
        return True

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self.call_after_refresh(self._left_if_outside)

    def _left_if_outside(self) -> None:
        focused = self.screen.focused if self.is_attached else None
        if focused is None or self not in focused.ancestors:
            self._drop_blank()

    # -- editing ------------------------------------------------------------------------------

    def _field_changed(self, widget, value) -> None:
        if not self._loading:
            self._store(widget, value)

    def _store(self, widget, value) -> None:
        index = self._current()
        if index is None or widget.id is None:
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

    def action_add(self, focus: bool = True) -> None:
        index = self._current()
        position = 0 if index is None else index + 1
        self.items.insert(position, self.new_item())
        self._fill(position)
        if focus:
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
