"""The alert groups behind an incident, for the incident screen's Alerts tab and `storycart
incident show`: each group's key, source, count, the level its alerts ask for and the context
its sender gave (source, labels, annotations, links, each alert with its status)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.intake_claims import keys_for_incident


@dataclass(frozen=True)
class AlertGroup:
    dedup_key: str
    source: str
    count: int
    severity: str  # the level the group's most severe firing alert asks for
    first_at: datetime
    last_at: datetime
    last_status: str
    context: dict  # a copy: JSON data, nothing here writes back

    def document(self) -> dict:
        """The group as `storycart incident show --json` prints it."""
        return {
            "dedup_key": self.dedup_key,
            "source": self.source,
            "count": self.count,
            "severity": self.severity,
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "last_status": self.last_status,
            "context": self.context,
        }


class AlertGroups:
    def __init__(self, database: Database) -> None:
        self.database = database

    def for_incident(self, code: str) -> list[AlertGroup]:
        """The groups that opened or fed incident `code`, the latest first."""
        with self.database.session() as session:
            return [
                AlertGroup(
                    dedup_key=key.dedup_key,
                    source=key.source,
                    count=key.count,
                    severity=key.severity,
                    first_at=key.first_at,
                    last_at=key.last_at,
                    last_status=key.last_status,
                    context=copy.deepcopy(key.context or {}),
                )
                for key in keys_for_incident(session, code)
            ]
