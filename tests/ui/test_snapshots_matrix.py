"""The snapshot matrix of issue 31: every screen and dialog at 80x24 and 120x40, in English,
Korean and Japanese, on a frozen clock with seeded data whose titles mix Hangul, kana and kanji.

Before accepting a changed SVG, read its rows (the SVG holds the characters: grep the text) and
check that nothing is cut through a wide character, no footer label is cut in half and nothing
important is missing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ui.test_snapshots import TWELVE, _metrics, _steady, _stories, _wizard, board_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
LANGS = ("en", "ko", "ja")


def postmortem_app(tmp_path, lang: str):
    """A resolved SEV-2 whose postmortem has a summary, a timeline, five whys, contributing
    factors and action items, in Korean and Japanese whatever the reader's language (seeded
    once per test process and language)."""
    from app.domain.clock import FakeClock
    from tests.db_templates import seeded_once
    from tests.ui.helpers import make_app

    now = seeded_once(
        ("postmortem", lang), tmp_path / "test.db", lambda folder: _seed_postmortem(folder, lang)
    )
    return make_app(tmp_path, lang=lang, clock=FakeClock(now))


def _seed_postmortem(folder, lang: str):
    from dataclasses import replace

    from app.domain.clock import FakeClock
    from app.domain.postmortem.model import ActionItem, Factor, TimelineItem, Why
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from app.services.postmortem_service import PostmortemService
    from storage.database import Database
    from tests.conftest import make_settings
    from tests.ui.helpers import START, seed

    clock = FakeClock(START)
    settings = make_settings(folder, lang=lang)
    (code,) = seed(settings, clock, [dict(title="결제 API 장애: 카드 결제 실패", severity="SEV-2")])
    database = Database.open(settings.db_url)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    incidents.add_note(code, "はると", "キャッシュの問題かもしれない", "hypothesis")
    clock.advance(timedelta(minutes=40))
    incidents.resolve(code, "민지", "인증서 갱신")
    postmortems = PostmortemService(database, clock)
    draft = postmortems.open(code, lang, "민지")
    filled = replace(
        draft.postmortem,
        what="카드 결제가 40분 동안 실패했다. 証明書の期限切れが原因だった。",
        who="모든 결제 사용자",
        users_affected="약 1,200명",
        duration="40분",
        timeline=[
            TimelineItem("09:00", "결제 실패 알람", "모니터", "fact", "detection"),
            TimelineItem("09:12", "証明書の期限切れを確認", "はると", "fact", "diagnosis"),
            TimelineItem("09:40", "인증서 갱신, 결제 회복", "민지", "fact", "repair"),
        ],
        root_cause="인증서 자동 갱신이 꺼져 있었다",
        whys=[
            Why("왜 결제가 실패했나?", "인증서 만료"),
            Why("なぜ期限が切れた?", "自動更新が無効だった"),
            Why("왜 꺼져 있었나?", "이전 작업에서 임시로 끔"),
        ],
        factors=[
            Factor("technical", "만료 알람이 없었다"),
            Factor("process", "作業後の確認リストに更新の項目がない"),
        ],
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-12-01", "high", "prevention", "open"),
            ActionItem("期限切れアラーム", "はると", "", "medium", "detection", "in_progress"),
        ],
    )
    postmortems.save(filled, draft.version, "민지")
    database.close()
    return clock.now()


def _after(*keys: str, push=None):
    """Ready, then each key (its work finished before the next), then `push` a dialog."""

    async def run_before(pilot):
        from tests.ui.helpers import settle, wait_ready

        await wait_ready(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
        if push is not None:
            pilot.app.push_screen(push(pilot.app))
            await settle(pilot.app, pilot)

    return run_before


def _self_care(app):
    from screens.self_care import SelfCareDialog

    return SelfCareDialog(app.catalog)


def _metrics_app(tmp_path, lang):
    from app.domain.clock import FakeClock
    from tests.ui.helpers import START, make_app
    from tests.ui.test_metrics_flow import history

    clock = FakeClock(START)
    history(tmp_path, clock, lang)
    return make_app(tmp_path, lang=lang, clock=clock)


def _plain_app(tmp_path, lang):
    from tests.ui.helpers import make_app

    return make_app(tmp_path, lang=lang)


def _board(tmp_path, lang):
    return board_app(tmp_path, lang, TWELVE)


# view: (the app, what the user pressed to get there)
VIEWS = {
    "board": (_board, _after()),
    "incident-ladder": (_board, _after("enter")),
    "incident-timeline": (_board, _after("enter", "2")),
    "postmortem-summary": (postmortem_app, _wizard()),
    "postmortem-timeline": (postmortem_app, _wizard("f8", "f8")),
    "postmortem-whys": (postmortem_app, _wizard("f8", "f8", "f8")),
    "postmortem-factors": (postmortem_app, _wizard("f8", "f8", "f8", "f8")),
    "postmortem-actions": (postmortem_app, _wizard("f7", "f7")),
    "library": (_plain_app, _stories("l", query="")),
    "reader": (_plain_app, _stories("w")),
    "metrics": (_metrics_app, _metrics()),
    "dialog-declare": (_board, _after("n")),
    "dialog-update": (_board, _after("u")),
    "dialog-resolve": (_board, _after("r")),
    "dialog-self-care": (_board, _after(push=_self_care)),
    "dialog-help": (_board, _after("question_mark")),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_screen(snap_compare, tmp_path, view, lang, size):
    make, run_before = VIEWS[view]
    app = make(tmp_path, lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_steady(run_before))
