"""Kiosk mode through the real app with Pilot and a FakeClock: the playlist rotates on time and
cycles languages, every key is locked until the unlock sequence, new stories appear without a
restart, and a database that goes away shows "reconnecting" and comes back."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from app.domain.clock import FakeClock
from app.domain.story.model import Story
from app.services.library.stories import StoryService
from app.tui import StoryCartApp
from screens.kiosk import KioskScreen
from storage.database import Database
from tests.conftest import make_settings
from tests.pg_server import PostgresServer
from tests.ui.helpers import START, palette_hit, settle, text_of, wait_ready, wait_until

SIZE = (110, 36)
KO_WEEK = "건강해 보였던 카나리"  # the newest starter story is featured first
KO_SLIDES = ["story", "highlight", "prompts", "near_misses", "follow_ups", "matrix"]


def kiosk_app(tmp_path, lang="ko", clock=None, languages=(), db=None) -> StoryCartApp:
    settings = make_settings(tmp_path, lang=lang).with_overrides(
        kiosk_languages=languages, kiosk_seconds=20, **({"db_url": db} if db else {})
    )
    return StoryCartApp(
        settings, clock=clock or FakeClock(START), start_scheduler=False, kiosk=True
    )


async def shown(app, pilot) -> KioskScreen:
    """Until the kiosk has loaded its stories."""

    def loaded() -> bool:
        screen = app.screen
        return isinstance(screen, KioskScreen) and bool(screen.contents) and not screen.reading

    await wait_until(pilot, loaded, what="the kiosk to show its stories")
    await pilot.pause()
    return app.screen


async def next_slide(app, pilot, clock: FakeClock, seconds: float = 20) -> KioskScreen:
    clock.advance(seconds)
    app.screen.tick()
    await settle(app, pilot)
    return app.screen


def slide(app) -> tuple[str, str, str]:
    return (
        text_of(app, "#kiosk-heading"),
        text_of(app, "#kiosk-title"),
        text_of(app, "#kiosk-body") if app.screen.query_one("#kiosk-body").display else "",
    )


def blocks(app) -> list[str]:
    return [b.render().plain for b in app.screen.query(".kiosk-block") if b.display]


async def test_playlist_rotates_on_the_clock_and_cycles_languages(tmp_path):
    clock = FakeClock(START)
    app = kiosk_app(tmp_path, clock=clock, languages=("ko", "ja", "en"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(app, pilot)
        heading, title, body = slide(app)
        assert heading == "이번 주의 스토리 · 2026-12-08까지"
        assert title == KO_WEEK
        assert "무슨 일이 있었나" in body
        assert text_of(app, "#kiosk-status").startswith("● ○ ○ ○ ○ ○")
        # Before its 20 seconds are up the slide stays.
        await next_slide(app, pilot, clock, 19)
        assert screen.playlist.slide == "story" and slide(app)[1] == KO_WEEK
        seen = []
        for _ in range(len(KO_SLIDES)):
            seen.append((screen.playlist.slide, slide(app)[0]))
            pages = screen.pages
            await next_slide(app, pilot, clock, 1 if not seen[1:] else 20)
            for _ in range(pages - 1):  # a long story turns its pages first
                await next_slide(app, pilot, clock)
        assert [kind for kind, _ in seen] == KO_SLIDES
        assert [h for _, h in seen][1:] == [
            "하이라이트",
            "함께 이야기해 봐요",
            "아차 사고",
            "후속 조치 점검",
            "심각도 매트릭스",
        ]
        # After the Korean pass, the same playlist in Japanese, then English.
        assert screen.playlist.lang == "ja"
        assert slide(app)[1] == "健康そうに見えたカナリア"
        assert "日本語" in text_of(app, "#kiosk-status")
        while screen.playlist.lang == "ja":
            await next_slide(app, pilot, clock)
        assert slide(app)[0].startswith("Story of the week")
        assert screen.playlist.slide == "story"


async def test_slides_show_prompts_near_misses_follow_ups_and_the_matrix(tmp_path):
    clock = FakeClock(START)
    app = kiosk_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(app, pilot)
        contents = {}
        while True:
            contents[screen.playlist.slide] = (slide(app), blocks(app))
            await next_slide(app, pilot, clock)
            if screen.playlist.slide == "story" and screen.playlist.page == 0:
                break
        assert contents["highlight"][0][2].startswith("カナリアはエラー0件と報告しながら")
        prompts = contents["prompts"][1]
        assert 1 <= len(prompts) <= 4 and all(p[:1].isdigit() for p in prompts)
        near = contents["near_misses"][1]
        assert any("3週間空だったバックアップ" in item for item in near)
        follow = "\n".join(contents["follow_ups"][1])
        assert "完了" in follow and "期限切れ" in follow
        matrix = "\n".join(contents["matrix"][1])
        assert "SEV-1" in matrix and "SEV-4" in matrix and "直ちに対応" in matrix


async def test_keys_are_locked_until_the_unlock_sequence(tmp_path):
    app = kiosk_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await shown(app, pilot)
        # Declare, library, week, matrix, help, palette, quit, back: nothing happens.
        await pilot.press(
            "d",
            "l",
            "w",
            "m",
            "question_mark",
            "ctrl+p",
            "q",
            "ctrl+q",
            "ctrl+c",
            "escape",
            "n",
            "f",
            "K",
        )
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, KioskScreen)
        assert not CommandPalette.is_open(app)
        assert len(app.screen_stack) == 2  # the board under the kiosk, no dialog
        # Every key of the sequence, but not in its order: still locked.
        await pilot.press("ctrl+k", *"nulock", *"unlcok", "k", "ctrl+k")
        await settle(app, pilot)
        assert isinstance(app.screen, KioskScreen) and app.kiosk_locked
        # Half the sequence, a wrong key, then the whole sequence: unlocked.
        await pilot.press("ctrl+k", "u", "n", "x", "ctrl+k", *"unloc")
        assert isinstance(app.screen, KioskScreen)
        await pilot.press("k")
        await wait_ready(app, pilot)
        assert app.screen.name != "kiosk" and not app.kiosk_locked
        assert text_of(app, "#screen-title")  # the board, with its database opened now
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.name == "library"


async def test_kiosk_from_the_palette_and_a_configured_unlock(tmp_path):
    settings = make_settings(tmp_path, lang="en").with_overrides(kiosk_unlock=("f9", "o", "k"))
    app = StoryCartApp(settings, clock=FakeClock(START), start_scheduler=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("ctrl+p", *"Kiosk mode")
        await wait_until(pilot, palette_hit(app, "Kiosk mode"), what="the kiosk's hit")
        await pilot.press("enter")
        screen = await shown(app, pilot)
        assert slide(app)[1] == "The canary that looked healthy"
        await pilot.press("ctrl+k", *"unlock")  # the default sequence no longer opens it
        assert app.screen is screen
        await pilot.press("f9", "o", "k")
        await settle(app, pilot)
        assert app.screen.name != "kiosk"
        assert app.is_running


async def test_new_stories_appear_without_a_restart(tmp_path):
    clock = FakeClock(START)
    app = kiosk_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(app, pilot)
        database = Database.open(make_settings(tmp_path).db_url)
        try:
            stories = StoryService(database, clock)
            story = Story(
                key="near-miss-cron",
                lang="en",
                title="The cron job that nearly deleted logs",
                kind="near_miss",
                occurred_on="2026-11-20",
                highlight="A dry run showed it would have deleted a month of audit logs.",
                narrative="It did not happen.",
                prompts=["What else runs unattended?"],
            )
            view = stories.create(story, "민지")
            stories.publish(view.story, view.version, "민지")
        finally:
            database.close()
        near = []
        for _ in range(3 * len(KO_SLIDES)):
            await next_slide(app, pilot, clock)
            if screen.playlist.slide == "near_misses":
                near = blocks(app)
                if "cron" in "".join(near):
                    break
        assert near[0].startswith("2026-11-20 · The cron job that nearly deleted logs")
        assert "a month of audit logs" in near[0]


@pytest.fixture(scope="module")
def own_postgres():
    """A server of its own: this test stops and restarts it."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


