"""The postmortem wizard through the real app with Pilot: every section by keyboard alone (in
Korean and Japanese), drafts saved by themselves, stale saves, review."""

from __future__ import annotations

import pytest

from app.domain.clock import FakeClock
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import (
    START,
    keyboard,
    make_app,
    notices,
    palette_hit,
    seed,
    settle,
    typed,
    wait_ready,
    wait_until,
)
from widgets.board_table import BoardTable

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def user(monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")


def resolved_incident(tmp_path, lang: str = "ko") -> tuple[FakeClock, str]:
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang=lang)
    (code,) = seed(settings, clock, [dict(title="결제 API 장애", severity="SEV-2")])
    database = Database.open(settings.db_url)
    clock.advance(40 * 60)
    IncidentService(database, clock, PolicyVersions(database, clock)).resolve(code, "민지", "롤백")
    database.close()
    return clock, code


def stored(tmp_path, code: str, lang: str = "ko"):
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        return PostmortemService(database, FakeClock(START)).open(code, lang, "test")
    finally:
        database.close()


async def saved(app, pilot) -> None:
    """Past the autosave delay on the app's clock, the form's own check (on its interval) has
    taken the typing, and the save worker finished."""
    await pilot.pause()
    app.clock.advance(1)
    form = app.screen
    await wait_until(
        pilot,
        lambda: not form.autosaver.due(app.clock.now()),
        what="the form's autosave check to take the typing",
    )
    await settle(app, pilot)


WORDS = {
    "ko": dict(
        what="카드 결제가 [b]40분[/b] 실패",
        who="모든 결제 사용자",
        users="약 1200명",
        duration="40분",
        business="매출 손실",
        brand="문의 증가",
        event="알람 확인",
        cause="만료된 인증서",
        why="왜 실패?",
        because="인증서 만료",
        factor="갱신 절차 문서 없음",
        well="빠른 롤백",
        hard="원인 파악",
        lucky="야간이 아니었다",
        temporary="수동 갱신",
        permanent="자동 갱신",
        action="갱신 자동화",
        lessons="만료 알람이 필요하다",
        saved="저장됨",
        review="검토 중",
    ),
    "ja": dict(
        what="カード決済が[b]40分[/b]失敗",
        who="すべての決済ユーザー",
        users="約1200人",
        duration="40分",
        business="売上の損失",
        brand="問い合わせ増加",
        event="アラート確認",
        cause="証明書の期限切れ",
        why="なぜ失敗した",
        because="証明書の期限切れ",
        factor="更新手順の文書がない",
        well="素早いロールバック",
        hard="原因の特定",
        lucky="夜間ではなかった",
        temporary="手動更新",
        permanent="自動更新",
        action="更新の自動化",
        lessons="期限切れアラートが必要",
        saved="保存済み",
        review="レビュー中",
    ),
}


