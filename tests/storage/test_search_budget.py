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
from storage import story_search
from storage.database import Database
from storage.story_search import search_ids
from tests.conftest import library_services

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _filled_library(url: str, monkeypatch):
    monkeypatch.setattr(story_search, "SEARCH_BUDGET", 6)  # pages of 2 look at the newest 8
    database = Database.open(url)
    lib = library_services(database, FakeClock(START))
    for n in range(30):
        rare = " 인증서 만료" if n in (1, 4) else ""
        story = Story(key=f"s{n}", lang="ko", title=f"s{n}", narrative=f"결제 장애 disk{rare}")
        lib.stories.create(replace(story, occurred_on=f"2025-01-{n % 28 + 1:02d}"), "민지")
    return database


@pytest.fixture
def library(database_url, monkeypatch):
    database = _filled_library(database_url, monkeypatch)
    yield database
    database.close()


@pytest.fixture
def postgres_library(postgres_server, monkeypatch):
    """The same library on PostgreSQL only: SQLite reads its search indexes in the library's
    order, with no branch to skip."""
    database = _filled_library(postgres_server.migrated_database(), monkeypatch)
    yield database
    database.close()


@pytest.mark.parametrize("query", ["장애", "결제 장애", "disk", "인증서", "만료", "인증서 만료"])
def test_every_page_is_the_indexed_answers_page(library, query):
    with library.session() as session:
        every = search_ids(session, query)
        pages = [search_ids(session, query, limit=2, offset=offset) for offset in range(0, 32, 2)]
    assert [story_id for page in pages for story_id in page] == every
    assert len(every) == (2 if "인증서" in query or "만료" in query else 30)


def _plan(database, query: str) -> str:
    with database.session() as session:
        statement = story_search.page_statement(story_search.query_words(query), 2, 0)
        compiled = statement.compile(dialect=session.get_bind().dialect)
        rows = session.connection().exec_driver_sql(f"EXPLAIN ANALYZE {compiled}", compiled.params)
        return "\n".join(row[0] for row in rows)


def test_a_common_word_never_runs_the_indexed_branch(postgres_library):
    plan = _plan(postgres_library, "disk")
    assert "never executed" in plan, plan


@pytest.mark.parametrize("query", ["장애", "결제 장애", "장애 disk"])
def test_a_common_korean_word_is_read_from_the_newest_korean_stories(postgres_library, query):
    """Not from the text indexes, which find a common word's matches in no order (sorting a
    third of 100,000 stories cost 80–180 ms a search)."""
    plan = _plan(postgres_library, query)
    assert "ix_story_newest_hangul" in plan and "never executed" in plan, plan


def test_a_korean_word_behind_the_newest_english_stories(database_url, monkeypatch):
    """The newest stories are in English; the Korean ones come after them in the library's
    order: every page of 장애 is the text index's page."""
    monkeypatch.setattr(story_search, "SEARCH_BUDGET", 6)
    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    for n in range(20):
        korean = n < 10  # the older half
        story = Story(
            key=f"s{n}",
            lang="ko" if korean else "en",
            title=f"s{n}",
            narrative="결제 장애 이어졌다" if korean else "the disk filled up",
        )
        lib.stories.create(replace(story, occurred_on=f"2025-01-{n + 1:02d}"), "민지")
    with database.session() as session:
        every = search_ids(session, "장애")
        pages = [search_ids(session, "장애", limit=2, offset=offset) for offset in range(0, 12, 2)]
    assert [story_id for page in pages for story_id in page] == every
    assert len(every) == 10
    database.close()
