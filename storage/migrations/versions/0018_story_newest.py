"""The library's order as an index (newest incident first), so its first page is read from it.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_story_newest", "story", ["occurred_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_story_newest", table_name="story")
