"""The starter library shipped with the app (assets/stories/starter)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from app.domain.story.model import Story, from_document


@cache
def starter_stories() -> tuple[Story, ...]:
    """The example stories shipped in assets/stories/starter: one file per story, a table per
    language; the translations share a group."""
    folder = resources.files("assets") / "stories" / "starter"
    stories = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        document = tomllib.loads(entry.read_text("utf-8"))
        shared = {k: v for k, v in document.items() if not isinstance(v, dict)}
        for lang in ("en", "ko", "ja"):
            text = dict(document[lang])
            text["narrative"] = text["narrative"].strip()
            stories.append(
                from_document(
                    {
                        **shared,
                        **text,
                        "key": f"{shared['group']}/{lang}",
                        "lang": lang,
                        "status": "published",
                        "example": True,
                    }
                )
            )
    return tuple(stories)
