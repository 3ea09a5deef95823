"""Diagrams on a story, without a database: text diagrams measured in terminal cells, image files
recognised by their bytes and refused in one sentence, and the half-block picture a terminal
shows."""

from __future__ import annotations

import base64

import pytest

from app.domain.i18n import Catalog, said_in
from app.domain.story.diagram_picture import picture, shown_on_screen
from app.domain.story.diagrams import (
    MAX_COLUMNS,
    check_diagrams,
    check_image,
    image_diagram,
    text_diagram,
)
from app.domain.story.model import Story, StoryError, from_document, to_document, translation_draft
from tests.diagram_files import BLUE_SVG, RED, TEXT_DIAGRAM
from tests.diagram_files import picture as png


def test_a_text_diagram_is_measured_in_terminal_cells():
    diagram = text_diagram("\n\n" + TEXT_DIAGRAM + "   \n\n", " 결제 흐름 ")
    assert diagram.lines()[0] == "+--------+     +--------+"  # blank edges and trailing spaces go
    assert diagram.columns == 25  # "| 결제   |" is 10 cells like "+--------+"
    assert diagram.caption == "결제 흐름"
    assert text_diagram("a\tb").text == "a       b"  # a tab is 8 columns, fixed


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("   \n  ", "The text diagram is empty."),
        ("x" * (MAX_COLUMNS + 1), "Line 1 of the text diagram is 121 columns wide; a diagram"),
        ("가" * 61, "Line 1 of the text diagram is 122 columns wide"),
        ("ok\n\x1b[31mred", "Line 2 of the text diagram holds a control character (U+001B)"),
        ("\n".join(["-"] * 61), "The text diagram has 61 lines; a diagram may have at most 60."),
    ],
)
def test_a_text_diagram_that_cannot_be_drawn_is_refused_in_one_sentence(text, sentence):
    with pytest.raises(StoryError) as refused:
        text_diagram(text)
    assert str(refused.value).startswith(sentence)


def test_image_files_are_recognised_by_their_bytes_not_their_names():
    assert image_diagram(png(), "sketch.jpg").media_type == "image/png"
    jpeg = image_diagram(png(kind="JPEG"), "photo.png", "사진")
    assert (jpeg.kind, jpeg.width, jpeg.height, jpeg.caption) == ("JPEG", 300, 150, "사진")
    svg = image_diagram(BLUE_SVG, "flow.svg")
    assert (svg.kind, svg.width, svg.height) == ("SVG", 200, 100)
    assert base64.b64decode(svg.image) == BLUE_SVG


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"GIF89a....", "map.gif is not a PNG, JPEG or SVG image."),
        (png()[:200], "map.gif could not be read as a PNG image"),
        (b"<svg><rect></svg>", "map.gif could not be read as a SVG image"),
        (b"<?xml version='1.0'?><html><svg/></html>", "map.gif is not a PNG, JPEG or SVG image."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "map.gif is 2.0 MiB; an image may"),
    ],
)
def test_a_file_that_is_not_a_usable_image_is_refused(data, sentence):
    with pytest.raises(StoryError) as refused:
        image_diagram(data, "map.gif")
    assert str(refused.value).startswith(sentence)


def test_refusals_are_said_in_korean_and_japanese():
    with pytest.raises(StoryError) as refused:
        image_diagram(b"GIF89a", "지도.gif")
    korean = said_in(refused.value, Catalog("ko"))
    assert korean == "지도.gif은(는) PNG, JPEG, SVG 이미지가 아닙니다."
    with pytest.raises(StoryError) as refused:
        text_diagram("x" * 130)
    assert said_in(refused.value, Catalog("ja")).startswith("テキスト図の 1 行目は幅 130 桁です")


def test_diagrams_travel_with_the_story_document_and_its_translation():
    story = Story(
        key="s/ko",
        lang="ko",
        title="결제",
        diagrams=[text_diagram(TEXT_DIAGRAM), image_diagram(png(), "a.png", "구조")],
    )
    again = from_document(to_document(story))
    assert again.diagrams == story.diagrams
    assert translation_draft(story, "ja").diagrams == story.diagrams
    document = to_document(story)
    document["diagrams"][0]["colour"] = "red"
    with pytest.raises(StoryError, match="a diagram is malformed"):
        from_document(document)


def test_a_story_takes_four_diagrams_each_an_image_or_a_text():
    with pytest.raises(StoryError, match="at most 4 diagrams"):
        check_diagrams([text_diagram("a")] * 5)
    both = text_diagram("a")
    both.image = base64.b64encode(png()).decode()
    with pytest.raises(StoryError, match="either an image or a text diagram"):
        check_diagrams([both])


def test_an_imported_image_is_opened_again_and_its_label_checked():
    jpeg = image_diagram(png(kind="JPEG"), "photo.jpg")
    jpeg.media_type = "image/png"
    with pytest.raises(StoryError, match=r"'photo\.jpg' is JPEG, not PNG"):
        check_image(jpeg)
    broken = image_diagram(png(), "a.png")
    broken.image = "%%%"
    with pytest.raises(StoryError, match="is not base64"):
        check_image(broken)


def test_the_terminal_picture_keeps_the_proportions_and_the_colours():
    shown = picture(image_diagram(png(300, 150), "a.png"), columns=60, max_rows=40)
    assert shown.columns == 60 and len(shown.rows) == 15  # 60 × 30 pixels, two a cell
    top, bottom = shown.rows[5][2]
    assert top == bottom == RED  # the left third is red
    assert shown.rows[5][50] == ((255, 255, 255), (255, 255, 255))
    tall = picture(image_diagram(png(100, 400), "b.png"), columns=60, max_rows=20)
    assert len(tall.rows) == 20 and tall.columns == 10  # height decides: 10 × 40 pixels
    assert picture(image_diagram(BLUE_SVG, "c.svg"), 60, 20) is None


def test_the_screen_names_each_image_in_the_readers_language():
    diagrams = [image_diagram(BLUE_SVG, "흐름.svg"), image_diagram(png(), "a.png")]
    (_, none, svg_note), (_, pic, png_note) = shown_on_screen(diagrams, Catalog("ja").t)
    assert none is None and pic is not None
    assert svg_note == "SVG 図 흐름.svg（200×100）— 印刷したストーリーシートに描かれます"
    assert png_note == "PNG 画像 a.png、300×150 ピクセル"
