"""Snapshots of the severity matrix at 120x40 with a frozen clock, in English and Korean."""

from __future__ import annotations

import pytest

from tests.ui.helpers import make_app

SIZE = (120, 40)


def test_matrix_web_service_en(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, lang="en"), terminal_size=SIZE, press=["m"])


def test_matrix_ai_ops_ko(snap_compare, tmp_path):
    app = make_app(tmp_path, lang="ko", policy="ai-ops")
    assert snap_compare(app, terminal_size=SIZE, press=["m", "down", "down", "right"])


def test_matrix_ai_ops_ja(snap_compare, tmp_path):
    app = make_app(tmp_path, lang="ja", policy="ai-ops")
    assert snap_compare(app, terminal_size=SIZE, press=["m", "right", "right", "right"])


def test_matrix_web_service_ko(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, lang="ko"), terminal_size=SIZE, press=["m"])


TWELVE = [
    dict(title="결제 API 장애: 카드 결제 실패", severity="SEV-1", impact="모든 결제"),
    dict(title="Login page returns 502", severity="SEV-1"),
    dict(title="画像エクスポートの失敗", severity="SEV-2"),
    dict(title="Theme cannot be changed", severity="SEV-2", commander="Alex"),
    dict(title="검색 결과가 느림", severity="SEV-3"),
    dict(title="Broken styles in Safari", severity="SEV-3"),
    dict(title="誤字: 料金ページ", severity="SEV-4"),
    dict(title="Minor UI bug in settings", severity="SEV-4"),
    dict(title="개인정보가 로그에 노출", severity="P0", type_key="data", policy="ai-ops"),
    dict(
        title="Prompt injection bypasses filter",
        severity="P1",
        type_key="security",
        policy="ai-ops",
    ),
    dict(title="モデル精度の低下", severity="P2", type_key="model", policy="ai-ops"),
    dict(
        title="Cost spike on inference API", severity="P3", type_key="operational", policy="ai-ops"
    ),
]


def board_app(tmp_path, lang: str, incidents: list[dict]):
    """A board with incidents declared three minutes apart, some acknowledged, updated or
    resolved, seen 40 minutes after the first declaration (seeded once per test process)."""
    from app.domain.clock import FakeClock
    from tests.db_templates import seeded_once
    from tests.ui.helpers import make_app

    now = seeded_once(
        ("board", lang, repr(incidents)),
        tmp_path / "test.db",
        lambda folder: _seed_board(folder, lang, incidents),
    )
    return make_app(tmp_path, lang=lang, clock=FakeClock(now))


def _seed_board(folder, lang: str, incidents: list[dict]):
    from datetime import timedelta

    from app.domain.clock import FakeClock
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from storage.database import Database
    from tests.conftest import make_settings
    from tests.ui.helpers import START, seed

    clock = FakeClock(START)
    settings = make_settings(folder, lang=lang)
    codes = []
    for spec in incidents:
        codes += seed(settings, clock, [spec])
        clock.advance(timedelta(minutes=3))
    database = Database.open(settings.db_url)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    for index, code in enumerate(codes):
        if index % 3 == 1:
            service.acknowledge(code, "ops")
        if index % 4 == 2:
            service.post_update(code, "ops", "identified", "cause found")
    if len(codes) > 5:
        service.resolve(codes[5], "ops", "reverted the CSS change")
    clock.advance(timedelta(minutes=40) - timedelta(minutes=3 * len(incidents)))
    seed(settings, clock, [])  # fire what came due, deliver its screen alerts
    database.close()
    return clock.now()


def _steady(run_before):
    """The screen as the user left it, with text cursors shown steadily: a blinking cursor is
    caught on or off at random, and a snapshot must not depend on that."""

    async def steady(pilot):
        await run_before(pilot)
        for field in pilot.app.screen.query("Input, TextArea"):
            field.cursor_blink = False
            if field.has_focus:  # a focus that came during a blink's off phase kept it off
                field._cursor_visible = True
            # Lines drawn while the cursor blinked off are cached under a key that ignores the
            # cursor once blinking stops; a style update empties that cache.
            field.notify_style_update()
            field.refresh()
        await pilot.pause()

    return steady


async def _ready(pilot):
    from tests.ui.helpers import wait_ready

    await wait_ready(pilot.app, pilot)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("count", [0, 1, 12])
def test_board(snap_compare, tmp_path, lang, count):
    app = board_app(tmp_path, lang, TWELVE[:count])
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady(_ready))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_board_at_80_columns(snap_compare, tmp_path, lang):
    """Every clock column on screen at 80x24: short headers, the incident's number, the status
    in a word, a narrower title."""
    app = board_app(tmp_path, lang, TWELVE)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_steady(_ready))


def postmortem_app(tmp_path):
    """A resolved SEV-2 incident whose postmortem has a summary, a timeline and an action."""
    from dataclasses import replace
    from datetime import timedelta

    from app.domain.clock import FakeClock
    from app.domain.postmortem.model import ActionItem, Why
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from app.services.postmortem_service import PostmortemService
    from storage.database import Database
    from tests.conftest import make_settings
    from tests.ui.helpers import START, make_app, seed

    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    (code,) = seed(settings, clock, [dict(title="결제 API 장애", severity="SEV-2")])
    database = Database.open(settings.db_url)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    incidents.add_note(code, "はると", "캐시 문제일지도", "hypothesis")
    clock.advance(timedelta(minutes=40))
    incidents.resolve(code, "민지", "인증서 갱신")
    postmortems = PostmortemService(database, clock)
    draft = postmortems.open(code, "ko", "민지")
    filled = replace(
        draft.postmortem,
        what="카드 결제가 40분 동안 실패했다. 담당자의 실수로 보였다.",
        who="모든 결제 사용자",
        users_affected="약 1,200명",
        duration="40분",
        whys=[Why("왜 실패?", "인증서 만료")],
        actions=[
            ActionItem("갱신 자동화", "민지", "2026-12-01", "high", "prevention", "open"),
            ActionItem("만료 알람", "はると", "", "medium", "detection", "in_progress"),
        ],
    )
    postmortems.save(filled, draft.version, "민지")
    database.close()
    return make_app(tmp_path, lang="ko", clock=clock)