@pytest.mark.parametrize("lang", ["ko", "ja"])
async def test_every_section_by_keyboard_then_ready_for_review(tmp_path, lang):
    w = WORDS[lang]
    clock, code = resolved_incident(tmp_path, lang)
    app = make_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        # The board counts down to the postmortem deadline of the resolved incident.
        assert app.screen.query_one(BoardTable).cell_text(code, "resolution") == "2d00h"
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "postmortem"
        # Summary: what (text area), when, who.
        await keyboard(pilot, typed(w["what"]))
        await keyboard(pilot, "tab", "end", "ctrl+u", typed("09:00-09:40"), "tab", typed(w["who"]))
        # Impact.
        await keyboard(
            pilot,
            "f8",
            typed(w["users"]),
            "tab",
            typed(w["duration"]),
            "tab",
            "enter",
            "down",
            "enter",
        )
        await keyboard(pilot, "tab", typed(w["business"]), "tab", typed(w["brand"]))
        # Timeline: a new entry after the cursor, then moved up to the top.
        await keyboard(
            pilot, "f8", "ctrl+n", typed("09:05"), "tab", typed(w["event"]), "tab", typed("はると")
        )
        await pilot.press("ctrl+up")
        # Root cause and one why -> because.
        await keyboard(
            pilot,
            "f8",
            typed(w["cause"]),
            "tab",
            "ctrl+n",
            typed(w["why"]),
            "tab",
            typed(w["because"]),
        )
        # Contributing factor: category, then text.
        await keyboard(pilot, "f8", "ctrl+n", "enter", "down", "enter", "tab", typed(w["factor"]))
        await keyboard(
            pilot, "f8", typed(w["well"]), "f8", typed(w["hard"]), "f8", typed(w["lucky"])
        )
        await keyboard(pilot, "f8", typed(w["temporary"]), "tab", typed(w["permanent"]))
        # Action items: one added then deleted, one kept with title, owner, due date.
        await keyboard(pilot, "f8", "ctrl+n", typed("drop me"), "shift+tab", "ctrl+d")
        await keyboard(
            pilot, "ctrl+n", typed(w["action"]), "tab", typed("민지"), "tab", typed("2026-12-01")
        )
        await keyboard(pilot, "f8", typed(w["lessons"]))
        await saved(app, pilot)
        assert w["saved"] in app.screen.query_one("#pm-status").render().plain
        assert "100%" in app.screen.query_one("#pm-meter").render().plain
        await pilot.press("ctrl+r")
        await saved(app, pilot)
        status = app.screen.query_one("#pm-status").render().plain
        assert w["review"] in status and "민지" in status
        # Handed in for review: the board's postmortem clock is met.
        await pilot.press("escape")
        clock.advance(2)
        await wait_until(  # the board redraws its clocks on a one-second interval
            pilot,
            lambda: (
                app.screen.name == "board"
                and app.screen.query_one(BoardTable).cell_text(code, "resolution") == "✓"
            ),
            what="the board to show the postmortem clock met",
        )
        await settle(app, pilot)
        assert app.screen.name == "board"
        assert app.screen.query_one(BoardTable).cell_text(code, "resolution") == "✓"
    postmortem = stored(tmp_path, code, lang).postmortem
    assert postmortem.what == w["what"]
    assert (postmortem.when, postmortem.who) == ("09:00-09:40", w["who"])
    assert (postmortem.users_affected, postmortem.duration, postmortem.sla_breach) == (
        w["users"],
        w["duration"],
        "yes",
    )
    assert (postmortem.business_impact, postmortem.brand_impact) == (w["business"], w["brand"])
    first = postmortem.timeline[0]
    assert (first.at, first.text, first.actor, first.certainty) == (
        "09:05",
        w["event"],
        "はると",
        "fact",
    )
    assert postmortem.root_cause == w["cause"]
    assert [(x.why, x.because) for x in postmortem.whys] == [(w["why"], w["because"])]
    assert [(f.category, f.text) for f in postmortem.factors] == [("process", w["factor"])]
    assert (postmortem.went_well, postmortem.was_hard, postmortem.lucky) == (
        w["well"],
        w["hard"],
        w["lucky"],
    )
    assert (postmortem.temporary, postmortem.permanent) == (w["temporary"], w["permanent"])
    assert [(a.title, a.owner, a.due, a.status) for a in postmortem.actions] == [
        (w["action"], "민지", "2026-12-01", "open"),
    ]
    assert postmortem.lessons == w["lessons"]
    assert postmortem.status == "in_review"


async def test_japanese_text_blame_hint_and_literal_markup(tmp_path):
    clock, code = resolved_incident(tmp_path, lang="ja")
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await keyboard(pilot, typed("担当者がうっかり設定を消した [red]x[/red]"))
        await pilot.pause()
        hints = app.screen.query_one("#pm-hints").render().plain
        assert "「うっかり」" in hints and "仕組み" in hints
        await saved(app, pilot)  # a hint never blocks saving
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert any("まだレビューを依頼できません" in text for text in await notices(app, pilot))
    assert (
        stored(tmp_path, code, "ja").postmortem.what == "担当者がうっかり設定を消した [red]x[/red]"
    )


