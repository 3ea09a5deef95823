"""The app's story actions: the library, the reader, the story editor, nominations, feedback and
the cart's location. Storage work runs in thread workers that post messages back.

Kept apart from app/tui.py (like the incident actions) so the App class stays about modes, keys
and errors.
"""

from __future__ import annotations

from textual import work
from textual.message import Message

from screens.incident_actions import dialogs

LIBRARY, READER, EDITOR = "library", "reader", "story-editor"


class LibraryLoaded(Message):
    def __init__(self, query: str, items: list, total: int) -> None:
        super().__init__()
        self.query = query
        self.items = items
        self.total = total


class StoryLoaded(Message):
    def __init__(self, view, week=None, editing: bool = False) -> None:
        super().__init__()
        self.view = view
        self.week = week
        self.editing = editing


class StoryNotice(Message):
    def __init__(self, notice: str, reload: bool = False) -> None:
        super().__init__()
        self.notice = notice
        self.reload = reload


class StoryActions:
    """Mixed into StoryCartApp."""

    stories = None  # app.library.StoryService once the database is open

    def _stories_ready(self) -> bool:
        if self.stories is None:
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
            return False
        return True

    def _story_screen(self, name: str):
        return next((s for s in reversed(self.screen_stack) if s.name == name), None)

    # -- library ------------------------------------------------------------------------------

    def action_show_library(self) -> None:
        if not self._stories_ready():
            return
        if self._story_screen(LIBRARY) is not None:
            while self.screen.name != LIBRARY:
                self.pop_screen()
            return
        from screens.library import LibraryScreen

        self.action_show_board()
        self.push_screen(LibraryScreen(self.catalog))

    @work(thread=True, exit_on_error=False, group="library", exclusive=True)
    def search_library(self, query: str) -> None:
        lang = self.catalog.lang
        everything = self.stories.summaries(lang)
        found = self.stories.search(query, lang) if query.strip() else everything
        self.post_message(LibraryLoaded(query, found, len(everything)))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        screen = self._story_screen(LIBRARY)
        if screen is not None:
            screen.show(message.query, message.items, message.total)

    def action_toggle_examples(self) -> None:
        if self._stories_ready():
            screen = self._story_screen(LIBRARY)
            hide = screen is None or any(item.example for item in screen.items)
            self._hide_examples(hide)

    @work(thread=True, exit_on_error=False, group="story-write")
    def _hide_examples(self, hide: bool) -> None:
        self.stories.hide_examples(hide)
        key = "story.examples_hidden" if hide else "story.examples_shown"
        self.post_message(StoryNotice(self.catalog.t(key), reload=True))

    # -- reader -------------------------------------------------------------------------------

    def open_story(self, ref: str, editing: bool = False) -> None:
        from screens.reader import ReaderScreen
        from screens.story_editor import StoryEditorScreen

        screen = StoryEditorScreen(self.catalog) if editing else ReaderScreen(self.catalog)
        self.push_screen(screen)
        self.load_story(ref, editing)

    def action_show_week(self) -> None:
        if not self._stories_ready():
            return
        from screens.reader import ReaderScreen

        self.action_show_board()
        self.push_screen(ReaderScreen(self.catalog, week=True))
        self.load_week()

    @work(thread=True, exit_on_error=False, group="story")
    def load_week(self) -> None:
        week = self.stories.week(self.catalog.lang, self.settings.user)
        self.post_message(StoryLoaded(week.view if week else None, week))

    @work(thread=True, exit_on_error=False, group="story")
    def load_story(self, ref: str, editing: bool = False) -> None:
        lang = None if editing else self.catalog.lang
        self.post_message(StoryLoaded(self.stories.view(ref, lang), editing=editing))

    def on_story_loaded(self, message: StoryLoaded) -> None:
        name = EDITOR if message.editing else READER
        screen = self._story_screen(name)
        if screen is not None:
            screen.show(message.view, message.week)

    def reader_story(self):
        screen = self.screen
        if screen.name == READER and screen.view is not None:
            return screen.view.story
        if screen.name == LIBRARY:
            return screen.selected()
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """`s` in the postmortem wizard only once the postmortem is published (hidden before)."""
        if action == "write_story" and self.screen.name == "postmortem":
            postmortem = self.screen.postmortem
            return postmortem is not None and postmortem.status == "published"
        return super().check_action(action, parameters)

    # -- writing ------------------------------------------------------------------------------

    def action_write_story(self) -> None:
        """The story of the incident whose postmortem is on screen (or under the cursor)."""
        if not self._stories_ready():
            return
        screen = self.screen
        code = screen.code if screen.name == "postmortem" else self.target_code()
        if code:
            self._draft_story(code)

    @work(thread=True, exit_on_error=False, group="story")
    def _draft_story(self, code: str) -> None:
        view = self.stories.from_postmortem(code, self.settings.user)
        self.call_from_thread(self._open_editor, view)

    def _open_editor(self, view) -> None:
        from screens.story_editor import StoryEditorScreen

        self.push_screen(StoryEditorScreen(self.catalog, view))

    def action_edit_story(self) -> None:
        story = self.reader_story()
        if story is not None:
            self.open_story(story.key, editing=True)

    def action_translate_story(self) -> None:
        """Write the story on screen in another language: open its translation, or a new draft
        linked to it and prefilled with its text."""
        story = self.reader_story()
        if story is None or not self._stories_ready():
            return
        from app.i18n import LANGUAGE_NAMES, LANGUAGES

        options = [(LANGUAGE_NAMES[lang], lang) for lang in LANGUAGES if lang != story.lang]
        default = self.catalog.lang if self.catalog.lang != story.lang else None

        def chosen(lang: str | None) -> None:
            if lang:
                self._translate(story.key, lang)

        title = self.catalog.t("story.translate_title", title=story.title)
        self.push_screen(dialogs.ChoiceDialog(title, options, default), chosen)

    @work(thread=True, exit_on_error=False, group="story")
    def _translate(self, ref: str, lang: str) -> None:
        view = self.stories.translate(ref, lang, self.settings.user)
        self.call_from_thread(self._open_editor, view)

    @work(thread=True, exit_on_error=False, group="story-save")
    def save_story(self, screen, story, version: int, publishing: bool = False) -> None:
        save = self.stories.publish if publishing else self.stories.save
        saved = self.save_form(screen, lambda: save(story, version, self.settings.user))
        if saved is not None:
            self.call_from_thread(screen.saved, saved, publishing)

    # -- nominations, feedback, the cart, the pin ---------------------------------------------

    def action_nominate(self) -> None:
        """Nominate the story on screen, or the incident under the board's cursor ("other teams
        must know this"), for the next rotation."""
        story = self.reader_story()
        ref = story.key if story is not None else self.target_code()
        if ref is None or not self._stories_ready():
            return
        t = self.catalog.t

        def answered(reason: str | None) -> None:
            if reason:
                self._write(lambda: self.stories.nominate(ref, reason, self.settings.user),
                            t("story.nominated"))  # fmt: skip

        self.push_screen(
            dialogs.TextDialog(self.catalog, t("story.nominate_title"), "story.nominate_reason",
                               True), answered)  # fmt: skip

    def action_give_feedback(self) -> None:
        if not self._stories_ready():
            return
        t = self.catalog.t

        def answered(text: str | None) -> None:
            if text:
                self._write(lambda: self.stories.give_feedback(text, self.settings.user),
                            t("story.feedback_thanks"))  # fmt: skip

        self.push_screen(
            dialogs.TextDialog(self.catalog, t("story.feedback_title"), "story.feedback_title",
                               True), answered)  # fmt: skip

    def action_move_cart(self) -> None:
        if not self._stories_ready():
            return
        t = self.catalog.t

        def answered(place: str | None) -> None:
            if place:
                self._write(lambda: self.stories.move_cart(place, self.settings.user),
                            t("story.cart_moved", place=place))  # fmt: skip

        self.push_screen(
            dialogs.TextDialog(self.catalog, t("story.cart_title"), "story.cart_hint", True),
            answered,
        )

    def action_pin_story(self) -> None:
        story = self.reader_story()
        if story is not None and self._stories_ready():
            self._write(lambda: self.stories.pin(story.key, self.settings.user),
                        self.catalog.t("story.pinned"), reload=True)  # fmt: skip

    def action_unpin_story(self) -> None:
        if self._stories_ready():
            self._write(lambda: self.stories.unpin(self.settings.user),
                        self.catalog.t("story.unpinned"), reload=True)  # fmt: skip

    @work(thread=True, exit_on_error=False, group="story-write")
    def _write(self, change, notice: str, reload: bool = False) -> None:
        change()
        self.post_message(StoryNotice(notice, reload))

    def on_story_notice(self, message: StoryNotice) -> None:
        self.notify(message.notice, timeout=4, markup=False)
        if message.reload:
            library = self._story_screen(LIBRARY)
            if library is not None:
                self.search_library(library.current_query)
            reader = self._story_screen(READER)
            if reader is not None and reader.week_mode:
                self.load_week()
