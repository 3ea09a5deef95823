"""Diagrams through the real app with Pilot: the reader shows a story's text diagram with its
columns and its PNG as coloured half-block cells, the story editor attaches a file and a drawn
diagram from the keyboard (F7), refuses a file that is not an image in the dialog, removes one
(F8) and autosaves; the kiosk gives the week's diagrams a slide of their own."""

from __future__ import annotations

from app.domain.clock import FakeClock
from app.domain.story.diagrams import image_diagram, text_diagram
from app.domain.story.model import Story
from app.services.library.stories import StoryService
from app.services.library.week import StoryWeek
from storage.database import Database
from tests.conftest import make_settings
from tests.diagram_files import BLUE_SVG, RED, TEXT_DIAGRAM, picture
from tests.ui.helpers import START, make_app, settle, text_of, wait_ready, wait_until
from tests.ui.test_kiosk import kiosk_app, next_slide, shown
from tests.ui.test_story_flow import read_story_found_by
from widgets.diagram_view import PictureView

SIZE = (120, 40)


def story_with_diagrams(tmp_path, clock, pin: bool = False) -> None:
    database = Database.open(make_settings(tmp_path).db_url)
    try:
        stories = StoryService(database, clock)
        view = stories.create(
            Story(
                key="pay/ko",
                lang="ko",
                title="결제 API 장애",
                highlight="커넥션 풀이 고갈되었다.",
                narrative="오후 2시에 결제가 멈췄다.",
                prompts=["우리 팀이라면?"],
                occurred_on="2026-11-20",
                diagrams=[
                    text_diagram(TEXT_DIAGRAM, "결제 흐름"),
                    image_diagram(picture(), "구조.png", "구조도"),
                    image_diagram(BLUE_SVG, "seq.svg"),
                ],
            ),
            "민지",
        )
        stories.publish(view.story, view.version, "민지")
        if pin:
            StoryWeek(database, clock).pin("pay/ko", "민지")
    finally:
        database.close()


def red_cells(view: PictureView) -> int:
    return sum(
        1
        for y in range(view.size.height)
        for segment in view.render_line(y)
        if segment.style and segment.style.color and segment.style.color.triplet == RED
    )


async def test_the_reader_shows_the_text_diagram_and_the_picture(tmp_path):
    clock = FakeClock(START)
    story_with_diagrams(tmp_path, clock)
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await read_story_found_by(app, pilot, "결제 API")
        assert app.screen.name == "reader"
        assert text_of(app, "#reader-diagrams-title") == "다이어그램"
        texts = [s.render().plain for s in app.screen.query(".diagram-text")]
        assert texts == [TEXT_DIAGRAM]
        captions = [c.render().plain for c in app.screen.query(".diagram-caption")]
        assert captions == ["결제 흐름", "구조도"]
        notes = [n.render().plain for n in app.screen.query(".diagram-note")]
        assert notes == [
            "PNG 이미지 구조.png, 300×150 픽셀",
            "SVG 그림 seq.svg (200×100) — 인쇄한 스토리 시트에 그려집니다",
        ]
        (view,) = app.screen.query(PictureView)
        assert (view.size.width, view.size.height) == (72, 18)  # 300 × 150 in 72 × 36 pixels
        assert red_cells(view) == 24 * 18  # the left third, every row


async def test_the_editor_attaches_and_removes_diagrams_from_the_keyboard(tmp_path):
    clock = FakeClock(START)
    story_with_diagrams(tmp_path, clock)
    sketch = tmp_path / "sketch.png"
    sketch.write_bytes(picture(90, 30))
    (tmp_path / "notes.gif").write_bytes(b"GIF89a....")
    app = make_app(tmp_path, lang="ko", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(app, pilot)
        await read_story_found_by(app, pilot, "결제 API")
        await pilot.press("E")
        await settle(app, pilot)
        editor = app.screen
        assert editor.name == "story-editor"
        listed = text_of(app, "#story-diagrams")
        assert listed.splitlines()[0] == "1. 텍스트 다이어그램, 25×4 — 결제 흐름"
        await pilot.press("f8")
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")  # the SVG
        await settle(app, pilot)
        assert "SVG" not in text_of(app, "#story-diagrams")

        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.press(*str(tmp_path / "notes.gif"), "ctrl+s")
        await settle(app, pilot)
        error = text_of(app, ".dialog-error")
        assert error == "notes.gif은(는) PNG, JPEG, SVG 이미지가 아닙니다."
        app.screen.query_one("#diagram-file").value = str(sketch)
        app.screen.query_one("#diagram-caption").value = "손그림"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is editor
        await pilot.press("f7")
        await settle(app, pilot)
        await pilot.press("enter")  # no file: on to the drawing box
        await pilot.press(*"[웹]-->[DB]", "ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#story-diagrams").splitlines()[2:] == [
            "3. PNG · sketch.png — 손그림",
            "4. 텍스트 다이어그램, 11×1",
        ]
        version = editor.version
        clock.advance(1)  # the autosave's second
        await wait_until(pilot, lambda: editor.version > version, what="the story's autosave")
        await settle(app, pilot)
        stored = app.services.stories.view("pay/ko").story.diagrams
        assert [d.kind for d in stored] == ["text", "PNG", "PNG", "text"]
        assert stored[2].image_bytes() == sketch.read_bytes()
        assert stored[3].text == "[웹]-->[DB]"


async def test_the_kiosk_shows_the_weeks_diagrams_a_page_each(tmp_path):
    clock = FakeClock(START)
    story_with_diagrams(tmp_path, clock, pin=True)
    app = kiosk_app(tmp_path, clock=clock)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await shown(app, pilot)
        assert screen.playlist.slides()[:2] == ("story", "diagrams")
        await next_slide(app, pilot, clock)
        assert text_of(app, "#kiosk-heading") == "스토리의 다이어그램"
        assert [s.render().plain for s in screen.query(".diagram-text")] == [TEXT_DIAGRAM]
        await next_slide(app, pilot, clock)
        (view,) = screen.query(PictureView)
        assert view.size.width == 90 and red_cells(view) > 0
        await next_slide(app, pilot, clock)
        assert "seq.svg" in screen.query_one(".diagram-note").render().plain
        await next_slide(app, pilot, clock)
        assert screen.playlist.slide == "highlight"
        assert not screen.query_one("#kiosk-diagram").display
