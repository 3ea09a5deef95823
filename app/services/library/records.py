"""Stories as rows and rows as stories: the library's summaries and views, and the base the
library services share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from app.domain.clock import Clock
from app.domain.story.follow_ups import LoopSummary, loop_summary
from app.domain.story.model import (
    FollowUp,
    Story,
    StoryError,
    from_document,
    preferred,
    to_document,
)
from app.domain.story.rotation import (
    Feature,
    check_rotation_weeks,
)
from storage.database import Database
from storage.incident_rows import by_code
from storage.library_tables import FeatureRecord, StoryRecord
from storage.postmortem_rows import action_items, postmortem_for
from storage.story_rows import story_by_key
from storage.story_search import fold, short_word_text

EXPORT_VERSION = 1
# Content columns live in the row; the rest of the story is this JSON.
ROW_FIELDS = {
    "key",
    "group",
    "lang",
    "status",
    "example",
    "kind",
    "severity",
    "occurred_on",
    "title",
    "themes",
    "incident",
}


@dataclass(frozen=True)
class StorySummary:
    """One line of the library."""

    id: int
    key: str
    group: str
    lang: str
    status: str
    example: bool
    hidden: bool
    kind: str
    severity: str
    occurred_on: str
    title: str
    themes: tuple[str, ...]
    incident: str


@dataclass(frozen=True)
class StoryView:
    story: Story
    version: int
    follow_ups: tuple[FollowUp, ...]  # live from the postmortem when there is one
    loop: LoopSummary
    translations: tuple[str, ...]  # languages this story is also written in
    # (time, marker, text) of the postmortem's marked timeline entries: detection, diagnosis,
    # repair, key moments — the story sheet's timeline strip
    moments: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Week:
    feature: Feature
    view: StoryView
    rotates_at: datetime | None  # None while a curator's pin holds
    history: tuple[Feature, ...]


def search_text(story: Story) -> str:
    parts = [
        story.title,
        story.highlight,
        story.narrative,
        story.lessons,
        story.changes,
        *story.lenses.values(),
        *story.themes,
        story.incident,
    ]
    return fold("\n".join(part for part in parts if part))


def summary_of(row) -> StorySummary:
    (
        id_,
        key,
        group,
        lang,
        status,
        example,
        hidden,
        kind,
        severity,
        occurred,
        title,
        themes,
        incident,
    ) = row
    return StorySummary(
        id_,
        key,
        group,
        lang,
        status,
        bool(example),
        bool(hidden),
        kind,
        severity,
        occurred.isoformat() if occurred else "",
        title,
        tuple(themes or ()),
        incident or "",
    )


def visible_in(summaries: list[StorySummary], lang: str) -> list[StorySummary]:
    """One line per story: hidden examples left out, translations folded into the member in the
    reader's language (else the first written)."""
    groups: dict[str, list[StorySummary]] = {}
    for item in summaries:
        if not item.hidden:
            groups.setdefault(item.group, []).append(item)
    chosen = {group: preferred(members, lang) for group, members in groups.items()}
    return [item for item in summaries if chosen.get(item.group) is item]


def filtered(
    items: list[StorySummary], theme: str = "", kind: str = "", severity: str = ""
) -> list[StorySummary]:
    """The library's filters; an empty value lets everything through."""
    return [
        item
        for item in items
        if (not theme or theme in item.themes)
        and (not kind or item.kind == kind)
        and (not severity or item.severity == severity)
    ]


def feature_of(record: FeatureRecord) -> Feature:
    return Feature(
        record.group_key,
        record.starts_at,
        record.ends_at,
        record.reason,
        tuple(record.themes or ()),
    )


class StoryStore:
    """What the library services share: the database, the clock, and turning stories into rows
    and rows into stories and views."""

    def __init__(self, database: Database, clock: Clock, rotation_weeks: int = 2) -> None:
        self.database = database
        self.clock = clock
        self.rotation_weeks = check_rotation_weeks(rotation_weeks)

    def _record(self, story: Story, actor: str) -> StoryRecord:
        now = self.clock.now()
        return StoryRecord(**self._columns(story), created_at=now, updated_at=now, updated_by=actor)

    @staticmethod
    def _columns(story: Story) -> dict:
        document = to_document(story)
        return dict(
            key=story.key,
            group_key=story.group,
            lang=story.lang,
            status=story.status,
            example=story.example,
            kind=story.kind,
            severity=story.severity,
            occurred_on=date.fromisoformat(story.occurred_on) if story.occurred_on else None,
            title=story.title,
            themes=list(story.themes),
            content={k: v for k, v in document.items() if k not in ROW_FIELDS},
            incident_code=story.incident or None,
            search_text=(folded := search_text(story)),
            short_text=short_word_text(folded),
        )

    @staticmethod
    def _story(record: StoryRecord) -> Story:
        return from_document(
            {
                **record.content,
                "key": record.key,
                "group": record.group_key,
                "lang": record.lang,
                "status": record.status,
                "example": bool(record.example),
                "kind": record.kind,
                "severity": record.severity,
                "occurred_on": record.occurred_on.isoformat() if record.occurred_on else "",
                "title": record.title,
                "themes": list(record.themes),
                "incident": record.incident_code or "",
            }
        )

    def _find(self, session, ref: str) -> StoryRecord:
        record = story_by_key(session, ref)
        if record is None and ref.isdigit():
            record = session.get(StoryRecord, int(ref))
        if record is None:
            raise StoryError(f"There is no story {ref!r}.", "refusal.no_story", ref=ref)
        return record

    def _add_once(self, session, story: Story, actor: str) -> StoryRecord:
        """Store a new story; when someone else stored the same key a moment ago, theirs."""
        record = self._record(story, actor)
        session.add(record)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            record = story_by_key(session, story.key)
        return record

    def _view(self, session, record: StoryRecord, group: list[StoryRecord]) -> StoryView:
        story = self._story(record)
        follow_ups = tuple(story.follow_ups)
        moments = ()
        if story.incident:
            incident = by_code(session, story.incident)
            postmortem = postmortem_for(session, incident.id) if incident else None
            if postmortem is not None:
                follow_ups = tuple(
                    FollowUp(a.title, a.owner, a.due.isoformat() if a.due else "", a.status)
                    for a in action_items(session, postmortem.id)
                )
                moments = tuple(
                    (item.get("at", ""), item["marker"], item.get("text", ""))
                    for item in postmortem.content.get("timeline", [])
                    if item.get("marker")
                )
        today = self.clock.now().astimezone().date()
        others = tuple(sorted({r.lang for r in group} - {record.lang}))
        return StoryView(
            story,
            record.version,
            follow_ups,
            loop_summary(list(follow_ups), today),
            others,
            moments,
        )
