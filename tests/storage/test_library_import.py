"""A large library import on a real SQLite file and a real PostgreSQL database: the stories go
in by batches with the search indexes filled once after the load, and are then found exactly as
stories written one by one are — newest first, short words and long ones — and a story written
afterwards is indexed as before (the set-aside triggers are back)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.story.model import Story, to_document
from app.services.library.exchange import EXPORT_FORMAT, EXPORT_VERSION
from storage import story_import
from storage.database import Database
from tests.conftest import library_services

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def story(n: int) -> Story:
    words = "결제 장애 certificate" if n % 2 else "디스크 부족 disk"
    made = Story(key=f"s{n}", lang="ko", title=f"s{n}", narrative=f"{words} {n}")
    return replace(made, occurred_on=f"2025-{n % 12 + 1:02d}-{n % 27 + 1:02d}")


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(story_import, "BATCH", 4)
    monkeypatch.setattr(story_import, "LARGE_LOAD", 5)


@pytest.mark.usefixtures("small_batches")
def test_a_large_import_is_found_as_stories_written_one_by_one(database_url):
    one_by_one = Database.open(database_url)
    lib = library_services(one_by_one, FakeClock(START))
    lib.stories.create(story(0), "민지")  # already there: replaced by the import
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "stories": [to_document(story(n)) for n in range(23)],
    }
    counts = lib.exchange.import_document(document, "민지")
    assert counts["stories"] == 23
    lib.stories.create(story(23), "민지")  # after the import: through the triggers again
    expected = {}
    for query in ("장애", "certificate", "결제 장애", "부족", "disk", "23"):
        expected[query] = [s.key for s in lib.stories.search(query, "ko")]
    assert expected["장애"] == expected["certificate"] == expected["결제 장애"]
    assert len(expected["장애"]) == 12 and len(expected["disk"]) == 12
    assert "s23" in expected["장애"] and "s0" in expected["disk"]
    dated = sorted(range(24), key=lambda n: (story(n).occurred_on, n), reverse=True)
    assert expected["장애"] == [f"s{n}" for n in dated if n % 2]
    assert lib.stories.view("s0").version == 2
    # A story that came in with the load reads back whole (PostgreSQL's COPY, JSON columns).
    loaded = lib.stories.view("s5")
    assert loaded.story == story(5) and loaded.version == 1
    one_by_one.close()
