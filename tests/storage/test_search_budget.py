"""A search's page on PostgreSQL comes from the newest stories when they fill it (a common word)
and from the text indexes when they do not (a rare word, a far page): the same stories in the
same order either way, on a real database — and for a common word the indexed branch is never
run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain.clock import FakeClock
from app.domain.story.model import Story
from storage import story_rows
from storage.database import Database
from storage.story_rows import search_ids
from tests.conftest import library_services

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def library(database_url, monkeypatch):
    monkeypatch.setattr(story_rows, "SEARCH_BUDGET", 6)  # pages of 2 look at the newest 8
    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    for n in range(30):
        rare = " 인증서 만료" if n in (1, 4) else ""
        story = Story(key=f"s{n}", lang="ko", title=f"s{n}", narrative=f"결제 장애 disk{rare}")
        lib.stories.create(replace(story, occurred_on=f"2025-01-{n % 28 + 1:02d}"), "민지")
    yield database
    database.close()


@pytest.mark.parametrize("query", ["장애", "결제 장애", "disk", "인증서", "만료", "인증서 만료"])
def test_every_page_is_the_indexed_answers_page(library, query):
    with library.session() as session:
        every = search_ids(session, query)
        pages = [search_ids(session, query, limit=2, offset=offset) for offset in range(0, 32, 2)]
    assert [story_id for page in pages for story_id in page] == every
    assert len(every) == (2 if "인증서" in query or "만료" in query else 30)


def test_a_common_word_never_runs_the_indexed_branch(library):
    if library.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads its search indexes in the library's order")
    from sqlalchemy.dialects import postgresql

    with library.session() as session:
        words = story_rows.query_words("결제 장애")
        indexed = story_rows.select(story_rows.StoryRecord.id)
        for word in words:
            pattern = story_rows._like_pattern(word)
            indexed = indexed.where(
                story_rows.col(story_rows.StoryRecord.search_text).like(pattern)
            )
        statement = story_rows._newest_first_or_indexed(indexed, words, 2, 0)
        sql = str(
            statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        plan = "\n".join(
            row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN ANALYZE {sql}")
        )
    assert "never executed" in plan, plan
