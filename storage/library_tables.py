"""Tables of the story library: the stories (one row per language), the story of the week,
nominations for it, feedback given at the cart, and where the cart stands. Imported by
storage.tables, which registers every table on SQLModel.metadata."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Index, String
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, json_field


class StoryRecord(SQLModel, table=True):
    """One story in one language. `search_text` is the folded text the search indexes (FTS5
    trigram on SQLite, pg_trgm on PostgreSQL) — kept by the writer, never shown."""

    __tablename__ = "story"
    # The library's order, newest incident first: its first page is read from here. PostgreSQL
    # holds it as (occurred_on DESC NULLS LAST, id DESC) — migration 0020.
    # The library's size is counted from ix_story_visible_group alone.
    __table_args__ = (
        Index("ix_story_newest", "occurred_on", "id"),
        Index("ix_story_visible_group", "group_key", "hidden"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String, nullable=False, unique=True))
    group_key: str = Field(index=True)
    lang: str
    status: str = "draft"
    example: bool = False
    hidden: bool = False
    kind: str
    severity: str
    occurred_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    title: str
    themes: Any = json_field()
    content: Any = json_field()
    incident_code: str | None = None
    search_text: str
    # search_text with every CJK character set apart: one- and two-character words by index
    short_text: str | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str
    version: int = 1


class FeatureRecord(SQLModel, table=True):
    """A story of the week. The unique start makes two carts rotating at once agree: the second
    insert fails and re-reads the first."""

    __tablename__ = "feature"

    id: int | None = Field(default=None, primary_key=True)
    group_key: str
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, unique=True))
    ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reason: str
    themes: Any = json_field()
    chosen_by: str


class NominationRecord(SQLModel, table=True):
    __tablename__ = "nomination"

    id: int | None = Field(default=None, primary_key=True)
    incident_code: str | None = None
    group_key: str | None = Field(default=None, index=True)
    reason: str
    nominated_by: str
    nominated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    featured_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class FeedbackRecord(SQLModel, table=True):
    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    text: str
    given_by: str
    given_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    location: str | None = None
    handled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    handled_by: str | None = None


class CartLocationRecord(SQLModel, table=True):
    __tablename__ = "cart_location"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    moved_by: str
    lens: str | None = None  # the lens the reader opens on while the cart stands here
