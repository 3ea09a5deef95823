"""Printing from the TUI with Pilot: `e` on the story of the week writes its sheet, the booklet
shows its progress, `e` on the matrix writes the poster, F6 in a postmortem writes the report —
each PDF read back."""

from __future__ import annotations

import re

from pypdf import PdfReader

from app.domain.clock import FakeClock
from screens.print_dialog import PrintDialog
from tests.export.pdf_checks import squeeze
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready
from tests.ui.test_story_flow import published_postmortem

SIZE = (120, 40)


async def choose(app, pilot, label_part: str) -> str:
    """Pick the option whose label contains `label_part`; returns the status once written."""
    dialog = app.screen
    assert isinstance(dialog, PrintDialog)
    labels = [label for _, label in dialog.choices]
    index = next(i for i, label in enumerate(labels) if label_part in label)
    await pilot.press(*(["down"] * index), "enter")
    for _ in range(300):
        await settle(app, pilot)
        status = text_of(app, "#print-status")
        if not dialog.busy and status:
            return status
        await pilot.pause(0.05)
    raise AssertionError("the sheet was never written")


def written(status: str):
    path = re.search(r"(/\S+?\.pdf)", status).group(1)
    return PdfReader(path), path


async def test_story_sheet_and_booklet_from_the_reader(tmp_path):
    app = make_app(tmp_path, lang="ko")
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        await pilot.press("l", "e")  # the product lens, then print
        await settle(app, pilot)
        status = await choose(app, pilot, "스토리 시트")
        assert status.startswith("저장됨: ") and status.endswith("쪽)")
        reader, path = written(status)
        assert path.endswith(".pdf") and "/exports/story-" in path
        text = squeeze("".join(page.extract_text() for page in reader.pages))
        assert squeeze("건강해 보였던 카나리") in text and squeeze("관점: 프로덕트") in text
        await pilot.press("escape")
        await pilot.press("f6")
        await settle(app, pilot)
        status = await choose(app, pilot, "소책자")
        bar = app.screen.query_one("#print-progress")
        assert (bar.total, bar.progress) == (1, 1)
        reader, _ = written(status)
        assert len(reader.pages) == 7  # contents and six one-page stories
        await pilot.press("escape")
        assert app.screen.name == "reader"


async def test_poster_from_the_matrix_and_report_from_the_postmortem(tmp_path):
    clock = FakeClock(START)
    code = published_postmortem(tmp_path, clock)
    app = make_app(tmp_path, lang="ja", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("m", "e")
        await settle(app, pilot)
        status = await choose(app, pilot, "A3")
        reader, _ = written(status)
        page = reader.pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            1191,
            842,
        )
        assert "重大度マトリクス" in page.extract_text()
        await pilot.press("escape", "i")
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert app.screen.name == "postmortem"
        await pilot.press("f6")
        await settle(app, pilot)
        status = await choose(app, pilot, "インシデント報告書")
        reader, path = written(status)
        assert code in path
        text = squeeze("".join(p.extract_text() for p in reader.pages))
        assert squeeze("카드 결제가 40분 동안 실패했다.") in text
        assert squeeze("갱신 자동화") in text
