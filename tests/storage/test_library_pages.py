"""The library read a page at a time on a real SQLite file and a real PostgreSQL database: the
pages, laid end to end, are exactly the library the reader of each language sees (hidden
examples out, one line per story with the translation chosen for that reader)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.clock import FakeClock
from app.domain.story.model import Story
from storage.database import Database
from tests.conftest import library_services

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_pages_end_to_end_are_the_library(database_url):
    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    lib.stories.ensure_starters()
    for number in range(23):
        lib.stories.create(
            Story(
                key=f"s{number}/ko",
                lang="ko",
                title=f"이야기 {number}",
                narrative="본문",
                highlight="요약",
                prompts=["질문?"],
                status="published",
                occurred_on=f"2026-0{1 + number % 9}-1{number % 10}" if number % 4 else "",
            ),
            "민지",
        )
    lib.stories.translate("s1/ko", "ja", "佐藤")  # a draft: the Japanese reader sees the Korean
    view = lib.stories.translate("s2/ko", "ja", "佐藤")
    lib.stories.publish(view.story, view.version, "佐藤")  # published: shown to Japanese readers
    for lang in ("ko", "ja", "en"):
        whole = [item.key for item in lib.stories.summaries(lang)]
        paged, offset = [], 0
        while True:
            page = lib.stories.page(lang, offset, 5)
            if not page:
                break
            paged += [item.key for item in page]
            offset += len(page)
        assert paged == whole and lib.stories.count() == len(whole) == 29, lang
    assert "s2/ja" in [item.key for item in lib.stories.page("ja", 0, 100)]
    lib.stories.hide_examples(True)
    assert lib.stories.count() == 23
    database.close()
