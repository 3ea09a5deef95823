"""PostgreSQL keeps the library's order in `ix_story_newest` the way it is read: newest incident
first, undated stories last (`occurred_on DESC NULLS LAST, id DESC`). An ascending index read
backwards gives the undated ones first on PostgreSQL, so the planner sorted every story for the
first page and for every search; in this order the first page, and a search for a common word,
read the index and stop. SQLite is unchanged (its NULLs sort first, so backwards is this order).

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_story_newest")
    op.execute("CREATE INDEX ix_story_newest ON story (occurred_on DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_story_newest")
    op.execute("CREATE INDEX ix_story_newest ON story (occurred_on, id)")
