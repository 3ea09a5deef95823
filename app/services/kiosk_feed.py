"""The served kiosk's playlist: one for every browser watching (the TVs on a cart show the same
slide), read from the database in a thread of its own and read again after every pass, moved on
by its stored deadlines against the injected clock whenever a page asks what to show. While the
database is away it keeps showing what it has and says it reconnects, trying again after 5, 10,
20, 40, 60 s — as the kiosk in a terminal does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from app.domain.clock import Clock
from app.domain.i18n import LANGUAGE_NAMES, Catalog
from app.domain.kiosk_playlist import (
    KioskContent,
    Playlist,
    SlideText,
    load_content,
    retry_after,
    seconds_until,
    slide_text,
)
from app.domain.kiosk_web import Showing, body_pages

if TYPE_CHECKING:
    from app.services.bundle import Services

LOADING_POLL_MS = 500  # while nothing is loaded yet the page asks again this often


def read_contents(services: Services, policy, languages, clock: Clock) -> dict:
    """Every language's content for one pass (blocking: the database)."""
    from app.domain.metrics import period_bounds

    now = clock.now().astimezone()
    quarter = services.metrics.report(policy, *period_bounds("quarter", now)) if policy else None
    return {
        lang: load_content(services.stories, services.week, policy, lang, now.date(), quarter)
        for lang in languages
    }


class KioskFeed:
    def __init__(
        self,
        connect: Callable[[], Services],
        policy,
        languages: tuple[str, ...],
        seconds: int,
        clock: Clock,
    ) -> None:
        """`connect` returns the services, opening the database on first use; it raises while
        the database is away."""
        self.connect = connect
        self.policy = policy
        self.clock = clock
        self.playlist = Playlist(languages, seconds)
        self.contents: dict[str, KioskContent] = {}
        self.failures = 0
        self.problem = ""
        self.retry_at = None
        self.reading = False
        self.pages = 1
        self._lock = threading.Lock()
        self._first_read = threading.Event()  # set once the first reading ended, either way

    # -- reading ------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin reading at once, so the first page a TV asks for already has the story."""
        with self._lock:
            self._read_in_thread()

    def wait_first_read(self, seconds: float) -> bool:
        """Until the first reading has ended (or `seconds` passed): the server listens after
        it, so the first page a TV gets has the story in it."""
        return self._first_read.wait(seconds)

    def _read_in_thread(self) -> None:  # holding the lock
        if self.reading:
            return
        self.reading = True
        threading.Thread(target=self._read, name="kiosk-feed", daemon=True).start()

    def _read(self) -> None:
        # A kiosk runs for weeks: any failure here is a database that went away.
        try:
            contents = read_contents(
                self.connect(), self.policy, self.playlist.languages, self.clock
            )
        except Exception as error:
            with self._lock:
                self.reading = False
                self.failures += 1
                self.problem = str(error).splitlines()[0] if str(error) else "unavailable"
                delay = retry_after(self.failures)
                self.retry_at = self.clock.now() + timedelta(seconds=delay)
            self._first_read.set()
            return
        with self._lock:
            self.reading = False
            self.failures, self.problem, self.retry_at = 0, "", None
            first = not self.contents
            self.contents = contents
            for lang, content in contents.items():
                self.playlist.set_slides(lang, content.slides())
            if first:
                self.playlist.start(self.clock.now())
        self._first_read.set()

    # -- what a page shows --------------------------------------------------------------------

    def showing(self) -> Showing:
        """This moment of the playlist, moving it on first if its deadline has passed."""
        with self._lock:
            now = self.clock.now()
            if self.retry_at is not None and now >= self.retry_at and not self.reading:
                self.retry_at = None
                self._read_in_thread()
            if self.contents and self.playlist.due(now):
                finished_pass = self.playlist.advance(now, self.pages)
                if finished_pass and self.retry_at is None:
                    self._read_in_thread()  # new stories, a new week, edited follow-ups
            return self._moment(now)

    def diagram_image(self, lang: str, index: int):
        """The week's story's diagram `index` in `lang` (a Diagram), or None."""
        with self._lock:
            content = self.contents.get(lang)
            diagrams = content.diagrams if content is not None else ()
            return diagrams[index][0] if 0 <= index < len(diagrams) else None

    def _moment(self, now) -> Showing:
        playlist = self.playlist
        t = Catalog(playlist.lang).t
        problem = ""
        if self.problem:
            wait = seconds_until(self.retry_at, now) if self.retry_at is not None else 0
            problem = t("kiosk.reconnecting", seconds=wait)
        language = LANGUAGE_NAMES[playlist.lang] if len(playlist.languages) > 1 else ""
        content = self.contents.get(playlist.lang)
        if content is None:
            waiting = SlideText(t("kiosk.week"), t("kiosk.loading"))
            return Showing(playlist.lang, waiting, problem=problem, next_in_ms=LOADING_POLL_MS)
        slide = slide_text(content, playlist.slide)
        dots = tuple(kind == playlist.slide for kind in playlist.slides())
        left_ms = max(0, int((playlist.next_at - now).total_seconds() * 1000))
        if problem:  # the countdown to the next try is on the page: say it every second
            left_ms = min(left_ms, 1000)
        common = dict(dots=dots, language=language, problem=problem, next_in_ms=left_ms)
        if slide.diagrams:
            self.pages = len(slide.diagrams)
            index = min(playlist.page, self.pages - 1)
            src = f"/diagram/{playlist.lang}/{index}"
            return Showing(
                playlist.lang, slide, diagram=slide.diagrams[index], diagram_src=src, **common
            )
        pages = body_pages(slide)
        self.pages = len(pages)
        lines = tuple(pages[min(playlist.page, len(pages) - 1)])
        return Showing(playlist.lang, slide, lines, **common)
