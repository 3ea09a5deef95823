"""Letters typed in a form are text, never commands: the postmortem's lists start a row with what
was typed, and no one-letter key of the app or the screen acts while the user is in a form (the
postmortem, the declare dialog, the story editor). Only ctrl / F keys and Escape act there, and
F1 lists those."""

from __future__ import annotations

import pytest
from textual import events

from app.domain.clock import FakeClock
from tests.ui.helpers import START, make_app, settle, wait_ready
from tests.ui.test_postmortem_flow import resolved_incident, saved, stored
from tests.ui.test_story_flow import published_postmortem
from widgets.list_editor import ListEditor

SIZE = (120, 40)
APP_LETTERS = "linqmw"  # library, board, (declare on the board), quit, matrix, week
# Presses of F8 from the summary to reach each list section, and Tab from its first field.
LIST_SECTIONS = {
    "timeline": (2, 0, "at"),
    "whys": (3, 1, "why"),
    "factors": (4, 0, "text"),
    "actions": (9, 0, "title"),
}


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")


async def open_postmortem(app, pilot) -> None:
    await wait_ready(app, pilot)
    await pilot.press("p")
    await settle(app, pilot)
    assert app.screen.name == "postmortem"


async def to_list(app, pilot, name: str) -> ListEditor:
    steps, tabs, _first = LIST_SECTIONS[name]
    for _ in range(steps):
        await pilot.press("f8")
    for _ in range(tabs):
        await pilot.press("tab")
    await pilot.pause()
    editor = app.screen.query_one(f"#pm-{name}", ListEditor)
    assert app.screen.focused is editor.table, "the list's table has the focus"
    return editor


async def press_one_at_a_time(pilot, text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)
        await pilot.pause()


async def press_in_one_burst(app, pilot, text: str) -> None:
    """Every key queued before the first is handled, as when a user types fast."""
    for character in text:
        app.post_message(events.Key("space" if character == " " else character, character))
    await settle(app, pilot)


def field(app, editor: ListEditor, attr: str):
    return app.screen.query_one(f"#{editor.id}-{attr}")


@pytest.mark.parametrize("typing", ["one_at_a_time", "burst"])
async def test_typing_on_the_empty_action_list_starts_an_action(tmp_path, typing):
    clock, code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_postmortem(app, pilot)
        editor = await to_list(app, pilot, "actions")
        if typing == "burst":
            await press_in_one_burst(app, pilot, "add lint")
        else:
            await press_one_at_a_time(pilot, "add lint")
        assert app.screen.name == "postmortem", "the library (l) or the board (i) took over"
        assert [item.title for item in editor.items] == ["add lint"]
        assert app.screen.focused is field(app, editor, "title")
        await saved(app, pilot)
    assert [a.title for a in stored(tmp_path, code, "en").postmortem.actions] == ["add lint"]


@pytest.mark.parametrize("name", list(LIST_SECTIONS))
async def test_app_letters_typed_in_each_list_go_into_its_row(tmp_path, name):
    clock, _code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_postmortem(app, pilot)
        editor = await to_list(app, pilot, name)
        first = LIST_SECTIONS[name][2]
        before = [getattr(item, first) for item in editor.items]  # the timeline has rows
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert app.screen.name == "postmortem"
        after = [getattr(item, first) for item in editor.items]
        assert sorted(after) == sorted([*before, APP_LETTERS])
        # Back on the table with a row: typing starts the next row, never a command.
        while app.screen.focused is not editor.table:
            await pilot.press("shift+tab")
        await press_one_at_a_time(pilot, "q")
        assert app.screen.name == "postmortem"
        after = [getattr(item, first) for item in editor.items]
        assert sorted(after) == sorted([*before, APP_LETTERS, "q"])


async def test_app_letters_on_the_postmortem_choices_and_text_do_nothing_but_type(tmp_path):
    clock, _code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_postmortem(app, pilot)
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert app.screen.query_one("#pm-what").text == APP_LETTERS
        await pilot.press("f8", "tab", "tab")  # impact: users, duration, the SLA choice
        sla = app.screen.query_one("#pm-sla_breach")
        assert app.screen.focused is sla
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert app.screen.name == "postmortem"
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # the rail: still the form
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert app.screen.name == "postmortem"


async def test_f1_in_a_postmortem_list_shows_the_keys_that_work_there(tmp_path):
    clock, _code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_postmortem(app, pilot)
        await to_list(app, pilot, "actions")
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.name == "help"
        rows = dict(app.screen.bindings_shown)
        t = app.catalog.t
        add = next(keys for keys, action in rows.items() if action == t("binding.list_add"))
        assert "^n" in add or "ctrl+n" in add
        assert "f1" in " ".join(rows)
        shown_keys = {key.strip() for keys in rows for key in keys.split(",")}
        assert not shown_keys & set("linqmwMFCKs?"), shown_keys
        quit_keys = next(keys for keys, action in rows.items() if action == t("binding.quit"))
        assert "^q" in quit_keys or "ctrl+q" in quit_keys


@pytest.mark.parametrize("add", ["ctrl+n", "enter"])
async def test_a_new_row_left_blank_is_not_stored(tmp_path, add):
    clock, code = resolved_incident(tmp_path, "en")
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_postmortem(app, pilot)
        editor = await to_list(app, pilot, "actions")
        await pilot.press(add)
        await pilot.pause()
        assert len(editor.items) == 1
        assert app.screen.focused is field(app, editor, "title")
        await pilot.press("f7")  # moved away from the blank row
        await pilot.pause()
        assert editor.items == []
        await press_one_at_a_time(pilot, "x")  # a change elsewhere is saved
        await saved(app, pilot)
    assert stored(tmp_path, code, "en").postmortem.actions == []


async def test_app_letters_in_the_declare_dialog_are_typed(tmp_path):
    app = make_app(tmp_path, lang="en", clock=FakeClock(START))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert dialog.query_one("#declare-title").value == APP_LETTERS
        for _ in range(6):  # every field of the dialog, its choices too
            await pilot.press("tab")
            await press_one_at_a_time(pilot, APP_LETTERS)
            assert app.screen is dialog
        commander = dialog.query_one("#declare-commander")
        assert APP_LETTERS in commander.value


async def test_app_letters_in_the_story_editor_are_typed(tmp_path):
    clock = FakeClock(START)
    published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.name == "story-editor"
        title = app.screen.query_one("#story-title")
        await pilot.press("end")
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert title.value.endswith(APP_LETTERS)
        await pilot.press("tab")  # the kind of story: a choice
        assert app.screen.focused is app.screen.query_one("#story-kind")
        await press_one_at_a_time(pilot, APP_LETTERS)
        assert app.screen.name == "story-editor"
