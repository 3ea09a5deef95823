"""Training checklists (seed 003 §8.1): onboarding items each person does once, and quarterly
items done again every quarter — the tabletop a drill plays, the rollback practice, the
postmortem review. Who did what, and when, is stored; whether it is done is derived here."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from app.domain.i18n import KeyedRefusal
from app.domain.policy.model import LocalText


class TrainingError(KeyedRefusal):
    """One sentence: an unknown item, an empty name."""


@dataclass(frozen=True)
class TrainingItem:
    checklist: str
    key: str
    text: LocalText

    @property
    def ref(self) -> str:
        return f"{self.checklist}/{self.key}"


@dataclass(frozen=True)
class TrainingChecklist:
    key: str
    title: LocalText
    items: tuple[TrainingItem, ...]
    quarterly: bool = False


@cache
def training_checklists() -> tuple[TrainingChecklist, ...]:
    document = tomllib.loads((resources.files("assets") / "training.toml").read_text("utf-8"))
    found = []
    for entry in document["checklists"]:
        items = tuple(
            TrainingItem(
                entry["key"],
                item["key"],
                LocalText.of({k: v for k, v in item.items() if k != "key"}),
            )
            for item in entry["items"]
        )
        found.append(
            TrainingChecklist(
                entry["key"],
                LocalText.of(entry["title"]),
                items,
                entry.get("every") == "quarter",
            )
        )
    return tuple(found)


def find_item(ref: str) -> tuple[TrainingChecklist, TrainingItem]:
    """`quarterly/tabletop`: the checklist and the item, or one sentence listing them."""
    for checklist in training_checklists():
        for item in checklist.items:
            if item.ref == ref:
                return checklist, item
    known = ", ".join(i.ref for c in training_checklists() for i in c.items)
    raise TrainingError(
        f"There is no training item {ref!r} (known: {known}).",
        "training.no_item",
        ref=ref,
        known=known,
    )


def quarter_start(moment: datetime) -> datetime:
    """The first instant of the quarter `moment` (in its own zone) falls in."""
    month = 3 * ((moment.month - 1) // 3) + 1
    return moment.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class TrainingState:
    person: str
    item: TrainingItem
    done_at: datetime | None  # the last time, if ever
    current: bool  # done (this quarter, for a quarterly item)


def states(records, people: list[str], now: datetime) -> list[TrainingState]:
    """For each person (those named and those with records) and each item: the last time it
    was done and whether that counts now. `records`: (checklist, item, person, done_at)."""
    last: dict[tuple[str, str, str], datetime] = {}
    for checklist, item, person, done_at in records:
        key = (checklist, item, person)
        if key not in last or done_at > last[key]:
            last[key] = done_at
    everyone = list(dict.fromkeys([*people, *(person for _, _, person in last)]))
    start = quarter_start(now.astimezone())
    shown = []
    for person in sorted(everyone, key=str.casefold):
        for checklist in training_checklists():
            for item in checklist.items:
                done = last.get((checklist.key, item.key, person))
                current = done is not None and (not checklist.quarterly or done >= start)
                shown.append(TrainingState(person, item, done, current))
    return shown