async def test_database_away_shows_reconnecting_and_recovers(tmp_path, own_postgres):
    clock = FakeClock(START)
    url = own_postgres.fresh_database()
    app = kiosk_app(tmp_path, lang="ko", clock=clock, db=url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(app, pilot)
        own_postgres.pause()
        try:
            while screen.playlist.passes == 0:  # the pass ends: the kiosk reloads and fails
                await next_slide(app, pilot, clock)
            await settle(app, pilot)
            status = text_of(app, "#kiosk-status")
            assert "데이터베이스에 다시 연결하는 중… 5초 후 재시도" in status
            assert slide(app)[1] == KO_WEEK  # what it had stays on screen
            await next_slide(app, pilot, clock, 5)  # tries again and fails again: longer pause
            await settle(app, pilot)
            assert "10초 후 재시도" in text_of(app, "#kiosk-status")
            rotations = screen.playlist.rotations
            await next_slide(app, pilot, clock, 20)
            assert screen.playlist.rotations == rotations + 1  # still rotating
            assert "20초 후 재시도" in text_of(app, "#kiosk-status")
        finally:
            own_postgres.resume()
        await next_slide(app, pilot, clock, 20)
        await settle(app, pilot)
        assert screen.problem == ""
        assert "다시 연결" not in text_of(app, "#kiosk-status")
        assert app.is_running and isinstance(app.screen, KioskScreen)


async def test_kiosk_starts_while_the_database_is_away(tmp_path, own_postgres):
    clock = FakeClock(START)
    url = own_postgres.fresh_database()
    own_postgres.pause()
    try:
        app = kiosk_app(tmp_path, lang="ja", clock=clock, db=url)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.screen.problem, what="the kiosk's problem line")
            assert text_of(app, "#kiosk-title") == "カートを読み込んでいます…"
            assert "データベースに再接続しています" in text_of(app, "#kiosk-status")
            own_postgres.resume()
            await next_slide(app, pilot, clock, 5)
            screen = await shown(app, pilot)
            assert slide(app)[1] == "健康そうに見えたカナリア"
            assert screen.problem == ""
    finally:
        if not _running(own_postgres):
            own_postgres.resume()


