"""The refusal every story check raises (its own module so the story's parts can raise it)."""

from __future__ import annotations

from app.domain.i18n import KeyedRefusal


class StoryError(KeyedRefusal):
    """A value or a change that cannot be accepted; str() is one sentence in English."""
