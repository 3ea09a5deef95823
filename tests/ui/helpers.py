from __future__ import annotations

from pathlib import Path

from app.clock import FakeClock
from app.tui import StoryCartApp
from tests.conftest import make_settings


def make_app(tmp_path: Path, lang: str = "en", **flags) -> StoryCartApp:
    return StoryCartApp(make_settings(tmp_path, lang=lang, **flags), clock=FakeClock())


def text_of(app: StoryCartApp, selector: str) -> str:
    return app.screen.query_one(selector).render().plain
