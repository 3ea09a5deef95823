"""Kiosk mode: the cart's screen. The story of the week in calm type, then its highlight, its
prompt cards, recent near misses, the follow-ups of past stories and the severity matrix, one
slide every N seconds, in one language or cycling through several.

Locked: every key goes to the unlock sequence and nothing else (the app refuses every action
while the kiosk is up). The kiosk reads the stories in a worker through the app's one connection
(opening it if the kiosk came first); when the database goes away it keeps showing what it has,
says it is reconnecting, and tries again with growing pauses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from app.domain.clock import Clock
from app.domain.i18n import Catalog
from app.domain.kiosk_playlist import (
    KioskContent,
    Playlist,
    SlideText,
    UnlockSequence,
    paginate,
    retry_after,
    seconds_until,
    slide_text,
)
from app.domain.text_layout import wrap
from widgets.kiosk_slide import KioskSlide

if TYPE_CHECKING:
    from app.services.bundle import Services

LANGUAGE_NAMES = {"ko": "한국어", "ja": "日本語", "en": "English"}


@dataclass(frozen=True)
class KioskOptions:
    languages: tuple[str, ...]
    seconds: int
    unlock: tuple[str, ...]
    policy: object  # app.domain.policy.Policy shown on the matrix slide


class KioskScreen(Screen):
    class Unlocked(Message):
        """The unlock sequence was typed."""

    class Loaded(Message):
        def __init__(self, contents: dict[str, KioskContent]) -> None:
            super().__init__()
            self.contents = contents

    class Unavailable(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def __init__(
        self, options: KioskOptions, clock: Clock, connect: Callable[[], Services]
    ) -> None:
        """`connect` returns the app's services, opening the database on first use; it raises
        while the database is away."""
        super().__init__(name="kiosk")
        self.options = options
        self.connect = connect
        self.clock = clock
        self.playlist = Playlist(options.languages, options.seconds)
        self.unlock = UnlockSequence(options.unlock)
        self.contents: dict[str, KioskContent] = {}
        self.failures = 0
        self.retry_at = None
        # Not `loading`: that is Widget's reactive which covers the screen with a spinner.
        self.reading = False
        self.problem = ""
        self.pages = 1

    def compose(self) -> ComposeResult:
        yield KioskSlide(id="kiosk-page")
        yield Static(id="kiosk-status")

    def on_mount(self) -> None:
        self._show_waiting()
        self.load()
        self.set_interval(0.5, self.tick)

    # -- keys: all of them go to the unlock sequence ------------------------------------------

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if self.unlock.feed(event.key):
            self.post_message(self.Unlocked())

    # -- time ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Called twice a second: moves on when a deadline has passed (deadlines are stored,
        so a FakeClock drives this in tests)."""
        now = self.clock.now()
        if self.retry_at is not None and now >= self.retry_at and not self.reading:
            self.retry_at = None
            self.load()
        if self.contents and self.playlist.due(now):
            finished_pass = self.playlist.advance(now, self.pages)
            self.render_slide()
            if finished_pass and not self.reading and self.retry_at is None:
                self.load()  # new stories, a new week, edited follow-ups
        if self.problem:
            self._show_status()

    # -- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        self.reading = True
        self._load()

    @work(thread=True, group="kiosk", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        # A kiosk runs for weeks: any failure here is a database that went away, shown as
        # "reconnecting" and tried again; it must never end the app or show a traceback.
        try:
            contents = self._read()
        except Exception as error:
            self.post_message(self.Unavailable(str(error).splitlines()[0] if str(error) else ""))
            return
        self.post_message(self.Loaded(contents))

    def _read(self) -> dict[str, KioskContent]:
        from app.domain.kiosk_playlist import load_content
        from app.domain.metrics import period_bounds

        services = self.connect()
        now = self.clock.now().astimezone()
        policy = self.options.policy
        quarter = (
            services.metrics.report(policy, *period_bounds("quarter", now)) if policy else None
        )
        return {
            lang: load_content(services.stories, services.week, policy, lang, now.date(), quarter)
            for lang in self.options.languages
        }

    def on_kiosk_screen_loaded(self, message: Loaded) -> None:
        self.reading = False
        self.failures, self.problem, self.retry_at = 0, "", None
        first = not self.contents
        self.contents = message.contents
        for lang, content in message.contents.items():
            self.playlist.set_slides(lang, content.slides())
        if first:
            self.playlist.start(self.clock.now())
        self.render_slide()

    def on_kiosk_screen_unavailable(self, message: Unavailable) -> None:
        self.reading = False
        self.failures += 1
        self.problem = message.problem or "unavailable"
        self.retry_at = self.clock.now() + timedelta(seconds=retry_after(self.failures))
        if not self.contents:
            self._show_waiting()
        self._show_status()

    # -- drawing ------------------------------------------------------------------------------

    def on_resize(self, _event: events.Resize) -> None:
        if self.contents:
            self.render_slide()

    def render_slide(self) -> None:
        content = self.contents.get(self.playlist.lang)
        if content is None:
            return
        slide = slide_text(content, self.playlist.slide)
        if slide.diagrams:  # a diagram a page
            self.pages = len(slide.diagrams)
            shown = slide.diagrams[min(self.playlist.page, self.pages - 1)]
            self.query_one(KioskSlide).show(slide, [], shown)
            self._show_status()
            return
        width, height = self._body_size(slide)
        pages = paginate(slide.body, width, height) if slide.body else [[]]
        self.pages = len(pages)
        lines = pages[min(self.playlist.page, len(pages) - 1)]
        self.query_one(KioskSlide).show(slide, lines)
        self._show_status()

    def _body_size(self, slide) -> tuple[int, int]:
        """The body's width and the lines it can show: the page's height less the heading,
        the title and the note as they will wrap (a guess too generous hid the last lines of
        every page, so a sentence fell between two pages)."""
        page = self.query_one(KioskSlide)
        width = page.content_size.width or self.size.width - 8
        height = page.content_size.height or self.size.height - 4
        used = len(wrap(slide.heading, width)) + len(wrap(slide.title, width)) + 2
        if slide.note:
            used += 1 + len(wrap(slide.note, width))
        return width, max(3, height - used)

    def _show_waiting(self) -> None:
        t = Catalog(self.playlist.lang).t
        self.query_one(KioskSlide).show(SlideText(t("kiosk.week"), t("kiosk.loading")), [])

    def _show_status(self) -> None:
        t = Catalog(self.playlist.lang).t
        slides = self.playlist.slides()
        dots = " ".join("●" if kind == self.playlist.slide else "○" for kind in slides)
        parts = [dots]
        if len(self.options.languages) > 1:
            parts.append(LANGUAGE_NAMES[self.playlist.lang])
        if self.problem:
            now = self.clock.now()
            seconds = seconds_until(self.retry_at, now) if self.retry_at is not None else 0
            parts.append(t("kiosk.reconnecting", seconds=seconds))
        self.query_one("#kiosk-status", Static).update(Content("   ".join(parts)))
