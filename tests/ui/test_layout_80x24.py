"""Every screen read at 80x24 first (issue 31): nothing cut through a wide character, no half
footer label, the important text keeps its room; dialogs centred, toasts beside a dialog."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.clock import FakeClock
from tests.conftest import make_settings
from tests.ui.helpers import START, make_app, seed, settle, wait_ready

NARROW = (80, 24)
WIDE = (120, 40)


def screen_lines(app) -> list[str]:
    """The terminal's rows as the user reads them (a wide character is one character)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def footer_labels(app) -> tuple[list[str], str | None]:
    """Every footer key's whole label in the footer's order, and the command palette's."""
    from textual.widgets._footer import FooterKey

    labels, palette = [], None
    for key in app.screen.query(FooterKey):
        label = f"{key.key_display} {key.description}".strip()
        if key.has_class("-command-palette"):
            palette = label
        else:
            labels.append(label)
    return labels, palette


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
async def test_the_footer_drops_whole_labels_at_80_columns(tmp_path, lang):
    clock = FakeClock(START)
    seed(make_settings(tmp_path, lang=lang), clock, [dict(title="결제 API 장애", severity="SEV-1")])
    app = make_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        for keys in ((), ("enter",)):  # the board, then the incident screen
            await pilot.press(*keys)
            await settle(app, pilot)
            labels, palette = footer_labels(app)
            footer = screen_lines(app)[-1]
            left, bar, right = footer.partition("▏")
            assert bar, footer
            assert right.strip() == palette, (lang, footer)  # the palette's label, whole
            shown = left.split()
            # The labels shown are the first few, each whole; the rest are not there at all.
            wholes = {" ".join(" ".join(labels[:n]).split()) for n in range(len(labels) + 1)}
            assert " ".join(shown) in wholes, (lang, footer)
            assert len(shown) >= 4, (lang, footer)  # most of the row is still used


async def test_the_incident_header_keeps_its_policy_and_the_ladder_reads_whole(tmp_path):
    for lang in ("en", "ko", "ja"):
        clock = FakeClock(START)
        settings = make_settings(tmp_path / lang, lang=lang)
        seed(settings, clock, [dict(title="결제 API 장애: 카드 결제 실패", severity="SEV-1")])
        clock.advance(timedelta(minutes=40))
        seed(settings, clock, [])
        app = make_app(tmp_path / lang, lang=lang, clock=clock)
        async with app.run_test(size=NARROW) as pilot:
            await wait_ready(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            lines = screen_lines(app)
            assert "web-service" in "".join(lines[:4]), (lang, lines[:4])
            table = app.screen.query_one("#ladder-table")
            assert table.row_count == 12
            for key in table.rows:
                state = table.get_cell(key, "state").plain
                # The state as the table holds it is on screen whole, not cut at the edge.
                assert any(state in line for line in lines), (lang, state)
            # Every row's countdown whole: a pending step says how long is left, to the second.
            texts = [table.get_cell(key, "state").plain for key in table.rows]
            assert any("20:00" in text for text in texts), (lang, texts)


async def test_a_day_old_incident_shows_its_age_whole_on_a_narrow_board(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="en")
    seed(settings, clock, [dict(title="Slow", severity="SEV-4")])
    clock.advance(timedelta(hours=22, minutes=50))
    seed(settings, clock, [])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        row = next(line for line in screen_lines(app) if "0001" in line)
        assert "…" not in row, row
        assert " 22h " in row or " 22h50m " in row, row


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_the_self_care_card_is_centred(tmp_path, size):
    from screens.self_care import SelfCareDialog

    app = make_app(tmp_path, lang="ja")
    async with app.run_test(size=size) as pilot:
        await wait_ready(app, pilot)
        app.push_screen(SelfCareDialog(app.catalog))
        await settle(app, pilot)
        box = app.screen.query_one("#care-box").region
        width, height = size
        assert abs(box.x - (width - box.right)) <= 1, box
        assert abs(box.y - (height - box.bottom)) <= 1, box
        # A long Japanese point starts beside its bullet (the bullet never sits alone).
        lines = screen_lines(app)
        assert not [line for line in lines if line.strip(" │") == "•"], lines
        assert any("• 身近な人に" in line for line in lines), lines


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_the_librarys_first_row_is_near_the_top(tmp_path, size):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=size) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        table = app.screen.query_one("#library-table")
        assert table.row_count > 0
        # Under the title, the search field, the filters and the count: nothing empty between.
        assert table.region.y <= 8, table.region
        assert table.region.height >= size[1] - 9, table.region  # down to the footer


async def test_a_notice_never_covers_the_dialog_being_typed_in(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(*"결제")
        for said in ("훈련: 결제 API 오류율 상승", "훈련: 모니터가 새 인시던트를 선언함"):
            app.notify(said, title="훈련 00:30", severity="warning", timeout=20, markup=False)
        await pilot.press(*" 장애")
        await settle(app, pilot)
        box = app.screen.query_one(".dialog-box").region
        toasts = list(app.screen.query("Toast"))
        assert toasts
        for toast in toasts:
            assert not toast.region.overlaps(box), (toast.region, box)
            assert toast.region.bottom <= NARROW[1]
        # The notices took neither the focus nor a key.
        assert app.screen.query_one("#declare-title").value == "결제 장애"
        assert app.focused is app.screen.query_one("#declare-title")
        assert any("결제 API 오류율" in line for line in screen_lines(app))


async def test_a_message_being_edited_survives_a_re_read(tmp_path):
    """A drill (or anyone else) changing incidents re-reads the incident screen: the message
    the user is editing under Messages keeps what they typed."""
    clock = FakeClock(START)
    seed(make_settings(tmp_path), clock, [dict(title="Checkout down", severity="SEV-2")])
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("5", "tab", "end", *" ETA 10m")
        await settle(app, pilot)
        field = app.screen.query_one("#template-text")
        assert field.has_focus and " ETA 10m\n" in field.text, field.text
        app.notify("Drill: error rate up", timeout=20)
        app.engine.changes.made_here(board=True)  # what a drill's event does
        await settle(app, pilot)
        await pilot.press(*" (drill)")
        await settle(app, pilot)
        assert field.has_focus
        assert " ETA 10m (drill)\n" in field.text, field.text


@pytest.mark.parametrize("lang", ["en", "ko"])
async def test_the_metrics_keep_how_many_met_their_target_at_80_columns(tmp_path, lang):
    from tests.ui.test_metrics_flow import history

    clock = FakeClock(START)
    history(tmp_path, clock, lang)
    app = make_app(tmp_path, lang=lang, clock=clock)
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        lines = screen_lines(app)
        met = [line for line in lines if "3/3" in line]
        assert met and "3/3 (100%)" in met[0], lines
        assert any("2/3 (67%)" in line for line in lines), lines


async def test_the_timeline_wraps_what_happened_instead_of_cutting_it(tmp_path):
    clock = FakeClock(START)
    settings = make_settings(tmp_path, lang="ko")
    seed(settings, clock, [dict(title="결제 API 장애: 카드 결제 실패", severity="SEV-1")])
    clock.advance(timedelta(minutes=20))
    seed(settings, clock, [])
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=NARROW) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("enter", "2")
        await settle(app, pilot)
        lines = screen_lines(app)
        assert any("SEV-1 선언: 결제 API 장애: 카드 결제 실패" in line for line in lines), lines
        # Each escalation's entry, to its last word, on screen (wrapped under "What").
        assert sum("제시간에" in line for line in lines) == 3, lines
        assert sum(line.split() == ["호출"] or "호출" in line for line in lines) == 3, lines
