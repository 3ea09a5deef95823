"""An index for one- and two-character Korean, Japanese and Chinese words: `story.short_text`
is the search text with each CJK character set apart, indexed word by word (FTS5 unicode61 on
SQLite, a GIN full-text index on PostgreSQL), so 장애 or 障害 is a two-token phrase found through
the index instead of by reading every story.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE VIRTUAL TABLE story_fts_short USING fts5(short_text, content='story', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER story_fts_short_insert AFTER INSERT ON story BEGIN "
    "INSERT INTO story_fts_short(rowid, short_text) VALUES (new.id, new.short_text); END",
    "CREATE TRIGGER story_fts_short_delete AFTER DELETE ON story BEGIN "
    "INSERT INTO story_fts_short(story_fts_short, rowid, short_text) "
    "VALUES ('delete', old.id, old.short_text); END",
    "CREATE TRIGGER story_fts_short_update AFTER UPDATE OF short_text ON story BEGIN "
    "INSERT INTO story_fts_short(story_fts_short, rowid, short_text) "
    "VALUES ('delete', old.id, old.short_text); "
    "INSERT INTO story_fts_short(rowid, short_text) VALUES (new.id, new.short_text); END",
)
POSTGRES = (
    "CREATE INDEX ix_story_search_short ON story "
    "USING gin (to_tsvector('simple', coalesce(short_text, '')))",
)


def upgrade() -> None:
    from storage.story_search import spaced

    op.add_column("story", sa.Column("short_text", sa.String(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, search_text FROM story")).all()
    for story_id, text in rows:
        connection.execute(
            sa.text("UPDATE story SET short_text = :short WHERE id = :id"),
            {"short": spaced(text), "id": story_id},
        )
    statements = SQLITE if connection.dialect.name == "sqlite" else POSTGRES
    for statement in statements:
        op.execute(statement)
    if connection.dialect.name == "sqlite":
        op.execute("INSERT INTO story_fts_short(story_fts_short) VALUES ('rebuild')")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS story_fts_short_{trigger}")
        op.execute("DROP TABLE IF EXISTS story_fts_short")
    else:
        op.execute("DROP INDEX IF EXISTS ix_story_search_short")
    op.drop_column("story", "short_text")