async def test_a_stale_save_is_refused_and_the_typing_stays_in_the_form(tmp_path):
    clock, code = resolved_incident(tmp_path)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        # Someone else saves first, from another laptop.
        other = stored(tmp_path, code)
        database = Database.open(make_settings(tmp_path).db_url)
        other.postmortem.what = "다른 사람의 글"
        PostmortemService(database, clock).save(other.postmortem, other.version, "はると")
        database.close()
        await keyboard(pilot, typed("내가 쓴 글"))
        await saved(app, pilot)
        assert "저장 안 됨" in app.screen.query_one("#pm-status").render().plain
        assert app.screen.query_one("#pm-what").text == "내가 쓴 글"
        said = "입력한 내용은 양식에 그대로 있습니다"  # the stale-save sentence, in Korean
        assert any(said in text for text in await notices(app, pilot))
    assert stored(tmp_path, code).postmortem.what == "다른 사람의 글"


async def test_unresolved_incident_has_no_postmortem_yet(tmp_path):
    clock = FakeClock(START)
    seed(make_settings(tmp_path), clock, [dict(title="still burning", severity="SEV-3")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "board"
        assert any("Resolve INC-2026-0001 first" in text for text in await notices(app, pilot))


async def test_publishing_a_postmortem_that_still_blames_someone_asks_first(tmp_path):
    from dataclasses import replace

    from app.domain.postmortem.model import ActionItem, Why

    clock, code = resolved_incident(tmp_path, lang="en")
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        postmortems = PostmortemService(database, clock)
        draft = postmortems.open(code, "en", "Sam")
        ready = replace(
            draft.postmortem,
            what="Payments failed because Sam forgot the renewal.",
            users_affected="1200",
            root_cause="An expired certificate",
            whys=[Why("Why?", "Expired")],
            lessons="Expiry needs an owner.",
            actions=[ActionItem("Automate renewal", "Sam", "2026-12-01")],
        )
        version = postmortems.save(ready, draft.version, "Sam")
        postmortems.set_status(code, "in_review", "Sam", version)
    finally:
        database.close()
    app = make_app(tmp_path, lang="en", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)

        async def publish(answer: str) -> None:
            await keyboard(pilot, "ctrl+p", typed("Publish postmortem"))
            await wait_until(
                pilot, palette_hit(app, "Publish postmortem"), what="the palette's hit"
            )
            await pilot.press("enter")
            await pilot.pause()
            question = app.screen.query_one(".dialog-title").render().plain
            assert question.startswith("The postmortem still says \u201cforgot\u201d")
            await pilot.press(answer)
            await settle(app, pilot)

        await publish("n")
        assert stored(tmp_path, code, "en").postmortem.status == "in_review"
        await publish("y")
    assert stored(tmp_path, code, "en").postmortem.status == "published"


async def test_leaving_the_form_at_once_keeps_what_was_just_typed(tmp_path):
    clock, code = resolved_incident(tmp_path)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await keyboard(pilot, typed("방금 친 글"))
        await pilot.press("escape")  # back to the board before the autosave's half second
        await settle(app, pilot)
        assert app.screen.name != "postmortem"
    assert stored(tmp_path, code).postmortem.what == "방금 친 글"


async def test_autosave_follows_the_clock_half_a_second_after_the_first_change(tmp_path):
    clock, code = resolved_incident(tmp_path)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        form = app.screen
        version = form.version
        await keyboard(pilot, typed("첫 글"))
        # The check the form's interval runs, run now: the app's clock has not moved, so
        # however much real time passes, nothing is saved.
        form.autosave()
        await settle(app, pilot)
        assert stored(tmp_path, code).version == version
        clock.advance(0.4)
        form.autosave()
        await settle(app, pilot)
        assert stored(tmp_path, code).version == version  # 0.4 s after the first change
        clock.advance(0.2)
        # Past the delay: the form's own interval saves, with no help from the test.
        await wait_until(pilot, lambda: form.version == version + 1, what="the autosave")
        await settle(app, pilot)
        saved_now = stored(tmp_path, code)
        assert (saved_now.version, saved_now.postmortem.what) == (version + 1, "첫 글")
