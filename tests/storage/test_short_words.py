"""One- and two-character Korean and Japanese words found through the short-word index on a
real SQLite file and a real PostgreSQL database: exactly the stories that contain them (not
those where the two characters are apart), and the database's plan shows the index, not a scan
of every story."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, text

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


def recorded_statements(database) -> list[tuple[str, dict]]:
    """Every statement sent to the database from now on, with its parameters."""
    statements: list[tuple[str, dict]] = []
    event.listen(
        database.engine,
        "before_cursor_execute",
        lambda _c, _k, sql, params, _ctx, _many: statements.append((sql, params)),
    )
    return statements


def plan_of(database, sql: str, params, setting: str | None = None) -> str:
    """The database's plan for a statement, as one string (PostgreSQL: `setting` first)."""
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row) for row in rows)
        if setting is not None:
            connection.exec_driver_sql(setting)
        return " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params))


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
    if database.engine.dialect.name == "postgresql":
        statements = recorded_statements(database)
        lib.stories.search("장애", "ko", limit=200)
        sql, params = next(item for item in statements if "to_tsvector" in item[0])
        plan = plan_of(database, sql, params, "SET enable_seqscan = off")  # a tiny table: ask
        # Found by the index, and without a phrase: checking one would re-parse each
        # candidate story's whole text (the index holds no word positions).
        assert "ix_story_search_short" in plan and "<->" not in plan, plan
        # With a word of three characters the trigram index answers, and the short word is
        # checked by LIKE alone (as a filter, to_tsvector would parse every candidate).
        statements.clear()
        assert [s.key for s in lib.stories.search("결제 장애가", "ko")] == ["together/ko"]
        assert not any("to_tsvector" in sql for sql, _params in statements)
    database.close()


def test_a_search_reads_newest_first_and_follows_a_changed_date(database_url):
    """Matches come in the library's order (newest incident first, undated last, then the
    newer story first) page after page; a story whose date is changed moves, one whose words
    are changed stops being found."""
    from dataclasses import replace

    from storage.story_search import search_ids

    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    dates = ["2024-05-01", "", "2026-01-15", "2026-01-15", "1999-12-31", "", "2025-07-04"]
    for n, occurred in enumerate(dates):
        story = Story(key=f"s{n}", lang="ko", title=f"s{n}", narrative=f"결제 장애 certificate {n}")
        lib.stories.create(replace(story, occurred_on=occurred), "민지")
    keys = [
        f"s{n}"
        for n, _ in sorted(enumerate(dates), key=lambda pair: (pair[1] != "", pair[1], pair[0]))
    ][::-1]
    for query in ("장애", "certificate", "결제 장애", "장애 certificate"):
        assert [s.key for s in lib.stories.search(query, "ko")] == keys, query
    with database.session() as session:
        pages = [search_ids(session, "장애", limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [story_id for page in pages for story_id in page] == [
        next(s.id for s in lib.stories.summaries("ko") if s.key == key) for key in keys
    ]

    view = lib.stories.view("s4")  # 1999: the oldest dated story becomes the newest
    lib.stories.save(replace(view.story, occurred_on="2027-01-01"), view.version, "민지")
    view = lib.stories.view("s2")
    lib.stories.save(replace(view.story, narrative="디스크 부족"), view.version, "민지")
    assert [s.key for s in lib.stories.search("장애", "ko")] == ["s4", "s3", "s6", "s0", "s5", "s1"]
    assert [s.key for s in lib.stories.search("디스크", "ko")] == ["s2"]

    statements = recorded_statements(database)
    if database.engine.dialect.name == "sqlite":
        for query in ("장애", "certificate"):
            statements.clear()
            lib.stories.search(query, "ko", limit=200)
            sql, params = next(item for item in statements if "MATCH" in item[0])
            plan = plan_of(database, sql, params)
            assert "VIRTUAL TABLE INDEX" in plan and "TEMP B-TREE" not in plan, plan
        statements.clear()
        lib.stories.page("ko", 0, 200)  # the library's first page: read in order, no sort
        sql, params = next(item for item in statements if "LIMIT" in item[0])
        plan = plan_of(database, sql, params)
        assert "ix_story_newest" in plan and "TEMP B-TREE" not in plan, plan
    else:  # PostgreSQL can walk the library's order and stop at the page, sorting nothing
        lib.stories.search("장애", "ko", limit=200)
        lib.stories.page("ko", 0, 200)
        paged = [(sql, params) for sql, params in statements if "LIMIT" in sql]
        assert len(paged) == 2
        for sql, params in paged:
            plan = plan_of(database, sql, params, "SET enable_sort = off")  # a tiny table: ask
            assert "ix_story_newest" in plan and "Sort" not in plan, plan
    database.close()


def test_a_library_searched_before_the_ordered_index_is_found_the_same_after(database_url):
    """Stories stored under schema 0018 (search indexes keyed by id) are found, in the same
    order, once migration 0019 has re-filed them by the library's order — and back again."""
    from dataclasses import replace

    from alembic import command

    from storage.engine import make_engine
    from storage.schema import _alembic_config, upgrade_schema

    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    for n, occurred in enumerate(["2025-03-01", "", "2026-06-30", "2024-01-02"]):
        narrative = "決済障害 timeout"
        story = Story(key=f"old{n}", lang="ja", title=f"o{n}", narrative=narrative)
        story = replace(story, occurred_on=occurred)
        lib.stories.create(story, "민지")
    before = {q: [s.key for s in lib.stories.search(q, "ja")] for q in ("障害", "timeout")}
    assert before["障害"] == ["old2", "old0", "old3", "old1"] == before["timeout"]
    database.close()
    engine = make_engine(database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:  # the id-keyed indexes of 0018, rebuilt
            found = connection.execute(
                text("SELECT rowid FROM story_fts_short WHERE story_fts_short MATCH '\"障 害\"'")
            )
            ids = connection.execute(text("SELECT id FROM story WHERE key LIKE 'old%'"))
            assert sorted(row[0] for row in found) == sorted(row[0] for row in ids)
    engine.dispose()
    upgrade_schema(database_url)
    database = Database.open(database_url)
    lib = library_services(database, FakeClock(START))
    assert {q: [s.key for s in lib.stories.search(q, "ja")] for q in before} == before
    database.close()


def test_the_short_word_index_holds_only_korean_and_japanese_characters():
    """An English story puts nothing there (it made PostgreSQL's import slow), and a mixed
    story only its CJK characters, each a word of its own."""
    from storage.story_search import fold, short_word_text

    assert short_word_text(fold("The disk filled up (again) at 03:00!")).split() == []
    assert short_word_text(fold("Disk 장애 — 障害 x2")).split() == ["장", "애", "—", "障", "害"]
