"""The whole library as JSON: export, and an import that checks everything before writing."""

from __future__ import annotations

from datetime import datetime

from app.domain.story.diagrams import check_image
from app.domain.story.model import (
    StoryError,
    from_document,
    to_document,
)
from app.services.library.records import StoryStore
from storage.library_tables import (
    CartLocationRecord,
    FeatureRecord,
    FeedbackRecord,
    NominationRecord,
)
from storage.story_import import insert_stories, stories_by_key
from storage.story_rows import (
    all_stories,
    feature_rows,
    feedback_entries,
    locations,
    nomination_rows,
)

EXPORT_FORMAT = "storycart-library"
EXPORT_VERSION = 1


class LibraryExchange(StoryStore):
    """The whole library (stories, features, nominations, feedback, places) as one JSON
    document, and back."""

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
                story = from_document(item)
                for diagram in story.diagrams:
                    if diagram.is_image:
                        check_image(diagram)  # opened once here, never again on reading
                stories.append((story, bool(hidden)))
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
        with self.database.session() as session, session.no_autoflush:
            known_starts = {r.starts_at for r in feature_rows(session)}
            stored = stories_by_key(session, [story.key for story, _hidden in stories])
            now, new = self.clock.now(), {}
            for story, hidden in stories:
                existing = stored.get(story.key)
                columns = self._columns(story)
                if existing is None:  # a key given twice: the last one wins
                    new[story.key] = {
                        **columns,
                        "hidden": hidden,
                        "created_at": now,
                        "updated_at": now,
                        "updated_by": actor,
                        "version": 1,
                    }
                else:
                    for name, value in columns.items():
                        setattr(existing, name, value)
                    existing.hidden = hidden
                    existing.version += 1
                    existing.updated_at, existing.updated_by = now, actor
                    session.add(existing)
            session.flush()
            insert_stories(session, list(new.values()))
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
