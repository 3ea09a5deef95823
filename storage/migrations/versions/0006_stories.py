"""Stories, the story of the week, nominations, feedback and cart locations; the search index
(FTS5 trigram on SQLite, kept by triggers; pg_trgm GIN on PostgreSQL).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE story_fts USING fts5(search_text, content='story', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER story_fts_insert AFTER INSERT ON story BEGIN "
    "INSERT INTO story_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER story_fts_delete AFTER DELETE ON story BEGIN "
    "INSERT INTO story_fts(story_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER story_fts_update AFTER UPDATE OF search_text ON story BEGIN "
    "INSERT INTO story_fts(story_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO story_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
POSTGRES_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_story_search_trgm ON story USING gin (search_text gin_trgm_ops)",
)


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("incident_code", sa.String(), nullable=True),
        sa.Column("search_text", sa.String(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.Column("updated_by", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_story_group_key", "story", ["group_key"])
    op.create_table(
        "feature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False, unique=True),
        _at("ends_at", nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("chosen_by", sa.String(), nullable=False),
    )
    op.create_table(
        "nomination",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_code", sa.String(), nullable=True),
        sa.Column("group_key", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("nominated_by", sa.String(), nullable=False),
        _at("nominated_at"),
        _at("featured_at", nullable=True),
    )
    op.create_index("ix_nomination_group_key", "nomination", ["group_key"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("given_by", sa.String(), nullable=False),
        _at("given_at"),
        sa.Column("location", sa.String(), nullable=True),
    )
    op.create_table(
        "cart_location",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        _at("since"),
        sa.Column("moved_by", sa.String(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_SEARCH if dialect == "sqlite" else POSTGRES_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS story_fts")
    for table in ("cart_location", "feedback", "nomination", "feature", "story"):
        op.drop_table(table)
