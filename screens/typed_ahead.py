"""Keys typed ahead take their turn: each key goes to the widget that has focus when the key
before it has been fully handled, not when it arrived.

Textual forwards every key to the focused widget as soon as the App reads it. A burst (a fast
typist, `tmux send-keys`, a slow SSH link) therefore lands in one widget's queue before a Tab
among them has moved the focus: "Rolled back<Tab>Pool size" became one line in one box. Here a
key that arrives while an earlier one is still on its way is held, and a marker message follows
each key through the same widgets (it is queued behind the key at every level, because the key
bubbles first); when the marker reaches the App the key's turn is over and the next one goes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

# A marker cannot follow its key into a widget that is removed while handling it; a new screen
# (the usual cause) sends a fresh marker, and this bounds anything else.
GIVE_UP_AFTER = 0.5


class KeyTurnEnded(Message):
    """Follows a key up through the widgets that handled it; reaching the App ends its turn."""

    def __init__(self, turn: int) -> None:
        super().__init__()
        self.turn = turn


class TypedAhead:
    """Holds the keys (and pastes) that arrive while an earlier key is still being handled."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._held: deque[events.Key | events.Paste] = deque()
        self._turn = 0
        self._busy = False
        self._give_up: Timer | None = None

    def start(self) -> None:
        """Once the App runs: a screen pushed or popped by a key sends that key's marker again
        through the new screen, whose own setup (focus included) then comes first."""
        self._app.screen_change_signal.subscribe(self._app, self._follow_screen, immediate=True)

    async def take(self, event: events.Event, handle: Callable[[events.Event], Awaitable]) -> None:
        """The App's on_event: a key it reads from the terminal is handled (`handle`: Textual's
        own on_event) only when the keys before it have been."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            await handle(event)
        elif self._busy:
            self._held.append(event)
        else:
            await handle(event)
            self._dispatched()

    def _dispatched(self) -> None:
        self._turn += 1
        self._busy = True
        self._give_up = self._app.set_timer(GIVE_UP_AFTER, self._end_turn)
        self._send_marker(self._app.focused or self._app.screen)

    async def marker_arrived(self, marker: KeyTurnEnded) -> None:
        if marker.turn == self._turn and self._busy:
            await self._end_turn()

    def _send_marker(self, target: Screen | object) -> None:
        if not target.post_message(KeyTurnEnded(self._turn)):
            self._app.call_next(self._end_turn)

    def _follow_screen(self, screen: Screen) -> None:
        if self._busy:
            self._send_marker(screen)

    async def _end_turn(self) -> None:
        if not self._busy:
            return
        self._busy = False
        if self._give_up is not None:
            self._give_up.stop()
            self._give_up = None
        if self._held:
            await self._app.on_event(self._held.popleft())
