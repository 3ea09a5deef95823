"""Many stories written at once (a library import): the stories already there found in a few
queries, the new ones inserted in batches, and the search indexes filled once after the load
instead of story by story — on SQLite the FTS5 tables from one INSERT … SELECT (their insert
triggers set aside inside the transaction, so no other connection ever sees them missing), on
PostgreSQL the GIN indexes dropped and built again in the same transaction (a library import
holds the story table meanwhile, as any schema change does)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, text
from sqlmodel import Session

from storage.library_tables import StoryRecord

BATCH = 2000
LARGE_LOAD = 2000  # new stories from which the indexes are built once after the load
# The order key of migration 0019: SQLite's search indexes file a story under it.
ORDER_KEY = (
    "((CASE WHEN occurred_on IS NULL THEN 0 "
    "ELSE CAST(julianday(occurred_on) AS INTEGER) END) * 4294967296 + id)"
)
FTS = (("story_fts", "search_text"), ("story_fts_short", "short_text"))


def stories_by_key(session: Session, keys: Sequence[str]) -> dict[str, StoryRecord]:
    """The stored stories among these keys, in queries of BATCH keys."""
    found: dict[str, StoryRecord] = {}
    for start in range(0, len(keys), BATCH):
        chunk = list(keys[start : start + BATCH])
        statement = select(StoryRecord).where(StoryRecord.key.in_(chunk))
        found.update((record.key, record) for record in session.scalars(statement))
    return found


def insert_stories(session: Session, rows: list[dict]) -> None:
    """Insert new stories (StoryRecord's columns); the search indexes are filled once after a
    large load."""
    if len(rows) < LARGE_LOAD:
        _insert(session, rows)
    elif session.get_bind().dialect.name == "sqlite":
        _insert_then_fill_fts(session, rows)
    else:
        _insert_then_build_gin(session, rows)


def _insert(session: Session, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(StoryRecord.__table__), rows[start : start + BATCH])


def _insert_then_fill_fts(session: Session, rows: list[dict]) -> None:
    # The first batch goes in through the triggers: it also opens the write transaction, so
    # the triggers are set aside inside it (pysqlite would run DDL outside one).
    _insert(session, rows[:BATCH])
    connection = session.connection()
    first = connection.execute(text("SELECT max(id) FROM story")).scalar_one()
    triggers = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'story' "
            "AND name IN ('story_fts_insert', 'story_fts_short_insert')"
        )
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f"DROP TRIGGER {name}"))
    _insert(session, rows[BATCH:])
    names = {name for name, _sql in triggers}
    for index, column in FTS:
        if f"{index}_insert" in names:
            connection.execute(
                text(
                    f"INSERT INTO {index}(rowid, {column}) "
                    f"SELECT {ORDER_KEY}, {column} FROM story WHERE id > :first"
                ),
                {"first": first},
            )
    for _name, sql in triggers:
        connection.execute(text(sql))


def _insert_then_build_gin(session: Session, rows: list[dict]) -> None:
    connection = session.connection()
    gin = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'story' AND indexdef LIKE '%USING gin%'"
        )
    ).all()
    for name, _definition in gin:
        connection.execute(text(f'DROP INDEX "{name}"'))
    _insert(session, rows)
    if gin:
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _name, definition in gin:
        connection.execute(text(definition))
