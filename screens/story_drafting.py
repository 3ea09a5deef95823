"""Open the story editor on a draft made elsewhere: the story of an incident, drafted from its
published postmortem (`s` on the board, the incident and the postmortem), or a translation."""

from __future__ import annotations

from screens.base import StoryCartScreen


def draft_story(screen: StoryCartScreen, code: str) -> None:
    """The story of incident `code`, drafted from its published postmortem, in the editor."""

    def draft() -> None:
        view = screen.host.services.stories.from_postmortem(code, screen.host.settings.user)
        screen.app.call_from_thread(open_editor, screen, view)

    screen.run_worker(draft, thread=True, exit_on_error=False, group="story")


def open_editor(screen: StoryCartScreen, view) -> None:
    from screens.story_editor import StoryEditorScreen

    screen.app.push_screen(StoryEditorScreen(screen.catalog, view))
