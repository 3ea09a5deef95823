"""Checklists for an incident's policy, severity and type (assets/playbooks/<policy>.toml).

A checklist with a phase window (`starts` / `ends`, counted from the declaration) belongs to a
phase of the response; the incident screen opens on the phase the clock says the team is in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources

from app.domain.durations import parse_duration
from app.domain.policy.model import LocalText


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: LocalText


@dataclass(frozen=True)
class Checklist:
    key: str
    title: LocalText
    items: tuple[ChecklistItem, ...]
    severities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    starts_s: int | None = None
    ends_s: int | None = None

    def applies_to(self, severity: str, type_key: str) -> bool:
        return (not self.severities or severity in self.severities) and (
            not self.types or type_key in self.types
        )

    def in_phase(self, elapsed: timedelta) -> bool:
        if self.starts_s is None:
            return False
        seconds = elapsed.total_seconds()
        return self.starts_s <= seconds and (self.ends_s is None or seconds < self.ends_s)


def _item(entry: dict) -> ChecklistItem:
    key = entry["key"]
    return ChecklistItem(key, LocalText.of({k: v for k, v in entry.items() if k != "key"}))


def _optional_seconds(table: dict, key: str) -> int | None:
    return parse_duration(table[key]) if key in table else None


@cache
def playbook(policy_name: str) -> tuple[Checklist, ...]:
    """The checklists shipped for a policy; a policy without a playbook has none."""
    path = resources.files("assets") / "playbooks" / f"{policy_name}.toml"
    if not path.is_file():
        return ()
    document = tomllib.loads(path.read_text("utf-8"))
    return tuple(
        Checklist(
            key=table["key"],
            title=LocalText.of(table["title"]),
            items=tuple(_item(entry) for entry in table["items"]),
            severities=tuple(table.get("severities", ())),
            types=tuple(table.get("types", ())),
            starts_s=_optional_seconds(table, "starts"),
            ends_s=_optional_seconds(table, "ends"),
        )
        for table in document.get("checklists", ())
    )


def checklists_for(policy_name: str, severity: str, type_key: str) -> tuple[Checklist, ...]:
    return tuple(c for c in playbook(policy_name) if c.applies_to(severity, type_key))


def current_phase(checklists: tuple[Checklist, ...], elapsed: timedelta) -> Checklist | None:
    return next((c for c in checklists if c.in_phase(elapsed)), None)
