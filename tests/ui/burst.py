"""Keys sent the way a fast typist, tmux send-keys or a slow SSH link delivers them: all in one
burst, with no pause for the app to handle one key before the next arrives."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.keys import _character_to_key, _get_unicode_name_from_key

from tests.ui.helpers import settle


def key_event(key: str) -> events.Key:
    """The Key event Textual's own driver makes for `key` (a name like "tab" or a character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def send_burst(app, pilot, *keys: str | events.Paste) -> None:
    """Queue every key (or paste) on the app at once, then wait until the app has handled
    them all."""
    for key in keys:
        event = key if isinstance(key, events.Paste) else key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await settle(app, pilot)
    for _ in range(5):
        await pilot.pause()
