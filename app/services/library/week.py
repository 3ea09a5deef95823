"""The story of the week: which story the cart features now, rotating to the next one when its
weeks are up (nominations first), and a curator's pin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from app.domain.story.model import (
    StoryError,
    preferred,
)
from app.domain.story.rotation import (
    Candidate,
    Feature,
    choose_next,
    current_feature,
    next_start,
)
from app.services.library.records import StoryStore, StoryView, feature_of, summary_of
from storage.library_tables import FeatureRecord
from storage.story_rows import (
    feature_rows,
    mark_nominations_featured,
    open_nominations,
    stories_in_group,
    story_summaries,
)


@dataclass(frozen=True)
class Week:
    feature: Feature
    view: StoryView
    rotates_at: datetime | None  # None while a curator's pin holds
    history: tuple[Feature, ...]


class StoryWeek(StoryStore):
    """The story of the week: rotating on its beat, a curator's pin."""

    def week(self, lang: str, actor: str = "storycart") -> Week | None:
        """The featured story now, rotating first when the last feature has run its weeks.
        None only when there is no published story at all."""
        now = self.clock.now()
        with self.database.session() as session:
            history = [feature_of(r) for r in feature_rows(session)]
            feature = current_feature(history, now)
            if feature is None:
                feature = self._rotate(session, history, now, actor)
                if feature is None:
                    return None
                history = [feature_of(r) for r in feature_rows(session)]
            group = stories_in_group(session, feature.group)
            if not group:
                return None
            view = self._view(session, preferred(group, lang), group)
        return Week(feature, view, feature.ends_at, tuple(history))

    def _candidates(self, session) -> list[Candidate]:
        stories = [summary_of(row) for row in story_summaries(session)]
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
            return current_feature([feature_of(r) for r in feature_rows(session)], now)
        return feature_of(record)

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
            return feature_of(feature)

    def unpin(self, _actor: str) -> None:  # who unpinned is not stored: no column holds it
        now = self.clock.now()
        with self.database.session() as session:
            pinned = [r for r in feature_rows(session) if r.ends_at is None]
            if not pinned:
                raise StoryError("No story is pinned.", "refusal.not_pinned")
            for record in pinned:
                record.ends_at = now
                session.add(record)
            session.commit()
