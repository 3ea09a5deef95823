"""Queries for stories, features, nominations, feedback and cart locations. Finding stories
by their words is storage.story_search."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, not_, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from storage.errors import StaleWrite
from storage.library_tables import (
    CartLocationRecord,
    FeatureRecord,
    FeedbackRecord,
    NominationRecord,
    StoryRecord,
)
from storage.tables import IncidentRecord, PostmortemRecord
from storage.versioned import versioned_update

# Columns the library lists without loading every story's whole text.
SUMMARY_COLUMNS = (
    StoryRecord.id,
    StoryRecord.key,
    StoryRecord.group_key,
    StoryRecord.lang,
    StoryRecord.status,
    StoryRecord.example,
    StoryRecord.hidden,
    StoryRecord.kind,
    StoryRecord.severity,
    StoryRecord.occurred_on,
    StoryRecord.title,
    StoryRecord.themes,
    StoryRecord.incident_code,
)


# -- stories --------------------------------------------------------------------------------


def story_by_key(session: Session, key: str) -> StoryRecord | None:
    return session.exec(select(StoryRecord).where(StoryRecord.key == key)).first()


def stories_in_group(session: Session, group: str) -> list[StoryRecord]:
    statement = select(StoryRecord).where(StoryRecord.group_key == group)
    return list(session.exec(statement.order_by(StoryRecord.id)))


def story_summaries(session: Session, ids: list[int] | None = None) -> list[tuple]:
    statement = select(*SUMMARY_COLUMNS)
    if ids is not None:
        statement = statement.where(col(StoryRecord.id).in_(ids))
    statement = statement.order_by(
        col(StoryRecord.occurred_on).desc().nulls_last(), col(StoryRecord.id).desc()
    )
    return list(session.exec(statement))


def story_page(session: Session, lang: str, offset: int, limit: int) -> list[tuple]:
    """One page of the library as `story_summaries` gives it, one story a line: hidden ones
    left out, and of a story's translations the one a reader of `lang` is shown (published in
    their language, else published, else in their language, else the newest). A line is kept
    when no sibling in its group beats it — an indexed look-up per line — and lines are read
    in the library's order from its index, so the first page stops after the first lines."""
    sibling = aliased(StoryRecord)
    newer = or_(
        and_(col(StoryRecord.occurred_on).is_(None), col(sibling.occurred_on).is_not(None)),
        col(sibling.occurred_on) > col(StoryRecord.occurred_on),
        and_(
            or_(
                col(sibling.occurred_on) == col(StoryRecord.occurred_on),
                and_(col(sibling.occurred_on).is_(None), col(StoryRecord.occurred_on).is_(None)),
            ),
            col(sibling.id) > col(StoryRecord.id),
        ),
    )
    published = (StoryRecord.status == "published", sibling.status == "published")
    in_lang = (StoryRecord.lang == lang, sibling.lang == lang)
    beaten = (
        select(sibling.id)
        .where(sibling.group_key == StoryRecord.group_key)
        .where(sibling.id != StoryRecord.id)
        .where(col(sibling.hidden).is_(False))
        .where(
            or_(
                and_(published[1], not_(published[0])),
                and_(
                    published[1] == published[0],
                    or_(
                        and_(in_lang[1], not_(in_lang[0])),
                        and_(in_lang[1] == in_lang[0], newer),
                    ),
                ),
            )
        )
    )
    statement = (
        select(*SUMMARY_COLUMNS)
        .where(col(StoryRecord.hidden).is_(False))
        .where(not_(beaten.exists()))
        .order_by(col(StoryRecord.occurred_on).desc().nulls_last(), col(StoryRecord.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(statement)]


def visible_story_count(session: Session) -> int:
    """How many lines the whole library has (stories, not translations; hidden ones not)."""
    statement = select(func.count(func.distinct(StoryRecord.group_key))).where(
        col(StoryRecord.hidden).is_(False)
    )
    return session.exec(statement).one()


def all_stories(session: Session) -> list[StoryRecord]:
    return list(session.exec(select(StoryRecord).order_by(StoryRecord.id)))


def example_count(session: Session) -> int:
    statement = select(func.count(StoryRecord.id)).where(col(StoryRecord.example).is_(True))
    return session.exec(statement).one()


def set_examples_hidden(session: Session, hidden: bool) -> int:
    statement = update(StoryRecord).where(col(StoryRecord.example).is_(True)).values(hidden=hidden)
    return session.execute(statement).rowcount


def save_story(session: Session, record: StoryRecord, expected_version: int, **values) -> int:
    stale = StaleWrite(
        "Someone else saved this story a moment ago; your text is still in the form. "
        "Copy what you need, then reopen the story to see their version.",
        "storage.stale_story",
    )
    return versioned_update(session, StoryRecord, record.id, expected_version, stale, **values)


# -- story of the week, nominations, feedback, locations -------------------------------------


def feature_rows(session: Session) -> list[FeatureRecord]:
    return list(session.exec(select(FeatureRecord).order_by(FeatureRecord.starts_at)))


def open_nominations(session: Session) -> list[NominationRecord]:
    statement = select(NominationRecord).where(col(NominationRecord.featured_at).is_(None))
    return list(session.exec(statement.order_by(NominationRecord.nominated_at)))


def nomination_rows(session: Session) -> list[NominationRecord]:
    return list(session.exec(select(NominationRecord).order_by(NominationRecord.id)))


def mark_nominations_featured(session: Session, group: str, at: datetime) -> None:
    session.execute(
        update(NominationRecord)
        .where(NominationRecord.group_key == group, col(NominationRecord.featured_at).is_(None))
        .values(featured_at=at)
    )


def feedback_entries(session: Session) -> list[FeedbackRecord]:
    return list(session.exec(select(FeedbackRecord).order_by(FeedbackRecord.given_at)))


def locations(session: Session) -> list[CartLocationRecord]:
    return list(session.exec(select(CartLocationRecord).order_by(CartLocationRecord.since)))


def mark_feedback_handled(session: Session, feedback_id: int, actor: str, now) -> bool:
    """True when there was such feedback not yet handled."""
    statement = (
        update(FeedbackRecord)
        .where(FeedbackRecord.id == feedback_id, col(FeedbackRecord.handled_at).is_(None))
        .values(handled_at=now, handled_by=actor)
    )
    return session.execute(statement).rowcount == 1


def newest_story_at(session: Session):
    """When the newest published story (not a shipped example) was written, or None."""
    statement = select(func.max(StoryRecord.created_at)).where(
        StoryRecord.status == "published", col(StoryRecord.example).is_(False)
    )
    return session.execute(statement).scalar_one_or_none()


def incidents_without_story(session: Session) -> list[tuple[str, str]]:
    """(code, title) of incidents whose postmortem is published and that have no story yet."""
    has_story = select(StoryRecord.incident_code).where(col(StoryRecord.incident_code).is_not(None))
    statement = (
        select(IncidentRecord.code, IncidentRecord.title)
        .join(PostmortemRecord, PostmortemRecord.incident_id == IncidentRecord.id)
        .where(
            PostmortemRecord.status == "published",
            col(IncidentRecord.code).not_in(has_story),
        )
        .order_by(IncidentRecord.declared_at)
    )
    return [tuple(row) for row in session.execute(statement)]
