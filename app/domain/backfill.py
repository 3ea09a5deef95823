"""Events entered after the fact (`storycart incident declare|ack|update|resolve --at`): the
time an event really happened, checked like `--started` (never in the future, never before the
events it follows), and the timeline line that says it was entered late, when and by whom."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.incident import IncidentError

ENTERED_LATE = "entered_late"  # the timeline line's kind


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def event_time(
    at: datetime | None, now: datetime, *order: tuple[datetime | None, str, str]
) -> datetime:
    """`now`, or `at` when the event is entered after the fact. `order` lists what the event
    must not come before: (that moment or None, the refusal's key, its placeholder's name)."""
    if at is None:
        return now
    if at > now:
        raise IncidentError("refusal.time_in_future")
    for earliest, refusal, name in order:
        if earliest is not None and at < earliest:
            raise IncidentError(refusal, **{name: utc_text(earliest)})
    return at


def late_data(kind: str, text: str, data: dict | None, at: datetime, now: datetime) -> dict:
    """What the "entered late" line keeps: the event's own line and both times."""
    return {
        "kind": kind,
        "text": text,
        "data": data,
        "at": at.isoformat(),
        "entered": now.isoformat(),
    }


def late_text(kind: str, text: str, at: datetime, now: datetime, actor: str) -> str:
    """The line's English sentence (exports; the catalog says it in the reader's language)."""
    return f"entered late at {utc_text(now)} by {actor}: {text} ({kind} at {utc_text(at)})"
