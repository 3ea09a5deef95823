"""PostgreSQL keeps the library's order once more for the stories holding Korean, and for those
holding Japanese or Chinese characters (partial indexes on `ix_story_newest`'s columns). A search
for a Korean or Japanese word looks first among the newest stories of its script and stops after
the page: the text indexes found every match of a common word in no order, and sorting a third
of 100,000 stories cost 80–180 ms a search. SQLite is unchanged (its FTS5 indexes are read in
the library's order).

Revision ID: 0023
Revises: 0022
"""

from alembic import op

from storage.story_search import SCRIPT_PATTERNS

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for script, pattern in SCRIPT_PATTERNS.items():
        op.execute(
            f"CREATE INDEX ix_story_newest_{script} ON story "
            f"(occurred_on DESC NULLS LAST, id DESC) WHERE search_text ~ '{pattern}'"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for script in SCRIPT_PATTERNS:
        op.execute(f"DROP INDEX ix_story_newest_{script}")
