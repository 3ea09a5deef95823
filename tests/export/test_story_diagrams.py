"""Diagrams on printed stories, read back from the PDF: the PNG embedded with its pixels, the
SVG drawn, the text diagram in the shipped monospace font with its columns where a terminal puts
them (Korean and Japanese two cells, Latin one), the caption under each; the booklet too."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.story.diagrams import text_diagram
from app.domain.story.model import Story, StoryError
from app.export.booklet import booklet
from app.export.diagrams import attachable_image
from app.export.story_sheet import story_sheet
from app.services.library.stories import StoryService
from storage.database import Database
from tests.diagram_files import BLUE_SVG, RED, TEXT_DIAGRAM, picture
from tests.export.pdf_checks import assert_inside_margins, colour_share, squeeze, text_of

TODAY = date(2026, 12, 2)
BLUE = (30, 80, 200)


@pytest.fixture
def view(tmp_path):
    database = Database.open(f"sqlite:///{tmp_path / 'cart.db'}")
    service = StoryService(database, FakeClock())
    story = Story(
        key="pay/ko",
        lang="ko",
        title="결제 API 장애",
        highlight="커넥션 풀이 고갈되었다.",
        narrative="오후 2시에 결제가 멈췄다.",
        prompts=["우리 팀이라면?"],
        diagrams=[
            text_diagram(TEXT_DIAGRAM, "결제 흐름"),
            attachable_image(picture(), "구조.png", "구조도"),
            attachable_image(BLUE_SVG, "seq.svg", "순서도"),
        ],
    )
    service.create(story, "민지")
    yield service.view("pay/ko")
    database.close()


def words(data: bytes, tmp_path) -> list[tuple[str, float, float]]:
    """(word, x, y) of every word pdftotext finds, in points."""
    path = tmp_path / "words.pdf"
    path.write_bytes(data)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', boxes)
    return [(word, float(x), float(y)) for x, y, word in found]


def test_the_story_sheet_prints_each_diagram_with_its_caption(view, tmp_path):
    data = story_sheet(view, TODAY).output()
    text = squeeze(text_of(data))
    for caption in ("다이어그램", "결제흐름", "구조도", "순서도", "client", "DBpool"):
        assert caption in text
    page = PdfReader(io.BytesIO(data)).pages[0]
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("StoryCartMono") for name in fonts), fonts
    (embedded,) = page.images  # the PNG, its own pixels; the SVG is drawn, not embedded
    image = Image.open(io.BytesIO(embedded.data)).convert("RGB")
    assert image.size == (300, 150)
    assert image.getpixel((20, 75)) == RED and image.getpixel((250, 75)) == (255, 255, 255)
    assert colour_share(data, tmp_path, RED) > 0.005  # drawn where it can be seen
    assert colour_share(data, tmp_path, BLUE) > 0.002  # the SVG's box
    assert assert_inside_margins(data, tmp_path, "a4") > 10


def test_a_text_diagram_keeps_the_terminals_columns_on_paper(view, tmp_path):
    found = words(story_sheet(view, TODAY).output(), tmp_path)
    top = next(y for word, _, y in found if word == "+--------+")
    bottom = next(y for word, _, y in found if word == "pool")
    placed = {word: (x, y) for word, x, y in found if top <= y <= bottom}  # the diagram's words
    # "결제" and "client" both start in column 2; "データ" and "DB" in column 17.
    assert placed["결제"][0] == pytest.approx(placed["client"][0], abs=0.6)
    assert placed["データ"][0] == pytest.approx(placed["DB"][0], abs=0.6)
    cell = (placed["DB"][0] - placed["client"][0]) / 15
    assert cell == pytest.approx(9 * 0.5, abs=0.05)  # 9 pt type, half an em a column
    assert placed["pool"][0] - placed["DB"][0] == pytest.approx(3 * cell, abs=0.6)


def test_a_wide_text_diagram_is_set_smaller_to_fit_the_page(tmp_path):
    wide = text_diagram("[" + "=" * 118 + "]\n" + "|" + " " * 55 + "끝" + " " * 61 + "|")
    story = Story(key="w/ko", lang="ko", title="넓은 그림", diagrams=[wide])
    database = Database.open(f"sqlite:///{tmp_path / 'w.db'}")
    service = StoryService(database, FakeClock())
    service.create(story, "민지")
    data = story_sheet(service.view("w/ko"), TODAY).output()
    database.close()
    assert assert_inside_margins(data, tmp_path, "a4") > 2
    assert "끝" in text_of(data)


def test_the_booklet_carries_the_diagrams_of_its_stories(view, tmp_path):
    data = booklet([view], "ko", TODAY, "이번 주 묶음").output()
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(page.images) for page in reader.pages) == 1
    assert "결제흐름" in squeeze(text_of(data))
    assert colour_share(data, tmp_path, BLUE, page=2) > 0.002


def test_an_svg_the_sheet_could_not_draw_is_refused_when_attached():
    remote = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<image href="file:///etc/hostname" width="10" height="10"/></svg>'
    )
    with pytest.raises(StoryError, match=r"^x.svg cannot be printed \(Local file access"):
        attachable_image(remote, "x.svg")
