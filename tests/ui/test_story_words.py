"""The story editor speaks the reader's language (issue 31): built-in themes are shown by their
names (알림 피로, not alert_fatigue) in the label and the field, and what the author types — a
name in any language, a key, or a theme of their own — is stored as the theme's key."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from app.domain.clock import FakeClock
from tests.ui.helpers import START, make_app, settle, wait_ready, wait_until
from tests.ui.test_story_flow import published_postmortem

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")


async def test_the_story_editor_shows_theme_names_and_stores_their_keys(tmp_path):
    clock = FakeClock(START)
    published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        for key in ("p", "s"):
            await pilot.press(key)
            await settle(app, pilot)
        editor = app.screen
        assert editor.name == "story-editor"
        label = " ".join(str(label.render()) for label in editor.query(".pm-label"))
        assert "알림 피로" in label and "alert_fatigue" not in label
        field = editor.query_one("#story-themes", Input)
        stored = app.services.stories.view(editor.story.key).story.themes
        assert "dependency_traps" in stored  # the certificate: suggested by the draft
        assert "의존성의 함정" in field.value and "dependency_traps" not in field.value
        field.focus()
        await pilot.press(
            "ctrl+a", "ctrl+k", *"알림 피로, rollout_failure, capacity AND load, 우리 팀 테마"
        )
        clock.advance(2)
        await wait_until(
            pilot,
            lambda: app.services.stories.view(editor.story.key).version > 1,
            what="the story's autosave",
        )
        await settle(app, pilot)
        themes = app.services.stories.view(editor.story.key).story.themes
        assert themes == ["alert_fatigue", "rollout_failure", "capacity", "우리 팀 테마"]
