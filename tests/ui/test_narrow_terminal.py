"""The app at 80x24, the smallest terminal an on-call laptop opens: nothing needed is cut off."""

from __future__ import annotations

from rich.cells import cell_len

from app.domain.clock import FakeClock
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, settle, wait_ready
from widgets.board_table import BoardHeader, BoardTable

NARROW = (80, 24)


def _board_lines(app) -> tuple[str, list[str]]:
    board = app.screen
    header = board.query_one(BoardHeader).render().plain
    table = board.query_one(BoardTable)
    rows = [table.render_line(y).text for y in range(table.row_count)]
    return header, rows


async def _seeded_board(tmp_path, lang: str):
    clock = FakeClock(START)
    seed(
        make_settings(tmp_path, lang=lang),
        clock,
        [
            dict(
                title="개인정보가 로그에 노출되어 외부로 전송됨",
                severity="P0",
                type_key="data",
                policy="ai-ops",
            ),
            dict(title="Checkout down", severity="SEV-2"),
        ],
    )
    return make_app(tmp_path, lang=lang, clock=clock)


async def test_the_board_keeps_every_clock_column_at_80_columns(tmp_path):
    for lang, headers in {
        "en": ("Ack", "Next", "Update", "Res/PM", "Report"),
        "ko": ("확인", "다음", "갱신", "해결/PM", "보고"),
        "ja": ("確認", "次", "更新", "解決/PM", "報告"),
    }.items():
        app = await _seeded_board(tmp_path / lang, lang)
        async with app.run_test(size=NARROW) as pilot:
            await wait_ready(app, pilot)
            header, rows = _board_lines(app)
            visible = app.screen.query_one(BoardTable).size.width
            for name in headers:
                assert name in header, (lang, header)
            assert cell_len(header.rstrip()) <= visible, (lang, header)
            p0 = next(row for row in rows if "0001" in row)
            # The regulatory clock (72 h for a data incident) is on screen, whole.
            assert p0.rstrip().endswith("2d23h") or p0.rstrip().endswith("3d00h"), (lang, p0)
            assert cell_len(p0.rstrip()) <= visible


async def test_a_wide_board_keeps_full_ids_and_headers(tmp_path):
    app = await _seeded_board(tmp_path, "ko")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await settle(app, pilot)
        header, rows = _board_lines(app)
        assert "다음 단계" in header and "규제 보고" in header, header
        assert cell_len(header.rstrip()) <= app.screen.query_one(BoardTable).size.width
        assert any("INC-2026-0001" in row for row in rows)


async def test_the_declare_dialog_fits_an_80x24_terminal(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        dialog = app.screen
        parts = [*dialog.query("Input, Select"), dialog.query_one(".dialog-hint")]
        assert len(parts) == 6
        for part in parts:
            region = part.region
            assert region.height >= 1 and region.bottom <= NARROW[1], (part, region)
        await pilot.press(*"결제 장애", "tab", "space", "down", "enter")  # SEV-1, chosen
        await pilot.press("tab", "tab", *"카드 결제", "tab", *"민지")
        await pilot.press("enter")
        await settle(app, pilot)
        _header, rows = _board_lines(app)
        assert any("0001" in row for row in rows)


async def test_the_matrix_never_breaks_a_word_at_80_columns(tmp_path):
    from app.domain.policy.view import cell_examples
    from widgets.severity_grid import SeverityGrid

    app = make_app(tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("m", "p")  # the AI-operations policy: "Performance", "discriminatory"
        await settle(app, pilot)
        grid = app.screen.query_one(SeverityGrid)
        policy = grid.policy
        assert policy.name == "ai-ops"
        for incident_type in policy.types:
            for severity in policy.severities:
                words = {
                    word
                    for text in cell_examples(policy, incident_type.key, severity.key, "en")
                    for word in text.split()
                }
                shown = grid.get_cell(incident_type.key, severity.key).plain
                for word in shown.replace("•", " ").split():
                    assert word in words, (incident_type.key, severity.key, word, shown)
