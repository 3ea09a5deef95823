"""The severity matrix, driven through the real app with Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import DataTable

from app.domain.policy.document import policy_to_toml
from app.services.policy_set import load_policies, policy_sources
from screens.help import HelpScreen
from screens.matrix import MatrixScreen
from tests.ui.helpers import (
    make_app,
    notices,
    palette_hit,
    settle,
    text_of,
    wait_ready,
    wait_until,
)
from widgets.severity_grid import SeverityGrid

SIZE = (120, 40)


async def test_open_move_cursor_and_switch_policy(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, MatrixScreen)
        assert "Web service (SEV-1..4)" in text_of(app, "#policy-line")
        assert text_of(app, "#definition-heading") == "SEV-1 Critical · Service incident"
        body = text_of(app, "#definition-body")
        # The acknowledgement target the metrics grade against (issue 32): SEV-1 responds at
        # once, and is acknowledged within 5 min (seed 003 §7).
        assert "Acknowledgement target: 5 min" in body and "Resolution target: 1 h" in body
        assert "Notify first: L1 on-call engineer, L3 engineering manager" in body

        await pilot.press("right", "right")
        assert text_of(app, "#definition-heading") == "SEV-3 Medium · Service incident"
        body = text_of(app, "#definition-body")
        assert "Acknowledgement target: 1 h" in body and "Resolution target: 24 h" in body
        assert "• Broken styles in one browser" not in body  # examples, not grid bullets
        assert "Broken styles in one browser" in body
        assert "at the start of the next sprint" in body

        await pilot.press("p")
        grid = app.screen.query_one(SeverityGrid)
        assert [str(c.label) for c in grid.columns.values()] == [
            "P0 Critical",
            "P1 High",
            "P2 Medium",
            "P3 Low",
        ]
        assert grid.row_count == 5
        assert text_of(app, "#definition-heading") == "P0 Critical · Data incident"
        await pilot.press("down", "down", "right")
        assert text_of(app, "#definition-heading") == "P1 High · Security incident"
        body = text_of(app, "#definition-body")
        assert "Examples: Successful prompt injection" in body
        assert "Notify first: Governance committee, Product lead" in body
        assert "after 1 h: CISO (unless resolved)" in body
        assert "after 4 h: CEO (unless resolved)" in body
        assert "Status updates: every 1 h" in body
        assert "Postmortem due" in body and "48 h after resolution" in body
        assert "Regulatory report due: 72 h after detection" in body
        assert "Prompt injection: Block the specific patterns → Update prompt filters" in body

        await pilot.press("p")
        assert text_of(app, "#definition-heading") == "SEV-1 Critical · Service incident"


async def test_korean_matrix_and_detail(tmp_path):
    app = make_app(tmp_path, lang="ko", policy="ai-ops")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("m")
        grid = app.screen.query_one(SeverityGrid)
        assert str(grid.rows["regulatory"].label) == "규제 인시던트"
        assert grid.get_cell("model", "P0").plain == "• 차별적 의사결정으로\n  인한 피해"
        await pilot.press("down", "right", "right", "right")
        assert text_of(app, "#definition-heading") == "P3 낮음 · 모델 인시던트"
        body = text_of(app, "#definition-body")
        assert "확인(Ack) 목표: 24시간" in body and "최초 보고 대상: 담당 엔지니어" in body
        assert "1시간 후: 팀 리더 (단, 해결됨이면 생략)" in body


async def test_help_lists_the_bindings_of_the_screen(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("m", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = {
            table.get_row_at(i)[1].plain: table.get_row_at(i)[0].plain
            for i in range(table.row_count)
        }
        assert rows["Next policy"] == "p"
        assert rows["Severity matrix"] == "m"
        assert rows["Reload policies"] == "^r"
        assert rows["Quit"] == "q, ^q"
        await pilot.press("escape")
        assert isinstance(app.screen, MatrixScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("m")
        assert isinstance(app.screen, MatrixScreen)


async def test_command_palette_has_matrix_and_policy_entries(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Severity matrix" in titles
        assert "Use policy: AI operations (P0..P3 × type)" in titles
        assert "Reload policies" in titles
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Use policy: AI")
        await wait_until(pilot, palette_hit(app, "Use policy: AI"), what="the policy's hit")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert app.active_policy == "ai-ops"
        assert text_of(app, "#definition-heading") == "P0 Critical · Data incident"


def _user_policy(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ours.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _ours() -> str:
    builtin = load_policies(policy_sources(None)).get("web-service")
    return policy_to_toml(builtin).replace('name = "web-service"', 'name = "ours"', 1)


async def test_broken_policy_file_falls_back_to_last_good_version(tmp_path):
    folder = tmp_path / "config" / "storycart" / "policies"
    path = _user_policy(folder, _ours())
    first = make_app(tmp_path, policy="ours")
    async with first.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(first, pilot)  # the database open: the policy file's version stored
        await settle(first, pilot)
        assert first.active_policy == "ours"

    path.write_text(_ours().replace('response = "15m"', 'response = "fifteen"'), encoding="utf-8")
    second = make_app(tmp_path, policy="ours")
    async with second.run_test(size=SIZE, notifications=True) as pilot:
        await wait_ready(second, pilot)
        await settle(second, pilot)
        messages = await notices(second, pilot)
        assert any("'fifteen' is not a duration" in m and str(path) in m for m in messages)
        assert any(m.startswith("Using the last good version of ours stored on") for m in messages)
        assert "ours" in second.policies.policies
        assert second.policies.get("ours").severity("SEV-2").response_s == 900


async def test_reload_keeps_the_last_good_policy_when_a_file_breaks(tmp_path):
    folder = tmp_path / "config" / "storycart" / "policies"
    path = _user_policy(folder, _ours())
    app = make_app(tmp_path, policy="ours")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        path.write_text("[policy]\nname = 'ours'\n", encoding="utf-8")
        await pilot.press("m", "ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.active_policy == "ours"
        assert app.policies.get("ours").severity("SEV-1").resolution_s == 3600
        said = "missing the required key 'scheme'"
        assert any(said in text for text in await notices(app, pilot))
        assert "ours" in text_of(app, "#policy-line")


async def test_policy_text_that_looks_like_markup_is_shown_literally(tmp_path):
    folder = tmp_path / "config" / "storycart" / "policies"
    hostile = _ours().replace("Website unreachable", "[b]Website[/b] \\u001b[31munreachable")
    _user_policy(folder, hostile.replace('"Critical"', '"[red]Critical[/red]"', 1))
    app = make_app(tmp_path, policy="ours")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("m")
        grid = app.screen.query_one(SeverityGrid)
        header = next(str(c.label) for c in grid.columns.values())
        assert header.replace("\n", " ") == "SEV-1 [red]Critical[/red]"  # wrapped between words
        assert text_of(app, "#definition-heading").startswith("SEV-1 [red]Critical[/red]")
        body = text_of(app, "#definition-body")
        assert "[b]Website[/b] [31munreachable" in body
        assert "\x1b" not in body


async def test_too_new_database_is_reported_in_the_app_and_left_untouched(tmp_path):
    import hashlib
    import sqlite3

    path = tmp_path / "test.db"  # the database make_settings points at
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0777');"
    )
    connection.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = await notices(app, pilot)
        assert any("written by a newer Story Cart (schema 0777)" in m for m in messages)
        await pilot.press("m")
        assert isinstance(app.screen, MatrixScreen)  # the matrix still works from the files
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