def _wizard(*keys: str):
    async def run_before(pilot):
        from tests.ui.helpers import settle, wait_ready

        await wait_ready(pilot.app, pilot)
        await pilot.press("p")
        await settle(pilot.app, pilot)
        await pilot.press(*keys)
        await settle(pilot.app, pilot)
        # The form is read in a worker and then focuses its step's first field: wait for that,
        # so the snapshot never catches the moment before (no text cursor drawn yet).
        for _ in range(500):  # a loaded machine reads the form slowly
            focused = pilot.app.focused
            if (
                focused is not None
                and focused.id != "pm-rail"
                and focused.screen is pilot.app.screen
            ):
                break
            await pilot.pause(0.02)
        else:
            raise AssertionError("the postmortem never focused its step's first field")
        await settle(pilot.app, pilot)

    return run_before


# One worker for the three: run side by side (pytest-xdist), the summary step sometimes lost its
# text cursor.
@pytest.mark.xdist_group("postmortem_wizard")
@pytest.mark.parametrize(
    ("step", "keys"),
    [("summary", ()), ("timeline", ("f8", "f8")), ("actions", ("f7", "f7"))],
)
def test_postmortem_wizard(snap_compare, tmp_path, step, keys):  # noqa: ARG001 (step names the snapshot)
    assert snap_compare(
        postmortem_app(tmp_path), terminal_size=SIZE, run_before=_steady(_wizard(*keys))
    )


def _stories(*keys: str, query: str | None = None):
    async def run_before(pilot):
        from tests.ui.helpers import settle, wait_ready

        await wait_ready(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
        # The library searches after a pause in typing: wait for that query's answer.
        for _ in range(100):
            if query is None or getattr(pilot.app.screen, "current_query", None) == query:
                break
            await pilot.pause(0.05)
            await settle(pilot.app, pilot)
        else:
            raise AssertionError(f"the library never showed the results for {query!r}")

    return run_before


@pytest.mark.parametrize(
    ("lang", "keys"), [("ko", ("w",)), ("ja", ("w", "l")), ("en", ("w", "l", "l"))]
)
def test_reader_story_of_the_week(snap_compare, tmp_path, lang, keys):
    app = make_app(tmp_path, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady(_stories(*keys)))


@pytest.mark.parametrize(
    ("lang", "keys", "query"), [("ko", ("l",), ""), ("ja", ("l", "障", "害"), "障害")]
)
def test_library(snap_compare, tmp_path, lang, keys, query):
    app = make_app(tmp_path, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady(_stories(*keys, query=query)))


def _kiosk(slides: int):
    async def run_before(pilot):
        from tests.ui.test_kiosk import next_slide, shown

        await shown(pilot.app, pilot)
        for _ in range(slides):
            await next_slide(pilot.app, pilot, pilot.app.clock)

    return run_before


@pytest.mark.parametrize(("lang", "slides"), [("ko", 0), ("ja", 2), ("en", 5)])
def test_kiosk(snap_compare, tmp_path, lang, slides):
    """The story of the week (ko), its prompt cards (ja) and the severity matrix (en)."""
    from tests.ui.test_kiosk import kiosk_app

    app = kiosk_app(tmp_path, lang=lang)
    assert snap_compare(app, terminal_size=(110, 36), run_before=_steady(_kiosk(slides)))


def _story_editor():
    async def run_before(pilot):
        from tests.ui.helpers import settle, wait_ready

        await wait_ready(pilot.app, pilot)
        for key in ("p", "s"):
            await pilot.press(key)
            await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#story-highlight").focus()
        await settle(pilot.app, pilot)

    return run_before


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_story_editor_with_content(snap_compare, tmp_path, lang):
    """The editor opened on the draft of a published postmortem: every box shows its text."""
    from app.domain.clock import FakeClock
    from tests.ui.helpers import START
    from tests.ui.test_story_flow import published_postmortem

    clock = FakeClock(START)
    published_postmortem(tmp_path, clock, lang=lang)
    app = make_app(tmp_path, lang=lang, clock=clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady(_story_editor()))


def _metrics():
    async def run_before(pilot):
        from tests.ui.helpers import settle, wait_ready

        await wait_ready(pilot.app, pilot)
        await pilot.press("M")
        await settle(pilot.app, pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot.app, pilot)

    return run_before


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_metrics(snap_compare, tmp_path, lang):
    """The quarter's figures of the metrics screen, its spread and weekly sparklines."""
    from app.domain.clock import FakeClock
    from tests.ui.helpers import START
    from tests.ui.test_metrics_flow import history

    clock = FakeClock(START)
    history(tmp_path, clock, lang)
    app = make_app(tmp_path, lang=lang, clock=clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady(_metrics()))
