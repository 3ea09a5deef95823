"""The postmortem wizard through the real app with Pilot: every section by keyboard alone (in
Korean and Japanese), drafts saved by themselves, stale saves, review."""

from __future__ import annotations

import pytest

from app.clock import FakeClock
from app.incidents import IncidentService
from app.policy_store import PolicyStore
from app.postmortems import PostmortemService
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, settle, wait_ready

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
    IncidentService(database, clock, PolicyStore(database, clock)).resolve(code, "민지", "롤백")
    database.close()
    return clock, code


def stored(tmp_path, code: str, lang: str = "ko"):
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        return PostmortemService(database, FakeClock(START)).open(code, lang, "test")
    finally:
        database.close()


async def saved(app, pilot) -> None:
    """Past the autosave interval, and the save worker finished."""
    await pilot.pause(0.7)
    await settle(app, pilot)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_every_section_by_keyboard_in_korean_then_ready_for_review(tmp_path):
    clock, code = resolved_incident(tmp_path)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "postmortem"
        # Summary: what (text area), when, who.
        await type_text(pilot, "카드 결제가 [b]40분[/b] 실패")
        await pilot.press("tab", *"09:00-09:40", "tab", *"모든 결제 사용자")
        # Impact.
        await pilot.press("f8", *"약 1200명", "tab", *"40분", "tab", "enter", "down", "enter")
        await pilot.press("tab", *"매출 손실", "tab", *"문의 증가")
        # Timeline: a new entry after the cursor.
        await pilot.press("f8", "ctrl+n", *"09:05", "tab", *"알람 확인", "tab", *"はると")
        # Root cause and one why -> because.
        await pilot.press(
            "f8", *"만료된 인증서", "tab", "ctrl+n", *"왜 실패?", "tab", *"인증서 만료"
        )
        # Contributing factor: category, then text.
        await pilot.press("f8", "ctrl+n", "enter", "down", "enter", "tab", *"갱신 절차 문서 없음")
        await pilot.press("f8", *"빠른 롤백", "f8", *"원인 파악", "f8", *"야간이 아니었다")
        await pilot.press("f8", *"수동 갱신", "tab", *"자동 갱신")
        # Action item: title, owner, due date.
        await pilot.press("f8", "ctrl+n", *"갱신 자동화", "tab", *"민지", "tab", *"2026-12-01")
        await pilot.press("f8", *"만료 알람이 필요하다")
        await saved(app, pilot)
        status = app.screen.query_one("#pm-status").render().plain
        assert "저장됨" in status
        assert "100%" in app.screen.query_one("#pm-meter").render().plain
        await pilot.press("ctrl+r")
        await saved(app, pilot)
        status = app.screen.query_one("#pm-status").render().plain
        assert "검토 중" in status and "민지" in status
    postmortem = stored(tmp_path, code).postmortem
    assert postmortem.what == "카드 결제가 [b]40분[/b] 실패"
    assert (postmortem.when, postmortem.who) == ("09:00-09:40", "모든 결제 사용자")
    assert (postmortem.users_affected, postmortem.duration, postmortem.sla_breach) == (
        "약 1200명", "40분", "yes",
    )  # fmt: skip
    assert (postmortem.business_impact, postmortem.brand_impact) == ("매출 손실", "문의 증가")
    added = [t for t in postmortem.timeline if t.text == "알람 확인"]
    assert [(t.at, t.actor, t.certainty) for t in added] == [("09:05", "はると", "fact")]
    assert postmortem.root_cause == "만료된 인증서"
    assert [(w.why, w.because) for w in postmortem.whys] == [("왜 실패?", "인증서 만료")]
    assert [(f.category, f.text) for f in postmortem.factors] == [
        ("process", "갱신 절차 문서 없음")
    ]
    assert (postmortem.went_well, postmortem.was_hard, postmortem.lucky) == (
        "빠른 롤백", "원인 파악", "야간이 아니었다",
    )  # fmt: skip
    assert (postmortem.temporary, postmortem.permanent) == ("수동 갱신", "자동 갱신")
    assert [(a.title, a.owner, a.due, a.status) for a in postmortem.actions] == [
        ("갱신 자동화", "민지", "2026-12-01", "open"),
    ]  # fmt: skip
    assert postmortem.lessons == "만료 알람이 필요하다"
    assert postmortem.status == "in_review"


async def test_japanese_text_blame_hint_and_literal_markup(tmp_path):
    clock, code = resolved_incident(tmp_path, lang="ja")
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await type_text(pilot, "担当者がうっかり設定を消した [red]x[/red]")
        await pilot.pause()
        hints = app.screen.query_one("#pm-hints").render().plain
        assert "「うっかり」" in hints and "仕組み" in hints
        await saved(app, pilot)  # a hint never blocks saving
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert any("まだレビューを依頼できません" in n.message for n in app._notifications)
    assert (
        stored(tmp_path, code, "ja").postmortem.what == "担当者がうっかり設定を消した [red]x[/red]"
    )


async def test_a_stale_save_is_refused_and_the_typing_stays_in_the_form(tmp_path):
    clock, code = resolved_incident(tmp_path)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        # Someone else saves first, from another laptop.
        other = stored(tmp_path, code)
        database = Database.open(make_settings(tmp_path).db_url)
        other.postmortem.what = "다른 사람의 글"
        PostmortemService(database, clock).save(other.postmortem, other.version, "はると")
        database.close()
        await type_text(pilot, "내가 쓴 글")
        await saved(app, pilot)
        assert "저장 안 됨" in app.screen.query_one("#pm-status").render().plain
        assert app.screen.query_one("#pm-what").text == "내가 쓴 글"
        assert any("your text is still in the form" in n.message for n in app._notifications)
    assert stored(tmp_path, code).postmortem.what == "다른 사람의 글"


async def test_unresolved_incident_has_no_postmortem_yet(tmp_path):
    clock = FakeClock(START)
    seed(make_settings(tmp_path), clock, [dict(title="still burning", severity="SEV-3")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "board"
        assert any("Resolve INC-2026-0001 first" in n.message for n in app._notifications)
