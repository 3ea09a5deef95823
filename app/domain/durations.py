"""Durations as people write them in policy files: 30s, 15m, 1h, 2d, 1w, or compounds like 1h30m."""

from __future__ import annotations

import re

UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")
_WHOLE = re.compile(r"(?:\d+[wdhms])+")
# Longer than any deadline an incident process has; a bigger number is a typo, and one past
# the year 9999 would overflow every clock derived from it.
MAX_SECONDS = 366 * 86400


class DurationError(ValueError):
    """A duration string that cannot be read; the message says why in plain words. ``reason``
    and ``values`` name it for other languages (the policy_error.duration_* messages)."""

    def __init__(self, message: str, reason: str, **values: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.values = values


def parse_duration(text: object) -> int:
    """Seconds in a duration string. Raises DurationError with a readable reason."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise DurationError(
            f'expected a duration string such as "15m", got {type(text).__name__} {text!r}',
            "not_text",
            typename=type(text).__name__,
            value=repr(text),
        )
    compact = text.strip().lower().replace(" ", "")
    if compact.startswith("-"):
        raise DurationError(
            f"{text!r} is negative; durations must be zero or more", "negative", value=repr(text)
        )
    if compact == "0":
        return 0
    if not compact or not _WHOLE.fullmatch(compact):
        raise DurationError(
            f"{text!r} is not a duration (use a number and a unit: 30s, 15m, 1h, 2d, 1w)",
            "not_duration",
            value=repr(text),
        )
    units = [unit for _, unit in _PART.findall(compact)]
    if len(set(units)) != len(units):
        raise DurationError(f"{text!r} repeats a unit", "repeated_unit", value=repr(text))
    seconds = sum(int(number) * UNIT_SECONDS[unit] for number, unit in _PART.findall(compact))
    if seconds > MAX_SECONDS:
        raise DurationError(
            f"{text!r} is longer than a year (366d), the longest a policy allows",
            "too_long",
            value=repr(text),
        )
    return seconds


def split_duration(seconds: int) -> list[tuple[int, str]]:
    """(count, unit) parts the way on-call people say them: "48h" and "24h" rather than "2d"
    or "1d", weeks when whole, days only for spans of a week or more."""
    if seconds < 0:
        raise ValueError("durations are never negative")
    week = UNIT_SECONDS["w"]
    if seconds and seconds % week == 0:
        return [(seconds // week, "w")]
    units = ["d", "h", "m", "s"] if seconds >= week else ["h", "m", "s"]
    parts = []
    remaining = seconds
    for unit in units:
        count, remaining = divmod(remaining, UNIT_SECONDS[unit])
        if count:
            parts.append((count, unit))
    return parts


def format_duration(seconds: int) -> str:
    """The canonical string that parse_duration reads back to the same seconds."""
    parts = split_duration(seconds)
    return "".join(f"{count}{unit}" for count, unit in parts) if parts else "0s"
