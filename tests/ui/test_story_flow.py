"""Stories through the real app with Pilot: the story of the week, lenses, the library searched
in Korean, nominating, feedback, and a resolved incident turned into a published story."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem, Why
from app.domain.story.model import Story
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import library_services, make_settings
from tests.ui.helpers import START, make_app, seed, settle, text_of, wait_ready, wait_until

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")


def stored(tmp_path, clock=None):
    database = Database.open(make_settings(tmp_path).db_url)
    return database, library_services(database, clock or FakeClock(START))


async def searched(app, pilot, query: str) -> None:
    """Until the library shows the answer to this query (it searches after a typing pause)."""
    await wait_until(
        pilot,
        lambda: app.screen.current_query == query,
        what=f"the library to show the results for {query!r}",
    )
    await settle(app, pilot)


def add_story(tmp_path, story: Story) -> None:
    """A story in the library before the app starts."""
    database, lib = stored(tmp_path)
    try:
        lib.stories.create(story, "Sam")
    finally:
        database.close()


async def read_story_found_by(app, pilot, query: str) -> None:
    """Open the library, search, and read the first story found."""
    await pilot.press("l")
    await settle(app, pilot)
    await pilot.press(*query)
    await searched(app, pilot, query)
    await pilot.press("enter", "enter")
    await settle(app, pilot)


async def test_week_reader_switches_lenses_and_shows_the_loop(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        assert app.screen.name == "reader"
        title = text_of(app, "#screen-title")
        assert title.startswith("이번 주의 스토리 · 2026-12-08까지 — ")
        assert "건강해 보였던 카나리" in title  # the newest starter story goes first
        assert "무슨 일이 있었나" in text_of(app, "#reader-narrative")
        assert text_of(app, "#reader-lens-title") == "관점: 엔지니어링 (l로 전환)"
        engineering = text_of(app, "#reader-lens")
        await pilot.press("l")
        assert text_of(app, "#reader-lens-title") == "관점: 프로덕트 (l로 전환)"
        assert text_of(app, "#reader-lens") != engineering
        await pilot.press("l", "l")
        assert text_of(app, "#reader-lens") == engineering
        loop = text_of(app, "#reader-loop-title")
        assert loop.endswith("완료 2 · 진행 중 0 · 기한 지남 1")  # 2026-11-01 is past
        assert "! 기한 지남: 지원 채널에 릴리스 피드" in text_of(app, "#reader-loop")
        assert "? 이 인시던트에서 우리를 가장 놀라게 한 것은" in text_of(app, "#reader-prompts")
        # Nominate it, then leave feedback, both by keyboard.
        await pilot.press("n", *"다른 팀도 알아야", "enter")
        await settle(app, pilot)
        await pilot.press("f", *"QR 코드", "enter")
        await settle(app, pilot)
    database, lib = stored(tmp_path)
    try:
        (nomination,) = lib.cart.nominations()
        assert (nomination.group_key, nomination.reason, nomination.nominated_by) == (
            "starter-friday-canary",
            "다른 팀도 알아야",
            "민지",
        )
        assert [f.text for f in lib.cart.feedback()] == ["QR 코드"]
    finally:
        database.close()


async def test_library_search_in_korean_two_characters_and_open(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.name == "library"
        assert text_of(app, "#library-count") == "스토리 6개 중 6개"
        await pilot.press(*"인증")  # two characters, as typed
        await searched(app, pilot, "인증")
        assert text_of(app, "#library-count") == "스토리 6개 중 1개"
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert app.screen.name == "reader"
        assert "주인 없는 인증서" in text_of(app, "#screen-title")
        await pilot.press("escape", "slash")
        await pilot.press("ctrl+a", "ctrl+k", *"없는말")
        await searched(app, pilot, "없는말")
        assert text_of(app, "#library-count") == "스토리 6개 중 0개 · 일치하는 스토리가 없습니다."
        await pilot.press("ctrl+a", "ctrl+k", "tab", "tab", "tab", "tab", "x")
        await settle(app, pilot)
        await settle(app, pilot)
        assert text_of(app, "#library-count").startswith("스토리 0개 중 0개")


def published_postmortem(tmp_path, clock, lang: str = "ko") -> str:
    settings = make_settings(tmp_path, lang=lang)
    (code,) = seed(settings, clock, [dict(title="결제 API 장애", severity="SEV-2")])
    database = Database.open(settings.db_url)
    try:
        clock.advance(40 * 60)
        IncidentService(database, clock, PolicyVersions(database, clock)).resolve(
            code, "민지", "롤백"
        )
        postmortems = PostmortemService(database, clock)
        draft = postmortems.open(code, lang, "민지")
        ready = replace(
            draft.postmortem,
            what="카드 결제가 40분 동안 실패했다.",
            users_affected="1200",
            root_cause="만료된 인증서",
            whys=[Why("왜?", "만료")],
            lessons="만료에는 주인이 필요하다.",
            actions=[ActionItem("갱신 자동화", "민지", "2026-12-01")],
        )
        version = postmortems.save(ready, draft.version, "민지")
        version = postmortems.set_status(code, "in_review", "민지", version).version
        postmortems.set_status(code, "published", "Alex", version)
    finally:
        database.close()
    return code


async def test_a_resolved_incident_becomes_a_published_story_found_and_featured(tmp_path):
    clock = FakeClock(START)
    code = published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "postmortem"
        assert app.screen.query_one("#pm-what").disabled  # published: read-only
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.name == "story-editor"
        narrative = app.screen.query_one("#story-narrative").text
        assert "카드 결제가 40분 동안 실패했다." in narrative
        app.screen.query_one("#story-highlight").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"인증서 하나가 결제를 멈췄다")
        await pilot.press("f9")
        await settle(app, pilot)
        assert "게시" in text_of(app, "#story-status") or app.screen.story.status == "published"
        await pilot.press("escape", "escape", "escape")
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press(*"결제를 멈")
        await searched(app, pilot, "결제를 멈")
        assert text_of(app, "#library-count") == "스토리 7개 중 1개"
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert "결제 API 장애" in text_of(app, "#screen-title")
        for lens in ("엔지니어링", "프로덕트", "지원"):
            assert lens in text_of(app, "#reader-lens-title")
            await pilot.press("l")
        await pilot.press("P")
        await settle(app, pilot)
    database, lib = stored(tmp_path, clock)
    try:
        view = lib.stories.view(f"{code}/ko")
        assert view.story.status == "published"
        assert view.story.highlight == "인증서 하나가 결제를 멈췄다"
        assert lib.week.week("ko").view.story.key == f"{code}/ko"
    finally:
        database.close()


async def test_every_text_box_of_the_story_editor_shows_its_text(tmp_path):
    clock = FakeClock(START)
    published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.screen.name == "story-editor"
        for box in app.screen.query(".story-text"):
            # Borders take two rows; a box must keep at least three rows for its text.
            assert box.size.height >= 3, f"{box.id} collapsed to {box.size.height} rows"
        narrative = app.screen.query_one("#story-narrative")
        narrative.scroll_visible(animate=False)
        await pilot.pause()
        assert "카드 결제가" in "".join(
            narrative.render_line(row).text for row in range(narrative.size.height)
        )


async def test_palette_nominates_the_incident_under_the_cursor(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(
        make_settings(tmp_path, lang="en"), clock, [dict(title="Login 502", severity="SEV-2")]
    )
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {
            "Story library",
            "Story of the week",
            "Cart feedback",
            "Move the cart",
            "Nominate this incident for the cart",
        } <= titles
        await pilot.press("ctrl+p", *"Nominate this incident", "enter")
        await settle(app, pilot)
        await pilot.press(*"support saw it first", "enter")
        await settle(app, pilot)
    database, lib = stored(tmp_path, clock)
    try:
        (nomination,) = lib.cart.nominations()
        assert (nomination.incident_code, nomination.reason) == (code, "support saw it first")
    finally:
        database.close()


async def test_opening_the_story_editor_changes_nothing_until_the_author_types(tmp_path):
    clock = FakeClock(START)
    published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        for key in ("p", "s"):
            await pilot.press(key)
            await settle(app, pilot)
        editor = app.screen
        clock.advance(1)  # past the autosave delay: nothing was typed, so nothing is saved
        editor.autosave()  # the check the editor's interval runs, run now
        await settle(app, pilot)
        status = str(editor.query_one("#story-status").render())
        assert "저장 중" not in status and "버전 1" in status, status
        assert app.services.stories.view(editor.story.key).version == 1
        editor.query_one("#story-lessons").focus()
        await pilot.press("end", "!")
        editor.autosave()  # the app's clock has not moved: not saved yet
        await settle(app, pilot)
        assert app.services.stories.view(editor.story.key).version == 1
        clock.advance(1)  # a second after the first change: the editor's interval saves
        await wait_until(pilot, lambda: editor.version == 2, what="the story's autosave")
        await settle(app, pilot)
        assert app.services.stories.view(editor.story.key).version == 2


async def test_translate_this_story_opens_a_linked_draft_in_the_readers_language(tmp_path):
    add_story(
        tmp_path,
        Story(
            key="late-deploy/en",
            lang="en",
            title="The late deploy",
            narrative="We shipped at five on a Friday.",
            highlight="Friday",
            prompts=["What surprised us?"],
            status="published",
            occurred_on="2026-11-20",
        ),
    )
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await read_story_found_by(app, pilot, "late")
        assert app.screen.name == "reader"
        await pilot.press("T")
        await pilot.pause()
        assert text_of(app, ".dialog-title") == "'The late deploy' 번역할 언어"
        await pilot.press("enter")  # the reader's own language is offered first
        await settle(app, pilot)
        assert app.screen.name == "story-editor"
        assert text_of(app, "#story-status").startswith("초안 · 한국어 · English에서 번역 · ")
        assert app.screen.query_one("#story-title").value == "The late deploy"
    database, lib = stored(tmp_path)
    try:
        view = lib.stories.view("late-deploy/ko")
        assert (view.story.status, view.story.translated_from) == ("draft", "en")
        assert view.translations == ("en",)
    finally:
        database.close()


async def test_publishing_a_story_that_still_blames_someone_asks_first(tmp_path):
    add_story(
        tmp_path,
        Story(
            key="renewal/en",
            lang="en",
            title="The renewal",
            narrative="Sam forgot the renewal.",
            highlight="An expiry",
            prompts=["What surprised us?"],
            occurred_on="2026-11-20",
        ),
    )
    app = make_app(tmp_path, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await read_story_found_by(app, pilot, "renewal")
        await pilot.press("E")
        await settle(app, pilot)
        assert app.screen.name == "story-editor"
        await pilot.press("f9")
        await pilot.pause()
        question = text_of(app, ".dialog-title")
        assert question.startswith("This story still says \u201cforgot\u201d")
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen.story.status == "draft"
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
    database, lib = stored(tmp_path)
    try:
        assert lib.stories.view("renewal/en").story.status == "published"
    finally:
        database.close()
