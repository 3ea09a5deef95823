"""One- and two-character Korean and Japanese words found through the short-word index on a
real SQLite file and a real PostgreSQL database: exactly the stories that contain them (not
those where the two characters are apart), and the database's plan shows the index, not a scan
of every story."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from app.domain.clock import FakeClock
from app.domain.story.model import Story
from storage.database import Database
from tests.conftest import library_services

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TEXTS = {
    "together/ko": "결제 장애가 났다",
    "apart/ko": "시장 애널리스트의 분석",  # 장 and 애 with a space between: not 장애
    "mid/ja": "本番の決済障害が起きた",  # 障害 inside a run of kanji and kana
    "other/en": "the disk filled up",
}


def test_short_words_are_found_exactly_and_by_the_index(database_url):
    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    for key, narrative in TEXTS.items():
        lang = key.split("/")[1]
        lib.stories.create(Story(key=key, lang=lang, title=key, narrative=narrative), "민지")
    found = {
        q: sorted(s.key for s in lib.stories.search(q, "ko")) for q in ("장애", "障害", "애", "決")
    }
    assert found == {
        "장애": ["together/ko"],
        "障害": ["mid/ja"],
        "애": ["apart/ko", "together/ko"],
        "決": ["mid/ja"],
    }
    with database.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            plan = connection.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM story WHERE id IN (SELECT rowid FROM "
                    "story_fts_short WHERE story_fts_short MATCH '\"장 애\"')"
                )
            ).all()
            assert any("story_fts_short VIRTUAL TABLE INDEX" in str(row) for row in plan), plan
        else:
            connection.execute(text("SET enable_seqscan = off"))  # a tiny table: ask for the plan
            plan = connection.execute(
                text(
                    "EXPLAIN SELECT id FROM story WHERE to_tsvector('simple', "
                    "coalesce(short_text, '')) @@ phraseto_tsquery('simple', '장 애')"
                )
            ).all()
            assert any("ix_story_search_short" in row[0] for row in plan), plan
    database.close()
