"""The cart in the office: nominations for the next rotation, feedback from readers, and where
the cart stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.story.model import (
    LENSES,
    StoryError,
)
from app.services.frozen import frozen_copy
from app.services.library.records import StoryStore
from storage.incident_rows import by_code
from storage.library_tables import CartLocationRecord, FeedbackRecord, NominationRecord
from storage.story_rows import (
    feedback_entries,
    locations,
    mark_feedback_handled,
    open_nominations,
)


@dataclass(frozen=True)
class Nomination:
    id: int
    incident_code: str | None
    group_key: str | None
    reason: str
    nominated_by: str
    nominated_at: datetime
    featured_at: datetime | None


@dataclass(frozen=True)
class Feedback:
    id: int
    text: str
    given_by: str
    given_at: datetime
    location: str | None
    handled_at: datetime | None = None
    handled_by: str | None = None


@dataclass(frozen=True)
class CartPlace:
    id: int
    name: str
    since: datetime
    moved_by: str
    lens: str | None = None


class CartService(StoryStore):
    """Nominations, feedback and where the cart stands."""

    def nominate(self, ref: str, reason: str, actor: str) -> Nomination:
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
            return frozen_copy(Nomination, record)

    def nominations(self) -> list[Nomination]:
        with self.database.session() as session:
            return [frozen_copy(Nomination, row) for row in open_nominations(session)]

    def give_feedback(self, text: str, actor: str) -> Feedback:
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
            return frozen_copy(Feedback, record)

    def feedback(self) -> list[Feedback]:
        with self.database.session() as session:
            return [frozen_copy(Feedback, row) for row in feedback_entries(session)]

    def move_cart(self, name: str, actor: str, lens: str | None = None) -> CartPlace:
        """Record where the cart stands from now (a named place or one of your own), and the
        lens its reader opens on there (the product area: the product lens)."""
        if not name.strip():
            raise StoryError("Name the place the cart stands now.", "refusal.no_place")
        if lens is not None and lens not in LENSES:
            raise StoryError(f"The lens {lens!r} is not one of {', '.join(LENSES)}.")
        with self.database.session() as session:
            record = CartLocationRecord(
                name=name.strip(), since=self.clock.now(), moved_by=actor, lens=lens
            )
            session.add(record)
            session.commit()
            return frozen_copy(CartPlace, record)

    def handle_feedback(self, feedback_id: int, actor: str) -> bool:
        """Mark feedback handled (the curator read it and acted); False if it already was."""
        with self.database.session() as session:
            changed = mark_feedback_handled(session, feedback_id, actor, self.clock.now())
            session.commit()
            return changed

    def current_lens(self) -> str | None:
        """The lens of the place the cart stands now, if one was chosen there."""
        places = self.locations()
        return places[-1].lens if places else None

    def locations(self) -> list[CartPlace]:
        with self.database.session() as session:
            return [frozen_copy(CartPlace, row) for row in locations(session)]
