"""The story of the week: which story is featured now, when the next one starts, and which one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.story.model import ROTATION_WEEKS, StoryError


@dataclass(frozen=True)
class Feature:
    group: str
    starts_at: datetime
    ends_at: datetime | None  # None while pinned
    reason: str  # "rotation", "nomination" or "pin"
    themes: tuple[str, ...] = ()

    def covers(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


@dataclass(frozen=True)
class Candidate:
    group: str
    themes: tuple[str, ...]
    occurred_on: str = ""
    example: bool = False
    nominations: int = 0
    first_nominated_at: datetime | None = None


def check_rotation_weeks(weeks: int) -> int:
    if weeks not in ROTATION_WEEKS:
        raise StoryError(f"Rotation must be every 1 to 4 weeks, not {weeks}.")
    return weeks


def current_feature(history: list[Feature], now: datetime) -> Feature | None:
    """The feature in force now: the last one started, if it has not ended."""
    started = [f for f in history if f.starts_at <= now]
    if not started:
        return None
    latest = max(started, key=lambda f: f.starts_at)
    return latest if latest.covers(now) else None


def next_start(history: list[Feature], now: datetime, weeks: int) -> datetime:
    """Features follow one another on the same weekly beat: after a gap (nobody looked at the
    cart for a while), the new one starts at the latest beat not after now."""
    period = timedelta(weeks=weeks)
    ended = [f.ends_at for f in history if f.ends_at is not None and f.ends_at <= now]
    if not ended:
        return now
    last_end = max(ended)
    return last_end + period * ((now - last_end) // period)


def choose_next(
    candidates: list[Candidate], history: list[Feature], now: datetime
) -> Candidate | None:
    """Nominated stories first (most nominations, then the earliest), then those never
    featured (newest incident first), then those not shown longest; real stories before
    examples; never the same story, nor a theme of the previous feature, twice in a row (unless
    nothing else is left)."""
    previous = max(history, key=lambda f: f.starts_at) if history else None
    last_shown: dict[str, datetime] = {}
    for feature in history:
        last_shown[feature.group] = max(
            feature.starts_at, last_shown.get(feature.group, feature.starts_at)
        )
    pool = [c for c in candidates if previous is None or c.group != previous.group]
    if previous is not None:
        fresh = [c for c in pool if not set(c.themes) & set(previous.themes)]
        pool = fresh or pool
    if not pool:
        return None
    far_past = datetime.min.replace(tzinfo=now.tzinfo)

    def rank(c: Candidate):
        shown = last_shown.get(c.group)
        return (
            c.nominations == 0,
            -c.nominations,
            c.first_nominated_at or far_past,
            c.example,
            shown is not None,
            shown or far_past,
            _negated_date(c.occurred_on),
            c.group,
        )

    return min(pool, key=rank)


def _negated_date(text: str) -> int:
    return -date.fromisoformat(text).toordinal() if text else 0
