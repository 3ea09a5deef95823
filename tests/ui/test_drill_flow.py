"""A drill through the real app with Pilot: a 60-minute SEV-1 scenario at 600× on a FakeClock —
the DRILL banner on every screen, events told on drill time, the team's response on the real
board, the ladder escalating on the drill clock with its alerts marked DRILL, F10 pausing
everything, F12 ending with a score, and the debrief printed in Korean. The team's own
database, metrics, alert command and paging channel are left exactly as they were. And "Start a
drill" from the palette of the real board."""

from __future__ import annotations

import hashlib
import stat
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from app.cli.drill import drill_settings
from app.domain.clock import DrillClock, FakeClock
from app.domain.drill.debrief import clock_text
from app.domain.drill.scenario import find_scenario
from app.domain.paging import PagingChannel
from app.services.drill_run import DrillRun
from app.tui import StoryCartApp
from screens.drill_setup import drill_environment
from tests.conftest import make_settings
from tests.export.pdf_checks import squeeze
from tests.http_receiver import Receiver
from tests.ui.helpers import (
    START,
    board_of,
    make_app,
    seed,
    settle,
    text_of,
    wait_ready,
    wait_until,
)

SIZE = (120, 40)


def banner(app) -> str:
    (shown,) = app.screen.query(".drill-banner")
    return shown.render().plain


async def notices(app, pilot) -> list[str]:
    await pilot.pause()
    return [toast.render().plain for toast in app.screen.query("Toast")]


def real_team(tmp_path, receiver) -> tuple:
    """The team's settings: a database with a real incident, an alert command and a paging
    channel — everything a drill must leave alone."""
    marker = tmp_path / "alert-command-ran"
    script = tmp_path / "alert.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n", "utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook", broadcast=True)
    settings = make_settings(tmp_path, lang="ko").with_overrides(
        alert_command=(str(script),), channels=(hook,)
    )
    seed(
        settings, FakeClock(START - timedelta(days=3)), [dict(title="진짜 장애", severity="SEV-2")]
    )
    return settings, marker


def fingerprint(settings) -> str:
    path = Path(settings.db_url.removeprefix("sqlite:///"))
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def pause_then_end(app, pilot, base, clock) -> None:
    """F10 stops drill time, acknowledging still works, every screen says DRILL, F12 scores."""
    await pilot.press("f10")
    await settle(app, pilot)
    paused_at = clock.now()
    base.advance(30)  # thirty real seconds would be five drill hours: nothing moves
    app.drills.tick()  # what the drill's interval runs, run now: it tells nothing while paused
    await settle(app, pilot)
    assert clock.now() == paused_at and "일시정지" in banner(app)
    await pilot.press("a")  # acknowledging works while paused
    await settle(app, pilot)
    await pilot.press("f10")
    base.advance(0.6)
    await wait_until(  # the drill's interval ticks on: the banner shows drill time moving
        pilot,
        lambda: clock_text(app.drill_run.elapsed_s(clock.now())) in banner(app),
        what="the banner to show the drill time after resuming",
    )
    await settle(app, pilot)

    await pilot.press("m")  # every screen says DRILL
    await settle(app, pilot)
    assert banner(app).startswith("훈련 · ")
    await pilot.press("escape")
    await settle(app, pilot)

    await pilot.press("f12")
    await wait_until(pilot, lambda: app.screen.name == "drill-debrief", what="the debrief")
    await settle(app, pilot)
    assert app.screen.name == "drill-debrief"
    score = text_of(app, "#debrief-score")
    assert score.startswith("점수 ") and "600배속" in score
    table = app.screen.query_one("#debrief-lines")
    rows = [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]
    assert rows[0][0] == "선언까지 걸린 시간" and rows[0][3] == "달성"
    assert rows[2][0] == "확인까지 걸린 시간" and rows[2][3] == "미달"  # paused at 15m
    practise = text_of(app, "#debrief-practise")  # the missed war room item, its channel filled
    assert "#incident-2026" in practise and "{date}" not in practise
    assert "종료됨" in banner(app)
    await pilot.press("e")
    printed = app.drill_run.directory / "debrief-ko.pdf"
    await wait_until(pilot, printed.exists, what="the printed debrief")
    await settle(app, pilot)
    await pilot.press("o")  # the drill incident, for its drill postmortem
    await settle(app, pilot)
    assert app.screen.name == "incident" and app.screen.code == app.drill_run.incident