def _running(server: PostgresServer) -> bool:
    return (server.data / "postmaster.pid").exists()


@pytest.mark.parametrize("lang", ["ko", "ja", "en"])
async def test_at_80x24_every_line_of_the_story_is_on_some_page(tmp_path, lang):
    """Each page shows all of its lines, and the pages together are the whole story."""
    from app.domain.kiosk_playlist import paginate, slide_text

    clock = FakeClock(START)
    app = kiosk_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown(app, pilot)
        assert screen.playlist.slide == "story"
        body = screen.query_one("#kiosk-body")
        shown_lines = []
        for page in range(screen.pages):
            lines = text_of(app, "#kiosk-body").split("\n")
            assert len(lines) <= body.content_size.height, (page, lines, body.content_size)
            assert body.region.bottom <= screen.query_one("#kiosk-note").region.y
            shown_lines += [line for line in lines if line]
            if page < screen.pages - 1:
                await next_slide(app, pilot, clock)
        story = slide_text(screen.contents[lang], "story")
        every_line = paginate(story.body, body.content_size.width, 10_000)[0]
        assert shown_lines == [line for line in every_line if line]


async def test_the_quarters_figures_have_a_slide_of_their_own(tmp_path):
    from tests.ui.test_metrics_flow import history

    clock = FakeClock(START)
    history(tmp_path, clock, "ko")  # three SEV-1s this quarter: 25, 40 and 100 minutes
    app = kiosk_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await shown(app, pilot)
        assert "metrics" in screen.playlist.slides()
        while screen.playlist.slide != "metrics":
            await next_slide(app, pilot, clock)
        heading, title, _body = slide(app)
        assert (heading, title) == ("이번 분기", "2026-10-01 – 2026-12-31 · 인시던트 3건")
        shown_blocks = "\n".join(blocks(app))
        assert "SEV-1: 인시던트 3건" in shown_blocks
        assert "해결 시간: 중앙값 40m (목표 1h) · 달성 2/3 (67%)" in shown_blocks
        assert "후속 조치: 1건, 완료 0건 (0%), 기한 초과 1건" in shown_blocks
