"""The curator's view of the cart (seed 000: refine from feedback, move the cart every few
weeks, new stories every 2–4 weeks): the feedback inbox, nominations with their reasons and the
incidents that have no story yet, when the last new story came and whether a refill is due, where
the cart has stood and for how long, and the next rotation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.services.library.cart import CartPlace, CartService, Feedback, Nomination
from app.services.library.records import StoryStore
from app.services.library.week import StoryWeek
from storage.story_rows import incidents_without_story, newest_story_at

REFILL_AFTER = timedelta(weeks=4)  # new stories every 2–4 weeks
MOVE_AFTER = timedelta(weeks=4)  # move the cart every few weeks


@dataclass(frozen=True)
class CuratorView:
    feedback: tuple[Feedback, ...]  # newest first, the unhandled ones before
    nominations: tuple[Nomination, ...]
    without_story: tuple[tuple[str, str], ...]  # (incident code, title)
    newest_story_at: datetime | None
    refill_due: bool
    places: tuple[CartPlace, ...]  # newest first
    move_due: bool
    rotates_at: datetime | None
    now: datetime

    @property
    def weeks_since_new_story(self) -> int | None:
        if self.newest_story_at is None:
            return None
        return int((self.now - self.newest_story_at) / timedelta(weeks=1))


class CuratorService(StoryStore):
    def view(self, lang: str) -> CuratorView:
        now = self.clock.now()
        cart = CartService(self.database, self.clock, self.rotation_weeks)
        week = StoryWeek(self.database, self.clock, self.rotation_weeks).week(lang, "curator")
        with self.database.session() as session:
            newest = newest_story_at(session)
            waiting = tuple(incidents_without_story(session))
        feedback = sorted(
            cart.feedback(), key=lambda f: (f.handled_at is not None, -f.given_at.timestamp())
        )
        places = tuple(reversed(cart.locations()))
        return CuratorView(
            feedback=tuple(feedback),
            nominations=tuple(cart.nominations()),
            without_story=waiting,
            newest_story_at=newest,
            refill_due=newest is None or now - newest > REFILL_AFTER,
            places=places,
            move_due=bool(places) and now - places[0].since > MOVE_AFTER,
            rotates_at=week.rotates_at if week is not None else None,
            now=now,
        )
