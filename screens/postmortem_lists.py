"""The postmortem form's list sections (timeline, five whys, contributing factors, action items)
and its read-only state: filling the lists, what is stored of them (never a row left without
text), their words for the blameless hints, and locking the form once it is published."""

from __future__ import annotations

from copy import deepcopy

from textual.screen import Screen

from app.domain.postmortem.model import Postmortem
from widgets.form import Form
from widgets.list_editor import ListEditor

LIST_SECTIONS = ("timeline", "whys", "factors", "actions")


def editors(screen: Screen) -> dict[str, ListEditor]:
    return {name: screen.query_one(f"#pm-{name}", ListEditor) for name in LIST_SECTIONS}


def fill_lists(screen: Screen, postmortem: Postmortem) -> dict[str, ListEditor]:
    """Show the postmortem's lists; the editors are returned for stored_copy (which may run
    while the screen is being taken down)."""
    lists = editors(screen)
    for name, editor in lists.items():
        editor.items = getattr(postmortem, name)
        editor._fill()
    return lists


def list_words(editor: ListEditor) -> str:
    """The list's text, for the blameless hints."""
    texts = [getattr(item, a, "") for item in editor.items for a in ("text", "title")]
    return " ".join(str(text) for text in texts)


def stored_copy(lists: dict[str, ListEditor], postmortem: Postmortem) -> Postmortem:
    """What is saved of the form: a copy without the rows that have no text yet (a row just
    added, or one the user left blank)."""
    copy = deepcopy(postmortem)
    for name, editor in lists.items():
        setattr(copy, name, deepcopy(editor.kept_items()))
    return copy


def lock(screen: Screen) -> None:
    """A published postmortem is the record: its fields become read-only and the form gives
    the screen's and the app's letter keys back (`s` writes the story)."""
    screen.query_one(Form).editable = False
    for editor in editors(screen).values():
        editor.editable = False
    for widget in screen.query("Input, TextArea, Select"):
        widget.disabled = True
    screen.query_one("#pm-rail").focus()
    screen.refresh_bindings()
