"""A moment typed by a person: an ISO 8601 date and time (without an offset: the machine's own
time zone) or a span back from now ("25m ago", "-1h30m"). Used for when an incident's impact
began and when it was detected, and for the metrics' periods."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.durations import DurationError, parse_duration
from app.domain.i18n import LocalizedError


class MomentError(LocalizedError):
    """Not a moment; str() is one sentence that shows the accepted forms."""


def parse_moment(text: str, now: datetime) -> datetime:
    """An aware datetime; raises MomentError."""
    compact = text.strip()
    lowered = compact.lower()
    back = None
    if lowered.endswith(" ago"):
        back = lowered.removesuffix(" ago")
    elif lowered.startswith("-"):
        back = lowered.removeprefix("-")
    if back is not None:
        try:
            return now - timedelta(seconds=parse_duration(back))
        except DurationError:
            raise MomentError("refusal.not_a_moment", text=text) from None
    try:
        moment = datetime.fromisoformat(compact)
    except ValueError:
        raise MomentError("refusal.not_a_moment", text=text) from None
    return moment if moment.tzinfo is not None else moment.astimezone()
