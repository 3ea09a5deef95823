"""SQLite's search indexes keyed by the library's order, so a search reads its first page
newest first from the index and stops there, instead of collecting every match and sorting it
(a common word matches a third of a 100,000-story library).

Both FTS5 tables become contentless, and each story is indexed under its *order key*: the day
of the incident (0 when unknown) times 2**32 plus the story's id — descending, exactly the
library's `occurred_on DESC NULLS LAST, id DESC`. PostgreSQL is unchanged.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ORDER_KEY = (
    "((CASE WHEN {row}.occurred_on IS NULL THEN 0 "
    "ELSE CAST(julianday({row}.occurred_on) AS INTEGER) END) * 4294967296 + {row}.id)"
)
INDEXES = (("story_fts", "search_text", "trigram"), ("story_fts_short", "short_text", "unicode61"))


def _triggers(table: str, column: str, key: str) -> tuple[str, ...]:
    new, old = key.format(row="new"), key.format(row="old")
    add = f"INSERT INTO {table}(rowid, {column}) VALUES ({new}, new.{column});"
    remove = (
        f"INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', {old}, old.{column});"
    )
    moved = "occurred_on, " if "occurred_on" in key else ""
    return (
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON story BEGIN {add} END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON story BEGIN {remove} END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF {moved}{column} ON story "
        f"BEGIN {remove} {add} END",
    )


def _refile(options: str, key: str, fill: str) -> None:
    """Each search index made again with these fts5 options, triggers filing rows under `key`,
    then filled by `fill` (a statement with {table} and {column})."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column, tokenizer in INDEXES:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {table}")
        op.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({column}, {options}, tokenize='{tokenizer}')"
        )
        for statement in _triggers(table, column, key):
            op.execute(statement)
        op.execute(fill.format(table=table, column=column))


def upgrade() -> None:
    ordered = ORDER_KEY.format(row="story")
    _refile(
        "content=''",
        ORDER_KEY,
        f"INSERT INTO {{table}}(rowid, {{column}}) SELECT {ordered}, {{column}} FROM story",
    )


def downgrade() -> None:
    _refile(
        "content='story', content_rowid='id'",
        "{row}.id",
        "INSERT INTO {table}({table}) VALUES ('rebuild')",
    )
