from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from textual import events
from textual.command import CommandList, CommandPalette
from textual.keys import _character_to_key
from textual.worker import WorkerCancelled

from app.config import Settings
from app.domain.clock import FakeClock
from app.domain.incident import SCREEN_CHANNELS
from app.services.alert_delivery import AlertDeliverer
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.tui import StoryCartApp
from screens.board import BoardScreen
from storage.database import Database
from tests.conftest import make_settings

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def make_app(
    tmp_path: Path, lang: str = "en", clock: FakeClock | None = None, **flags
) -> StoryCartApp:
    """The real app on a SQLite file in tmp_path, with a FakeClock; escalations are swept by
    the test (sweep_now) instead of real-time APScheduler jobs."""
    return StoryCartApp(
        make_settings(tmp_path, lang=lang, **flags),
        clock=clock or FakeClock(START),
        start_scheduler=False,
    )


async def type_text(pilot, text: str) -> None:
    """Type `text` as a fast typist's burst: one key event per character, in order, with no
    wait between them (a terminal delivers typing-ahead the same way; the real-terminal test
    tests/cli/test_typed_ahead_pty.py shows the app takes it), then until the app is idle.
    Pilot's own press() waits for the app to go idle after every key: tens of milliseconds
    per character, which the suite cannot afford on every sentence it types. Keys that open
    or move between widgets (tab, enter, f-keys) still go through press()."""
    app = pilot.app
    for character in text:
        # Pilot names a character's key the same way (textual.keys has no public name for it).
        key = character if character.isalnum() else _character_to_key(character)
        app.post_message(events.Key(key, character))
    # The app hands each key to the focused widget's own queue: first until the app has handed
    # over the last one, then (pause) until the screen's widgets have taken theirs.
    handed_over = asyncio.Event()
    app.call_later(handed_over.set)
    await handed_over.wait()
    await pilot.pause()


class typed(str):
    """Text among the key names given to `keyboard`: typed as one burst (type_text)."""


async def keyboard(pilot, *steps: str) -> None:
    """Each key name pressed (Pilot.press), each `typed` text typed as a burst, in order."""
    names: list[str] = []
    for step in steps:
        if isinstance(step, typed):
            if names:
                await pilot.press(*names)
                names = []
            await type_text(pilot, step)
        else:
            names.append(step)
    if names:
        await pilot.press(*names)


def board_of(app: StoryCartApp) -> BoardScreen:
    """The board: the screen at the bottom of the stack, under whatever else is open."""
    board = app.screen_stack[0]
    assert isinstance(board, BoardScreen)
    return board


async def wait_ready(app: StoryCartApp, pilot) -> None:
    """Until the database is open, the board loaded and the start-up sweep done."""
    await wait_until(
        pilot,
        lambda: app.escalations is not None and board_of(app).loaded,
        what="the app to open its database and load the board",
    )
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot, condition: Callable[[], object], timeout: float = 30.0, what: str = "the condition"
) -> None:
    """Until `condition()` is true, letting the app run between looks (`pilot.pause()`); fails
    naming `what` after `timeout` seconds of real time. The deadline only bounds a test that
    would otherwise hang: the test passes as soon as the condition holds, however fast or slow
    the machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        await pilot.pause()


def palette_hit(app: StoryCartApp, title: str) -> Callable[[], bool]:
    """A condition for wait_until: the command palette is open and the hit it highlights (the
    one Enter runs) reads `title`."""

    def highlighted() -> bool:
        if not isinstance(app.screen, CommandPalette):
            return False
        hits = app.screen.query_one(CommandList)
        if hits.highlighted is None or hits.highlighted >= hits.option_count:
            return False
        return title in str(hits.get_option_at_index(hits.highlighted).prompt)

    return highlighted


async def settle(app: StoryCartApp, pilot) -> None:
    """Let workers finish and their messages arrive (twice: a message can start a worker)."""
    for _ in range(3):
        # A worker replaced by a newer one (an exclusive autosave) is not a failure.
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


def seed(settings: Settings, clock: FakeClock, incidents: list[dict]) -> list[str]:
    """Declare incidents before the app starts, fire what is due and deliver its screen alerts,
    so the app starts on a quiet board."""
    database = Database.open(settings.db_url)
    try:
        policies = load_policies(policy_sources(None))
        service = IncidentService(database, clock, PolicyVersions(database, clock))
        codes = []
        for spec in incidents:
            spec = dict(spec)
            policy = policies.get(spec.pop("policy", "web-service"))
            codes.append(service.declare(policy, actor=spec.pop("actor", "민지"), **spec))
        service.fire_due()
        AlertDeliverer(database, clock, channels=(*SCREEN_CHANNELS, "desktop")).deliver_pending()
        return codes
    finally:
        database.close()


def stored(tmp_path: Path, code: str):
    """Incident `code` as the app's database holds it now (after the app has closed)."""
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        clock = FakeClock(START)
        return IncidentService(database, clock, PolicyVersions(database, clock)).view(code)
    finally:
        database.close()


def text_of(app: StoryCartApp, selector: str) -> str:
    return app.screen.query_one(selector).render().plain


async def notices(app: StoryCartApp, pilot) -> list[str]:
    """The notifications on screen now, as the user reads them (the toasts' text; the test
    runs the app with run_test(notifications=True))."""
    await pilot.pause()
    return [toast.render().plain for toast in app.screen.query("Toast")]
