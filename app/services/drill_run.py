"""One drill: its own folder with its own database (never the team's), the scenario it plays,
the speed, when it began and ended in drill time, and which events the team has been told —
kept in drill.json beside the database, written atomically after every change, so a drill
reopened after a crash tells nothing twice and its debrief can be printed long after.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.domain.clock import Clock
from app.domain.drill.scenario import DrillEvent, Scenario, from_document

__all__ = ["DrillFolderError", "DrillRun", "Told"]

MANIFEST = "drill.json"
DATABASE = "drill.db"


@dataclass(frozen=True)
class Told:
    """An event as it reached the team: when (drill time) and in which incident, if any."""

    index: int
    event: DrillEvent
    at: datetime


@dataclass
class DrillRun:
    directory: Path
    scenario: Scenario
    speed: float
    lang: str
    started_at: datetime  # drill time
    ended_at: datetime | None = None
    delivered: list[tuple[int, str]] = field(default_factory=list)  # (event index, at ISO)
    incident: str = ""  # the drill incident's code once it is declared

    # -- the folder -----------------------------------------------------------------------

    @classmethod
    def create(
        cls, parent: Path, scenario: Scenario, speed: float, lang: str, clock: Clock
    ) -> DrillRun:
        now = clock.now()
        local = now.astimezone()  # named in the local time the debrief shows (local_time)
        slug = re.sub(r"[^a-z0-9-]+", "-", scenario.key.lower()).strip("-") or "drill"
        directory = parent / f"{local:%Y%m%d-%H%M%S}-{slug}"
        suffix = 1
        while directory.exists():
            suffix += 1
            directory = parent / f"{local:%Y%m%d-%H%M%S}-{slug}-{suffix}"
        directory.mkdir(parents=True)
        run = cls(directory, scenario, speed, lang, now)
        run.save()
        return run

    @classmethod
    def open(cls, directory: Path) -> DrillRun:
        path = Path(directory) / MANIFEST
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DrillFolderError(f"{directory} is not a drill folder (no {MANIFEST}).") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise DrillFolderError(f"{path} is damaged ({error}).") from None
        try:
            return cls(
                Path(directory),
                from_document(document["scenario"], str(path)),
                float(document["speed"]),
                document["lang"],
                datetime.fromisoformat(document["started_at"]),
                datetime.fromisoformat(document["ended_at"]) if document["ended_at"] else None,
                [(int(i), str(at)) for i, at in document["delivered"]],
                document.get("incident", ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DrillFolderError(f"{path} is damaged ({error!r}).") from None

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.directory / DATABASE}"

    def save(self) -> None:
        document = {
            "format": "storycart-drill",
            "scenario": self.scenario.to_document(),
            "speed": self.speed,
            "lang": self.lang,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "delivered": [[index, at] for index, at in self.delivered],
            "incident": self.incident,
        }
        path = self.directory / MANIFEST
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
        os.replace(temporary, path)

    # -- time -----------------------------------------------------------------------------

    def elapsed_s(self, now: datetime) -> int:
        return max(0, int(((self.ended_at or now) - self.started_at).total_seconds()))

    def due(self, now: datetime) -> list[Told]:
        """Events whose moment has come and that nobody has been told yet, marked told."""
        if self.ended_at is not None:
            return []
        told = {index for index, _ in self.delivered}
        elapsed = (now - self.started_at).total_seconds()
        fresh = [
            Told(index, event, now)
            for index, event in enumerate(self.scenario.events)
            if index not in told and event.at_s <= elapsed
        ]
        if fresh:
            self.delivered += [(item.index, now.isoformat()) for item in fresh]
            self.save()
        return fresh

    def told(self) -> list[Told]:
        """Everything told so far, in order."""
        events = self.scenario.events
        return [
            Told(index, events[index], datetime.fromisoformat(at))
            for index, at in sorted(self.delivered, key=lambda pair: pair[1])
            if 0 <= index < len(events)
        ]

    def end(self, now: datetime) -> None:
        if self.ended_at is None:
            self.ended_at = now
            self.save()


class DrillFolderError(ValueError):
    """A folder that is not a drill, or whose drill.json is damaged; one sentence."""
