"""Story use cases: the starter library, stories drafted from published postmortems, saving and
publishing, browsing and search, the story of the week, nominations, feedback, the cart's
location, and the whole library as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.domain.clock import Clock
from app.domain.incident import IncidentError
from app.domain.postmortem.model import PostmortemError
from app.domain.story.drafting import draft_from_postmortem
from app.domain.story.follow_ups import LoopSummary, loop_summary
from app.domain.story.model import (
    FollowUp,
    Story,
    StoryError,
    from_document,
    preferred,
    publish,
    to_document,
    translation_draft,
    validate,
)
from app.domain.story.rotation import (
    Candidate,
    Feature,
    check_rotation_weeks,
    choose_next,
    current_feature,
    next_start,
)
from app.domain.story.starters import starter_stories
from storage.database import Database
from storage.incident_rows import by_code
from storage.models import (
    CartLocationRecord,
    FeatureRecord,
    FeedbackRecord,
    NominationRecord,
    StoryRecord,
)
from storage.postmortem_rows import action_items, postmortem_for
from storage.story_rows import (
    all_stories,
    example_count,
    feature_rows,
    feedback_entries,
    fold,
    locations,
    mark_nominations_featured,
    nomination_rows,
    open_nominations,
    save_story,
    search_ids,
    set_examples_hidden,
    stories_in_group,
    story_by_key,
    story_summaries,
)

EXPORT_FORMAT = "storycart-library"
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


def _summary(row) -> StorySummary:
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


class StoryService:
    def __init__(self, database: Database, clock: Clock, rotation_weeks: int = 2) -> None:
        self.database = database
        self.clock = clock
        self.rotation_weeks = check_rotation_weeks(rotation_weeks)

    # -- the starter library ----------------------------------------------------------------

    def ensure_starters(self) -> int:
        """On first use the library holds the starter stories; hiding them does not bring them
        back. Returns how many were added."""
        with self.database.session() as session:
            if example_count(session):
                return 0
            for story in starter_stories():
                session.add(self._record(story, "storycart"))
            try:
                session.commit()
            except IntegrityError:  # another process seeded them a moment ago
                session.rollback()
                return 0
            return len(starter_stories())

    def hide_examples(self, hidden: bool) -> int:
        with self.database.session() as session:
            count = set_examples_hidden(session, hidden)
            session.commit()
            return count

    # -- stories ------------------------------------------------------------------------------

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
            search_text=search_text(story),
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

    def view(self, ref: str, lang: str | None = None) -> StoryView:
        """A story by key or id; with a language, the translation in it when there is one."""
        with self.database.session() as session:
            record = self._find(session, ref)
            group = stories_in_group(session, record.group_key)
            if lang is not None and record.lang != lang:
                shown = preferred(group, lang)
                if shown.lang == lang:
                    record = shown
            return self._view(session, record, group)

    def translate(self, ref: str, lang: str, actor: str) -> StoryView:
        """The story in another language: its translation when one exists, else a new linked
        draft prefilled with the source's text."""
        with self.database.session() as session:
            source = self._find(session, ref)
            draft = translation_draft(self._story(source), lang)  # refuses the same language
            group = stories_in_group(session, source.group_key)
            existing = next((r for r in group if r.lang == lang), None)
            if existing is not None:
                return self._view(session, existing, group)
            if story_by_key(session, draft.key) is not None:
                raise StoryError(f"A story {draft.key!r} already exists.")
            record = self._add_once(session, draft, actor)
            return self._view(session, record, stories_in_group(session, source.group_key))

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

    def from_postmortem(self, code: str, actor: str) -> StoryView:
        """The story of an incident whose postmortem is published: drafted the first time,
        opened as it was left afterwards."""
        from app.services.postmortem_service import PostmortemService

        with self.database.session() as session:
            incident = by_code(session, code)
            if incident is None:
                raise IncidentError("refusal.no_incident", code=code)
            record = postmortem_for(session, incident.id)
            if record is None or record.status != "published":
                raise PostmortemError(
                    f"The postmortem of {code} is not published yet; publish it first.",
                    "refusal.pm_not_published",
                    code=code,
                )
            lang = record.lang
            existing = story_by_key(session, f"{code}/{lang}")
            if existing is not None:
                return self._view(session, existing, [existing])
        draft = PostmortemService(self.database, self.clock).open(code, lang, actor)
        occurred = incident.declared_at.astimezone().date()
        story = draft_from_postmortem(draft.postmortem, incident.severity, occurred)
        with self.database.session() as session:
            record = self._add_once(session, story, actor)
            return self._view(session, record, [record])

    def save(self, story: Story, expected_version: int, actor: str) -> int:
        validate(story)
        with self.database.session() as session:
            record = self._find(session, story.key)
            version = save_story(
                session,
                record,
                expected_version,
                **self._columns(story),
                updated_at=self.clock.now(),
                updated_by=actor,
            )
            session.commit()
            return version

    def create(self, story: Story, actor: str) -> StoryView:
        validate(story)
        with self.database.session() as session:
            if story_by_key(session, story.key) is not None:
                raise StoryError(f"A story {story.key!r} already exists.")
            record = self._record(story, actor)
            session.add(record)
            session.commit()
            return self._view(session, record, [record])

    def publish(self, story: Story, expected_version: int, actor: str) -> int:
        return self.save(publish(story), expected_version, actor)

    # -- browsing and search ------------------------------------------------------------------

    def summaries(self, lang: str) -> list[StorySummary]:
        with self.database.session() as session:
            rows = story_summaries(session)
        return visible_in([_summary(row) for row in rows], lang)

    def search(self, query: str, lang: str, limit: int | None = None) -> list[StorySummary]:
        with self.database.session() as session:
            ids = search_ids(session, query, limit)
            rows = story_summaries(session, ids) if ids else []
        return visible_in([_summary(row) for row in rows], lang)

    # -- story of the week ----------------------------------------------------------------

    def week(self, lang: str, actor: str = "storycart") -> Week | None:
        """The featured story now, rotating first when the last feature has run its weeks.
        None only when there is no published story at all."""
        now = self.clock.now()
        with self.database.session() as session:
            history = [_feature(r) for r in feature_rows(session)]
            feature = current_feature(history, now)
            if feature is None:
                feature = self._rotate(session, history, now, actor)
                if feature is None:
                    return None
                history = [_feature(r) for r in feature_rows(session)]
            group = stories_in_group(session, feature.group)
            if not group:
                return None
            view = self._view(session, preferred(group, lang), group)
        return Week(feature, view, feature.ends_at, tuple(history))

    def _candidates(self, session) -> list[Candidate]:
        stories = [_summary(row) for row in story_summaries(session)]
        published = [s for s in stories if s.status == "published" and not s.hidden]
        by_incident = {s.incident: s.group for s in published if s.incident}
        counts: dict[str, list[datetime]] = {}
        for nomination in open_nominations(session):
            group = nomination.group_key or by_incident.get(nomination.incident_code or "")
            if group:
                counts.setdefault(group, []).append(nomination.nominated_at)
        candidates: dict[str, Candidate] = {}
        for s in published:
            if s.group in candidates:
                continue
            nominated = counts.get(s.group, [])
            candidates[s.group] = Candidate(
                s.group,
                s.themes,
                s.occurred_on,
                s.example,
                len(nominated),
                min(nominated) if nominated else None,
            )
        return list(candidates.values())

    def _rotate(self, session, history: list[Feature], now: datetime, actor: str):
        chosen = choose_next(self._candidates(session), history, now)
        if chosen is None:
            return None
        starts = next_start(history, now, self.rotation_weeks)
        record = FeatureRecord(
            group_key=chosen.group,
            starts_at=starts,
            ends_at=starts + timedelta(weeks=self.rotation_weeks),
            reason="nomination" if chosen.nominations else "rotation",
            themes=list(chosen.themes),
            chosen_by=actor,
        )
        session.add(record)
        try:
            session.flush()
            mark_nominations_featured(session, chosen.group, now)
            session.commit()
        except IntegrityError:  # another cart rotated at the same beat: theirs stands
            session.rollback()
            return current_feature([_feature(r) for r in feature_rows(session)], now)
        return _feature(record)

    def pin(self, ref: str, actor: str) -> Feature:
        """A curator's choice: featured from now until unpinned."""
        now = self.clock.now()
        with self.database.session() as session:
            record = self._find(session, ref)
            if record.status != "published":
                raise StoryError(
                    "Only a published story can be the story of the week.", "refusal.pin_published"
                )
            # A feature that began this very instant becomes the pin (starts are unique).
            feature = next((f for f in feature_rows(session) if f.starts_at == now), None)
            feature = feature or FeatureRecord(starts_at=now)
            feature.group_key, feature.ends_at, feature.reason = record.group_key, None, "pin"
            feature.themes, feature.chosen_by = list(record.themes), actor
            session.add(feature)
            mark_nominations_featured(session, record.group_key, now)
            session.commit()
            return _feature(feature)

    def unpin(self, actor: str) -> None:
        now = self.clock.now()
        with self.database.session() as session:
            pinned = [r for r in feature_rows(session) if r.ends_at is None]
            if not pinned:
                raise StoryError("No story is pinned.", "refusal.not_pinned")
            for record in pinned:
                record.ends_at = now
                session.add(record)
            session.commit()

    # -- nominations, feedback, the cart's whereabouts ----------------------------------------

    def nominate(self, ref: str, reason: str, actor: str) -> NominationRecord:
        """Nominate an incident (by its code) or a story (by key or id) with a reason."""
        if not reason.strip():
            raise StoryError("Say why other teams should know this story.", "refusal.no_reason")
        with self.database.session() as session:
            incident_code, group = None, None
            if by_code(session, ref) is not None:
                incident_code = ref
            else:
                group = self._find(session, ref).group_key
            record = NominationRecord(
                incident_code=incident_code,
                group_key=group,
                reason=reason.strip(),
                nominated_by=actor,
                nominated_at=self.clock.now(),
            )
            session.add(record)
            session.commit()
            return record

    def nominations(self) -> list[NominationRecord]:
        with self.database.session() as session:
            return open_nominations(session)

    def give_feedback(self, text: str, actor: str) -> FeedbackRecord:
        if not text.strip():
            raise StoryError("The feedback is empty.", "refusal.empty_feedback")
        with self.database.session() as session:
            where = locations(session)
            record = FeedbackRecord(
                text=text.strip(),
                given_by=actor,
                given_at=self.clock.now(),
                location=where[-1].name if where else None,
            )
            session.add(record)
            session.commit()
            return record

    def feedback(self) -> list[FeedbackRecord]:
        with self.database.session() as session:
            return feedback_entries(session)

    def move_cart(self, name: str, actor: str) -> CartLocationRecord:
        """Record where the cart stands from now (one of LOCATIONS, or a place of your own)."""
        if not name.strip():
            raise StoryError("Name the place the cart stands now.", "refusal.no_place")
        with self.database.session() as session:
            record = CartLocationRecord(name=name.strip(), since=self.clock.now(), moved_by=actor)
            session.add(record)
            session.commit()
            return record

    def locations(self) -> list[CartLocationRecord]:
        with self.database.session() as session:
            return locations(session)

    # -- the whole library as JSON ------------------------------------------------------------

    def export_document(self) -> dict:
        with self.database.session() as session:
            stories = [
                {**to_document(self._story(r)), "hidden": bool(r.hidden)}
                for r in all_stories(session)
            ]
            return {
                "format": EXPORT_FORMAT,
                "version": EXPORT_VERSION,
                "stories": stories,
                "features": [_feature_document(r) for r in feature_rows(session)],
                "nominations": [
                    {
                        "incident": r.incident_code,
                        "group": r.group_key,
                        "reason": r.reason,
                        "by": r.nominated_by,
                        "at": _iso(r.nominated_at),
                        "featured_at": _iso(r.featured_at),
                    }
                    for r in nomination_rows(session)
                ],
                "feedback": [
                    {
                        "text": r.text,
                        "by": r.given_by,
                        "at": _iso(r.given_at),
                        "location": r.location,
                    }
                    for r in feedback_entries(session)
                ],
                "locations": [
                    {"name": r.name, "since": _iso(r.since), "by": r.moved_by}
                    for r in locations(session)
                ],
            }

    def import_document(self, document: dict, actor: str) -> dict[str, int]:
        """Add or replace stories by key and add the rest; everything is checked before
        anything is written, so a bad file changes nothing."""
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise StoryError(
                "This JSON file is not a Story Cart library export.", "refusal.not_library"
            )
        if document.get("version") != EXPORT_VERSION:
            version = document.get("version")
            raise StoryError(
                f"Library export version {version!r} is not 1.",
                "refusal.library_version",
                version=repr(version),
            )
        stories = []
        for number, item in enumerate(_list(document, "stories"), start=1):
            if not isinstance(item, dict):
                raise StoryError(
                    f"Story {number} is not an object.", "refusal.story_not_object", number=number
                )
            item = dict(item)
            hidden = item.pop("hidden", False)
            try:
                stories.append((from_document(item), bool(hidden)))
            except (StoryError, TypeError) as error:
                raise StoryError(
                    f"Story {number}: {error}", "refusal.story_at", number=number, said=error
                ) from None
        try:
            features = [_feature_record(item) for item in _list(document, "features")]
            nominations = [
                NominationRecord(
                    incident_code=n["incident"],
                    group_key=n["group"],
                    reason=n["reason"],
                    nominated_by=n["by"],
                    nominated_at=_parse(n["at"]),
                    featured_at=_parse(n["featured_at"]),
                )
                for n in _list(document, "nominations")
            ]
            feedback = [
                FeedbackRecord(
                    text=f["text"],
                    given_by=f["by"],
                    given_at=_parse(f["at"]),
                    location=f["location"],
                )
                for f in _list(document, "feedback")
            ]
            places = [
                CartLocationRecord(name=p["name"], since=_parse(p["since"]), moved_by=p["by"])
                for p in _list(document, "locations")
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise StoryError(
                f"The library file is malformed ({error!r}).",
                "refusal.library_malformed",
                detail=repr(error),
            ) from None
        with self.database.session() as session:
            known_starts = {r.starts_at for r in feature_rows(session)}
            for story, hidden in stories:
                existing = story_by_key(session, story.key)
                columns = self._columns(story)
                if existing is None:
                    record = self._record(story, actor)
                    record.hidden = hidden
                    session.add(record)
                else:
                    for name, value in columns.items():
                        setattr(existing, name, value)
                    existing.hidden = hidden
                    existing.version += 1
                    existing.updated_at, existing.updated_by = self.clock.now(), actor
                    session.add(existing)
            session.add_all(f for f in features if f.starts_at not in known_starts)
            session.add_all([*nominations, *feedback, *places])
            session.commit()
        return {
            "stories": len(stories),
            "features": len(features),
            "nominations": len(nominations),
            "feedback": len(feedback),
            "locations": len(places),
        }


def _list(document: dict, name: str) -> list:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise StoryError(
            f"'{name}' in the library file must be a list.", "refusal.library_list", name=name
        )
    return value


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _parse(text: str | None) -> datetime | None:
    if text is None:
        return None
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"time {text!r} has no timezone")
    return at


def _feature(record: FeatureRecord) -> Feature:
    return Feature(
        record.group_key,
        record.starts_at,
        record.ends_at,
        record.reason,
        tuple(record.themes or ()),
    )


def _feature_document(record: FeatureRecord) -> dict:
    return {
        "group": record.group_key,
        "starts_at": _iso(record.starts_at),
        "ends_at": _iso(record.ends_at),
        "reason": record.reason,
        "themes": list(record.themes or ()),
        "chosen_by": record.chosen_by,
    }


def _feature_record(item: dict) -> FeatureRecord:
    return FeatureRecord(
        group_key=item["group"],
        starts_at=_parse(item["starts_at"]),
        ends_at=_parse(item["ends_at"]),
        reason=item["reason"],
        themes=list(item["themes"]),
        chosen_by=item["chosen_by"],
    )


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