async def test_a_sev1_tabletop_at_600x_is_played_scored_and_touches_nothing_real(tmp_path):
    with Receiver() as receiver:
        team, marker = real_team(tmp_path, receiver)
        before = fingerprint(team)
        base = FakeClock(START)
        clock = DrillClock(base, 600)
        run = DrillRun.create(
            tmp_path / "drills", find_scenario("payment-api-outage"), 600, "ko", clock
        )
        settings = drill_settings(team, run.db_url).with_overrides(policy="web-service")
        app = StoryCartApp(settings, clock=clock, start_scheduler=False, drill=run)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_ready(app, pilot)
            await wait_until(  # the drill's first tick tells the monitor's alert
                pilot, lambda: "[모니터링]" in banner(app), what="the first drill event"
            )
            assert banner(app).startswith(
                "훈련 · 결제 API 장애: 체크아웃이 멈췄다 · 600× · T+00:00"
            )
            assert "최근: T+00:00 [모니터링] 결제 API 5xx 비율 38%" in banner(app)
            assert any(n.startswith("훈련 T+00:00") for n in await notices(app, pilot))
            assert app.title.startswith("훈련 · ")

            await pilot.press("n")
            await settle(app, pilot)
            await pilot.press(*"체크아웃 전면 장애", "tab", "space", "down", "enter")  # SEV-1
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert len(app.services.incidents.list()) == 1
            base.advance(0.3)  # three drill minutes: the support tickets
            await wait_until(pilot, lambda: "[고객지원]" in banner(app), what="the tickets")
            await settle(app, pilot)
            assert "[고객지원]" in banner(app) and "T+03:00" in banner(app)

            base.advance(1.2)  # fifteen drill minutes, no acknowledgement: L2 is paged
            await app.escalations.sweep_now()
            await settle(app, pilot)
            flash = board_of(app).query_one("#flash")
            assert flash.display and flash.render().plain.startswith("훈련 · ")
            events = app.services.incidents.list()[0].events
            fired = {e.step_id: (e.fired_at - e.due_at) for e in events}
            assert set(fired) == {"SEV-1#0", "SEV-1#1", "SEV-1#2"}
            assert all(late == timedelta(0) for late in fired.values())  # on drill time

            await pause_then_end(app, pilot, base, clock)
        pdf = run.directory / "debrief-ko.pdf"
        text = squeeze("".join(page.extract_text() for page in PdfReader(pdf).pages))
        assert "훈련디브리핑—결제API장애" in text and "다음에연습할것" in text
        assert "[모니터링]" not in text and "결제API5xx비율38%" in text

        assert fingerprint(team) == before  # the team's database: not a byte changed
        assert not marker.exists()  # the alert command never ran
        assert receiver.requests == []  # the paging channel heard nothing
    assert DrillRun.open(run.directory).ended_at is not None


async def test_start_a_drill_from_the_palette_of_the_real_board(tmp_path):
    clock = FakeClock(START)
    (code,) = seed(
        make_settings(tmp_path, lang="ja"), clock, [dict(title="検索停止", severity="SEV-2")]
    )
    app = make_app(tmp_path, lang="ja", clock=clock)
    launched = []
    app.drill_launcher = launched.append
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        app.services.incidents.resolve(code, "ops", "復旧")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "訓練を開始" in titles
        app.action_start_drill()
        await settle(app, pilot)
        assert app.screen.dialog_title == "訓練を開始"
        options = [label for label, _value in app.screen.options]
        assert options[:3] == [
            "AI モデルのハルシネーション：存在しない返金規定を案内",
            "個人情報漏えいの疑い：チャットボットの回答に別の顧客の住所",
            "決済 API 障害：チェックアウトが止まった",
        ]
        assert options[3] == f"{code} を再現：検索停止"
        app.screen.query_one("#drill-what").value = f"from:{code}"
        app.screen.query_one("#drill-speed").value = "1000"
        await pilot.press("ctrl+s")
        assert text_of(app, ".dialog-error") == "速度は 1 から 600 までの数値にしてください。"
        app.screen.query_one("#drill-speed").value = "30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    (command,) = launched
    assert command[-10:] == [
        "drill",
        "start",
        "--from",
        code,
        "--speed",
        "30",
        "--lang",
        "ja",
        "--config",
        command[-1],
    ]  # the database goes in the environment (a password would show in `ps`)
    assert drill_environment(app.settings)["STORYCART_DB"] == make_settings(tmp_path).db_url
