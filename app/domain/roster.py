"""Who is on call (seed 003 §9.3): people with their contacts, a weekly (or other) rotation for
each ladder level, and overrides for holidays and swaps — so a page, the alert command and the
first-report guide name a person, not only "L1 on-call engineer".

In config.toml:

    [roster.people.minji]
    name = "민지"
    contact = "010-1234-5678 · @minji"
    channels = ["minji-phone"]        # her own paging channels (optional)

    [roster.levels."L1 on-call engineer"]   # the ladder target, in any of its languages
    rotation = ["minji", "haruto", "sam"]
    start = "2026-11-02T10:00"        # the first handover (your time zone unless it says)
    every = "1w"                      # then one handover every week (the default)

    [[roster.overrides]]
    level = "L1 on-call engineer"
    person = "ana"
    from = "2026-12-24T18:00"
    until = "2026-12-26T09:00"
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.domain.durations import DurationError, parse_duration


class RosterError(ValueError):
    """A roster that cannot be read; str() is one sentence naming the part; `path` is the part's
    place in the [roster] table (("levels", "L1 on-call engineer")), for a line number."""

    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    contact: str = ""
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    target: str
    rotation: tuple[str, ...]
    start: datetime
    every_s: int = 7 * 86400


@dataclass(frozen=True)
class Override:
    level: str
    person: str
    starts: datetime
    ends: datetime


@dataclass(frozen=True)
class OnCall:
    level: str
    person: Person
    until: datetime
    override: bool = False


@dataclass(frozen=True)
class Roster:
    people: Mapping[str, Person] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()
    overrides: tuple[Override, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.levels)

    def level_for(self, names: Iterable[str]) -> Level | None:
        """The level a ladder target names, in whichever language it is written."""
        wanted = {name.casefold() for name in names if name}
        return next((lvl for lvl in self.levels if lvl.target.casefold() in wanted), None)

    def holder(self, names: Iterable[str], now: datetime) -> OnCall | None:
        level = self.level_for(names)
        return None if level is None else self._holder(level, now)

    def _holder(self, level: Level, now: datetime) -> OnCall | None:
        for override in self.overrides:
            if override.level.casefold() == level.target.casefold() and (
                override.starts <= now < override.ends
            ):
                return OnCall(level.target, self.people[override.person], override.ends, True)
        if now < level.start:
            return None
        turns = int((now - level.start).total_seconds() // level.every_s)
        person = self.people[level.rotation[turns % len(level.rotation)]]
        until = level.start + timedelta(seconds=(turns + 1) * level.every_s)
        return OnCall(level.target, person, until)

    def on_call(self, now: datetime) -> list[OnCall]:
        """Who holds each level now, in the order the roster lists them."""
        return [held for level in self.levels if (held := self._holder(level, now))]


def parse_roster(table: Any, timezone=None) -> Roster:
    """The [roster] table; naive times are in `timezone` (the machine's when None)."""
    if not isinstance(table, dict):
        raise RosterError("'roster' must be a table ([roster.people.NAME], [roster.levels.…]).")
    unknown = sorted(set(table) - {"people", "levels", "overrides"})
    if unknown:
        raise RosterError(
            f"roster: {unknown[0]!r} is not a roster part (people, levels, overrides)."
        )
    with _part("people") as place:
        people = {}
        for key, value in _table(table, "people").items():
            place.append(key)
            people[key] = _person(key, value)
    with _part("levels") as place:
        levels = []
        for target, value in _table(table, "levels").items():
            place.append(target)
            levels.append(_level(target, value, people, timezone))
    overrides = table.get("overrides", [])
    if not isinstance(overrides, list):
        raise RosterError("roster: 'overrides' must be a list of [[roster.overrides]] tables.")
    names = {level.target.casefold() for level in levels}
    with _part("overrides") as place:
        kept = []
        for number, override in enumerate(overrides, 1):
            place.append(number - 1)
            kept.append(_override(number, override, people, names, timezone))
    return Roster(people, tuple(levels), tuple(kept))


@contextmanager
def _part(name: str) -> Iterator[list]:
    """Marks a RosterError with the part being read (the last name appended)."""
    place: list = []
    try:
        yield place
    except RosterError as error:
        error.path = (name, *place[-1:])
        raise


def _table(table: dict, key: str) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise RosterError(f"roster: '{key}' must be a table.")
    return value


def _text(value: Any, here: str, key: str, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise RosterError(f"{here}: '{key}' must be {'a non-empty ' if required else 'a '}string.")
    return value.strip()


def _person(key: str, value: Any) -> Person:
    here = f"roster person {key!r}"
    if not isinstance(value, dict):
        raise RosterError(f"{here} must be a table ([roster.people.{key}]).")
    unknown = sorted(set(value) - {"name", "contact", "channels"})
    if unknown:
        raise RosterError(f"{here}: {unknown[0]!r} is not known (name, contact, channels).")
    channels = value.get("channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) and c for c in channels):
        raise RosterError(f"{here}: 'channels' must be a list of paging channel names.")
    return Person(
        key,
        _text(value.get("name", key), here, "name", required=True),
        _text(value.get("contact"), here, "contact"),
        tuple(channels),
    )


def _moment(value: Any, here: str, key: str, timezone) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RosterError(
                f"{here}: '{key}' {value!r} is not a time (like 2026-11-02T10:00)."
            ) from None
    else:
        raise RosterError(f"{here}: '{key}' must be a time like \"2026-11-02T10:00\".")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone) if timezone else moment.astimezone()
    return moment


def _level(target: str, value: Any, people: Mapping[str, Person], timezone) -> Level:
    here = f"roster level {target!r}"
    if not isinstance(value, dict):
        raise RosterError(f"{here} must be a table.")
    unknown = sorted(set(value) - {"rotation", "start", "every"})
    if unknown:
        raise RosterError(f"{here}: {unknown[0]!r} is not known (rotation, start, every).")
    rotation = value.get("rotation")
    if not isinstance(rotation, list) or not rotation:
        raise RosterError(f"{here}: 'rotation' must list the people who take turns.")
    for person in rotation:
        if person not in people:
            known = ", ".join(sorted(people)) or "none yet"
            raise RosterError(f"{here}: {person!r} is not in [roster.people] (known: {known}).")
    try:
        every = parse_duration(value.get("every", "1w"))
    except DurationError as error:
        raise RosterError(f"{here}: every: {error}") from None
    if every <= 0:
        raise RosterError(f"{here}: 'every' must be longer than zero.")
    return Level(
        target, tuple(rotation), _moment(value.get("start"), here, "start", timezone), every
    )


def _override(number: int, value: Any, people, levels: set[str], timezone) -> Override:
    here = f"roster override {number}"
    if not isinstance(value, dict):
        raise RosterError(f"{here} must be a table.")
    level = _text(value.get("level"), here, "level", required=True)
    if level.casefold() not in levels:
        raise RosterError(f"{here}: no roster level is called {level!r}.")
    person = _text(value.get("person"), here, "person", required=True)
    if person not in people:
        raise RosterError(f"{here}: {person!r} is not in [roster.people].")
    starts = _moment(value.get("from"), here, "from", timezone)
    ends = _moment(value.get("until"), here, "until", timezone)
    if ends <= starts:
        raise RosterError(f"{here}: 'until' must come after 'from'.")
    return Override(level, person, starts, ends)
