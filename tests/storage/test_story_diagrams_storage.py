"""Diagrams stored with their story on a real SQLite file and a real PostgreSQL database: added
and removed through the service (two writers at once both kept), read back byte for byte,
carried by a translation and by the library's JSON export, and a tampered image in an import
refused with nothing changed."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.story.diagrams import image_diagram, text_diagram
from app.domain.story.model import Story, StoryError
from storage.database import Database
from tests.conftest import library_services
from tests.diagram_files import BLUE_SVG, TEXT_DIAGRAM, picture

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(database_url):
    database = Database.open(database_url)
    clock = FakeClock(START)
    lib = library_services(database, clock)
    lib.stories.create(Story(key="pay/ko", lang="ko", title="결제 API 장애"), "민지")
    yield database, clock, lib
    database.close()


def test_diagrams_are_stored_with_the_story_and_read_back_exactly(world):
    _db, _clock, lib = world
    png = picture()
    lib.stories.add_diagram("pay/ko", text_diagram(TEXT_DIAGRAM, "흐름"), "민지")
    lib.stories.add_diagram("pay/ko", image_diagram(png, "구조.png", "구조도"), "민지")
    view = lib.stories.add_diagram("pay/ko", image_diagram(BLUE_SVG, "seq.svg"), "준호")
    assert [d.kind for d in view.story.diagrams] == ["text", "PNG", "SVG"]
    again = lib.stories.view("pay/ko").story.diagrams
    assert again[0].text == TEXT_DIAGRAM and again[0].caption == "흐름"
    assert again[1].image_bytes() == png and (again[1].width, again[1].height) == (300, 150)
    assert again[2].image_bytes() == BLUE_SVG
    view = lib.stories.remove_diagram("pay/ko", 1, "민지")
    assert [d.kind for d in view.story.diagrams] == ["PNG", "SVG"]
    with pytest.raises(StoryError, match=r"The story has no diagram 3\."):
        lib.stories.remove_diagram("pay/ko", 3, "민지")
    translation = lib.stories.translate("pay/ko", "ja", "사토")
    assert translation.story.diagrams == view.story.diagrams


def test_two_people_adding_a_diagram_at_once_both_keep_theirs(world):
    _db, _clock, lib = world
    barrier = threading.Barrier(2)

    def add(caption: str) -> None:
        barrier.wait()
        lib.stories.add_diagram("pay/ko", text_diagram(f"[{caption}]", caption), caption)

    threads = [threading.Thread(target=add, args=(name,)) for name in ("민지", "준호")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    captions = sorted(d.caption for d in lib.stories.view("pay/ko").story.diagrams)
    assert captions == ["민지", "준호"]


def test_the_library_export_carries_images_and_a_tampered_one_is_refused(world, tmp_path):
    _db, clock, lib = world
    lib.stories.add_diagram("pay/ko", image_diagram(picture(), "구조.png", "구조도"), "민지")
    text = json.dumps(lib.exchange.export_document(), ensure_ascii=False)

    other = Database.open(f"sqlite:///{tmp_path / 'other.db'}")
    copy = library_services(other, clock)
    copy.exchange.import_document(json.loads(text), "alex")
    assert copy.stories.view("pay/ko").story.diagrams == lib.stories.view("pay/ko").story.diagrams

    tampered = json.loads(text)
    (entry,) = [s for s in tampered["stories"] if s["key"] == "pay/ko"]
    entry["title"] = "바뀌면 안 됨"
    entry["diagrams"][0]["image"] = base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()
    with pytest.raises(StoryError, match=r"could not be read as a PNG image"):
        copy.exchange.import_document(tampered, "alex")
    assert copy.stories.view("pay/ko").story.title == "결제 API 장애"
    other.close()
