"""A big library through the real app: it opens on its first 200 rows while saying how many
stories there are, draws and reads more as the cursor comes near the last row, and a filter
(which needs them all) reads the whole library."""

from __future__ import annotations

from app.domain.clock import FakeClock
from app.domain.story.model import Story, to_document
from app.services.library.exchange import EXPORT_FORMAT, EXPORT_VERSION, LibraryExchange
from app.services.library.stories import StoryService
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready, wait_until

STORIES = 450


def big_library(tmp_path) -> None:
    """The starter stories and 450 more, brought in as a library export would be."""
    database = Database.open(make_settings(tmp_path).db_url)
    clock = FakeClock(START)
    StoryService(database, clock).ensure_starters()
    stories = [
        Story(
            key=f"many/{number}",
            lang="en",
            title=f"Story {number:03d}",
            kind="near_miss" if number % 10 == 0 else "recent",
            status="published",
            occurred_on=f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}",
        )
        for number in range(STORIES)
    ]
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "stories": [to_document(story) for story in stories],
    }
    LibraryExchange(database, clock).import_document(document, "t")
    database.close()


def published_elsewhere(tmp_path, key: str, title: str) -> None:
    """A story published by another laptop, unannounced: the newest in the library."""
    database = Database.open(make_settings(tmp_path).db_url)
    story = Story(key=key, lang="en", title=title, status="published", occurred_on="2026-11-30")
    StoryService(database, FakeClock(START)).create(story, "haruto")
    database.close()


async def open_library(app, pilot):
    """The library screen, from the board, with its first page read; its table."""
    await wait_ready(app, pilot)
    await pilot.press("l")
    await settle(app, pilot)
    return app.screen.query_one("#library-table")


async def filtered(app, pilot, count: str) -> None:
    """Until the library says how many stories the filter kept (it reads every page first)."""
    await wait_until(
        pilot,
        lambda: text_of(app, "#library-count") == count,
        what=f"the library to count {count!r}",
    )
    await settle(app, pilot)


async def searched(app, pilot, query: str) -> None:
    """Until the library shows the answer to this query (it searches after a typing pause)."""
    await wait_until(
        pilot,
        lambda: app.screen.current_query == query,
        what=f"the library to show the results for {query!r}",
    )
    await settle(app, pilot)


async def test_a_big_library_opens_on_a_page_and_reads_on(tmp_path):
    big_library(tmp_path)
    app = make_app(tmp_path, clock=FakeClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_library(app, pilot)
        assert table.row_count == 200
        assert text_of(app, "#library-count") == "456 of 456 stories"
        table.focus()
        for expected in (400, 456):
            await pilot.press("ctrl+end")  # the last row drawn: the next page is read and drawn
            await settle(app, pilot)
            assert table.row_count == expected
        keys = [str(key.value) for key in table.rows]
        assert len(set(keys)) == 456  # nothing read twice
        app.screen.query_one("#filter-kind").value = "near_miss"
        await filtered(app, pilot, "46 of 456 stories")
        assert table.row_count == 46  # 45 of these and one starter story
        assert text_of(app, "#library-count") == "46 of 456 stories"


async def test_a_search_and_a_filter_read_a_page_at_a_time(tmp_path):
    big_library(tmp_path)
    app = make_app(tmp_path, clock=FakeClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_library(app, pilot)
        app.screen.query_one("#filter-kind").value = "near_miss"  # only 200 read so far
        await filtered(app, pilot, "46 of 456 stories")
        assert table.row_count == 46  # the filter read the library on, a page at a time
        assert text_of(app, "#library-count") == "46 of 456 stories"
        app.screen.query_one("#filter-kind").clear()

        await pilot.press(*"story 12")  # fewer than a page: all of them, counted
        await searched(app, pilot, "story 12")
        expected = [s.key for s in app.services.stories.search("story 12", "en")]
        assert 10 < len(expected) < 200
        assert [str(key.value) for key in table.rows] == expected
        assert text_of(app, "#library-count") == f"{len(expected)} of 456 stories"
        for _ in range(8):
            await pilot.press("backspace")
        await pilot.press(*"story")  # more than a page: a page, then more on demand
        await searched(app, pilot, "story")
        expected = [s.key for s in app.services.stories.search("story", "en")]
        assert len(expected) > 400
        assert [str(key.value) for key in table.rows] == expected[:200]
        assert text_of(app, "#library-count") == ("200+ of 456 stories (more as you scroll)")
        table.focus()
        for shown in (400, len(expected)):
            await pilot.press("ctrl+end")
            await settle(app, pilot)
            assert table.row_count == shown
        assert [str(key.value) for key in table.rows] == expected
        assert text_of(app, "#library-count") == f"{len(expected)} of 456 stories"


async def test_the_library_opens_on_the_page_read_in_the_background_then_reads_it_again(
    tmp_path,
):
    """A moment after start-up the first page is read in the background, so `l` shows rows
    at once; the screen reads the page again as it opens, so a story published meanwhile
    (by another laptop, unannounced) is there too, and an unchanged page keeps the cursor."""
    big_library(tmp_path)
    app = make_app(tmp_path, clock=FakeClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        app.library_preview.read(app)
        await settle(app, pilot)
        preview = app.library_preview.for_lang(app.catalog.lang)
        assert preview is not None and len(preview[0]) == 200 and preview[1] == 456
        published_elsewhere(tmp_path, "news/0", "Published elsewhere")
        await pilot.press("l")
        screen = app.screen
        assert screen._preview == preview  # opened on what was read in the background
        await settle(app, pilot)
        table = screen.query_one("#library-table")
        assert table.get_row_at(0)[3].plain == "Published elsewhere"
        assert text_of(app, "#library-count") == "457 of 457 stories"
        table.focus()
        await pilot.press("down", "down")
        screen.reload()  # read again, unchanged: the cursor stays on its row
        await settle(app, pilot)
        assert table.cursor_row == 2


async def test_the_library_is_kept_with_its_search_and_read_again_when_it_comes_back(tmp_path):
    """`l` a second time shows the same library screen (composing it again was most of the
    wait under load), its search as it was left, read again: a story published meanwhile by
    another laptop is among the results."""
    big_library(tmp_path)
    app = make_app(tmp_path, clock=FakeClock(START))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_library(app, pilot)
        library = app.screen
        await pilot.press(*"story 12")
        await searched(app, pilot, "story 12")
        before = library.query_one("#library-table").row_count
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not library, what="the board")
        published_elsewhere(tmp_path, "news/12", "Story 12 told elsewhere")
        await pilot.press("l")
        assert app.screen is library
        assert library.query_one("#library-search").value == "story 12"
        table = library.query_one("#library-table")
        await wait_until(
            pilot,
            lambda: table.row_count == before + 1,
            what="the kept library to read its search again",
        )
        assert "news/12" in [str(key.value) for key in table.rows]
