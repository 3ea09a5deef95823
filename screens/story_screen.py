"""What the library and the reader share: the actions on the story on screen (nominate, pin,
edit, translate)."""

from __future__ import annotations

from collections.abc import Iterator

from textual import work

from app.domain.i18n import LANGUAGE_NAMES, LANGUAGES
from screens import anywhere_actions
from screens.base import Command, StoryCartScreen, dialogs
from screens.story_drafting import open_editor


class StoryScreen(StoryCartScreen):
    def story_on_screen(self):
        """The story an action applies to, or None."""
        raise NotImplementedError

    def print_jobs(self) -> list:
        from screens.print_sheets import story_sheets

        story = self.story_on_screen()
        lens = getattr(
            self, "lens", "engineering"
        )  # the reader's lens; the library prints the first
        mine = story_sheets(self.catalog, story, lens) if story is not None else []
        return mine + super().print_jobs()

    def palette_commands(self) -> Iterator[Command]:
        yield from super().palette_commands()
        yield ("nominate", self.action_nominate)
        yield ("pin", self.action_pin_story)
        yield ("edit_story", self.action_edit_story)
        yield ("translate", self.action_translate_story)

    def action_nominate(self) -> None:
        story = self.story_on_screen()
        if story is not None:
            anywhere_actions.nominate(self, story.key)

    def action_pin_story(self) -> None:
        story = self.story_on_screen()
        if story is not None and self.ready_services() is not None:
            self.write_stories(
                lambda services: services.week.pin(story.key, self.host.settings.user),
                self.catalog.t("story.pinned"),
                reload=True,
            )

    def action_edit_story(self) -> None:
        story = self.story_on_screen()
        if story is not None:
            from screens.story_editor import StoryEditorScreen

            self.app.push_screen(StoryEditorScreen(self.catalog, ref=story.key))

    def action_translate_story(self) -> None:
        """Write the story on screen in another language: open its translation, or a new draft
        linked to it and prefilled with its text."""
        story = self.story_on_screen()
        if story is None or self.ready_services() is None:
            return
        options = [(LANGUAGE_NAMES[lang], lang) for lang in LANGUAGES if lang != story.lang]
        default = self.catalog.lang if self.catalog.lang != story.lang else None

        def chosen(lang: str | None) -> None:
            if lang:
                self._translate(story.key, lang)

        title = self.catalog.t("story.translate_title", title=story.title)
        self.app.push_screen(dialogs.ChoiceDialog(title, options, default), chosen)

    @work(thread=True, exit_on_error=False, group="story")
    def _translate(self, ref: str, lang: str) -> None:
        view = self.host.services.stories.translate(ref, lang, self.host.settings.user)
        self.app.call_from_thread(open_editor, self, view)
